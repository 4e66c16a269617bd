"""propose() and amend_envelope()."""

import datetime as dt
from decimal import Decimal

import pytest

from budget.domain.decisions import decide
from budget.domain.envelopes import amend_envelope
from budget.domain.proposals import propose
from budget.models import Envelope, EnvelopeAmendment
from common.errors import Conflict, Forbidden, InvalidInput
from dossiers.models import Project
from tests.budget.conftest import REC, grant_all, lines_of, make_dossier


def test_instructor_proposes_amounts_and_opinions(analysed, instructor):
    recurring, one_off = lines_of(analysed)
    project = Project.objects.get(dossier=analysed)
    propose(
        analysed,
        instructor,
        [
            {"line": recurring.pk, "proposed": "40000.50", "opinion": "favourable"},
            {"line": one_off.pk, "proposed": "0", "opinion": "unfavourable"},
        ],
        project_opinions=[{"project": project.pk, "opinion": "reserved"}],
    )
    recurring, one_off = lines_of(analysed)
    assert (recurring.proposed, recurring.proposal_opinion) == (Decimal("40000.50"), "favourable")
    assert (one_off.proposed, one_off.proposal_opinion) == (Decimal("0.00"), "unfavourable")
    assert Project.objects.get(pk=project.pk).proposal_opinion == "reserved"
    # Only the lines listed change; null clears a proposal.
    propose(analysed, instructor, [{"line": one_off.pk, "proposed": None, "opinion": ""}])
    recurring, one_off = lines_of(analysed)
    assert recurring.proposed == Decimal("40000.50")
    assert (one_off.proposed, one_off.proposal_opinion) == (None, "")


def test_proposal_may_exceed_the_envelope_the_decision_may_not(campaign, analysed, instructor):
    line = lines_of(analysed)[0]
    propose(analysed, instructor, [{"line": line.pk, "proposed": "2000000", "opinion": ""}])
    assert lines_of(analysed)[0].proposed == Decimal("2000000.00")


@pytest.mark.parametrize(
    ("item", "key"),
    [
        ({"proposed": "-5"}, "lines.0.proposed"),
        ({"proposed": "5.555"}, "lines.0.proposed"),
        ({"proposed": 5.5}, "lines.0.proposed"),
        ({"opinion": "excellent"}, "lines.0.opinion"),
        ({"line": 999999}, "lines.0.line"),
    ],
)
def test_bad_proposals_are_refused_whole(analysed, instructor, item, key):
    line = lines_of(analysed)[0]
    with pytest.raises(InvalidInput) as exc:
        propose(analysed, instructor, [{"line": line.pk, "proposed": "1", "opinion": "", **item}])
    assert key in exc.value.errors
    assert lines_of(analysed)[0].proposed is None


def test_proposal_outside_ars_analysis_is_a_conflict(campaign, instructor, decider, analysed):
    submitted = make_dossier(campaign, instructor, [(REC, "1000.00")], state="submitted")
    line = lines_of(submitted)[0]
    with pytest.raises(Conflict) as exc:
        propose(submitted, instructor, [{"line": line.pk, "proposed": "1000", "opinion": ""}])
    assert exc.value.message == (
        "Proposition impossible : le dossier est « Déposé », pas « Analyse ARS »."
    )
    decide(analysed, decider, "accepted", grant_all(analysed), "Accord.")
    with pytest.raises(Conflict):
        propose(analysed, instructor, [{"line": lines_of(analysed)[0].pk, "proposed": "1"}])


@pytest.mark.parametrize("who", ["decider", "caresp", "lead", "admin_user", "outsider"])
def test_only_the_instructor_proposes(request, analysed, who):
    line = lines_of(analysed)[0]
    with pytest.raises(Forbidden):
        propose(analysed, request.getfixturevalue(who), [{"line": line.pk, "proposed": "1"}])


# ---------------------------------------------------------------- envelopes


def recurring_envelope(campaign):
    return Envelope.objects.get(campaign=campaign, kind="recurring")


def test_amendment_is_recorded_with_its_history(campaign, decider, admin_user):
    envelope = recurring_envelope(campaign)
    amend_envelope(envelope, decider, "1800000", "2025-09-01", "Stratégie décennale : +200 k€.")
    amend_envelope(envelope, admin_user, "1750000.50", dt.date(2025, 10, 1), "Ajustement.")
    envelope.refresh_from_db()
    assert envelope.amount == Decimal("1750000.50")
    history = list(
        EnvelopeAmendment.objects.filter(envelope=envelope)
        .order_by("created_at", "pk")
        .values_list("date", "previous_amount", "new_amount", "reason", "created_by")
    )
    assert history == [
        (
            dt.date(2025, 9, 1),
            Decimal("1600000.00"),
            Decimal("1800000.00"),
            "Stratégie décennale : +200 k€.",
            decider.pk,
        ),
        (
            dt.date(2025, 10, 1),
            Decimal("1800000.00"),
            Decimal("1750000.50"),
            "Ajustement.",
            admin_user.pk,
        ),
    ]


def test_lowering_below_granted_is_refused_exactly_granted_accepted(campaign, instructor, decider):
    dossier = make_dossier(campaign, instructor, [(REC, "1200000.00")])
    decide(dossier, decider, "accepted", grant_all(dossier), "Accord.")
    envelope = recurring_envelope(campaign)
    with pytest.raises(Conflict) as exc:
        amend_envelope(envelope, decider, "1199999.99", "2025-09-01", "Gel de crédits.")
    assert exc.value.message == (
        "Modification refusée : 1\u202f199\u202f999,99\u00a0€ est inférieur au total déjà "
        "accordé sur cette enveloppe (1\u202f200\u202f000,00\u00a0€), de 0,01\u00a0€."
    )
    envelope.refresh_from_db()
    assert envelope.amount == Decimal("1600000.00")
    assert not EnvelopeAmendment.objects.exists()
    amend_envelope(envelope, decider, "1200000.00", "2025-09-01", "Gel de crédits.")
    envelope.refresh_from_db()
    assert envelope.amount == Decimal("1200000.00")


def test_raised_envelope_allows_more_grants(campaign, instructor, decider):
    dossier = make_dossier(campaign, instructor, [(REC, "1700000.00")])
    with pytest.raises(Conflict):
        decide(dossier, decider, "accepted", grant_all(dossier), "Accord.")
    amend_envelope(recurring_envelope(campaign), decider, "1700000", "2025-09-01", "Hausse.")
    decide(dossier, decider, "accepted", grant_all(dossier), "Accord.")


@pytest.mark.parametrize(
    ("amount", "date", "reason", "key"),
    [
        ("-1", "2025-09-01", "Motif", "new_amount"),
        ("1600000", "2025-09-01", "Motif", "new_amount"),
        ("1700000", "01/09/2025", "Motif", "date"),
        ("1700000", None, "Motif", "date"),
        ("1700000", "2025-09-01", "  ", "reason"),
    ],
)
def test_bad_amendments_are_refused(campaign, decider, amount, date, reason, key):
    with pytest.raises(InvalidInput) as exc:
        amend_envelope(recurring_envelope(campaign), decider, amount, date, reason)
    assert key in exc.value.errors
    assert not EnvelopeAmendment.objects.exists()


@pytest.mark.parametrize("who", ["instructor", "caresp", "lead", "outsider"])
def test_only_admin_and_decider_amend(request, campaign, who):
    with pytest.raises(Forbidden):
        amend_envelope(
            recurring_envelope(campaign), request.getfixturevalue(who), "1", "2025-09-01", "x"
        )
