import pytest

from common.errors import Conflict, Forbidden, InvalidInput
from dossiers.domain.transitions import transition
from dossiers.enums import DossierState as S
from scoring.domain.assignments import assign_reviewer, declare_conflict
from scoring.domain.reviews import (
    ACCESS_ALL,
    ACCESS_NONE,
    ACCESS_OWN,
    review_access,
    save_review,
    visible_reviews,
)
from scoring.models import CriterionScore, Review, ReviewerAssignment
from tests.factories import complete_dossier, dossier_in_state
from tests.scoring.helpers import full_scores, new_reviewer


@pytest.fixture
def assigned(in_review, instructor, caresp, caresp2):
    assign_reviewer(in_review, instructor, caresp)
    assign_reviewer(in_review, instructor, caresp2)
    return in_review


def _submit(dossier, user, value=3, opinion="favourable"):
    return save_review(
        dossier,
        user,
        {"scores": full_scores(dossier.campaign, value), "opinion": opinion, "comment": "Bien."},
        submit=True,
    )


def test_draft_then_submit(assigned, caresp):
    project = assigned.projects.get()
    review = save_review(
        assigned,
        caresp,
        {
            "scores": {"diagnostic_quality": 3, "call_compliance": "2"},
            "criterion_comments": {"diagnostic_quality": "Diagnostic solide."},
            "opinion": "reserved",
            "comment": "À revoir.",
            "projects": [{"project": project.id, "opinion": "favourable", "comment": "Utile."}],
        },
    )
    assert review.submitted_at is None
    assert {s.criterion.code: s.score for s in review.scores.all()} == {
        "diagnostic_quality": 3,
        "call_compliance": 2,
    }
    assert review.scores.get(criterion__code="diagnostic_quality").comment == "Diagnostic solide."
    opinion = review.project_opinions.get()
    assert (opinion.project, opinion.opinion, opinion.project_title) == (
        project,
        "favourable",
        project.title,
    )
    # Leaving out comments and project opinions keeps them.
    review = save_review(
        assigned,
        caresp,
        {"scores": full_scores(assigned.campaign, 3), "opinion": "favourable"},
        submit=True,
    )
    assert review.submitted_at is not None
    assert review.scores.get(criterion__code="diagnostic_quality").comment == "Diagnostic solide."
    assert review.project_opinions.count() == 1
    assert review.reviewer_role == "caresp_reviewer"


def test_submitted_review_is_read_only(assigned, caresp):
    _submit(assigned, caresp)
    with pytest.raises(Conflict) as exc:
        save_review(assigned, caresp, {"scores": full_scores(assigned.campaign, 0)})
    assert exc.value.status == 409
    assert "n'est plus modifiable" in exc.value.message
    assert set(
        CriterionScore.objects.filter(review__reviewer=caresp).values_list("score", flat=True)
    ) == {3}


def test_submitting_requires_every_criterion_and_an_opinion(assigned, caresp):
    with pytest.raises(InvalidInput) as exc:
        save_review(assigned, caresp, {"scores": {"diagnostic_quality": 3}}, submit=True)
    errors = exc.value.errors
    assert len([k for k in errors if k.startswith("scores.")]) == 8
    assert errors["scores.public_information"] == [
        "Notez le critère « Information du public » avant de soumettre."
    ]
    assert errors["opinion"] == ["Indiquez votre avis global avant de soumettre."]
    assert not Review.objects.filter(reviewer=caresp, submitted_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ({"diagnostic_quality": 5}, "La note doit être comprise entre 0 et 4."),
        ({"diagnostic_quality": -1}, "La note doit être comprise entre 0 et 4."),
        ({"diagnostic_quality": 2.5}, "Note entière attendue."),
        ({"diagnostic_quality": True}, "Note entière attendue."),
        ({"diagnostic_quality": "trois"}, "Note entière attendue."),
        ({"unknown": 2}, "Critère « unknown » inconnu dans la grille."),
    ],
)
def test_invalid_scores_are_refused(assigned, caresp, scores, message):
    with pytest.raises(InvalidInput) as exc:
        save_review(assigned, caresp, {"scores": scores})
    assert exc.value.status == 400
    assert message in next(iter(exc.value.errors.values()))
    assert not Review.objects.filter(reviewer=caresp).exists()


def test_invalid_opinion_and_foreign_project_are_refused(assigned, caresp, other_lead):
    other = complete_dossier(filiere=other_lead.filieres.get())
    foreign = other.projects.get()
    with pytest.raises(InvalidInput) as exc:
        save_review(
            assigned,
            caresp,
            {"scores": {}, "opinion": "bof", "projects": [{"project": foreign.id}]},
        )
    assert set(exc.value.errors) == {"opinion", "projects.0.project"}


def test_not_assigned_reviewer_cannot_review(in_review, caresp):
    with pytest.raises(Forbidden) as exc:
        save_review(in_review, caresp, {"scores": {}})
    assert exc.value.message == "Ce dossier ne vous a pas été attribué pour évaluation."


@pytest.mark.parametrize("role", ["lead", "decider", "admin_user", "outsider"])
def test_non_reviewers_cannot_review(request, assigned, role):
    with pytest.raises(Forbidden):
        save_review(assigned, request.getfixturevalue(role), {"scores": {}})


@pytest.mark.parametrize("state", [S.SUBMITTED, "returned_from_caresp", S.DECIDED, S.WITHDRAWN])
def test_reviews_only_during_review_or_analysis(filiere, lead, instructor, caresp, state):
    dossier = dossier_in_state(state, filiere=filiere, lead=lead, instructor=instructor)
    # Assigned earlier (an assignment cannot be made once decided or withdrawn).
    ReviewerAssignment.objects.create(dossier=dossier, reviewer=caresp, assigned_by=instructor)
    with pytest.raises(Conflict) as exc:
        save_review(dossier, caresp, {"scores": {}})
    assert "les évaluations se font pendant la revue CARESP ou l'analyse ARS" in exc.value.message


def test_review_allowed_in_ars_analysis(assigned, instructor, caresp):
    dossier = transition(assigned, "start_ars_analysis", instructor)
    assert _submit(dossier, caresp).submitted_at is not None


# ---------------------------------------------------------------- hidden scores


def test_scores_of_others_stay_hidden_until_ones_own_review_is_submitted(
    assigned, caresp, caresp2, instructor, decider, admin_user, lead
):
    _submit(assigned, caresp, value=4)
    save_review(assigned, caresp2, {"scores": {"diagnostic_quality": 1}})  # draft
    # caresp2 has not submitted: sees only its own draft.
    assert review_access(assigned, caresp2) == ACCESS_OWN
    assert [r.reviewer for r in visible_reviews(assigned, caresp2)] == [caresp2]
    # ARS roles see every submitted review, never drafts.
    for user in (instructor, decider, admin_user):
        assert review_access(assigned, user) == ACCESS_ALL
        assert [r.reviewer for r in visible_reviews(assigned, user)] == [caresp]
    # The applicant never.
    assert review_access(assigned, lead) == ACCESS_NONE
    assert visible_reviews(assigned, lead) == []
    # Once caresp2 submits, both are visible to it.
    _submit(assigned, caresp2, value=1, opinion="unfavourable")
    assert review_access(assigned, caresp2) == ACCESS_ALL
    assert {r.reviewer for r in visible_reviews(assigned, caresp2)} == {caresp, caresp2}


def test_a_caresp_reviewer_not_assigned_sees_nothing_of_others(assigned, caresp):
    _submit(assigned, caresp)
    bystander = new_reviewer("caresp3")
    assert review_access(assigned, bystander) == ACCESS_OWN
    assert visible_reviews(assigned, bystander) == []


def test_excluded_review_does_not_open_the_others(assigned, caresp, caresp2):
    _submit(assigned, caresp2)
    _submit(assigned, caresp)
    declare_conflict(assigned, caresp, "Découvert après coup.")
    assert review_access(assigned, caresp) == ACCESS_OWN
    assert [r.reviewer for r in visible_reviews(assigned, caresp)] == [caresp]
