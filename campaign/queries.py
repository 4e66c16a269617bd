"""Read models of the reference data: which campaigns a user may know of."""

from django.db.models import Max, Q
from django.utils.translation import gettext as _

from campaign.enums import CampaignKind, CampaignState
from campaign.models import (
    Campaign,
    CampaignDocument,
    DeadlineExtension,
    Filiere,
    Invitation,
    Territory,
)
from common.api_input import SLUG_RE
from common.errors import NotFound


def visible_campaigns(user, queryset=None):
    """The campaigns this user may know of. A published call is public (api.md:
    `campaigns` for any authenticated user), except that the staff of a region know only
    their regions' campaigns (and those their own filières take part in): another
    region's campaign and everything under it is unknown (404) to them. A campaign in
    preparation (draft) is known only to its region's staff and the national
    administrator. The administrator is national."""
    queryset = Campaign.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.is_national:
        return queryset
    public = ~Q(state=CampaignState.DRAFT)
    if not user.region_ids:
        return queryset.filter(public)
    # The filières as a subquery: a staff page pays no query for them.
    condition = Q(region_id__in=user.region_ids) | public & Q(
        pk__in=Campaign.filieres.through.objects.filter(filiere__editors=user).values("campaign_id")
    )
    return queryset.filter(condition)


def public_campaigns(queryset=None):
    """The calls anyone may read about, without signing in: published or closed (a
    yearly follow-up of the recognised filières is no call: never public)."""
    queryset = Campaign.objects.all() if queryset is None else queryset
    return queryset.exclude(state=CampaignState.DRAFT).filter(kind=CampaignKind.CALL)


def get_visible_campaign(user, slug, queryset=None):
    """The campaign, or NotFound when it does not exist or this user may not know it."""
    campaign = None
    if isinstance(slug, str) and SLUG_RE.fullmatch(slug):
        campaign = visible_campaigns(user, queryset).filter(slug=slug).first()
    if campaign is None:
        raise NotFound(_("Campagne introuvable."))
    return campaign


def lead_calls(user):
    """[(campaign, filière, deadline, extended)] of the calls this user's filières take
    part in, latest first; `deadline` is the filière's own (Campaign.deadline_for: its
    latest extension when later), for every row in two queries."""
    links = (
        Campaign.filieres.through.objects.filter(
            filiere_id__in=user.filiere_ids, campaign__kind=CampaignKind.CALL
        )
        .exclude(campaign__state=CampaignState.DRAFT)
        .select_related("campaign", "filiere")
        .order_by("-campaign__opens_at", "filiere__name")
    )
    latest = {
        (row["campaign_id"], row["filiere_id"]): row["until"]
        for row in DeadlineExtension.objects.filter(filiere_id__in=user.filiere_ids)
        .values("campaign_id", "filiere_id")
        .annotate(until=Max("until"))
        .order_by()
    }
    rows = []
    for link in links:
        campaign, filiere = link.campaign, link.filiere
        until = latest.get((campaign.pk, filiere.pk))
        extended = bool(until and until > campaign.deadline)
        rows.append((campaign, filiere, until if extended else campaign.deadline, extended))
    return rows


def campaign_documents(campaigns):
    """{campaign id: [its documents]} of these campaigns (one query): the leads' home."""
    result = {}
    for document in CampaignDocument.objects.filter(
        campaign_id__in=[campaign.pk for campaign in campaigns]
    ).order_by("kind", "uploaded_at", "pk"):
        result.setdefault(document.campaign_id, []).append(document)
    return result


def filiere_territory_links(campaign):
    """The (filière, territory) links of the filières taking part in the campaign, to the
    territories the campaign covers: what "the territories of a dossier" means in that
    campaign's pages, budget, exports and coverage."""
    return Filiere.territories.through.objects.filter(
        filiere__campaigns=campaign, territory__campaigns=campaign
    )


def visible_territories(user):
    """The reference territories of the regions whose campaigns this user may know of."""
    return Territory.objects.filter(
        region_id__in=visible_campaigns(user).values("region_id")
    ).select_related("region")


def open_invitations(filiere):
    """The filière's invitations not accepted nor cancelled (pending or expired), newest
    first: what its editors may re-send or cancel."""
    return list(
        Invitation.objects.filter(
            filiere=filiere, accepted_at__isnull=True, cancelled_at__isnull=True
        ).order_by("-sent_at", "-id")
    )
