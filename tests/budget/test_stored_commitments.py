"""A dossier's stored commitments and delegated amounts (GrantedCommitment and
DelegatedAmount, kept by database triggers, decision 0058) are always what its lines
and delegations give, computed line by line in Python: after the decision, after every
other kind of write, on SQLite and on PostgreSQL. The budget's summary reads them
instead of the lines: it must give the same figures, to the cent, as the per-line read
model of the exports (granted_lines_by_year, yearly_cost)."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pgtrigger
import pytest

from budget.domain.decisions import decide
from budget.domain.delegations import record_delegation
from budget.models import DelegatedAmount, Delegation, GrantedCommitment
from budget.queries import budget_summary, first_year_cost, granted_lines_by_year
from common.identifiers import finess_with_key
from dossiers.models import Dossier, FundingLine, Project
from tests.budget.conftest import ONE_OFF, REC, lines_of, make_dossier
from tests.factories import DossierFactory, FundingLineFactory, ProjectFactory

D = Decimal
ZERO = D("0.00")
FINESS = finess_with_key("29000001")
# What the tests below lift on PostgreSQL to rewrite or delete a final decision, as a
# shell or the demo reset could (common.triggers).
FINAL = (
    "dossiers.FundingLine:grant_is_final",
    "dossiers.FundingLine:granted_line_kept",
    "budget.Delegation:append_only",
)


def expected_commitments(dossier):
    """{(nature, start year): (first-year cost, full-year amount)} computed line by line
    in Python (first_year_cost), from the dossier's lines granted more than 0."""
    rows = defaultdict(lambda: [ZERO, ZERO])
    for line in FundingLine.objects.filter(project__dossier=dossier, granted__gt=0):
        start = line.start_month
        if line.nature == REC and start is not None:
            first = first_year_cost(line.granted, start)
        else:
            first = line.granted
        row = rows[(line.nature, start.year if start else None)]
        row[0] += first
        row[1] += line.granted
    return {key: tuple(value) for key, value in rows.items()}


def stored_commitments(dossier):
    return {
        (nature, year): (first, granted)
        for nature, year, first, granted in GrantedCommitment.objects.filter(
            dossier_id=dossier.pk
        ).values_list("nature", "start_year", "first_year", "granted")
    }


def expected_delegated(dossier):
    """{(nature, year): (first date, amount)} from the dossier's delegations."""
    rows = {}
    for delegation in Delegation.objects.filter(line__project__dossier=dossier).select_related(
        "line"
    ):
        key = (delegation.line.nature, delegation.date.year)
        first, amount = rows.get(key, (delegation.date, ZERO))
        rows[key] = (min(first, delegation.date), amount + delegation.amount)
    return rows


def stored_delegated(dossier):
    return {
        (nature, year): (first, amount)
        for nature, year, first, amount in DelegatedAmount.objects.filter(
            dossier_id=dossier.pk
        ).values_list("nature", "year", "first_date", "amount")
    }


def assert_kept(*dossiers):
    for dossier in dossiers:
        assert stored_commitments(dossier) == expected_commitments(dossier), dossier
        assert stored_delegated(dossier) == expected_delegated(dossier), dossier


def assert_summary_is_the_lines(campaign):
    """The summary's per-year commitments and granted totals are the sums of the export's
    per-line costs (granted_lines_by_year: yearly_cost on every granted line)."""
    summary = budget_summary(campaign)
    years, rows = granted_lines_by_year(campaign)
    assert [row["year"] for row in summary["by_year"]] == years
    for index, row in enumerate(summary["by_year"]):
        for kind in ("recurring", "one_off"):
            per_line = sum((costs[index] for line, costs in rows if line["nature"] == kind), ZERO)
            assert row[kind] == per_line, (row["year"], kind)
    for kind in ("recurring", "one_off"):
        granted = sum((line["granted"] for line, _costs in rows if line["nature"] == kind), ZERO)
        assert summary["envelopes"][kind]["granted"] == granted
        assert sum(row[kind]["granted"] for row in summary["by_territory"]) == granted
    return summary


def decision(dossier, grants):
    """Decision lines: one (granted, start month) per line of the dossier, in order."""
    return [
        {"line": line.pk, "granted": granted, "start_month": start}
        for line, (granted, start) in zip(lines_of(dossier), grants, strict=True)
    ]


# Amounts whose prorata falls on half a cent, or just around it, for every start month:
# 1 000.01 × 6/12 = 500.005 → 500.01 (half up); 0.05 × 6/12 = 0.025 → 0.03; 0.01 × 1/12.
AMOUNTS = ["1000.01", "0.05", "0.01", "52000.00", "12345.67", "999.99", "7.77", "30000.03"]


def test_every_start_month_and_half_cent_is_stored_as_computed(campaign, instructor, decider):
    dossiers = []
    for month in range(1, 13):
        specs = [(REC, amount) for amount in AMOUNTS] + [(ONE_OFF, "1500.50")]
        dossier = make_dossier(campaign, instructor, specs)
        grants = [(amount, f"2025-{month:02d}-01") for _nature, amount in specs[:-1]]
        grants.append(("1500.50", None))  # a one-off line without start month
        decide(dossier, decider, "accepted", decision(dossier, grants), "Accord.")
        dossiers.append(dossier)

    assert_kept(*dossiers)
    assert stored_commitments(dossiers[6])[(REC, 2025)][0] == sum(
        (first_year_cost(D(a), dt.date(2025, 7, 1)) for a in AMOUNTS), ZERO
    )
    assert first_year_cost(D("1000.01"), dt.date(2025, 7, 1)) == D("500.01")
    assert stored_commitments(dossiers[0])[(ONE_OFF, None)] == (D("1500.50"), D("1500.50"))
    assert_summary_is_the_lines(campaign)


def test_varied_decisions_give_the_same_figures_as_the_lines(
    campaign, instructor, decider, territories
):
    t1, t2, t3, _t4 = territories
    partial = make_dossier(
        campaign,
        instructor,
        [[(REC, "52000.00"), (ONE_OFF, "10000.00")], [(REC, "18000.00", 2026), (REC, "333.33")]],
        territories=[t1],
    )
    decide(
        partial,
        decider,
        "partially_accepted",
        decision(
            partial,
            [
                ("48000.00", "2025-09-01"),
                ("10000.00", "2026-03-01"),  # a one-off line costs in its start month's year
                ("18000.00", "2026-11-01"),
                ("0", None),  # granted 0: no commitment
            ],
        ),
        "Partiel.",
    )
    shared = make_dossier(
        campaign, instructor, [(REC, "20000.00"), (ONE_OFF, "3000.00")], territories=[t3, t2]
    )
    lines = decision(shared, [("25000.00", "2025-12-01"), ("3000.00", "2025-08-01")])
    lines[0]["justification"] = "Un poste de plus."  # granted above the requested amount
    decide(shared, decider, "accepted", lines, "Accord.")
    rejected = make_dossier(campaign, instructor, [(REC, "5000.00")], territories=[t1])
    decide(rejected, decider, "rejected", decision(rejected, [("0", None)]), "Refus.")
    pending = make_dossier(campaign, instructor, [(REC, "7000.00")], territories=[t2])
    record_delegation(decider, lines_of(partial)[0].pk, "12000", "2025-09-15", "fir_arrete", FINESS)
    record_delegation(decider, lines_of(partial)[0].pk, "24000", "2026-01-10", "convention", FINESS)
    record_delegation(decider, lines_of(shared)[1].pk, "3000", "2025-08-20", "fir_arrete", FINESS)

    assert_kept(partial, shared, rejected, pending)
    assert stored_commitments(rejected) == {} and stored_commitments(pending) == {}
    summary = assert_summary_is_the_lines(campaign)
    assert summary["first_delegation_date"] == dt.date(2025, 8, 20)
    assert [row["delegated"] for row in summary["by_year"][:2]] == [D("15000.00"), D("24000.00")]
    assert summary["envelopes"]["recurring"]["delegated"] == D("36000.00")
    assert summary["envelopes"]["one_off"]["delegated"] == D("3000.00")
    assert summary["envelopes"]["recurring"]["decided_dossiers"] == 2


@pytest.fixture
def sheet(draft):
    return ProjectFactory(dossier=draft, priority=1)


def test_lines_written_without_the_domain_are_counted(draft, sheet):
    """A bulk insert (the benchmark's data), a model save and a queryset update."""
    other = ProjectFactory(dossier=DossierFactory())
    FundingLine.objects.bulk_create(
        [
            FundingLine(
                project=project,
                nature=nature,
                amount=D(amount),
                granted=D(amount),
                start_month=start,
            )
            for project in (sheet, other)
            for nature, amount, start in (
                (REC, "100.10", dt.date(2025, 7, 1)),
                (REC, "200.21", dt.date(2025, 10, 1)),
                (REC, "50.00", dt.date(2026, 1, 1)),
                (ONE_OFF, "5", None),
                (ONE_OFF, "0", dt.date(2025, 7, 1)),
            )
        ]
    )
    assert_kept(draft, other.dossier)
    # 100.10 × 6/12 = 50.05 and 200.21 × 3/12 = 50.0525 → 50.05
    assert stored_commitments(draft)[(REC, 2025)] == (D("100.10"), D("300.31"))

    line = FundingLineFactory(project=sheet, amount=D("1000.01"))
    assert_kept(draft)  # not granted: nothing
    line.granted, line.start_month = D("1000.01"), dt.date(2025, 7, 1)
    line.save()
    assert_kept(draft)
    with pgtrigger.ignore(*FINAL):
        FundingLine.objects.filter(project=sheet, nature=ONE_OFF).update(granted=D("9.99"))
        FundingLine.objects.filter(pk=line.pk).update(start_month=dt.date(2025, 12, 1))
        FundingLine.objects.filter(pk=line.pk).update(nature=ONE_OFF)
    assert_kept(draft, other.dossier)


def test_moved_and_deleted_lines_and_dossiers(draft, sheet):
    other_dossier = DossierFactory()
    other_sheet = ProjectFactory(dossier=other_dossier)
    kept = FundingLineFactory(
        project=sheet, amount=D("10"), granted=D("10"), start_month=dt.date(2025, 3, 1)
    )
    moved = FundingLineFactory(
        project=sheet, amount=D("32"), granted=D("32"), start_month=dt.date(2025, 3, 1)
    )
    Delegation.objects.create(
        line=moved, date=dt.date(2025, 4, 1), amount=D("16"), instrument="convention"
    )

    FundingLine.objects.filter(pk=moved.pk).update(project=other_sheet)
    assert_kept(draft, other_dossier)
    assert stored_delegated(draft) == {}
    assert stored_delegated(other_dossier) == {(REC, 2025): (dt.date(2025, 4, 1), D("16.00"))}

    with pgtrigger.ignore(*FINAL):
        kept.delete()
        assert stored_commitments(draft) == {}
        Delegation.objects.filter(line=moved).delete()
        assert stored_delegated(other_dossier) == {}
        FundingLine.objects.filter(pk=moved.pk).delete()
        FundingLineFactory(project=other_sheet, granted=D("1"), start_month=dt.date(2025, 1, 1))
        Project.objects.filter(dossier=other_dossier).delete()  # its lines go with it
    assert_kept(draft, other_dossier)

    FundingLineFactory(project=sheet, granted=D("7"), start_month=dt.date(2025, 1, 1))
    assert stored_commitments(draft)
    with pgtrigger.ignore(*FINAL):
        Dossier.objects.filter(pk=draft.pk).delete()
    assert not GrantedCommitment.objects.filter(dossier_id=draft.pk).exists()


def test_delegations_written_without_the_domain_are_counted(draft, sheet):
    recurring = FundingLineFactory(
        project=sheet, granted=D("52000"), start_month=dt.date(2025, 7, 1)
    )
    one_off = FundingLineFactory(project=sheet, nature=ONE_OFF, granted=D("999.99"))
    Delegation.objects.bulk_create(
        [
            Delegation(line=line, date=date, amount=D(amount), instrument="fir_arrete")
            for line, date, amount in (
                (recurring, dt.date(2025, 9, 1), "0.10"),
                (recurring, dt.date(2025, 7, 15), "0.20"),
                (recurring, dt.date(2026, 2, 1), "1000.01"),
                (one_off, dt.date(2025, 12, 31), "999.99"),
            )
        ]
    )
    assert_kept(draft)
    assert stored_delegated(draft)[(REC, 2025)] == (dt.date(2025, 7, 15), D("0.30"))

    with pgtrigger.ignore(*FINAL):
        Delegation.objects.filter(line=recurring, date__year=2026).update(date=dt.date(2025, 1, 2))
        assert_kept(draft)
        FundingLine.objects.filter(pk=one_off.pk).update(nature=REC)
        assert_kept(draft)
        Delegation.objects.filter(line=recurring).delete()
    assert_kept(draft)
    assert stored_delegated(draft) == {(REC, 2025): (dt.date(2025, 12, 31), D("999.99"))}
