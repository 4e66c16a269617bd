"""Hard rules under real concurrency: parallel connections on PostgreSQL.

Each thread has its own database connection (Django connections are per
thread); a Barrier releases them together so that the decisions and
delegations really overlap. Whatever the interleaving, the envelope and the
granted amount are never exceeded and the refused requests change nothing."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from accounts.models import Role
from budget.domain.decisions import decide
from budget.domain.delegations import record_delegation
from budget.domain.envelopes import amend_envelope
from budget.models import Delegation, Envelope
from common.errors import Conflict
from common.identifiers import finess_with_key
from dossiers.enums import DossierState
from dossiers.models import Dossier, FundingLine, HistoryEntry
from tests.budget.conftest import ONE_OFF, REC, grant_all, lines_of, make_dossier
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def run_together(calls):
    """Run each call in its own thread and connection, all released at once."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 - collected and asserted by the test
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def granted_total(campaign, nature):
    return FundingLine.objects.filter(
        project__dossier__campaign=campaign,
        project__dossier__state=DossierState.DECIDED,
        nature=nature,
    ).aggregate(total=Sum("granted"))["total"] or Decimal(0)


def test_concurrent_decisions_never_exceed_the_recurring_envelope(campaign, instructor, decider):
    # Six dossiers of 400 000 €: only four fit in 1 600 000 €.
    dossiers = [make_dossier(campaign, instructor, [(REC, "400000.00")]) for _ in range(6)]
    decider.role_codes  # noqa: B018 - load the roles once, before the threads
    results = run_together(
        [(lambda d=d: decide(d, decider, "accepted", grant_all(d), "Accord.")) for d in dossiers]
    )
    outcomes = [kind for kind, _value in results]
    assert outcomes.count("ok") == 4, results
    errors = [value for kind, value in results if kind == "error"]
    assert all(isinstance(e, Conflict) for e in errors), errors
    assert all("reconductible serait dépassée de 400\u202f000,00" in e.message for e in errors)
    assert granted_total(campaign, REC) == Decimal("1600000.00")
    refused = [d for d, (kind, _v) in zip(dossiers, results, strict=True) if kind == "error"]
    for dossier in refused:
        assert Dossier.objects.get(pk=dossier.pk).state == DossierState.ARS_ANALYSIS
        assert [line.granted for line in lines_of(dossier)] == [None]


def test_concurrent_decisions_with_uneven_amounts(campaign, instructor, decider):
    # Amounts whose every subset is distinct: the envelope holds whatever commits first.
    amounts = ["700000.00", "500000.00", "300000.00", "200000.00", "150000.00", "100000.01"]
    dossiers = [
        make_dossier(campaign, instructor, [(REC, a), (ONE_OFF, "90000.00")]) for a in amounts
    ]
    decider.role_codes  # noqa: B018
    results = run_together(
        [(lambda d=d: decide(d, decider, "accepted", grant_all(d), "Accord.")) for d in dossiers]
    )
    recurring = granted_total(campaign, REC)
    one_off = granted_total(campaign, ONE_OFF)
    assert recurring <= Decimal("1600000.00")
    assert one_off <= Decimal("400000.00")
    accepted = [a for a, (kind, _v) in zip(amounts, results, strict=True) if kind == "ok"]
    assert recurring == sum(Decimal(a) for a in accepted)
    assert one_off == Decimal("90000.00") * len(accepted)
    assert len(accepted) <= 4  # 5 × 90 000 € of one-off would exceed 400 000 €


def test_concurrent_delegations_never_exceed_the_granted_amount(campaign, instructor, decider):
    dossier = make_dossier(campaign, instructor, [(REC, "100000.00")])
    decide(dossier, decider, "accepted", grant_all(dossier), "Accord.")
    line = lines_of(dossier)[0]
    finess = finess_with_key("29000001")
    decider.role_codes  # noqa: B018
    results = run_together(
        [
            (
                lambda: record_delegation(
                    decider, line.pk, "30000.00", "2025-07-15", "fir_arrete", finess
                )
            )
            for _ in range(5)
        ]
    )
    assert [kind for kind, _v in results].count("ok") == 3, results
    assert all(isinstance(v, Conflict) for kind, v in results if kind == "error")
    assert Delegation.objects.aggregate(total=Sum("amount"))["total"] == Decimal("90000.00")


def test_concurrent_amendment_and_decisions_keep_granted_within_the_envelope(
    campaign, instructor, decider
):
    dossiers = [make_dossier(campaign, instructor, [(REC, "500000.00")]) for _ in range(3)]
    envelope = Envelope.objects.get(campaign=campaign, kind="recurring")
    decider.role_codes  # noqa: B018
    calls = [
        (lambda d=d: decide(d, decider, "accepted", grant_all(d), "Accord.")) for d in dossiers
    ]
    calls.append(lambda: amend_envelope(envelope, decider, "1000000.00", "2025-09-01", "Gel."))
    run_together(calls)
    envelope.refresh_from_db()
    assert granted_total(campaign, REC) <= envelope.amount


def test_two_deciders_on_the_same_dossier_decide_once(campaign, instructor, decider):
    other_decider = UserFactory(username="decideur2", roles=[Role.ARS_DECIDER])
    dossier = make_dossier(campaign, instructor, [(REC, "52000.00")])
    for user in (decider, other_decider):
        user.role_codes  # noqa: B018
    results = run_together(
        [
            lambda: decide(dossier, decider, "accepted", grant_all(dossier), "Accord."),
            lambda: decide(dossier, other_decider, "rejected", grant_all(dossier, ["0"]), "Rejet."),
        ]
    )
    assert sorted(kind for kind, _v in results) == ["error", "ok"], results
    error = next(v for kind, v in results if kind == "error")
    assert isinstance(error, Conflict) and "Décision impossible" in error.message
    assert HistoryEntry.objects.filter(dossier=dossier, transition="decide").count() == 1
    decided = Dossier.objects.get(pk=dossier.pk)
    winner = "accepted" if results[0][0] == "ok" else "rejected"
    assert decided.outcome == winner
    assert lines_of(dossier)[0].granted == (Decimal("52000.00") if winner == "accepted" else 0)
