from decimal import Decimal

import pytest

from accounts.models import Role
from common.errors import Forbidden
from dossiers.enums import DossierState as S
from scoring.domain.aggregate import campaign_ranking, dossier_aggregate
from scoring.domain.assignments import assign_reviewer, declare_conflict
from scoring.domain.reviews import save_review
from tests.factories import DossierFactory, dossier_in, new_filiere
from tests.scoring.helpers import full_scores, new_reviewer

BASES = ["diagnostic_quality", "instruction_compliance", "call_compliance", "operational_capacity"]


def split_scores(campaign, bases, principles):
    return full_scores(
        campaign,
        {code: bases for code in BASES}
        | {
            code: principles
            for code in [
                "equal_access",
                "patient_wishes_home_care",
                "early_palliative_care",
                "access_to_expertise",
                "public_information",
            ]
        },
    )


def review(dossier, reviewer, instructor, scores, opinion="favourable"):
    assign_reviewer(dossier, instructor, reviewer)
    return save_review(dossier, reviewer, {"scores": scores, "opinion": opinion}, submit=True)


@pytest.fixture
def three_reviews(in_review, campaign, instructor, caresp, caresp2):
    """Default grid: weights 2 (4 analysis bases) and 1 (5 principles), total 13.
    caresp: bases 4, principles 2 → 42/13; caresp2: all 3 → 39/13;
    instructor: bases 1, principles 0 → 8/13."""
    review(in_review, caresp, instructor, split_scores(campaign, 4, 2), "favourable")
    review(in_review, caresp2, instructor, full_scores(campaign, 3), "reserved")
    review(in_review, instructor, instructor, split_scores(campaign, 1, 0), "unfavourable")
    return in_review


def test_aggregate_exact_values(three_reviews):
    aggregate = dossier_aggregate(three_reviews)
    stats = aggregate.stats
    assert stats.count == 3
    # (42 + 39 + 8) / 39 = 2.28205…
    assert stats.mean == Decimal(89) / Decimal(39)
    assert stats.low == Decimal(8) / Decimal(13)
    assert stats.high == Decimal(42) / Decimal(13)
    assert stats.as_document() == {
        "reviews": 3,
        "weighted_mean": "2.28",
        "min": "0.62",
        "max": "3.23",
        "stddev": "1.18",  # population standard deviation: √(2126/1521)
    }
    by_code = {c.criterion.code: c for c in aggregate.criteria}
    assert (by_code["diagnostic_quality"].mean, by_code["diagnostic_quality"].low) == (
        Decimal(8) / 3,
        1,
    )
    assert by_code["diagnostic_quality"].high == 4
    assert by_code["public_information"].mean == Decimal(5) / 3
    document = aggregate.as_document()
    assert document["criteria"][0] == {
        "code": "diagnostic_quality",
        "label": "Qualité du diagnostic territorial",
        "weight": "2.00",
        "count": 3,
        "mean": "2.67",
        "min": 1,
        "max": 4,
    }
    assert [(r["reviewer"], r["weighted_score"], r["opinion"]) for r in document["reviewers"]] == [
        ("caresp", "3.23", "favourable"),
        ("caresp2", "3.00", "reserved"),
        ("instructeur", "0.62", "unfavourable"),
    ]
    assert [r["reviewer_role"] for r in document["reviewers"]] == [
        "caresp_reviewer",
        "caresp_reviewer",
        "ars_instructor",
    ]
    assert document["opinions"] == {"favourable": 1, "reserved": 1, "unfavourable": 1}


def test_drafts_do_not_count(in_review, campaign, instructor, caresp, caresp2):
    review(in_review, caresp, instructor, full_scores(campaign, 4))
    assign_reviewer(in_review, instructor, caresp2)
    save_review(in_review, caresp2, {"scores": full_scores(campaign, 0)})
    stats = dossier_aggregate(in_review).stats
    assert (stats.count, stats.mean, stats.stddev) == (1, Decimal(4), Decimal(0))


def test_project_opinions_are_counted(in_review, campaign, instructor, caresp, caresp2):
    project = in_review.projects.get()
    for reviewer, opinion in ((caresp, "favourable"), (caresp2, "reserved")):
        assign_reviewer(in_review, instructor, reviewer)
        save_review(
            in_review,
            reviewer,
            {
                "scores": full_scores(campaign, 2),
                "opinion": "favourable",
                "projects": [{"project": project.id, "opinion": opinion}],
            },
            submit=True,
        )
    (entry,) = dossier_aggregate(in_review).projects
    assert entry["project"] == project.id
    assert entry["opinions"] == {"favourable": 1, "reserved": 1, "unfavourable": 0}


def test_empty_aggregate(in_review):
    document = dossier_aggregate(in_review).as_document()
    assert document["reviews"] == 0 and document["weighted_mean"] is None
    assert document["scale"] == {"min": 0, "max": 4}


@pytest.fixture
def campaign_with_scores(campaign, instructor, caresp, caresp2):
    """A: 89/39 (three reviews); B and C: 4.00 (tie); D: no review; E: withdrawn; F: draft."""
    a, _lead = dossier_in(campaign, S.CARESP_REVIEW, instructor=instructor, name="Alpha")
    review(a, caresp, instructor, split_scores(campaign, 4, 2))
    review(a, caresp2, instructor, full_scores(campaign, 3))
    review(a, instructor, instructor, split_scores(campaign, 1, 0))
    b, _lead = dossier_in(campaign, S.ARS_ANALYSIS, instructor=instructor, name="Bravo")
    review(b, caresp, instructor, full_scores(campaign, 4))
    c, _lead = dossier_in(campaign, S.CARESP_REVIEW, instructor=instructor, name="Charlie")
    review(c, caresp2, instructor, full_scores(campaign, 4))
    d, _lead = dossier_in(campaign, S.SUBMITTED, instructor=instructor, name="Delta")
    dossier_in(campaign, S.WITHDRAWN, instructor=instructor, name="Echo")
    filiere, _lead = new_filiere(campaign, "Foxtrot")
    DossierFactory(filiere=filiere)
    return a, b, c, d


def test_ranking_order_ties_and_unscored(campaign_with_scores, campaign, instructor):
    a, b, c, d = campaign_with_scores
    rows = campaign_ranking(campaign, instructor)
    assert [(r.rank, r.dossier.id, str(r.stats.mean)[:4]) for r in rows] == [
        (1, b.id, "4"),
        (1, c.id, "4"),
        (3, a.id, "2.28"),
        (None, d.id, "None"),
    ]
    document = rows[2].as_document()
    assert document["weighted_mean"] == "2.28" and document["reviews"] == 3
    assert document["requested_recurring"] == "52000.00"
    assert document["requested_one_off"] == "0.00"
    assert document["name"] == a.display_name and document["filiere"] == a.filiere.slug
    assert document["state"] == a.state
    assert document["territories"] == [t.code for t in a.filiere.territories.order_by("code")]


def test_ranking_names_a_dossier_without_a_name_after_its_filiere(
    campaign_with_scores, campaign, instructor
):
    """The ranking reads the identity's name in the database: an empty one falls back
    to the filière's, as Dossier.display_name does."""
    a, b, c, d = campaign_with_scores
    a.identity = {**a.identity, "name": ""}
    a.save(update_fields=["identity"])
    row = next(r for r in campaign_ranking(campaign, instructor) if r.dossier.id == a.id)
    assert row.dossier.display_name == a.filiere.name == a.display_name
    assert row.dossier.pk == a.pk


def test_conflicted_review_leaves_the_ranking(campaign_with_scores, campaign, instructor, caresp):
    a, b, c, d = campaign_with_scores
    declare_conflict(b, caresp, "Conflit découvert.")
    rows = campaign_ranking(campaign, instructor)
    assert [r.dossier.id for r in rows if r.rank] == [c.id, a.id]


def test_caresp_reviewer_sees_only_dossiers_it_reviewed(
    campaign_with_scores, campaign, caresp2, decider, admin_user
):
    a, b, c, d = campaign_with_scores
    rows = campaign_ranking(campaign, caresp2)
    assert [(r.rank, r.dossier.id) for r in rows] == [(1, c.id), (3, a.id)]
    assert len(campaign_ranking(campaign, decider)) == 4
    assert len(campaign_ranking(campaign, admin_user)) == 4
    assert campaign_ranking(campaign, new_reviewer("caresp9", Role.CARESP_REVIEWER)) == []


@pytest.mark.parametrize("role", ["lead", "outsider"])
def test_ranking_is_staff_only(request, campaign, role):
    with pytest.raises(Forbidden):
        campaign_ranking(campaign, request.getfixturevalue(role))
