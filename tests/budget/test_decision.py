"""decide(): envelopes, boundaries, coherence, justification, start months, notification."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from budget.domain.decisions import decide
from common.errors import Conflict, Forbidden, InvalidInput
from common.money import format_eur
from dossiers.enums import DossierState
from dossiers.models import Dossier, HistoryEntry
from tests.budget.conftest import ONE_OFF, REC, grant_all, lines_of, make_dossier
from tests.factories import CampaignFactory


def state_of(dossier):
    return Dossier.objects.get(pk=dossier.pk).state


def granted_of(dossier):
    return [line.granted for line in lines_of(dossier)]


def test_accepted_decision_writes_amounts_and_notifies_the_applicant(
    django_capture_on_commit_callbacks, analysed, decider, lead, instructor
):
    lines = lines_of(analysed)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = decide(
            analysed,
            decider,
            "accepted",
            [
                {"line": lines[0].pk, "granted": "52000.00", "start_month": "2025-07-01"},
                {"line": lines[1].pk, "granted": "10000"},
            ],
            "Projet conforme à l'instruction.",
        )
    assert dossier.state == DossierState.DECIDED
    assert dossier.outcome == "accepted"
    assert dossier.decided_at is not None
    assert dossier.decision_comment == "Projet conforme à l'instruction."
    recurring, one_off = lines_of(analysed)
    assert recurring.granted == Decimal("52000.00")
    assert recurring.start_month == dt.date(2025, 7, 1)
    assert one_off.granted == Decimal("10000.00") and one_off.start_month is None
    entry = HistoryEntry.objects.get(dossier=analysed, transition="decide")
    assert (entry.from_state, entry.to_state, entry.by) == ("ars_analysis", "decided", decider)
    to_lead = [m for m in mail.outbox if m.to == [lead.email]]
    assert len(to_lead) == 1
    assert "Décision rendue" in to_lead[0].subject
    assert "accepté" in to_lead[0].body


def test_granting_exactly_the_remaining_amount_is_accepted_one_cent_more_refused(
    campaign, instructor, decider
):
    first = make_dossier(campaign, instructor, [(REC, "1000000.00")])
    decide(first, decider, "accepted", grant_all(first), "Accord.")
    second = make_dossier(campaign, instructor, [(REC, "700000.00")])

    with pytest.raises(Conflict) as exc:
        decide(second, decider, "partially_accepted", grant_all(second, ["600000.01"]), "Partiel.")
    assert exc.value.message == (
        "Décision refusée : l'enveloppe reconductible serait dépassée de 0,01\u00a0€."
    )
    assert "recurring" in exc.value.errors and "one_off" not in exc.value.errors
    assert state_of(second) == DossierState.ARS_ANALYSIS
    assert granted_of(second) == [None]

    decide(second, decider, "partially_accepted", grant_all(second, ["600000.00"]), "Partiel.")
    assert state_of(second) == DossierState.DECIDED
    assert granted_of(second) == [Decimal("600000.00")]


def test_overflow_says_by_how_much(campaign, instructor, decider):
    first = make_dossier(campaign, instructor, [(REC, "1598750.00")])
    decide(first, decider, "accepted", grant_all(first), "Accord.")
    second = make_dossier(campaign, instructor, [(REC, "2500.00")])
    with pytest.raises(Conflict) as exc:
        decide(second, decider, "accepted", grant_all(second), "Accord.")
    assert (
        "L'enveloppe reconductible serait dépassée de 1\u202f250,00\u00a0€"
        in (exc.value.errors["recurring"][0])
    )
    assert exc.value.message.endswith(f"dépassée de {format_eur(Decimal('1250'))}.")


def test_one_off_envelope_is_checked_separately(campaign, instructor, decider):
    dossier = make_dossier(campaign, instructor, [(REC, "1600000.00"), (ONE_OFF, "400000.01")])
    with pytest.raises(Conflict) as exc:
        decide(dossier, decider, "accepted", grant_all(dossier), "Accord.")
    assert exc.value.message == (
        "Décision refusée : l'enveloppe ponctuelle serait dépassée de 0,01\u00a0€."
    )
    assert set(exc.value.errors) == {"one_off"}
    assert granted_of(dossier) == [None, None]
    decide(
        dossier,
        decider,
        "partially_accepted",
        grant_all(dossier, ["1600000.00", "400000.00"]),
        "Ponctuel plafonné.",
    )
    assert granted_of(dossier) == [Decimal("1600000.00"), Decimal("400000.00")]


def test_both_envelopes_overflowing_are_both_reported(campaign, instructor, decider):
    dossier = make_dossier(campaign, instructor, [(REC, "1600100.00"), (ONE_OFF, "400002.00")])
    with pytest.raises(Conflict) as exc:
        decide(dossier, decider, "accepted", grant_all(dossier), "Accord.")
    assert "reconductible serait dépassée de 100,00" in exc.value.message
    assert "ponctuelle serait dépassée de 2,00" in exc.value.message
    assert set(exc.value.errors) == {"recurring", "one_off"}


def test_refused_decision_changes_nothing(
    django_capture_on_commit_callbacks, campaign, instructor, decider
):
    dossier = make_dossier(campaign, instructor, [(REC, "1700000.00")])
    before = Dossier.objects.get(pk=dossier.pk)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
        decide(dossier, decider, "accepted", grant_all(dossier), "Accord.")
    after = Dossier.objects.get(pk=dossier.pk)
    assert (after.state, after.version, after.outcome, after.decided_at) == (
        before.state,
        before.version,
        "",
        None,
    )
    assert not HistoryEntry.objects.filter(dossier=dossier, transition="decide").exists()
    assert [(line.granted, line.start_month) for line in lines_of(dossier)] == [(None, None)]
    assert mail.outbox == []


def test_every_line_must_be_decided(analysed, decider):
    recurring, _one_off = lines_of(analysed)
    with pytest.raises(InvalidInput) as exc:
        decide(
            analysed,
            decider,
            "partially_accepted",
            [{"line": recurring.pk, "granted": "52000", "start_month": "2025-07-01"}],
            "Partiel.",
        )
    assert "il manque" in exc.value.errors["lines"][0]
    assert state_of(analysed) == DossierState.ARS_ANALYSIS


def test_lines_of_another_dossier_or_twice_are_refused(campaign, analysed, decider, instructor):
    other = make_dossier(campaign, instructor, [(REC, "1000.00")])
    lines = grant_all(analysed)
    with pytest.raises(InvalidInput) as exc:
        decide(analysed, decider, "accepted", [*lines, grant_all(other)[0]], "Accord.")
    assert exc.value.errors["lines.2.line"] == [
        "Cette ligne de financement n'est pas dans le dossier."
    ]
    with pytest.raises(InvalidInput) as exc:
        decide(analysed, decider, "accepted", [*lines, lines[0]], "Accord.")
    assert exc.value.errors["lines.2.line"] == ["Cette ligne figure deux fois."]


@pytest.mark.parametrize(
    ("outcome", "amounts", "ok"),
    [
        ("accepted", ["52000", "10000"], True),
        ("accepted", ["52000", "9999.99"], False),
        ("accepted", ["0", "0"], False),
        ("partially_accepted", ["52000", "9999.99"], True),
        ("partially_accepted", ["0", "10000"], True),
        ("partially_accepted", ["52000", "10000"], False),
        ("partially_accepted", ["0", "0"], False),
        ("rejected", ["0", "0"], True),
        ("rejected", ["0", "0.01"], False),
        ("maybe", ["0", "0"], False),
    ],
)
def test_outcome_must_match_the_amounts(analysed, decider, outcome, amounts, ok):
    lines = grant_all(analysed, amounts)
    if ok:
        assert decide(analysed, decider, outcome, lines, "Motivation.").outcome == outcome
    else:
        with pytest.raises(InvalidInput) as exc:
            decide(analysed, decider, outcome, lines, "Motivation.")
        assert "outcome" in exc.value.errors
        assert state_of(analysed) == DossierState.ARS_ANALYSIS


def test_rejection_grants_zero_and_needs_no_start_month(analysed, decider):
    lines = [{"line": line.pk, "granted": "0"} for line in lines_of(analysed)]
    dossier = decide(analysed, decider, "rejected", lines, "Hors du cadre de l'appel.")
    assert dossier.outcome == "rejected"
    assert granted_of(analysed) == [Decimal("0.00"), Decimal("0.00")]


def test_granting_more_than_requested_needs_a_justification(analysed, decider):
    lines = grant_all(analysed, ["52000.01", "10000"])
    with pytest.raises(InvalidInput) as exc:
        decide(analysed, decider, "accepted", lines, "Accord.")
    assert exc.value.errors == {
        "lines.0.justification": [
            "Le montant accordé dépasse le montant demandé (52\u202f000,00\u00a0€) : "
            "justifiez-le par écrit."
        ]
    }
    lines[0]["justification"] = "Revalorisation du point d'indice."
    decide(analysed, decider, "accepted", lines, "Accord.")
    recurring, one_off = lines_of(analysed)
    assert recurring.granted == Decimal("52000.01")
    assert recurring.grant_justification == "Revalorisation du point d'indice."
    assert one_off.grant_justification == ""


@pytest.mark.parametrize(
    ("start_month", "message"),
    [
        (
            "2025-07-15",
            "Le mois de démarrage est le premier jour d'un mois (exemple : 2025-07-01).",
        ),
        ("juillet", "Date invalide : écrivez-la AAAA-MM-JJ (exemple : 2025-07-15)."),
        (
            "2024-12-01",
            "Le mois de démarrage ne peut pas précéder la première année demandée (2025).",
        ),
    ],
)
def test_recurring_lines_need_a_valid_start_month(analysed, decider, start_month, message):
    lines = grant_all(analysed, start_month=start_month)
    with pytest.raises(InvalidInput) as exc:
        decide(analysed, decider, "accepted", lines, "Accord.")
    assert exc.value.errors["lines.0.start_month"] == [message]


@pytest.mark.parametrize("amount", ["-1", "1.001", "1e3", "NaN", 12.5, "", None, "12,5"])
def test_amounts_are_parsed_strictly(analysed, decider, amount):
    lines = grant_all(analysed)
    lines[1]["granted"] = amount
    with pytest.raises(InvalidInput) as exc:
        decide(analysed, decider, "accepted", lines, "Accord.")
    assert "lines.1.granted" in exc.value.errors


def test_a_motivation_is_required(analysed, decider):
    with pytest.raises(InvalidInput) as exc:
        decide(analysed, decider, "accepted", grant_all(analysed), "  ")
    assert exc.value.errors["comment"] == ["Indiquez la motivation de la décision."]


@pytest.mark.parametrize("who", ["instructor", "caresp", "lead", "admin_user", "outsider"])
def test_only_the_decider_decides(request, analysed, who):
    with pytest.raises(Forbidden):
        decide(analysed, request.getfixturevalue(who), "accepted", grant_all(analysed), "Accord.")
    assert state_of(analysed) == DossierState.ARS_ANALYSIS


def test_decision_only_in_ars_analysis(campaign, instructor, decider, analysed):
    submitted = make_dossier(campaign, instructor, [(REC, "1000.00")], state="submitted")
    with pytest.raises(Conflict) as exc:
        decide(submitted, decider, "accepted", grant_all(submitted), "Accord.")
    assert (
        exc.value.message == "Décision impossible : le dossier est « Déposé », pas « Analyse ARS »."
    )
    decide(analysed, decider, "accepted", grant_all(analysed), "Accord.")
    with pytest.raises(Conflict):
        decide(analysed, decider, "rejected", grant_all(analysed, ["0", "0"]), "Revirement.")
    assert granted_of(analysed) == [Decimal("52000.00"), Decimal("10000.00")]


def test_campaign_without_one_off_envelope_refuses_one_off_grants(instructor, decider):
    campaign = CampaignFactory(slug="sans-ponctuel", envelopes={"recurring": "100000.00"})
    dossier = make_dossier(campaign, instructor, [(REC, "1000.00"), (ONE_OFF, "5.00")])
    with pytest.raises(Conflict) as exc:
        decide(dossier, decider, "accepted", grant_all(dossier), "Accord.")
    assert "ponctuelle serait dépassée de 5,00" in exc.value.message
    decide(dossier, decider, "partially_accepted", grant_all(dossier, ["1000", "0"]), "Partiel.")


def test_other_campaigns_do_not_count(campaign, instructor, decider):
    other_campaign = CampaignFactory(slug="pays-de-la-loire-2025")
    elsewhere = make_dossier(other_campaign, instructor, [(REC, "1600000.00")])
    decide(elsewhere, decider, "accepted", grant_all(elsewhere), "Accord.")
    here = make_dossier(campaign, instructor, [(REC, "1600000.00")])
    decide(here, decider, "accepted", grant_all(here), "Accord.")
    assert state_of(here) == DossierState.DECIDED
