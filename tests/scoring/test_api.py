"""The review API (api.md) for every role: status codes, bodies, French messages."""

import pytest

from accounts.models import ApiToken
from dossiers.domain.transitions import transition
from scoring.domain.assignments import assign_reviewer, declare_conflict
from scoring.domain.reviews import save_review
from scoring.models import ConflictOfInterest, Review, ReviewerAssignment
from tests.factories import due_date
from tests.scoring.helpers import full_scores

ROLES = ["lead", "other_lead", "caresp", "instructor", "decider", "admin_user", "outsider", None]


def call(client, request, role, method, path, body=None):
    headers = {}
    if role is not None:
        user = request.getfixturevalue(role)
        _token, raw = ApiToken.issue(user)
        headers["Authorization"] = f"Bearer {raw}"
    return getattr(client, method)(
        f"/api/v1/{path}", data=body, content_type="application/json", headers=headers
    )


def assert_error(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["detail"]
    return body


# ---------------------------------------------------------------- grid

GRID_STATUS = {
    "lead": 403,
    "other_lead": 403,
    "caresp": 200,
    "instructor": 200,
    "decider": 200,
    "admin_user": 200,
    "outsider": 403,
    None: 401,
}


@pytest.mark.parametrize("role", ROLES)
def test_grid_per_role(client, request, campaign, role):
    response = call(client, request, role, "get", "campaigns/bretagne-2025/grid")
    assert response.status_code == GRID_STATUS[role]
    if response.status_code == 200:
        body = response.json()
        assert body["campaign"] == "bretagne-2025"
        assert body["locked"] is False
        assert len(body["criteria"]) == 9
        assert body["criteria"][0] == {
            "code": "diagnostic_quality",
            "label": "Qualité du diagnostic territorial",
            "group": "analysis_basis",
            "weight": "2.00",
            "min": 0,
            "max": 4,
        }
    else:
        assert_error(response, GRID_STATUS[role])


def test_grid_of_unknown_campaign_is_404(client, request, instructor):
    body = assert_error(call(client, request, "instructor", "get", "campaigns/nope/grid"), 404)
    assert body["detail"] == "Campagne introuvable."


# ---------------------------------------------------------------- my review


@pytest.fixture
def assigned(in_review, instructor, caresp):
    assign_reviewer(in_review, instructor, caresp)
    return in_review


def review_body(campaign, value=3, submit=False, **extra):
    return {
        "scores": full_scores(campaign, value),
        "opinion": "favourable",
        "comment": "Dossier solide.",
        "submit": submit,
        **extra,
    }


PUT_STATUS = {
    "lead": 403,
    "other_lead": 404,
    "caresp": 200,
    "instructor": 403,  # not assigned
    "decider": 403,
    "admin_user": 403,
    "outsider": 404,
    None: 401,
}


@pytest.mark.parametrize("role", ROLES)
def test_put_my_review_per_role(client, request, assigned, campaign, role):
    response = call(
        client,
        request,
        role,
        "put",
        f"dossiers/{assigned.pk}/reviews/mine",
        review_body(campaign),
    )
    assert response.status_code == PUT_STATUS[role], response.content
    if role == "caresp":
        body = response.json()
        assert body["reviewer"] == "caresp"
        assert body["submitted"] is False and body["submitted_at"] is None
        assert body["scores"]["diagnostic_quality"] == 3
        assert body["opinion"] == "favourable"
    else:
        assert_error(response, PUT_STATUS[role])
        assert not Review.objects.exists()


def test_put_submit_then_read_only(client, request, assigned, campaign):
    project = assigned.projects.get()
    body = review_body(
        campaign,
        submit=True,
        criterion_comments={"diagnostic_quality": "Précis."},
        projects=[{"project": project.id, "opinion": "reserved", "comment": "Coût élevé."}],
    )
    path = f"dossiers/{assigned.pk}/reviews/mine"
    response = call(client, request, "caresp", "put", path, body)
    assert response.status_code == 200
    data = response.json()
    assert data["submitted"] is True
    assert data["criterion_comments"] == {"diagnostic_quality": "Précis."}
    assert data["projects"] == [
        {
            "project": project.id,
            "title": project.title,
            "opinion": "reserved",
            "comment": "Coût élevé.",
        }
    ]
    again = call(client, request, "caresp", "put", path, review_body(campaign, value=0))
    assert "n'est plus modifiable" in assert_error(again, 409)["detail"]


@pytest.mark.parametrize(
    ("scores", "field"),
    [
        ({"diagnostic_quality": 9}, "scores.diagnostic_quality"),
        ({"diagnostic_quality": 1.5}, "scores.diagnostic_quality"),
        ({"diagnostic_quality": "NaN"}, "scores.diagnostic_quality"),
        ({"nope": 1}, "scores.nope"),
    ],
)
def test_put_invalid_scores_is_400(client, request, assigned, scores, field):
    response = call(
        client,
        request,
        "caresp",
        "put",
        f"dossiers/{assigned.pk}/reviews/mine",
        {"scores": scores},
    )
    assert field in assert_error(response, 400)["errors"]


def test_put_incomplete_submission_is_400_listing_everything(client, request, assigned):
    response = call(
        client,
        request,
        "caresp",
        "put",
        f"dossiers/{assigned.pk}/reviews/mine",
        {"scores": {}, "submit": True},
    )
    errors = assert_error(response, 400)["errors"]
    assert len(errors) == 10  # nine criteria and the opinion


def test_put_malformed_body_is_400(client, request, assigned):
    response = client.put(
        f"/api/v1/dossiers/{assigned.pk}/reviews/mine",
        data="{pas du json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {ApiToken.issue(request.getfixturevalue('caresp'))[1]}"},
    )
    assert_error(response, 400)
    response = call(
        client, request, "caresp", "put", f"dossiers/{assigned.pk}/reviews/mine", {"scores": [1]}
    )
    assert_error(response, 400)


def test_put_in_wrong_state_or_after_conflict_is_409(client, request, assigned, instructor, caresp):
    transition(
        assigned, "return_for_completion", instructor, comment="Compléments", due_date=due_date()
    )
    path = f"dossiers/{assigned.pk}/reviews/mine"
    body = assert_error(call(client, request, "caresp", "put", path, {"scores": {}}), 409)
    assert "« À compléter »" in body["detail"]
    declare_conflict(assigned, caresp, "Conflit")
    body = assert_error(call(client, request, "caresp", "put", path, {"scores": {}}), 409)
    assert "conflit d'intérêts" in body["detail"]


def test_put_on_unknown_dossier_is_404(client, request, caresp):
    assert_error(call(client, request, "caresp", "put", "dossiers/999999/reviews/mine", {}), 404)


# ---------------------------------------------------------------- reviews


@pytest.fixture
def reviewed(assigned, campaign, caresp, caresp2, instructor):
    save_review(
        assigned, caresp, {"scores": full_scores(campaign, 4), "opinion": "favourable"}, submit=True
    )
    assign_reviewer(assigned, instructor, caresp2)
    return assigned


GET_REVIEWS_STATUS = {
    "lead": 403,
    "other_lead": 404,
    "caresp": 200,  # has submitted
    "instructor": 200,
    "decider": 200,
    "admin_user": 200,
    "outsider": 404,
    None: 401,
}


@pytest.mark.parametrize("role", ROLES)
def test_get_reviews_per_role(client, request, reviewed, role):
    response = call(client, request, role, "get", f"dossiers/{reviewed.pk}/reviews")
    assert response.status_code == GET_REVIEWS_STATUS[role]
    if response.status_code == 200:
        body = response.json()
        assert [r["reviewer"] for r in body["reviews"]] == ["caresp"]
        assert body["reviews"][0]["scores"]["public_information"] == 4
        assert body["aggregate"]["weighted_mean"] == "4.00"
        assert body["aggregate"]["reviews"] == 1
        assert body["assigned"] == [
            {"reviewer": "caresp", "status": "submitted"},
            {"reviewer": "caresp2", "status": "pending"},
        ]
    else:
        assert_error(response, GET_REVIEWS_STATUS[role])


def test_reviewer_sees_others_only_after_submitting(client, request, reviewed, campaign):
    path = f"dossiers/{reviewed.pk}/reviews"
    body = assert_error(call(client, request, "caresp2", "get", path), 403)
    assert body["detail"] == (
        "Les évaluations des autres relecteurs vous seront visibles une fois la vôtre soumise."
    )
    mine = f"dossiers/{reviewed.pk}/reviews/mine"
    call(client, request, "caresp2", "put", mine, review_body(campaign, value=2))  # draft
    assert_error(call(client, request, "caresp2", "get", path), 403)
    call(client, request, "caresp2", "put", mine, review_body(campaign, value=2, submit=True))
    body = call(client, request, "caresp2", "get", path).json()
    assert [r["reviewer"] for r in body["reviews"]] == ["caresp", "caresp2"]
    assert body["aggregate"]["weighted_mean"] == "3.00"


# ---------------------------------------------------------------- reviewers

ASSIGN_STATUS = {
    "lead": 403,
    "other_lead": 404,
    "caresp": 403,
    "instructor": 201,
    "decider": 403,
    "admin_user": 403,
    "outsider": 404,
    None: 401,
}


@pytest.mark.parametrize("role", ROLES)
def test_assign_reviewer_per_role(client, request, in_review, caresp2, role):
    response = call(
        client, request, role, "post", f"dossiers/{in_review.pk}/reviewers", {"username": "caresp2"}
    )
    assert response.status_code == ASSIGN_STATUS[role]
    if role == "instructor":
        body = response.json()
        assert (body["dossier"], body["reviewer"], body["assigned_by"]) == (
            in_review.pk,
            "caresp2",
            "instructeur",
        )
        assert ReviewerAssignment.objects.filter(dossier=in_review, reviewer=caresp2).exists()
    else:
        assert_error(response, ASSIGN_STATUS[role])
        assert not ReviewerAssignment.objects.exists()


def test_assign_errors(client, request, in_review, caresp, lead):
    path = f"dossiers/{in_review.pk}/reviewers"
    body = assert_error(call(client, request, "instructor", "post", path, {"username": "x"}), 400)
    assert "username" in body["errors"]
    assert_error(call(client, request, "instructor", "post", path, {"username": "porteur"}), 400)
    assert_error(call(client, request, "instructor", "post", path, {}), 400)
    declare_conflict(in_review, caresp, "Conflit")
    body = assert_error(
        call(client, request, "instructor", "post", path, {"username": "caresp"}), 409
    )
    assert "conflit d'intérêts" in body["detail"]
    call(client, request, "instructor", "post", path, {"username": "instructeur"})
    assert_error(
        call(client, request, "instructor", "post", path, {"username": "instructeur"}), 409
    )


# ---------------------------------------------------------------- conflicts

CONFLICT_STATUS = {
    "lead": 403,
    "other_lead": 404,
    "caresp": 201,
    "instructor": 201,
    "decider": 403,
    "admin_user": 403,
    "outsider": 404,
    None: 401,
}


@pytest.mark.parametrize("role", ROLES)
def test_declare_conflict_per_role(client, request, in_review, role):
    response = call(
        client,
        request,
        role,
        "post",
        f"dossiers/{in_review.pk}/conflicts",
        {"reason": "Salarié d'un membre de la filière."},
    )
    assert response.status_code == CONFLICT_STATUS[role]
    if response.status_code == 201:
        body = response.json()
        assert body["reason"] == "Salarié d'un membre de la filière."
        assert body["dossier"] == in_review.pk
        assert ConflictOfInterest.objects.count() == 1
    else:
        assert_error(response, CONFLICT_STATUS[role])
        assert not ConflictOfInterest.objects.exists()


def test_conflict_errors(client, request, in_review):
    path = f"dossiers/{in_review.pk}/conflicts"
    assert_error(call(client, request, "caresp", "post", path, {"reason": " "}), 400)
    assert_error(call(client, request, "caresp", "post", path, {}), 400)
    assert call(client, request, "caresp", "post", path, {"reason": "Lien"}).status_code == 201
    assert_error(call(client, request, "caresp", "post", path, {"reason": "Lien"}), 409)


# ---------------------------------------------------------------- ranking

RANKING_STATUS = {
    "lead": 403,
    "other_lead": 403,
    "caresp": 200,
    "instructor": 200,
    "decider": 200,
    "admin_user": 200,
    "outsider": 403,
    None: 401,
}


@pytest.mark.parametrize("role", ROLES)
def test_ranking_per_role(client, request, reviewed, role):
    response = call(client, request, role, "get", "campaigns/bretagne-2025/ranking")
    assert response.status_code == RANKING_STATUS[role]
    if response.status_code == 200:
        rows = response.json()
        assert rows == [
            {
                "rank": 1,
                "dossier": reviewed.pk,
                "filiere": "nord-finistere",
                "name": "Nord Finistère",
                "state": "caresp_review",
                "territories": [],
                "reviews": 1,
                "weighted_mean": "4.00",
                "min": "4.00",
                "max": "4.00",
                "stddev": "0.00",
                "requested_recurring": "52000.00",
                "requested_one_off": "0.00",
            }
        ]
    else:
        assert_error(response, RANKING_STATUS[role])


def test_ranking_hides_dossiers_a_caresp_reviewer_has_not_reviewed(client, request, reviewed):
    assert call(client, request, "caresp2", "get", "campaigns/bretagne-2025/ranking").json() == []


def test_ranking_unknown_campaign_is_404(client, request, instructor):
    assert_error(call(client, request, "instructor", "get", "campaigns/nope/ranking"), 404)


def test_endpoints_are_in_the_openapi_schema(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/campaigns/{slug}/grid",
        "/api/v1/dossiers/{dossier_id}/reviews/mine",
        "/api/v1/dossiers/{dossier_id}/reviews",
        "/api/v1/dossiers/{dossier_id}/reviewers",
        "/api/v1/dossiers/{dossier_id}/conflicts",
        "/api/v1/campaigns/{slug}/ranking",
    ):
        assert path in paths
