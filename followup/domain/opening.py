"""Reports come into being (api.md: "created when the campaign is loaded and when a
filière of the region is recognised while it is open"):
- `open_reports(campaign)`, when a follow-up campaign is published (the set-up pages and
  load_campaign publish through setup.domain.lifecycle), creates one report per
  recognised filière of the region — each filière then takes part in the campaign, so
  that its leads see it and the ARS may extend its deadline;
- a decision that recognises a filière while a follow-up campaign of its region is
  published creates its report (a post_save receiver: the decision lives in budget/,
  below this app — docs/decisions/0016).
Each new report is prefilled so that a lead only updates what changed (`prefill`)."""

from django.db import IntegrityError, transaction
from django.db.models.signals import post_save

from campaign.enums import CampaignKind, CampaignState
from campaign.models import Campaign, Filiere
from dossiers.domain.parts import clean_diagnostic, clean_identity
from dossiers.enums import DossierState
from dossiers.models import Dossier
from followup.domain import content as content_domain
from followup.domain import funding as funding_domain
from followup.domain.types import CARSP_SURVEY, FILIERE_REPORT
from followup.enums import COUNTED_STATES, ReportKind
from followup.models import Report

PREFILLED_SECTIONS = ("actors", "offer", "missions", "formalisation")


def recognised_filieres(region):
    """The region's filières recognised by a decision (a decided dossier that says so)."""
    return Filiere.objects.filter(
        region=region,
        dossiers__recognised=True,
        dossiers__state=DossierState.DECIDED,
    ).distinct()


def previous_report(filiere, campaign):
    """The filière's latest remitted report of an earlier follow-up campaign."""
    return (
        Report.objects.filter(
            filiere=filiere,
            kind=ReportKind.FILIERE,
            state__in=COUNTED_STATES,
            campaign__year__lt=campaign.year or 9999,
        )
        .exclude(campaign=campaign)
        .order_by("-campaign__year", "-submitted_at")
        .first()
    )


def latest_dossier(filiere):
    return (
        Dossier.objects.filter(filiere=filiere, state=DossierState.DECIDED, recognised=True)
        .order_by("-decided_at")
        .first()
    )


def from_dossier(dossier):
    """What the dossier says of the indicators the report asks again."""
    identity = _safe(clean_identity, dossier.identity)
    diagnostic = _safe(clean_diagnostic, dossier.diagnostic)
    actors = {}
    for member in identity.get("members") or []:
        if member.get("type"):
            actors[member["type"]] = actors.get(member["type"], 0) + 1
    document = {
        "actors": {
            value: actors.get(value, 0) for value, _label in FILIERE_REPORT.field("actors").choices
        },
        "offer": {
            "usp_beds": diagnostic.get("usp_beds"),
            "lisp_beds": diagnostic.get("lisp_beds"),
            "hdj_places": None,
            "emsp_count": diagnostic.get("emsp_count"),
            "had_count": diagnostic.get("had_count"),
        },
        "missions": diagnostic.get("missions") or [],
        "formalisation": {
            "territory_defined": None,
            "needs_inventory_updated": None,
            "charter_signed": identity.get("convention_signed"),
            "notes": None,
        },
    }
    return document


def _safe(cleaner, value):
    try:
        return cleaner(value or {})
    except Exception:  # noqa: BLE001 - an old dossier's part that no longer validates prefills nothing
        return {}


def prefill(filiere, campaign):
    """(content, source): the actors, offer, missions and formalisation of the previous
    year's report, else of the dossier; the yearly figures (meetings, vacancies,
    partnerships, organisations) start empty."""
    document = content_domain.empty_content(FILIERE_REPORT)
    previous = previous_report(filiere, campaign)
    source = ""
    if previous is not None:
        sent = {key: previous.content.get(key) for key in PREFILLED_SECTIONS}
        source = f"report:{previous.pk}"
    else:
        dossier = latest_dossier(filiere)
        sent = from_dossier(dossier) if dossier else {}
        source = f"dossier:{dossier.pk}" if dossier else ""
    document = content_domain.merge(FILIERE_REPORT, document, sent)
    try:
        document = content_domain.clean_content(FILIERE_REPORT, document)
    except Exception:  # noqa: BLE001 - a source that no longer validates prefills nothing
        document = content_domain.empty_content(FILIERE_REPORT)
        source = ""
    return document, source


def create_report(campaign, filiere):
    """The filière's report of this follow-up campaign (created once; returns it)."""
    existing = Report.objects.filter(campaign=campaign, filiere=filiere).first()
    if existing is not None:
        funding_domain.ensure_uses(existing)
        return existing
    content, source = prefill(filiere, campaign)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                campaign=campaign,
                region_id=campaign.region_id,
                kind=ReportKind.FILIERE,
                filiere=filiere,
                content=content,
                prefilled_from={"indicators": source},
            )
    except IntegrityError:
        return Report.objects.get(campaign=campaign, filiere=filiere)
    campaign.filieres.add(filiere)
    funding_domain.ensure_uses(report)
    return report


def create_survey(campaign):
    """The region's CAR'sp survey in this follow-up campaign (created once), prefilled
    from the region's coordination cell (reference data)."""
    existing = Report.objects.filter(campaign=campaign, kind=ReportKind.CARSP).first()
    if existing is not None:
        return existing
    content = content_domain.empty_content(CARSP_SURVEY)
    cell = getattr(campaign.region, "coordination_cell", None)
    if cell is not None:
        content["identity"]["name"] = cell.name or cell.acronym
        content["identity"]["host"] = cell.carrier or None
        content["contact"]["phone"] = cell.phone or None
        content["contact"]["email"] = (cell.emails or [None])[0]
        content["contact"]["website"] = cell.website or None
    try:
        content = content_domain.clean_content(CARSP_SURVEY, content)
    except Exception:  # noqa: BLE001 - reference data that does not validate prefills nothing
        content = content_domain.empty_content(CARSP_SURVEY)
    with transaction.atomic():
        return Report.objects.create(
            campaign=campaign,
            region_id=campaign.region_id,
            kind=ReportKind.CARSP,
            content=content,
            prefilled_from={"answers": "coordination_cell" if cell else ""},
        )


def open_reports(campaign):
    """One report per recognised filière of the region (idempotent): [Report]."""
    if campaign.kind != CampaignKind.FOLLOWUP:
        return []
    return [create_report(campaign, filiere) for filiere in recognised_filieres(campaign.region)]


def open_followup_campaigns(region_id):
    return Campaign.objects.filter(
        region_id=region_id, kind=CampaignKind.FOLLOWUP, state=CampaignState.PUBLISHED
    )


def on_dossier_saved(sender, instance, **kwargs):
    """A decided dossier that recognises its filière: reports in the open follow-up
    campaigns of its region, once the decision commits."""
    if instance.recognised is not True or instance.state != DossierState.DECIDED:
        return
    dossier_id = instance.pk

    def create():
        dossier = Dossier.objects.select_related("campaign", "filiere").get(pk=dossier_id)
        for campaign in open_followup_campaigns(dossier.campaign.region_id):
            create_report(campaign, dossier.filiere)

    transaction.on_commit(create)


def connect():
    post_save.connect(on_dossier_saved, sender=Dossier, dispatch_uid="followup_recognition")
