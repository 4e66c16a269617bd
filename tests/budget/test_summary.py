"""budget_summary(): envelopes, prorata per year, territories, fixed query count."""

import datetime as dt
from decimal import Decimal

import pytest

from budget.domain.decisions import decide
from budget.domain.delegations import record_delegation
from budget.domain.proposals import propose
from budget.queries import budget_summary, first_year_cost, yearly_cost
from common.identifiers import finess_with_key
from dossiers.domain.transitions import transition
from tests.budget.conftest import ONE_OFF, REC, grant_all, lines_of, make_dossier

D = Decimal


@pytest.mark.parametrize(
    ("granted", "month", "expected"),
    [
        ("52000.00", 1, "52000.00"),
        ("52000.00", 7, "26000.00"),
        ("52000.00", 12, "4333.33"),
        ("1000.00", 2, "916.67"),
        ("100.00", 12, "8.33"),
        ("0.05", 7, "0.03"),  # 0.025 rounds half up, not to even
        ("0.01", 12, "0.00"),
    ],
)
def test_first_year_is_prorated_to_the_cent(granted, month, expected):
    assert first_year_cost(D(granted), dt.date(2025, month, 1)) == D(expected)


def test_recurring_costs_prorata_then_full_years_one_off_once():
    start = dt.date(2025, 7, 1)
    decided_at = dt.datetime(2025, 6, 30, 10, tzinfo=dt.UTC)
    assert [
        yearly_cost("recurring", D("52000"), start, decided_at, y) for y in range(2024, 2028)
    ] == [
        D("0"),
        D("26000.00"),
        D("52000"),
        D("52000"),
    ]
    assert [yearly_cost("one_off", D("9000"), None, decided_at, y) for y in (2025, 2026)] == [
        D("9000"),
        D("0"),
    ]
    later = dt.date(2026, 3, 1)
    assert [yearly_cost("one_off", D("9000"), later, decided_at, y) for y in (2025, 2026)] == [
        D("0"),
        D("9000"),
    ]


def test_summary_per_envelope(campaign, instructor, decider):
    draft = make_dossier(campaign, instructor, [(REC, "999.00")], state="draft")
    submitted = make_dossier(
        campaign, instructor, [(REC, "1000.00"), (ONE_OFF, "500.00")], state="submitted"
    )
    withdrawn = make_dossier(campaign, instructor, [(REC, "7777.00")], state="submitted")
    transition(withdrawn, "withdraw", withdrawn.filiere.editors.first())
    pending = make_dossier(campaign, instructor, [(REC, "30000.00"), (ONE_OFF, "4000.00")])
    propose(
        pending,
        instructor,
        [
            {"line": line.pk, "proposed": amount}
            for line, amount in zip(lines_of(pending), ["20000", "4000"], strict=True)
        ],
    )
    decided = make_dossier(campaign, instructor, [(REC, "52000.00"), (ONE_OFF, "10000.00")])
    propose(
        decided,
        instructor,
        [
            {"line": line.pk, "proposed": amount}
            for line, amount in zip(lines_of(decided), ["50000", "10000"], strict=True)
        ],
    )
    decide(
        decided,
        decider,
        "partially_accepted",
        grant_all(decided, ["48000.00", "10000.00"]),
        "Partiel.",
    )
    line = lines_of(decided)[0]
    record_delegation(
        decider, line.pk, "12000", "2025-07-15", "fir_arrete", finess_with_key("29000001")
    )
    record_delegation(
        decider, line.pk, "24000", "2026-01-10", "cpom_amendment", finess_with_key("29000001")
    )
    assert draft.state == "draft"
    assert submitted.state == "submitted"

    summary = budget_summary(campaign)
    assert summary["envelopes"]["recurring"] == {
        "envelope": D("1600000.00"),
        "requested": D("83000.00"),  # 1 000 + 30 000 + 52 000: no draft, no withdrawn
        "proposed": D("70000.00"),
        "granted": D("48000.00"),
        "delegated": D("36000.00"),
        "remaining": D("1552000.00"),
        "proposed_pending": D("20000.00"),
        "decided_dossiers": 1,
    }
    assert summary["envelopes"]["one_off"] == {
        "envelope": D("400000.00"),
        "requested": D("14500.00"),
        "proposed": D("14000.00"),
        "granted": D("10000.00"),
        "delegated": D("0.00"),
        "remaining": D("390000.00"),
        "proposed_pending": D("4000.00"),
        "decided_dossiers": 1,
    }
    assert summary["first_delegation_date"] == dt.date(2025, 7, 15)
    assert summary["planned_first_delegation_date"] == dt.date(2025, 7, 15)


def test_by_year_commitments(campaign, instructor, decider):
    july = make_dossier(campaign, instructor, [(REC, "52000.00"), (ONE_OFF, "10000.00")])
    lines = grant_all(july)
    lines[1]["start_month"] = "2026-03-01"
    decide(july, decider, "accepted", lines, "Accord.")
    january = make_dossier(campaign, instructor, [(REC, "12000.00", 2026)])
    decide(january, decider, "accepted", grant_all(january, start_month="2026-01-01"), "Accord.")
    february = make_dossier(campaign, instructor, [(REC, "1000.00")])
    decide(february, decider, "accepted", grant_all(february, start_month="2025-02-01"), "Accord.")
    delegation_line = lines_of(july)[0]
    record_delegation(
        decider,
        delegation_line.pk,
        "26000",
        "2025-07-15",
        "fir_arrete",
        finess_with_key("29000001"),
    )

    by_year = budget_summary(campaign)["by_year"]
    assert [row["year"] for row in by_year] == [2025, 2026, 2027, 2028, 2029]
    assert [(row["recurring"], row["one_off"], row["total"]) for row in by_year] == [
        (D("26916.67"), D("0"), D("26916.67")),  # 52 000 × 6/12 + 1 000 × 11/12
        (D("65000.00"), D("10000.00"), D("75000.00")),
        (D("65000.00"), D("0"), D("65000.00")),
        (D("65000.00"), D("0"), D("65000.00")),
        (D("65000.00"), D("0"), D("65000.00")),
    ]
    assert by_year[0]["recurring_envelope"] == D("1600000.00")
    assert [row["delegated"] for row in by_year[:2]] == [D("26000.00"), D("0")]


def test_by_territory_counts_each_filiere_once(campaign, instructor, decider, territories):
    t1, t2, t3, t4 = territories
    alone = make_dossier(campaign, instructor, [(REC, "10000.00")], territories=[t1])
    shared = make_dossier(
        campaign, instructor, [(REC, "20000.00"), (ONE_OFF, "3000.00")], territories=[t3, t2]
    )
    decide(shared, decider, "accepted", grant_all(shared), "Accord.")
    nowhere = make_dossier(campaign, instructor, [(ONE_OFF, "500.00")])
    assert alone and nowhere

    rows = budget_summary(campaign)["by_territory"]
    assert [(row["territories"], row["label"]) for row in rows] == [
        (["T1"], "T1 — Brest"),
        (["T2", "T3"], "T2 — Quimper + T3 — Lorient"),
        (["T4"], "T4 — Vannes"),
        ([], "Sans territoire renseigné"),
    ]
    assert rows[0]["recurring"]["requested"] == D("10000.00")
    assert rows[1]["recurring"] == {
        "requested": D("20000.00"),
        "proposed": D("0"),
        "granted": D("20000.00"),
        "delegated": D("0"),
    }
    assert rows[1]["one_off"]["granted"] == D("3000.00")
    # Granted from July 2025 (grant_all): prorata in 2025, full year after; one-off in 2025.
    assert [
        (c["year"], c["recurring"], c["one_off"], c["total"]) for c in rows[1]["by_year"][:2]
    ] == [
        (2025, D("10000.00"), D("3000.00"), D("13000.00")),
        (2026, D("20000.00"), D("0"), D("20000.00")),
    ]
    assert all(c["total"] == 0 for c in rows[0]["by_year"])
    assert rows[2]["recurring"]["requested"] == D("0") and t4.code == "T4"
    assert rows[3]["one_off"]["requested"] == D("500.00")
    total = sum(row["recurring"]["requested"] for row in rows)
    assert total == budget_summary(campaign)["envelopes"]["recurring"]["requested"]


@pytest.mark.parametrize("count", [2, 8])
def test_summary_runs_a_fixed_number_of_queries(
    django_assert_max_num_queries, campaign, instructor, decider, territories, count
):
    for index in range(count):
        dossier = make_dossier(
            campaign,
            instructor,
            [(REC, "1000.00"), (ONE_OFF, "100.00")],
            territories=[territories[index % 4]],
        )
        decide(dossier, decider, "accepted", grant_all(dossier), "Accord.")
        record_delegation(
            decider,
            lines_of(dossier)[0].pk,
            "500",
            "2025-07-15",
            "convention",
            finess_with_key("29000001"),
        )
    # 6: the dossiers with their stored totals, their stored delegated amounts and
    # commitments (decision 0058), envelopes, territories and filière links.
    with django_assert_max_num_queries(6):
        summary = budget_summary(campaign)
    assert summary["envelopes"]["recurring"]["granted"] == D(1000 * count)
