import pytest
from django.core import mail

from accounts.models import Role
from common.errors import Conflict, Forbidden, InvalidInput, NotFound
from dossiers.enums import DossierState as S
from scoring.domain.aggregate import dossier_aggregate
from scoring.domain.assignments import (
    assign_reviewer,
    declare_conflict,
    eligible_reviewers,
    unassign_reviewer,
)
from scoring.domain.reviews import save_review
from scoring.models import ConflictOfInterest, Review, ReviewerAssignment
from tests.factories import DossierFactory, UserFactory, dossier_in_state
from tests.scoring.helpers import full_scores


def test_instructor_assigns_a_caresp_reviewer_who_is_told_by_mail(
    django_capture_on_commit_callbacks, in_review, instructor, caresp
):
    with django_capture_on_commit_callbacks(execute=True):
        assignment = assign_reviewer(in_review, instructor, caresp)
    assert (assignment.reviewer, assignment.assigned_by) == (caresp, instructor)
    (message,) = mail.outbox
    assert message.to == [caresp.email]
    assert message.subject.endswith("Dossier à évaluer : Nord Finistère")
    assert "vous a attribué le dossier de la filière « Nord Finistère »" in message.body
    assert f"/dossiers/{in_review.pk}/#instruction" in message.body


def test_an_instructor_can_be_assigned_too(in_review, instructor):
    assign_reviewer(in_review, instructor, instructor)
    assert ReviewerAssignment.objects.filter(dossier=in_review, reviewer=instructor).exists()


@pytest.mark.parametrize("role", ["lead", "caresp", "decider", "admin_user", "outsider"])
def test_only_an_instructor_assigns(request, in_review, caresp2, role):
    with pytest.raises(Forbidden):
        assign_reviewer(in_review, request.getfixturevalue(role), caresp2)


@pytest.mark.parametrize("role", ["lead", "decider", "admin_user", "outsider"])
def test_the_reviewer_must_be_caresp_or_instructor(request, in_review, instructor, role):
    with pytest.raises(InvalidInput) as exc:
        assign_reviewer(in_review, instructor, request.getfixturevalue(role))
    assert "username" in exc.value.errors


def test_unknown_or_inactive_reviewer_is_refused(in_review, instructor):
    with pytest.raises(InvalidInput):
        assign_reviewer(in_review, instructor, None)
    gone = UserFactory(roles=[Role.CARESP_REVIEWER], is_active=False)
    with pytest.raises(InvalidInput):
        assign_reviewer(in_review, instructor, gone)


def test_assigning_twice_is_a_conflict(in_review, instructor, caresp):
    assign_reviewer(in_review, instructor, caresp)
    with pytest.raises(Conflict) as exc:
        assign_reviewer(in_review, instructor, caresp)
    assert "déjà attribué" in exc.value.message


@pytest.mark.parametrize("state", [S.DECIDED, S.WITHDRAWN])
def test_no_assignment_after_the_decision_or_withdrawal(filiere, lead, instructor, caresp, state):
    dossier = dossier_in_state(state, filiere=filiere, lead=lead, instructor=instructor)
    with pytest.raises(Conflict):
        assign_reviewer(dossier, instructor, caresp)


def test_drafts_are_unknown_to_staff(filiere, instructor, caresp):
    draft = DossierFactory(filiere=filiere)
    with pytest.raises(NotFound):
        assign_reviewer(draft, instructor, caresp)
    with pytest.raises(NotFound):
        declare_conflict(draft, caresp, "Motif")


def test_conflicted_reviewer_cannot_be_assigned(in_review, instructor, caresp, caresp2):
    declare_conflict(in_review, caresp, "Ancienne salariée de la structure porteuse.")
    with pytest.raises(Conflict) as exc:
        assign_reviewer(in_review, instructor, caresp)
    assert exc.value.status == 409
    assert "a déclaré un conflit d'intérêts" in exc.value.message
    assert caresp not in eligible_reviewers(in_review)
    assert caresp2 in eligible_reviewers(in_review)


def test_declaring_a_conflict_removes_the_assignment_and_discards_the_draft(
    django_capture_on_commit_callbacks, in_review, instructor, caresp
):
    assign_reviewer(in_review, instructor, caresp)
    save_review(in_review, caresp, {"scores": {"diagnostic_quality": 3}})
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        conflict = declare_conflict(in_review, caresp, "  Membre du bureau de l'association.  ")
    assert conflict.reason == "Membre du bureau de l'association."
    assert not ReviewerAssignment.objects.filter(dossier=in_review).exists()
    assert not Review.objects.filter(dossier=in_review).exists()
    (message,) = mail.outbox
    assert message.to == [instructor.email]
    assert "a déclaré un conflit d'intérêts" in message.body
    assert "Membre du bureau de l'association." in message.body


def test_conflicted_reviewer_cannot_review(in_review, instructor, caresp):
    assign_reviewer(in_review, instructor, caresp)
    declare_conflict(in_review, caresp, "Lien familial avec le coordinateur.")
    with pytest.raises(Conflict) as exc:
        save_review(in_review, caresp, {"scores": full_scores(in_review.campaign, 2)})
    assert "conflit d'intérêts" in exc.value.message


def test_conflict_after_submission_keeps_the_review_but_excludes_it(
    in_review, instructor, caresp, caresp2
):
    for reviewer, value in ((caresp, 4), (caresp2, 2)):
        assign_reviewer(in_review, instructor, reviewer)
        save_review(
            in_review,
            reviewer,
            {"scores": full_scores(in_review.campaign, value), "opinion": "favourable"},
            submit=True,
        )
    assert dossier_aggregate(in_review).stats.count == 2
    declare_conflict(in_review, caresp, "Conflit découvert après coup.")
    review = Review.objects.get(dossier=in_review, reviewer=caresp)
    assert review.submitted_at is not None and review.excluded_at is not None
    aggregate = dossier_aggregate(in_review)
    assert aggregate.stats.count == 1
    assert str(aggregate.stats.mean) == "2"


def test_declaring_twice_is_a_conflict_and_reason_is_required(in_review, caresp):
    with pytest.raises(InvalidInput) as exc:
        declare_conflict(in_review, caresp, "   ")
    assert exc.value.errors == {"reason": ["Ce champ est obligatoire."]}
    declare_conflict(in_review, caresp, "Motif")
    with pytest.raises(Conflict):
        declare_conflict(in_review, caresp, "Motif")
    assert ConflictOfInterest.objects.count() == 1


@pytest.mark.parametrize("role", ["lead", "decider", "admin_user", "outsider"])
def test_only_reviewers_declare_conflicts(request, in_review, role):
    with pytest.raises(Forbidden):
        declare_conflict(in_review, request.getfixturevalue(role), "Motif")


def test_unassign_discards_the_draft_but_not_a_submitted_review(
    in_review, instructor, caresp, caresp2
):
    assign_reviewer(in_review, instructor, caresp)
    assign_reviewer(in_review, instructor, caresp2)
    save_review(in_review, caresp, {"scores": {"diagnostic_quality": 1}})
    save_review(
        in_review,
        caresp2,
        {"scores": full_scores(in_review.campaign, 1), "opinion": "unfavourable"},
        submit=True,
    )
    unassign_reviewer(in_review, instructor, caresp)
    assert not Review.objects.filter(reviewer=caresp).exists()
    with pytest.raises(Conflict):
        unassign_reviewer(in_review, instructor, caresp2)
    with pytest.raises(NotFound):
        unassign_reviewer(in_review, instructor, caresp)
    with pytest.raises(Forbidden):
        unassign_reviewer(in_review, caresp2, caresp2)
