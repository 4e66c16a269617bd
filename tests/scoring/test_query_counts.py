"""Staff pages and endpoints run a fixed number of queries, whatever the number of dossiers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import ApiToken, Role
from dossiers.enums import DossierState as S
from scoring.domain.assignments import assign_reviewer
from scoring.domain.reviews import save_review
from tests.factories import TerritoryFactory, UserFactory, dossier_in
from tests.scoring.helpers import full_scores

CYCLE = [S.CARESP_REVIEW, S.ARS_ANALYSIS, "returned_from_caresp", S.SUBMITTED, S.CARESP_REVIEW]


def populate(campaign, count, instructor, reviewers):
    territories = [
        campaign.territories.filter(code=f"T{i}").first()
        or TerritoryFactory(campaign=campaign, code=f"T{i}")
        for i in range(1, 4)
    ]
    start = campaign.dossiers.count()
    dossiers = []
    for index in range(count):
        state = CYCLE[index % len(CYCLE)]
        dossier, _lead = dossier_in(
            campaign,
            state,
            instructor=instructor,
            name=f"Filière {start + index:03d}",
            territories=[territories[index % 3]],
            projects=2,
        )
        if state in (S.CARESP_REVIEW, S.ARS_ANALYSIS):
            for reviewer in reviewers:
                assign_reviewer(dossier, instructor, reviewer)
            save_review(
                dossier,
                reviewers[0],
                {"scores": full_scores(campaign, index % 5), "opinion": "favourable"},
                submit=True,
            )
        dossiers.append(dossier)
    return dossiers


def count_queries(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, response.content[:500]
    return len(queries)


@pytest.fixture
def reviewers(caresp, caresp2):
    return [caresp, caresp2]


@pytest.mark.parametrize(
    ("role", "url_name", "limit"),
    [
        ("instructor", "scoring:dashboard", 20),
        ("caresp", "scoring:dashboard", 15),
        ("instructor", "scoring:ranking", 15),
        ("caresp", "scoring:ranking", 15),
    ],
)
def test_pages_have_a_fixed_number_of_queries(
    client, request, campaign, instructor, reviewers, role, url_name, limit
):
    user = request.getfixturevalue(role)
    client.force_login(user)

    def url(campaign):
        return (
            reverse(url_name)
            if url_name == "scoring:dashboard"
            else reverse(url_name, args=[campaign.slug])
        )

    populate(campaign, 5, instructor, reviewers)
    small = count_queries(client, url(campaign))
    populate(campaign, 45, instructor, reviewers)  # 50 in all
    large = count_queries(client, url(campaign))
    assert small == large, (small, large)
    assert large <= limit, large


def test_ranking_api_has_a_fixed_number_of_queries(client, campaign, instructor, reviewers):
    _token, raw = ApiToken.issue(instructor)
    url = f"/api/v1/campaigns/{campaign.slug}/ranking"
    populate(campaign, 5, instructor, reviewers)
    small = count_queries(client, url, Authorization=f"Bearer {raw}")
    populate(campaign, 45, instructor, reviewers)
    response = client.get(url, headers={"Authorization": f"Bearer {raw}"})
    assert len(response.json()) == 50
    assert count_queries(client, url, Authorization=f"Bearer {raw}") == small


def test_workspace_queries_do_not_grow_with_reviews(client, campaign, instructor, caresp):
    dossier, _lead = dossier_in(campaign, S.CARESP_REVIEW, instructor=instructor, projects=3)
    client.force_login(instructor)
    # The dossier page with its instruction panels (decision 0054).
    url = reverse("dossiers:detail", args=[dossier.pk])

    def add_reviews(n, offset):
        for index in range(n):
            reviewer = UserFactory(
                username=f"relecteur{offset + index}", roles=[Role.CARESP_REVIEWER]
            )
            assign_reviewer(dossier, instructor, reviewer)
            save_review(
                dossier,
                reviewer,
                {
                    "scores": full_scores(campaign, index % 5),
                    "opinion": "reserved",
                    "projects": [
                        {"project": p.id, "opinion": "favourable"} for p in dossier.projects.all()
                    ],
                },
                submit=True,
            )

    add_reviews(1, 0)
    small = count_queries(client, url)
    add_reviews(5, 10)
    large = count_queries(client, url)
    assert small == large, (small, large)
    # The page also shows the dossier's content (issue 11, item 5): a few fixed queries.
    assert large <= 44, large
