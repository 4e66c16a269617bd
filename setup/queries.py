"""Read models of the campaign set-up and of the public pages of the calls."""

import datetime as dt

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from budget.models import Envelope
from campaign.models import Campaign, CampaignEvent, LeadNomination, Region
from campaign.queries import public_campaigns
from dossiers.models import Dossier


def setup_regions(user):
    """The regions whose calls this user sets up (every region for the national
    administrator)."""
    if not user.is_authenticated:
        return Region.objects.none()
    if user.is_national:
        return Region.objects.all()
    return Region.objects.filter(pk__in=user.region_ids_for(Role.REGION_ADMIN))


def setup_campaigns(user):
    return (
        Campaign.objects.filter(region__in=setup_regions(user))
        .select_related("region")
        .annotate(
            filiere_count=Count("filieres", distinct=True),
            territory_count=Count("territories", distinct=True),
        )
        .order_by("region__name", "-opens_at")
    )


def envelopes_of(campaign):
    """{kind: Envelope} with their amendments, oldest first."""
    return {
        e.kind: e for e in Envelope.objects.filter(campaign=campaign).prefetch_related("amendments")
    }


FIELD_LABELS = {
    "name": _("nom"),
    "opens_at": _("ouverture"),
    "deadline": _("date limite"),
    "decision_date": _("décision"),
    "first_delegation_date": _("première délégation"),
    "signatory_name": _("signataire"),
    "signatory_title": _("qualité du signataire"),
    "appeal_court": _("tribunal administratif"),
    "territories": _("territoires"),
    "added": _("ajoutés"),
    "removed": _("retirés"),
    "filiere": _("filière"),
    "filieres": _("filières"),
    "file": _("fichier"),
    "copied_from": _("reprise de"),
}
# Changes recorded as [before, after].
PAIRS = {
    "name",
    "opens_at",
    "deadline",
    "decision_date",
    "first_delegation_date",
    "signatory_name",
    "signatory_title",
    "appeal_court",
}


def _value(value):
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(_value(item) for item in value)
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            if len(value) > 10:
                return dt.datetime.fromisoformat(value).strftime("%d/%m/%Y %H:%M:%S")
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)


def describe_changes(changes):
    """A history line's changes in words: « date limite : 14/02/2025 … → 28/02/2025 … »."""
    lines = []
    for key, value in (changes or {}).items():
        label = FIELD_LABELS.get(key, key)
        paired = key in PAIRS or (key == "territories" and value and isinstance(value[0], list))
        if paired and isinstance(value, list) and len(value) == 2:
            lines.append(f"{label} : {_value(value[0])} → {_value(value[1])}")
        else:
            lines.append(f"{label} : {_value(value)}")
    return lines


def history_of(campaign, limit=100):
    events = (
        CampaignEvent.objects.filter(campaign=campaign)
        .select_related("by")
        .order_by("-at", "-id")[:limit]
    )
    return [{"event": event, "lines": describe_changes(event.changes)} for event in events]


def filieres_of(campaign):
    """The filières taking part, with their territories, editors and named leads."""
    return (
        campaign.filieres.order_by("name")
        .prefetch_related(
            "territories",
            "editors",
            Prefetch(
                "lead_nominations",
                queryset=LeadNomination.objects.filter(campaign=campaign).select_related(
                    "invitation"
                ),
                to_attr="nominations",
            ),
        )
        .annotate(dossier_count=Count("dossiers", filter=Q(dossiers__campaign=campaign)))
    )


def results_of(campaign):
    """The recognised filières of the campaign and the territories each is recognised for
    (the territories of its dossier: its filière's, within the campaign's)."""
    covered = set(campaign.territories.values_list("pk", flat=True))
    dossiers = (
        Dossier.objects.filter(campaign=campaign, recognised=True)
        .select_related("filiere")
        .prefetch_related("filiere__territories")
        .order_by("filiere__name")
    )
    return [
        {
            "filiere": dossier.filiere,
            "territories": [t for t in dossier.filiere.territories.all() if t.pk in covered],
            "since": dossier.decided_at,
        }
        for dossier in dossiers
    ]


def region_pages():
    """Every region with its coordination cell and its public calls, for /appels/."""
    return Region.objects.select_related("coordination_cell").prefetch_related(
        Prefetch(
            "campaigns",
            queryset=public_campaigns().order_by("-opens_at"),
            to_attr="public_calls",
        )
    )
