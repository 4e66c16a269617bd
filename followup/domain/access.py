"""Which reports a user may see, as one query (mirrors followup.rules.can_view_report):
its filières' reports for an editor; every report of the regions where they hold a
staff role for the CARESP and the ARS (the follow-up is the ARS's own business, drafts
included: it chases the late ones — docs/decisions/0017); everything for the national
administrator. Another region's report is unknown (404)."""

from django.db.models import Q
from django.utils.translation import gettext as _

from campaign.enums import CampaignState
from common.errors import NotFound
from followup.models import Report


def visible_reports(user, queryset=None):
    queryset = Report.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    queryset = queryset.exclude(campaign__state=CampaignState.DRAFT)
    if user.is_national:
        return queryset
    condition = Q(filiere_id__in=user.filiere_ids)
    if user.staff_region_ids:
        condition |= Q(region_id__in=user.staff_region_ids)
    return queryset.filter(condition)


def get_visible_report(user, pk, queryset=None):
    queryset = (
        Report.objects.select_related("campaign", "filiere", "region")
        if queryset is None
        else queryset
    )
    if isinstance(pk, str):
        pk = int(pk) if pk.isascii() and pk.isdigit() and len(pk) < 12 else None
    report = visible_reports(user, queryset).filter(pk=pk).first() if pk else None
    if report is None:
        raise NotFound(_("Rapport introuvable."))
    return report
