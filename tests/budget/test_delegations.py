"""record_delegation(): cumulated delegated ≤ granted, per line."""

import datetime as dt
from decimal import Decimal

import pytest

from budget.domain.decisions import decide
from budget.domain.delegations import record_delegation
from budget.models import Delegation
from common.errors import Conflict, Forbidden, InvalidInput
from common.identifiers import finess_with_key
from tests.budget.conftest import ONE_OFF, REC, grant_all, lines_of, make_dossier

FINESS = finess_with_key("29000001")


@pytest.fixture
def granted_line(campaign, instructor, decider):
    dossier = make_dossier(campaign, instructor, [(REC, "52000.00"), (ONE_OFF, "10000.00")])
    decide(
        dossier, decider, "partially_accepted", grant_all(dossier, ["26000", "10000"]), "Partiel."
    )
    return lines_of(dossier)[0]


def delegate(user, line, amount, date="2025-07-15", instrument="fir_arrete", finess=FINESS):
    return record_delegation(user, line.pk, amount, date, instrument, finess)


def test_delegations_add_up_to_the_granted_amount_not_one_cent_more(granted_line, decider):
    first = delegate(decider, granted_line, "13000")
    assert (first.amount, first.date, first.instrument, first.beneficiary_finess) == (
        Decimal("13000.00"),
        dt.date(2025, 7, 15),
        "fir_arrete",
        FINESS,
    )
    assert first.created_by == decider
    with pytest.raises(Conflict) as exc:
        delegate(decider, granted_line, "13000.01", instrument="cpom_amendment")
    assert exc.value.message == (
        "Délégation refusée : le montant délégué dépasserait le montant accordé de 0,01\u00a0€ "
        "(accordé : 26\u202f000,00\u00a0€ ; déjà délégué : 13\u202f000,00\u00a0€)."
    )
    assert Delegation.objects.count() == 1
    delegate(decider, granted_line, "13000.00", date="2026-01-15", instrument="convention")
    assert sum(d.amount for d in Delegation.objects.all()) == Decimal("26000.00")
    with pytest.raises(Conflict):
        delegate(decider, granted_line, "0.01")


def test_nothing_to_delegate_on_an_undecided_or_zero_line(campaign, instructor, decider):
    pending = make_dossier(campaign, instructor, [(REC, "1000.00")])
    with pytest.raises(Conflict) as exc:
        delegate(decider, lines_of(pending)[0], "10")
    assert exc.value.message == "Aucun montant n'est accordé sur cette ligne : rien à déléguer."
    rejected = make_dossier(campaign, instructor, [(REC, "1000.00")])
    decide(rejected, decider, "rejected", grant_all(rejected, ["0"]), "Rejet.")
    with pytest.raises(Conflict):
        delegate(decider, lines_of(rejected)[0], "10")


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-3"}, "amount"),
        ({"amount": "3.001"}, "amount"),
        ({"date": "15/07/2025"}, "date"),
        ({"date": "2025-02-30"}, "date"),
        ({"instrument": "virement"}, "instrument"),
        ({"finess": "290000018"}, "beneficiary_finess"),
        ({"finess": "29000"}, "beneficiary_finess"),
    ],
)
def test_bad_delegations_are_refused(granted_line, decider, kwargs, key):
    params = {"amount": "100", **kwargs}
    with pytest.raises(InvalidInput) as exc:
        delegate(decider, granted_line, **params)
    assert key in exc.value.errors
    assert not Delegation.objects.exists()


def test_unknown_line_is_invalid(decider, db):
    with pytest.raises(InvalidInput) as exc:
        record_delegation(decider, 999999, "1", "2025-07-15", "fir_arrete", FINESS)
    assert exc.value.errors["line"] == ["Ligne de financement inconnue."]


@pytest.mark.parametrize("who", ["instructor", "caresp", "lead", "admin_user", "outsider"])
def test_only_the_decider_records_delegations(request, granted_line, who):
    with pytest.raises(Forbidden):
        delegate(request.getfixturevalue(who), granted_line, "100")
