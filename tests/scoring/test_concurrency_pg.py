"""Two instructors fire conflicting transitions on the same dossier at the same
moment, from two real PostgreSQL connections: exactly one succeeds, the other
gets a Conflict with a clear message, and the history records one change."""

import threading

import pytest
from django.db import connection, connections

from accounts.models import Role
from common.errors import Conflict
from dossiers.domain.transitions import transition
from dossiers.enums import DossierState as S
from dossiers.models import Dossier, HistoryEntry
from scoring.domain.assignments import assign_reviewer, declare_conflict
from scoring.domain.reviews import save_review
from scoring.models import ReviewerAssignment
from tests.factories import UserFactory, dossier_in_state, due_date
from tests.scoring.helpers import full_scores

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def race(*actions):
    """Run each action(dossier) in its own thread and connection, released together.

    Each thread first loads the dossier (what its user's page showed), then
    all fire at once. Returns the results: "ok" or the exception raised."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(index, pk, action):
        try:
            dossier = Dossier.objects.get(pk=pk)
            barrier.wait(timeout=10)
            action(dossier)
            results[index] = "ok"
        except Exception as exc:  # noqa: BLE001 - reported to the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, pk, action))
        for index, (pk, action) in enumerate(actions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _one_winner(results):
    assert results.count("ok") == 1, results
    (loser,) = [r for r in results if r != "ok"]
    assert isinstance(loser, Conflict), loser
    assert loser.status == 409
    assert "vient d'être modifié par une autre personne" in loser.message
    assert "Rechargez la page" in loser.message
    return loser


@pytest.fixture
def instructor2(db):
    return UserFactory(username="instructeur2", roles=[Role.ARS_INSTRUCTOR])


def test_analysis_and_completion_request_at_the_same_moment(filiere, lead, instructor, instructor2):
    dossier = dossier_in_state(S.CARESP_REVIEW, filiere=filiere, lead=lead, instructor=instructor)
    results = race(
        (dossier.pk, lambda d: transition(d, "start_ars_analysis", instructor)),
        (
            dossier.pk,
            lambda d: transition(
                d,
                "return_for_completion",
                instructor2,
                comment="Merci de compléter la gouvernance.",
                due_date=due_date(),
            ),
        ),
    )
    _one_winner(results)
    dossier.refresh_from_db()
    winner_state = S.ARS_ANALYSIS if results[0] == "ok" else S.RETURNED
    assert dossier.state == winner_state
    entries = HistoryEntry.objects.filter(dossier=dossier, from_state=S.CARESP_REVIEW)
    assert entries.count() == 1
    assert dossier.version == 4  # created 1, submit 2, review 3, one of the two 4


def test_two_instructors_start_the_caresp_review_at_the_same_moment(
    filiere, lead, instructor, instructor2
):
    dossier = dossier_in_state(S.SUBMITTED, filiere=filiere, lead=lead, instructor=instructor)
    results = race(
        (dossier.pk, lambda d: transition(d, "start_caresp_review", instructor)),
        (dossier.pk, lambda d: transition(d, "start_caresp_review", instructor2)),
    )
    loser = _one_winner(results)
    assert "« Revue CARESP »" in loser.message
    assert (
        HistoryEntry.objects.filter(dossier=dossier, transition="start_caresp_review").count() == 1
    )


def test_review_submitted_while_the_dossier_is_sent_back(filiere, lead, instructor, caresp):
    """The review and the transition lock the same row: the review is saved in a
    reviewable state or refused, never written into a returned dossier unnoticed."""
    dossier = dossier_in_state(S.CARESP_REVIEW, filiere=filiere, lead=lead, instructor=instructor)
    assign_reviewer(dossier, instructor, caresp)
    scores = full_scores(dossier.campaign, 3)
    results = race(
        (
            dossier.pk,
            lambda d: save_review(
                d, caresp, {"scores": scores, "opinion": "favourable"}, submit=True
            ),
        ),
        (
            dossier.pk,
            lambda d: transition(
                d,
                "return_for_completion",
                instructor,
                comment="Compléments.",
                due_date=due_date(),
            ),
        ),
    )
    assert results[1] == "ok", results
    if results[0] != "ok":
        assert isinstance(results[0], Conflict) and "« À compléter »" in results[0].message


def test_conflict_declared_while_being_assigned(filiere, lead, instructor, caresp):
    dossier = dossier_in_state(S.CARESP_REVIEW, filiere=filiere, lead=lead, instructor=instructor)
    results = race(
        (dossier.pk, lambda d: assign_reviewer(d, instructor, caresp)),
        (dossier.pk, lambda d: declare_conflict(d, caresp, "Salariée du CHU porteur.")),
    )
    assert results[1] == "ok", results
    # Whatever the order, the conflicted reviewer ends up not assigned.
    assert not ReviewerAssignment.objects.filter(dossier=dossier, reviewer=caresp).exists()
    if results[0] != "ok":
        assert isinstance(results[0], Conflict)
