"""The one read model of a campaign's money: what the budget pages, the budget API and
the exports render (docs/architecture.md). Every sum is made in the database; a fixed
number of queries whatever the number of dossiers."""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP

from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from budget.enums import KINDS, NATURE_TO_KIND, ZERO, EnvelopeKind
from budget.models import (
    DelegatedAmount,
    Delegation,
    Envelope,
    EnvelopeAmendment,
    GrantedCommitment,
)
from campaign.models import Territory
from campaign.queries import filiere_territory_links
from common.money import CENT, Cents, from_cents
from common.prepared import prepared
from dossiers.domain.totals import sums_by_dossier
from dossiers.enums import SUBMITTED_STATES, DossierState, LineNature
from dossiers.models import Dossier, DossierTotals, FundingLine, Project

YEARS_SHOWN = 5


def granted_totals_of(campaign_id):
    """{kind: granted total (full-year)} of the campaign's decided dossiers, summed in the DB."""

    rows = (
        FundingLine.objects.filter(
            project__dossier__campaign_id=campaign_id,
            project__dossier__state=DossierState.DECIDED,
            granted__isnull=False,
        )
        .values("nature")
        .annotate(total=Sum("granted"))
        .order_by()
    )
    totals = dict.fromkeys(KINDS, ZERO)
    for row in rows:
        totals[NATURE_TO_KIND[row["nature"]]] += row["total"] or ZERO
    return totals


def first_year_cost(granted, start_month):
    """Prorated cost of a recurring line in its first year: G × (13 − m) / 12, to the cent."""
    return (granted * (13 - start_month.month) / 12).quantize(CENT, rounding=ROUND_HALF_UP)


def yearly_cost(nature, granted, start_month, decided_at, year, decision_year=None):
    """What a granted line costs in `year` (see module docstring). `decision_year`: the
    local year of `decided_at` when the caller already has it (thousands of lines)."""
    if start_month is None and decided_at is not None and decision_year is None:
        decision_year = timezone.localtime(decided_at).year
    if nature == LineNature.RECURRING:
        if start_month is None:  # not reachable through decide(); counts from the decision year
            start_month = dt.date(decision_year if decided_at else year, 1, 1)
        if year < start_month.year:
            return ZERO
        if year == start_month.year:
            return first_year_cost(granted, start_month)
        return granted
    if start_month is not None:
        cost_year = start_month.year
    elif decided_at is not None:
        cost_year = decision_year
    else:
        cost_year = year
    return granted if year == cost_year else ZERO


def cost_year_span(nature, start_month, decided_at):
    """(first year the line costs something, first year it costs its full amount and
    no longer changes): the years a letter shows for it."""
    if nature == LineNature.RECURRING:
        if start_month is None:
            year = timezone.localtime(decided_at).year if decided_at else timezone.localdate().year
            return year, year
        return start_month.year, start_month.year + (start_month.month > 1)
    if start_month is not None:
        year = start_month.year
    else:
        year = timezone.localtime(decided_at).year if decided_at else timezone.localdate().year
    return year, year


def commitment_years(lines):
    """The funding years of granted lines [(nature, granted, start_month, decided_at)]:
    from the first year one costs something to the first year all are at their full
    rate (recurring lines then cost the same every year). Empty without lines."""
    spans = [cost_year_span(nature, start, decided_at) for nature, _g, start, decided_at in lines]
    if not spans:
        return []
    return list(range(min(s[0] for s in spans), max(s[1] for s in spans) + 1))


def line_commitments(lines, years):
    """[[cost in each of `years`] for each granted line (nature, granted, start_month,
    decided_at)]: the per-year read model of the letters and exports (yearly_cost)."""
    return [
        [yearly_cost(nature, granted, start, decided_at, year) for year in years]
        for nature, granted, start, decided_at in lines
    ]


BUCKET = ("requested", "proposed", "granted", "delegated")


def euros(cents):
    """{name: Decimal euros} of {name: integer cents}."""
    return {name: from_cents(value) for name, value in cents.items()}


# budget_summary's reads: a campaign's stored rows as plain values (common.prepared).


@prepared
def _summary_territories(campaign_id):
    return (
        Territory.objects.filter(campaigns=campaign_id).order_by().values_list("id", "code", "name")
    )


@prepared
def _summary_links(campaign_id):
    """The (filière, territory) links of the filières with a counted dossier, in the
    territories' code order."""
    counted = Dossier.objects.filter(campaign_id=campaign_id, state__in=sorted(SUBMITTED_STATES))
    return (
        # A campaign's id is one for the lookups of filiere_territory_links.
        filiere_territory_links(campaign_id)
        .filter(filiere_id__in=counted.values("filiere_id"))
        .order_by("territory__code", "territory_id")
        .values_list("filiere_id", "territory_id")
    )


@prepared
def _summary_totals(campaign_id):
    """Per counted dossier: id, filière, state, then requested and proposed in cents per
    nature."""
    return (
        DossierTotals.objects.filter(
            dossier__campaign_id=campaign_id, dossier__state__in=sorted(SUBMITTED_STATES)
        )
        .values_list(
            "dossier_id",
            "dossier__filiere_id",
            "dossier__state",
            *(
                Cents(f"{field}_{nature}")
                for field in ("amount", "proposed")
                for nature in NATURE_TO_KIND
            ),
        )
        .order_by()
    )


def _of_decided_dossiers(model, campaign_id):
    """A model's rows stored per decided dossier of the campaign (the only ones granted)."""
    return model.objects.filter(
        dossier__campaign_id=campaign_id, dossier__state=DossierState.DECIDED
    )


@prepared
def _summary_delegated(campaign_id):
    return (
        _of_decided_dossiers(DelegatedAmount, campaign_id)
        .values_list("dossier_id", "nature", "year", "first_date", Cents("amount"))
        .order_by()
    )


@prepared
def _summary_commitments(campaign_id):
    return (
        _of_decided_dossiers(GrantedCommitment, campaign_id)
        .values_list(
            "dossier_id",
            "nature",
            "start_year",
            Cents("first_year"),
            Cents("granted"),
            # Without start year: the decision's local year.
            Case(
                When(start_year__isnull=True, then=ExtractYear("dossier__decided_at")),
                output_field=IntegerField(),
            ),
        )
        .order_by()
    )


def budget_summary(campaign, envelopes=None):
    """The campaign's money, per envelope, per set of territories and per year (Decimals).

    `envelopes`: the campaign's Envelope rows when the caller has them (one query less).
    `by_territory` counts each filière once, on the row of its set of territories
    ("T2 + T3"): the rows add up to the envelope totals. Six queries whatever the number
    of dossiers, each reading rows stored per dossier (DossierTotals, decision 0056;
    GrantedCommitment and DelegatedAmount, decision 0058), never the lines: a campaign's
    few hundred rows, added up here per set of territories, in integer cents (Cents:
    plain ints, no Decimal built per row)."""

    amounts = {kind: ZERO for kind in KINDS}
    if envelopes is None:
        envelopes = Envelope.objects.filter(campaign=campaign)
    for envelope in envelopes:
        amounts[envelope.kind] = envelope.amount
    envelopes = amounts

    # Per set of territories (a filière counted once, on its own set): see
    # by_covered_territory for the other rule.
    territories = {
        pk: {"id": pk, "code": code, "name": name}
        for pk, code, name in _summary_territories(campaign.pk)
    }
    filiere_territories = defaultdict(list)  # in the territories' code order
    for filiere_id, territory_id in _summary_links(campaign.pk):
        filiere_territories[filiere_id].append(territory_id)

    def group_of(filiere_id):
        return tuple(filiere_territories.get(filiere_id, ()))

    # Sums are integer cents (Cents: no Decimal per row), euros again at the end.
    groups = defaultdict(lambda: {kind: dict.fromkeys(BUCKET, 0) for kind in KINDS})

    # Requested / proposed per dossier and nature: its stored totals, read with the
    # dossier's filière and state (one query), added to its set of territories (a filière
    # has one dossier per campaign). A dossier without lines has no row, and no group.
    pending_proposed = dict.fromkeys(KINDS, 0)
    natures = [
        (kind, 3 + index, 3 + len(NATURE_TO_KIND) + index)  # after id, filière, state
        for index, kind in enumerate(NATURE_TO_KIND.values())
    ]
    # dossier id -> its set of territories
    decided = {}
    for row in _summary_totals(campaign.pk):
        group = group_of(row[1])
        buckets = groups[group]
        is_decided = row[2] == DossierState.DECIDED
        if is_decided:
            decided[row[0]] = group
        for kind, requested_at, proposed_at in natures:
            bucket = buckets[kind]
            requested, proposed = row[requested_at], row[proposed_at]
            if requested is not None:
                bucket["requested"] += requested
            if proposed is not None:
                bucket["proposed"] += proposed
                if not is_decided:
                    pending_proposed[kind] += proposed

    # What was delegated, per dossier, nature and year, with the first date: the decided
    # dossiers' stored rows (DelegatedAmount, kept by database triggers, decision 0058).
    # Only decided dossiers have any (record_delegation checks it, and a decision is
    # final).
    delegated_by_year = defaultdict(int)
    first_delegation = None
    for dossier_id, nature, year, first_date, amount in _summary_delegated(campaign.pk):
        groups[decided[dossier_id]][NATURE_TO_KIND[nature]]["delegated"] += amount
        delegated_by_year[year] += amount
        if first_delegation is None or first_date < first_delegation:
            first_delegation = first_date

    # What was granted, and the commitments per year, for the campaign and for each set
    # of territories: the decided dossiers' stored commitments (GrantedCommitment, kept
    # by database triggers, decision 0058), a few rows per dossier: per nature and start
    # year, the full-year amounts and the first-year costs (each line's prorata to the
    # cent, as first_year_cost), summed per (set of territories, nature, first year),
    # then spread over the years.
    rows = _summary_commitments(campaign.pk)
    base = campaign.decision_date.year if campaign.decision_date else timezone.localdate().year
    first_year = base
    # (group, kind, first year or None: every year) -> [first-year cost, full-year cost]
    costs = defaultdict(lambda: [0, 0])
    decided_dossiers = {kind: set() for kind in KINDS}  # with something granted
    for dossier_id, nature, year, first, granted, decision_year in rows:
        group = decided[dossier_id]
        kind = NATURE_TO_KIND[nature]
        groups[group][kind]["granted"] += granted
        decided_dossiers[kind].add(dossier_id)
        if year is None:  # no start month (a recurring one is not reachable through
            # decide()): the decision's year, a full year
            year = decision_year
        elif year < first_year:
            first_year = year
        bucket = costs[(group, kind, year)]
        bucket[0] += first
        bucket[1] += granted

    # Envelope totals.
    totals = {kind: dict.fromkeys(BUCKET, 0) for kind in KINDS}
    for buckets in groups.values():
        for kind in KINDS:
            for name, value in buckets[kind].items():
                totals[kind][name] += value
    envelope_rows = {}
    for kind in KINDS:
        granted = from_cents(totals[kind]["granted"])
        envelope_rows[kind] = {
            "envelope": envelopes[kind],
            **euros(totals[kind]),
            "remaining": envelopes[kind] - granted,
            "proposed_pending": from_cents(pending_proposed[kind]),
            # A filière has one dossier per campaign: its dossier's.
            "decided_dossiers": len(decided_dossiers[kind]),
        }

    covered = {t for key in groups for t in key}
    for territory_id in territories:
        if territory_id not in covered:
            groups[(territory_id,)]  # noqa: B018 - creates the zero row

    years = range(first_year, first_year + YEARS_SHOWN)  # as campaign_years()
    by_year = {year: {"recurring": 0, "one_off": 0} for year in years}
    group_years = defaultdict(lambda: {year: {"recurring": 0, "one_off": 0} for year in years})
    for (group, kind, start_year), (first, full) in costs.items():
        for year in years:
            if kind == "recurring":
                if start_year is None or year > start_year:
                    cost = full
                elif year == start_year:
                    cost = first
                else:
                    continue
            elif start_year is None or year == start_year:
                cost = first
            else:
                continue
            by_year[year][kind] += cost
            group_years[group][year][kind] += cost

    def year_row(year, cents):
        return {
            "year": year,
            "recurring": from_cents(cents["recurring"]),
            "one_off": from_cents(cents["one_off"]),
            "total": from_cents(cents["recurring"] + cents["one_off"]),
        }

    by_year_rows = []
    for year, cents in by_year.items():
        row = year_row(year, cents)
        row["recurring_envelope"] = envelopes["recurring"]
        row["delegated"] = from_cents(delegated_by_year.get(year, 0))
        by_year_rows.append(row)

    by_territory = []
    for key, buckets in groups.items():
        by_territory.append(
            {
                "territories": [territories[t]["code"] for t in key],
                "label": " + ".join(
                    f"{territories[t]['code']} — {territories[t]['name']}" for t in key
                )
                or _("Sans territoire renseigné"),
                **{kind: euros(buckets[kind]) for kind in KINDS},
                "by_year": [year_row(year, cents) for year, cents in group_years[key].items()],
            }
        )
    by_territory.sort(key=lambda row: (not row["territories"], row["territories"]))

    return {
        "campaign": campaign,
        "envelopes": envelope_rows,
        "by_territory": by_territory,
        "by_year": by_year_rows,
        "first_delegation_date": first_delegation,
        "planned_first_delegation_date": campaign.first_delegation_date,
    }


def campaign_years(campaign, start_months):
    """The YEARS_SHOWN years of the budget's per-year commitments: from the decision year
    (or the earliest start month) on."""
    base = campaign.decision_date.year if campaign.decision_date else timezone.localdate().year
    first_year = min([base, *(start.year for start in start_months if start is not None)])
    return range(first_year, first_year + YEARS_SHOWN)


GRANTED_LINE_FIELDS = (
    "pk",
    "label",
    "nature",
    "granted",
    "start_month",
    "beneficiary_finess",
    "project__priority",
    "project__dossier_id",
    "project__dossier__decided_at",
    "project__dossier__filiere__name",
)


def granted_lines_by_year(campaign):
    """(years, rows): every granted line of the campaign's decided dossiers (a dict of
    GRANTED_LINE_FIELDS) with its cost in each of the budget's years (campaign_years,
    yearly_cost): the export's per-year sheet, whose totals are
    budget_summary()["by_year"]. One query, plain values (no model instances)."""
    lines = list(
        FundingLine.objects.filter(
            project__dossier__campaign=campaign,
            project__dossier__state=DossierState.DECIDED,
            granted__gt=0,
        )
        .order_by(
            "project__dossier__filiere__name",
            "project__dossier_id",
            "project__priority",
            "project_id",
            "pk",
        )
        .values(*GRANTED_LINE_FIELDS)
    )
    years = campaign_years(campaign, [line["start_month"] for line in lines])
    rows = []
    decision_years = {}  # the local year of each decision date, computed once
    for line in lines:
        decided_at = line["project__dossier__decided_at"]
        if decided_at is not None and decided_at not in decision_years:
            decision_years[decided_at] = timezone.localtime(decided_at).year
        nature, granted, start = line["nature"], line["granted"], line["start_month"]
        decision_year = decision_years.get(decided_at)
        rows.append(
            (
                line,
                [yearly_cost(nature, granted, start, decided_at, y, decision_year) for y in years],
            )
        )
    return list(years), rows


def envelope_totals(campaign, *, pending=True):
    """{kind: {envelope, granted, proposed_pending}}, as in budget_summary's envelope rows,
    in two queries: what the proposal and decision pages and the financing panel of one
    dossier need, without the per-territory and per-year breakdown of the whole campaign.
    Granted (decided dossiers) and pending (the other counted dossiers' proposals) are
    summed per state over the dossiers' stored totals (a row per dossier, not its
    lines). Without `pending` (a page that does not count the other dossiers'
    proposals), the pending proposals are zero. `campaign`: a Campaign or its id."""
    campaign_id = getattr(campaign, "pk", campaign)
    totals = {kind: {"envelope": ZERO, "granted": ZERO, "proposed_pending": ZERO} for kind in KINDS}
    for kind, amount in _envelope_amounts(campaign_id):
        totals[kind]["envelope"] = amount
    for state, *sums in _sums_by_state(campaign_id):
        figures = dict(zip(_PANEL_COLUMNS, sums, strict=True))
        for nature, kind in NATURE_TO_KIND.items():
            if state == DossierState.DECIDED:
                totals[kind]["granted"] += figures[f"granted_{nature}"] or ZERO
            elif pending:
                totals[kind]["proposed_pending"] += figures[f"proposed_{nature}"] or ZERO
    return totals


DOSSIER_AMOUNTS = tuple(
    f"{field}_{nature}"
    for field in ("amount", "proposed", "granted")
    for nature in LineNature.values
)


class NamedFiliere:
    """A filière's name, where a row shows it as `row.filiere.name`."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


class DossierAmounts:
    """One row of the dashboard's page of dossiers: plain values, no model instances (a
    page of 50 dossiers and their filières cost more to build than to query)."""

    __slots__ = ("pk", "state", "outcome", "filiere", *DOSSIER_AMOUNTS)

    def __init__(self, pk, state, outcome, filiere_name, sums):
        self.pk, self.state, self.outcome = pk, state, outcome
        self.filiere = NamedFiliere(filiere_name)
        for name in DOSSIER_AMOUNTS:
            setattr(self, name, sums[name] if sums else None)


def dossier_amounts(campaign, dossier_ids):
    """The given counted dossiers of the campaign (a page of the dashboard), ordered by
    filière, as DossierAmounts rows with their sums per nature ("amount_recurring", …,
    None where nothing to sum: no line of that nature, or none filled in), read from
    these dossiers' stored totals (dossiers.domain.totals, decision 0056): two queries,
    not their lines."""
    return amount_rows(
        counted_dossiers(campaign)
        .filter(pk__in=dossier_ids)
        .order_by("filiere__name", "pk")
        .values_list("pk", "state", "outcome", "filiere__name")
    )


def amount_rows(dossiers):
    """DossierAmounts of (pk, state, outcome, filière name) rows: one query, their sums."""
    dossiers = list(dossiers)
    sums = sums_by_dossier(Dossier.objects.filter(pk__in=[row[0] for row in dossiers]), null=None)
    return [
        DossierAmounts(pk, state, outcome, filiere_name, sums.get(pk))
        for pk, state, outcome, filiere_name in dossiers
    ]


def dossier_amounts_page(campaign, page_number, page_size):
    """One page of the campaign's counted dossiers, ordered by filière, as dossier_amounts
    rows: three queries (their count, the page's rows, their sums)."""
    counted = (
        counted_dossiers(campaign)
        .order_by("filiere__name", "pk")
        .values_list("pk", "state", "outcome", "filiere__name")
    )
    page = Paginator(counted, page_size).get_page(page_number)
    page.object_list = amount_rows(page.object_list)
    return page


def counted_dossiers(campaign):
    """The campaign's dossiers whose amounts count (from their submission on)."""

    return Dossier.objects.filter(campaign=campaign, state__in=SUBMITTED_STATES)


def granted_totals(campaign):
    """{kind: granted total} of the campaign's decided dossiers."""
    return granted_totals_of(campaign.pk)


def campaign_envelopes(campaign):
    """The campaign's envelopes (recurring first) with their amendment history."""

    envelopes = Envelope.objects.filter(campaign=campaign).prefetch_related(
        Prefetch(
            "amendments",
            queryset=EnvelopeAmendment.objects.select_related("created_by").order_by(
                "created_at", "pk"
            ),
        )
    )
    return sorted(envelopes, key=lambda e: KINDS.index(e.kind))


class EnvelopeAmount:
    """An envelope's kind and amount, where budget_summary reads `envelope.kind` and
    `envelope.amount`."""

    __slots__ = ("kind", "amount")

    def __init__(self, kind, amount):
        self.kind, self.amount = kind, amount


class AmendmentRow:
    """One line of the dashboard's envelope history: plain values, its author as
    str(user) (accounts.User: full name, else username) or None."""

    __slots__ = ("date", "previous_amount", "new_amount", "reason", "created_by")

    def __init__(self, date, previous_amount, new_amount, reason, first, last, username):
        self.date, self.reason = date, reason
        self.previous_amount, self.new_amount = previous_amount, new_amount
        self.created_by = None if username is None else f"{first} {last}".strip() or username


def dashboard_envelopes(campaign):
    """([EnvelopeAmount] of the campaign, {kind: [AmendmentRow] in date of entry order}):
    what the dashboard shows of its envelopes, in two queries of plain values (the
    amendments were prefetched as model instances with their authors)."""
    envelopes = [EnvelopeAmount(kind, amount) for kind, amount in _envelope_amounts(campaign.pk)]
    amendments = {kind: [] for kind in KINDS}
    for kind, *row in _amendment_rows(campaign.pk):
        amendments[kind].append(AmendmentRow(*row))
    return envelopes, amendments


@prepared
def _amendment_rows(campaign_id):
    return (
        EnvelopeAmendment.objects.filter(envelope__campaign_id=campaign_id)
        .order_by("created_at", "pk")
        .values_list(
            "envelope__kind",
            "date",
            "previous_amount",
            "new_amount",
            "reason",
            "created_by__first_name",
            "created_by__last_name",
            "created_by__username",
        )
    )


# The long texts and JSON documents of the project sheet and dossier a line belongs to:
# never shown next to a line, not loaded with it.
LINE_CONTEXT_DEFERRED = (
    "project__objectives",
    "project__actions",
    "project__partners",
    "project__indicators",
    "project__dossier__identity",
    "project__dossier__diagnostic",
    "project__dossier__swot",
)


def decided_dossier_ids(campaign):
    """The ids of the campaign's decided dossiers, as a subquery: the only ones with
    granted lines and delegations (record_delegation checks it; a decision is final).
    Walking their lines by index beats joining every delegation or line of the country
    to its campaign."""
    return Dossier.objects.filter(campaign=campaign, state=DossierState.DECIDED).values("id")


DELEGATION_DOCUMENT_FIELDS = (
    "id",
    "line_id",
    "line__project__dossier_id",
    "line__project__dossier__filiere__slug",
    "line__granted",
    "amount",
    "date",
    "instrument",
    "beneficiary_finess",
    "created_by__username",
    "created_at",
)


def delegation_documents(delegations):
    """Delegations (a queryset) as plain rows of DELEGATION_DOCUMENT_FIELDS, in date
    order: what the API shows of each, without building its line, sheet, dossier,
    filière and author (a page of 100 delegations was 600 model instances)."""
    return delegations.order_by("date", "pk").values(*DELEGATION_DOCUMENT_FIELDS)


def campaign_delegation_set(campaign):
    """The campaign's delegations, by their stored campaign (Delegation.campaign, kept by
    a database trigger, decision 0059): an index range in date order."""
    return Delegation.objects.filter(campaign=campaign)


def campaign_delegations(campaign):
    """The campaign's delegations as delegation_documents rows."""
    return delegation_documents(campaign_delegation_set(campaign))


def delegated_for_lines(line_ids):
    """{line id: delegated total} for these lines only (one query): a page of delegations."""
    return dict(
        Delegation.objects.filter(line_id__in=line_ids)
        .values("line_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("line_id", "total")
    )


def line_delegated(line_id):
    return (
        Delegation.objects.filter(line_id=line_id).aggregate(total=Sum("amount"))["total"] or ZERO
    )


def delegable_lines(campaign):
    """Granted lines of the campaign's decided dossiers, with what was delegated (one query)."""

    return (
        FundingLine.objects.filter(
            project__dossier_id__in=decided_dossier_ids(campaign), granted__gt=0
        )
        .select_related("project__dossier__filiere")
        .defer(*LINE_CONTEXT_DEFERRED)
        .annotate(
            delegated=Coalesce(
                Sum("delegations__amount"),
                Value(ZERO),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
        .order_by(*DELEGABLE_ORDER)
    )


DELEGABLE_ORDER = ("project__dossier__filiere__name", "project__priority", "project_id", "pk")


class DelegableLine:
    """One row of the delegations page's granted lines: plain values, no model objects
    (the page showed 50 lines with their sheet, dossier and filière: 200 instances)."""

    __slots__ = (
        "pk",
        "label",
        "nature",
        "beneficiary_finess",
        "granted",
        "delegated",
        "left",
        "priority",
        "project_title",
        "filiere_name",
    )

    def __init__(self, pk, label, nature, finess, granted, priority, title, filiere, delegated):
        self.pk, self.label, self.nature, self.beneficiary_finess = pk, label, nature, finess
        self.granted, self.delegated, self.left = granted, delegated, granted - delegated
        self.priority, self.project_title, self.filiere_name = priority, title, filiere


def delegable_lines_page(campaign, page_number, page_size):
    """One page of delegable_lines, as DelegableLine rows, in two queries. The first
    counts each decided dossier's granted lines, its dossiers in their filière's name
    order (a row per dossier: the lines' count and where each dossier's lines start in
    the page order); the second reads, sorts and sums what was delegated for the page's
    lines only, among the lines of the few dossiers the page reaches (the lines of a
    filière name are consecutive in DELEGABLE_ORDER). Sorting the campaign's thousands
    of granted lines to take fifty was two thirds of the page's SQL."""
    counted = (
        Dossier.objects.filter(campaign=campaign, state=DossierState.DECIDED)
        .annotate(
            granted_lines=Subquery(
                FundingLine.objects.filter(project__dossier_id=OuterRef("pk"), granted__gt=0)
                .order_by()
                .annotate(count=Func("pk", function="COUNT"))
                .values("count")
            )
        )
        .order_by("filiere__name", "pk")
        .values_list("filiere__name", "pk", "granted_lines")
    )
    names = []  # [(filière name, [dossier ids], granted lines)] in the page order
    for name, dossier_id, count in counted:
        if not count:
            continue
        if names and names[-1][0] == name:
            names[-1][1].append(dossier_id)
            names[-1][2] += count
        else:
            names.append([name, [dossier_id], count])
    paginator = Paginator(range(sum(count for _n, _d, count in names)), page_size)
    page = paginator.get_page(page_number)
    offset = (page.number - 1) * page_size
    # The dossiers the page reaches, and the lines of the dossiers before them.
    dossier_ids, skipped, reached = [], 0, 0
    for _name, ids, count in names:
        if not dossier_ids and skipped + count <= offset:
            skipped += count
        elif skipped + reached < offset + page_size:
            dossier_ids.extend(ids)
            reached += count
        else:
            break
    page.object_list = []
    if not dossier_ids:
        return page
    start = offset - skipped
    page.object_list = [
        DelegableLine(*row)
        for row in FundingLine.objects.filter(project__dossier_id__in=dossier_ids, granted__gt=0)
        .order_by(*DELEGABLE_ORDER)
        .values_list(
            "pk",
            "label",
            "nature",
            "beneficiary_finess",
            "granted",
            "project__priority",
            "project__title",
            "project__dossier__filiere__name",
        )
        .annotate(
            delegated=Coalesce(
                Sum("delegations__amount"),
                Value(ZERO),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )[start : start + page_size]
    ]
    return page


def delegation_rows(campaign):
    """The campaign's delegations as plain rows, in the page's order (date, then entry)."""
    return (
        campaign_delegation_set(campaign)
        .order_by("date", "pk")
        .values(
            "date",
            "amount",
            "instrument",
            "beneficiary_finess",
            "line__label",
            "line__project__dossier__filiere__name",
            "created_by__first_name",
            "created_by__last_name",
            "created_by__username",
        )
    )


_MONEY_ZERO = Value(ZERO, output_field=DecimalField(max_digits=14, decimal_places=2))


def line_sums(prefix="", decided_filter=None):
    """Sum() annotations of the six amounts (requested, proposed, granted × recurring,
    one-off) over the funding lines reached by `prefix`; granted only where
    `decided_filter` holds, when given."""
    rec = Q(**{f"{prefix}nature": LineNature.RECURRING})
    one = Q(**{f"{prefix}nature": LineNature.ONE_OFF})
    granted_rec, granted_one = rec, one
    if decided_filter is not None:
        granted_rec, granted_one = rec & decided_filter, one & decided_filter
    return {
        "requested_recurring": Coalesce(Sum(f"{prefix}amount", filter=rec), _MONEY_ZERO),
        "requested_one_off": Coalesce(Sum(f"{prefix}amount", filter=one), _MONEY_ZERO),
        "proposed_recurring": Sum(f"{prefix}proposed", filter=rec),
        "proposed_one_off": Sum(f"{prefix}proposed", filter=one),
        "granted_recurring": Sum(f"{prefix}granted", filter=granted_rec),
        "granted_one_off": Sum(f"{prefix}granted", filter=granted_one),
    }


AMOUNT_KEYS = tuple(line_sums())


def by_covered_territory(campaign):
    """Per health territory of the campaign, the counted dossiers of the filières that
    cover it, with their amounts: a filière covering two territories counts in both, so
    the rows do not add up; `total` counts every dossier once (it equals the envelope
    totals of budget_summary). The other rule, each filière once on its set of
    territories, is budget_summary's `by_territory`.

    {"territories": [row], "unassigned": row or None, "total": row}; a row has
    `dossiers`, `projects` and the six amounts of line_sums (Decimals), plus `code`,
    `name` and `departements` for a territory. Four queries."""
    lines = FundingLine.objects.filter(
        project__dossier__campaign=campaign, project__dossier__state__in=SUBMITTED_STATES
    )
    decided = Q(project__dossier__state=DossierState.DECIDED)
    counts = {
        "dossiers": Count("project__dossier", distinct=True),
        "projects": Count("project", distinct=True),
    }

    def amounts(sums):
        row = {"dossiers": sums.get("dossiers", 0), "projects": sums.get("projects", 0)}
        for key in AMOUNT_KEYS:
            row[key] = (sums.get(key) or ZERO).quantize(CENT)
        return row

    per_territory = {
        row.pop("project__dossier__filiere__territories"): row
        for row in lines.values("project__dossier__filiere__territories").annotate(
            **line_sums("", decided), **counts
        )
    }
    territories = [
        {
            "code": territory.code,
            "name": territory.name,
            "departements": list(territory.departements or []),
            **amounts(per_territory.get(territory.id, {})),
        }
        for territory in campaign.territories.order_by("code")
    ]
    unassigned = per_territory.get(None)
    return {
        "territories": territories,
        "unassigned": amounts(unassigned) if unassigned else None,
        "total": amounts(lines.aggregate(**line_sums("", decided), **counts)),
    }


def sheets_with_lines(dossier):
    """[(project sheet, [its funding lines])] of a dossier, in the sheets' order: two
    queries, each line's sheet set on it. prefetch_related builds a queryset per sheet,
    a third of the proposal and decision pages' reading of 40 sheets."""
    sheets = {
        project.pk: (project, [])
        for project in Project.objects.filter(dossier=dossier).order_by("priority", "pk")
    }
    for line in FundingLine.objects.filter(project__dossier=dossier).order_by("pk"):
        project, lines = sheets[line.project_id]
        line.project = project
        lines.append(line)
    return list(sheets.values())


def envelope_room(dossier, lines, field, *, minus_pending):
    """What each envelope still has for this dossier, and what is left after the amounts
    of `lines` (their `field`: the proposed or granted amounts being typed): the live
    totals of the proposal and decision pages. `minus_pending`: the other dossiers'
    pending proposals are counted as taken (proposal page)."""
    own_pending = dict.fromkeys(KINDS, ZERO)
    if minus_pending and dossier.state != DossierState.DECIDED:
        for nature, proposed in FundingLine.objects.filter(
            project__dossier=dossier, proposed__isnull=False
        ).values_list("nature", "proposed"):
            own_pending[NATURE_TO_KIND[nature]] += proposed
    own = {
        kind: sum(
            (getattr(line, field) or ZERO) for line in lines if NATURE_TO_KIND[line.nature] == kind
        )
        for kind in KINDS
    }
    return _room_rows(dossier.campaign_id, own_pending, own, minus_pending=minus_pending)


def _room_rows(campaign_id, own_pending, own, *, minus_pending):
    """The rows of envelope_room: per envelope, what is granted, what the other dossiers'
    pending proposals take (with `minus_pending`; `own_pending`, this dossier's, is not
    counted against itself), what is available, and what is left after `own`
    ({kind: amount})."""
    totals = envelope_totals(campaign_id, pending=minus_pending)
    rows = []
    for kind, label in EnvelopeKind.choices:
        money = totals[kind]
        others = money["proposed_pending"] - own_pending[kind] if minus_pending else ZERO
        available = money["envelope"] - money["granted"] - others
        rows.append(
            {
                "kind": kind,
                "label": label,
                "envelope": money["envelope"],
                "granted": money["granted"],
                "others_pending": others,
                "available": available,
                "own": own[kind],
                "after": available - own[kind],
            }
        )
    return rows


# As totals_of sums them (dossiers.domain.totals.MONEY).
_PANEL_MONEY = DecimalField(max_digits=14, decimal_places=2)


_PANEL_COLUMNS = [
    f"{field}_{nature}" for field in ("granted", "proposed") for nature in NATURE_TO_KIND
]


@prepared
def _envelope_amounts(campaign_id):
    return Envelope.objects.filter(campaign_id=campaign_id).order_by().values_list("kind", "amount")


@prepared
def _sums_by_state(campaign_id):
    """The granted and proposed stored totals of the campaign's counted dossiers, per state."""
    return (
        DossierTotals.objects.filter(
            dossier__campaign_id=campaign_id, dossier__state__in=sorted(SUBMITTED_STATES)
        )
        .values_list("dossier__state")
        .annotate(**{name: Sum(name, output_field=_PANEL_MONEY) for name in _PANEL_COLUMNS})
        .order_by()
    )


def panel_envelope_room(dossier, own_totals, *, minus_pending):
    """envelope_room(dossier, [], "proposed", minus_pending=…) for the financing panel of
    the dossier page. `own_totals`: the dossier's stored totals (dossier_totals, read by
    the page): its own pending proposal without reading its lines again."""
    own_pending = dict.fromkeys(KINDS, ZERO)
    if minus_pending and dossier.state != DossierState.DECIDED:
        for nature, kind in NATURE_TO_KIND.items():
            own_pending[kind] += own_totals[f"proposed_{nature}"]
    return _room_rows(
        dossier.campaign_id, own_pending, dict.fromkeys(KINDS, ZERO), minus_pending=minus_pending
    )
