"""The regional consolidation of a follow-up campaign (api.md `campaigns/{slug}/followup`,
design brief §10): who was expected, who remitted, who is late; the totals of the
remitted reports (states `submitted` and `accepted` — the same sum the export and the
page show, docs/decisions/0018); the change of each indicator since the previous
follow-up campaign of the region (or since the dossiers for a filière's first report);
unused funds per filière and in total, summed by the database."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone

from campaign.enums import CampaignKind
from campaign.models import Campaign
from common.money import money_str
from dossiers.enums import DossierState
from dossiers.models import Dossier
from followup.domain import funding as funding_domain
from followup.domain.content import get_path
from followup.domain.opening import from_dossier, latest_dossier
from followup.domain.types import FILIERE_REPORT, PARTNERSHIP_FIELDS
from followup.enums import COUNTED_STATES, ReportKind, ReportState
from followup.models import FundingUse, Report

ZERO = Decimal("0.00")
# The headline indicators (page, chart, export), in this order.
HEADLINE = [f for f in FILIERE_REPORT.fields if f.total]


def indicator_values(content):
    """{field key: value} of the headline indicators of one report (None: not given)."""
    return {f.key: get_path(content or {}, f.key) for f in HEADLINE}


def _add(total, value, kind):
    if value in (None, ""):
        return total
    if kind == "decimal":
        return (total or ZERO) + Decimal(str(value))
    return (total or 0) + int(value)


def sum_indicators(contents):
    """{field key: sum} over these reports' contents; counts as int, ETP as Decimal."""
    totals = {f.key: (ZERO if f.kind == "decimal" else 0) for f in HEADLINE}
    for content in contents:
        for f in HEADLINE:
            totals[f.key] = _add(totals[f.key], get_path(content or {}, f.key), f.kind)
    return totals


def partnerships_total(values):
    return sum(values.get(f"partnerships.{key}") or 0 for key, _label in PARTNERSHIP_FIELDS)


def previous_campaign(campaign):
    """The region's follow-up campaign of the previous year with reports, or None."""
    return (
        Campaign.objects.filter(
            region_id=campaign.region_id, kind=CampaignKind.FOLLOWUP, year__lt=campaign.year or 0
        )
        .order_by("-year")
        .first()
    )


def latest_dossiers(filiere_ids):
    """{filière id: its latest recognised dossier}, one query."""
    found = {}
    for dossier in Dossier.objects.filter(
        filiere_id__in=filiere_ids, state=DossierState.DECIDED, recognised=True
    ).order_by("filiere_id", "-decided_at"):
        found.setdefault(dossier.filiere_id, dossier)
    return found


def baseline_values(report, previous_reports, dossiers=None):
    """A filière's indicators a year ago (its previous remitted report) or, for its
    first report, what its dossier said; None when neither exists. `dossiers`: the
    latest recognised dossier of each filière when already loaded."""
    previous = previous_reports.get(report.filiere_id)
    if previous is not None:
        return indicator_values(previous.content), "previous"
    if dossiers is None:
        dossier = latest_dossier(report.filiere)
    else:
        dossier = dossiers.get(report.filiere_id)
    if dossier is None:
        return None, ""
    values = {f.key: None for f in HEADLINE}
    values.update(
        {
            f"offer.{k}": v
            for k, v in from_dossier(dossier)["offer"].items()
            if f"offer.{k}" in values
        }
    )
    return values, "dossier"


def _number(value):
    if value in (None, ""):
        return None
    return Decimal(str(value)) if isinstance(value, str) else value


def change(now, before):
    """now − before (ETP are stored as "0.50": compared as Decimals), or None."""
    now, before = _number(now), _number(before)
    if now is None or before is None:
        return None
    return now - before


@dataclass
class FiliereRow:
    report: Report
    late: bool
    counted: bool
    values: dict
    baseline: dict | None
    baseline_source: str
    granted_recurring: Decimal = ZERO
    granted_one_off: Decimal = ZERO
    spent: Decimal = ZERO
    unused: Decimal = ZERO
    changes: dict = field(default_factory=dict)

    @property
    def filiere(self):
        return self.report.filiere


@dataclass
class Consolidation:
    campaign: Campaign
    rows: list
    totals: dict
    previous_totals: dict | None
    money: dict
    expected: int
    submitted: int
    accepted: int
    late: int

    @property
    def late_rows(self):
        return [row for row in self.rows if row.late]

    def as_api(self):
        return {
            "expected": self.expected,
            "submitted": self.submitted,
            "accepted": self.accepted,
            "late": self.late,
            "totals": {
                "governance_meetings": self.totals["governance_meetings"],
                "partnerships": partnerships_total(self.totals),
                "vacancies_medical_etp": money_str(self.totals["vacancies.medical_etp"]),
                "vacancies_paramedical_etp": money_str(self.totals["vacancies.paramedical_etp"]),
                "granted_recurring": money_str(self.money["granted_recurring"]),
                "granted_one_off": money_str(self.money["granted_one_off"]),
                "spent": money_str(self.money["spent"]),
                "unused": money_str(self.money["unused"]),
            },
            "filieres": [
                {
                    "filiere": row.filiere.slug,
                    "name": row.filiere.name,
                    "state": row.report.state,
                    "report": row.report.pk,
                    "late": row.late,
                    "granted_recurring": money_str(row.granted_recurring),
                    "granted_one_off": money_str(row.granted_one_off),
                    "spent": money_str(row.spent),
                    "unused": money_str(row.unused),
                }
                for row in self.rows
            ],
        }


def _money_by_report(report_ids):
    """{report id: {granted_recurring, granted_one_off, spent, unused}}, one query."""
    expressions = {f"{k}_sum": v for k, v in funding_domain.total_expressions().items()}
    rows = (
        FundingUse.objects.filter(report_id__in=report_ids)
        .values("report_id")
        .annotate(**expressions)
        .order_by()
    )
    return {
        row.pop("report_id"): {key.removesuffix("_sum"): value for key, value in row.items()}
        for row in rows
    }


def consolidate(campaign, now=None):
    now = now or timezone.now()
    reports = list(
        Report.objects.filter(campaign=campaign, kind=ReportKind.FILIERE)
        .select_related("filiere", "campaign")
        .order_by("filiere__name")
    )
    extensions = {
        row["filiere_id"]: row["until"]
        for row in campaign.extensions.values("filiere_id").annotate(until=Max("until")).order_by()
    }
    previous = previous_campaign(campaign)
    previous_reports = {}
    if previous is not None:
        for report in Report.objects.filter(
            campaign=previous, kind=ReportKind.FILIERE, state__in=COUNTED_STATES
        ):
            previous_reports[report.filiere_id] = report
    money = _money_by_report([r.pk for r in reports])
    dossiers = latest_dossiers([r.filiere_id for r in reports])
    rows = []
    for report in reports:
        until = extensions.get(report.filiere_id)
        deadline = until if until and until > campaign.deadline else campaign.deadline
        counted = report.state in COUNTED_STATES
        values = indicator_values(report.content)
        baseline, source = baseline_values(report, previous_reports, dossiers)
        sums = money.get(report.pk, {})
        row = FiliereRow(
            report=report,
            late=report.is_late(now, deadline),
            counted=counted,
            values=values,
            baseline=baseline,
            baseline_source=source,
            granted_recurring=sums.get("granted_recurring") or ZERO,
            granted_one_off=sums.get("granted_one_off") or ZERO,
            spent=sums.get("spent") or ZERO,
            unused=sums.get("unused") or ZERO,
        )
        row.changes = {key: change(values.get(key), (baseline or {}).get(key)) for key in values}
        rows.append(row)
    counted_ids = [row.report.pk for row in rows if row.counted]
    totals = sum_indicators(row.report.content for row in rows if row.counted)
    money_totals = funding_domain.funding_totals(
        FundingUse.objects.filter(report_id__in=counted_ids)
    )
    previous_totals = None
    if previous_reports:
        previous_totals = sum_indicators(r.content for r in previous_reports.values())
    return Consolidation(
        campaign=campaign,
        rows=rows,
        totals=totals,
        previous_totals=previous_totals,
        money=money_totals,
        expected=len(rows),
        submitted=sum(1 for row in rows if row.report.state == ReportState.SUBMITTED),
        accepted=sum(1 for row in rows if row.report.state == ReportState.ACCEPTED),
        late=sum(1 for row in rows if row.late),
    )


def yearly_series(campaign):
    """[(year, {field key: total})] of the region's follow-up campaigns up to this one:
    the chart of the main indicators over the years."""
    campaigns = Campaign.objects.filter(
        region_id=campaign.region_id, kind=CampaignKind.FOLLOWUP, year__lte=campaign.year or 0
    ).order_by("year")
    by_campaign = defaultdict(list)
    for report in Report.objects.filter(
        campaign__in=campaigns, kind=ReportKind.FILIERE, state__in=COUNTED_STATES
    ).only("campaign_id", "content"):
        by_campaign[report.campaign_id].append(report.content)
    return [(c.year, sum_indicators(by_campaign.get(c.pk, []))) for c in campaigns if c.year]
