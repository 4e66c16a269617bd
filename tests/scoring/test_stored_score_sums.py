"""A review's stored sums (ReviewScoreSums, kept by database triggers, decision 0060) are
always what its criterion scores and the criteria' weights add up to: after the
domain's draft and submission, after every other kind of write — a model save, a
queryset update, a bulk insert, a score moved, a weight changed, deletions — on SQLite
and on PostgreSQL. The ranking reads them instead of the scores: it must rank on the
same weighted scores as a dossier's aggregate, computed from its loaded scores."""

import importlib
from decimal import Decimal

import pytest
from django.db import connection

from accounts.models import Role
from scoring.domain.aggregate import (
    campaign_ranking,
    campaign_weighted_means,
    dossier_aggregate,
)
from scoring.domain.assignments import assign_reviewer
from scoring.domain.grid import get_grid, grid_criteria, update_grid
from scoring.domain.reviews import save_review
from scoring.models import Criterion, CriterionScore, Review, ReviewScoreSums
from tests.factories import UserFactory
from tests.scoring.helpers import full_scores, new_reviewer

MIGRATION = importlib.import_module("scoring.migrations.0002_review_score_sums")


def from_scores(review):
    """(Σ weight × score, Σ weight) in hundredths over the review's scored criteria, in
    Python (None: no score)."""
    scores = CriterionScore.objects.filter(review=review, score__isnull=False).select_related(
        "criterion"
    )
    if not scores:
        return None
    return (
        int(sum(s.criterion.weight * 100 * s.score for s in scores)),
        int(sum(s.criterion.weight * 100 for s in scores)),
    )


def stored(review):
    return (
        ReviewScoreSums.objects.filter(review_id=review.pk).values_list("points", "weights").first()
    )


def assert_kept(*reviews):
    for review in reviews:
        assert stored(review) == from_scores(review), review


def review_of(dossier, reviewer, instructor, scores, *, submit=True):
    if not dossier.reviewer_assignments.filter(reviewer=reviewer).exists():
        assign_reviewer(dossier, instructor, reviewer)
    return save_review(
        dossier, reviewer, {"scores": scores, "opinion": "favourable"}, submit=submit
    )


def test_a_draft_then_its_submission_are_summed(in_review, campaign, instructor, caresp):
    codes = [c.code for c in grid_criteria(get_grid(campaign))]
    partial = dict.fromkeys(codes) | {codes[0]: 3, codes[-1]: 1}
    review = review_of(in_review, caresp, instructor, partial, submit=False)
    # Default grid: the first criterion weighs 2, the last 1.
    assert stored(review) == (700, 300)
    assert_kept(review)

    review = review_of(in_review, caresp, instructor, full_scores(campaign, 4))
    assert stored(review) == (4 * 1300, 1300)
    assert_kept(review)


def test_a_review_without_scores_has_no_row(in_review, campaign, instructor, caresp):
    codes = [c.code for c in grid_criteria(get_grid(campaign))]
    review = review_of(in_review, caresp, instructor, dict.fromkeys(codes), submit=False)
    assert Review.objects.filter(pk=review.pk).exists()
    assert stored(review) is None


@pytest.fixture
def two_reviews(in_review, campaign, instructor, caresp, caresp2):
    first = review_of(in_review, caresp, instructor, full_scores(campaign, 2), submit=False)
    second = review_of(in_review, caresp2, instructor, full_scores(campaign, 3), submit=False)
    return first, second


def test_model_saves_queryset_updates_and_bulk_inserts_are_summed(two_reviews):
    first, second = two_reviews
    score = CriterionScore.objects.filter(review=first).order_by("criterion__position").first()
    score.score = 0
    score.save()
    assert_kept(first)

    CriterionScore.objects.filter(review=second).update(score=1)
    assert stored(second) == (1300, 1300)

    CriterionScore.objects.filter(review=first, criterion__weight=1).update(score=None)
    assert_kept(first)

    criteria = [s.criterion for s in CriterionScore.objects.filter(review=second)]
    CriterionScore.objects.filter(review=second).delete()
    assert stored(second) is None
    CriterionScore.objects.bulk_create(
        CriterionScore(review=second, criterion=criterion, score=position % 5)
        for position, criterion in enumerate(criteria)
    )
    assert_kept(first, second)
    assert stored(second) is not None


def test_a_score_moved_to_another_review_or_criterion_is_summed(two_reviews, campaign):
    first, second = two_reviews
    criteria = grid_criteria(get_grid(campaign))
    CriterionScore.objects.filter(review=first, criterion=criteria[0]).delete()
    CriterionScore.objects.filter(review=second, criterion=criteria[0]).update(review=first)
    assert_kept(first, second)
    assert stored(first)[1] == 1300
    assert stored(second)[1] == 1100

    CriterionScore.objects.filter(review=second, criterion=criteria[-1]).delete()
    CriterionScore.objects.filter(review=second, criterion=criteria[1]).update(
        criterion=criteria[-1]
    )
    assert_kept(first, second)


def test_a_criterion_weight_changed_refreshes_every_review_that_scored_it(
    two_reviews, campaign, admin_user
):
    first, second = two_reviews
    grid = get_grid(campaign)
    criteria = grid_criteria(grid)
    Criterion.objects.filter(pk=criteria[0].pk).update(weight=Decimal("3.25"))
    assert stored(first) == (2 * 1425, 1425)
    assert_kept(first, second)

    criterion = Criterion.objects.get(pk=criteria[-1].pk)
    criterion.weight = Decimal("0.05")
    criterion.save()
    assert_kept(first, second)

    # The grid's edition (only before a review is submitted): weights and a criterion deleted.
    items = [
        {
            "id": c.pk,
            "code": c.code,
            "label": c.label,
            "group": c.group,
            "weight": Decimal("1.50") if i % 2 else c.weight,
        }
        for i, c in enumerate(grid_criteria(grid))
    ]
    update_grid(campaign, admin_user, scale_min=0, scale_max=4, criteria=items[:-1])
    assert not CriterionScore.objects.filter(criterion_id=items[-1]["id"]).exists()
    assert_kept(first, second)


def test_deleted_scores_and_reviews_leave_no_row(two_reviews):
    first, second = two_reviews
    CriterionScore.objects.filter(review=first).first().delete()
    assert_kept(first)

    first.delete()
    assert stored(first) is None
    assert not ReviewScoreSums.objects.filter(review_id=first.pk).exists()
    assert stored(second) is not None

    # A submitted dossier is never deleted (its history protects it): a queryset's delete.
    Review.objects.filter(dossier_id=second.dossier_id).delete()
    assert not ReviewScoreSums.objects.exists()


def test_the_backfill_gives_what_the_triggers_keep(two_reviews, in_review, instructor):
    first, second = two_reviews
    kept = set(ReviewScoreSums.objects.values_list("review_id", "points", "weights"))
    assert len(kept) == 2
    ReviewScoreSums.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {MIGRATION.TABLE} ({MIGRATION.COLUMNS}) {MIGRATION.sums('1 = 1')}"
        )
    assert set(ReviewScoreSums.objects.values_list("review_id", "points", "weights")) == kept


def test_the_ranking_ranks_on_the_aggregates_weighted_scores(
    campaign, filiere, in_review, instructor, caresp, caresp2
):
    """Odd weights (quotients that do not end) and three reviewers: the ranking's mean of a
    dossier (the stored sums) is the aggregate's (its loaded scores), exactly."""
    grid = get_grid(campaign)
    admin = UserFactory(username="admin-grille", roles=[Role.ADMIN], is_staff=True)
    items = [
        {"id": c.pk, "code": c.code, "label": c.label, "group": c.group, "weight": weight}
        for c, weight in zip(
            grid_criteria(grid),
            ["1.37", "2.01", "0.33", "4.99", "1.00", "0.07", "3.14", "2.72", "1.41"],
            strict=True,
        )
    ]
    update_grid(campaign, admin, scale_min=0, scale_max=4, criteria=items)
    codes = [c.code for c in grid_criteria(get_grid(campaign))]
    third = new_reviewer("relecteur-ars", Role.ARS_INSTRUCTOR)
    for n, reviewer in enumerate((caresp, caresp2, third)):
        review_of(
            in_review,
            reviewer,
            instructor,
            {code: (i * (n + 2) + n) % 5 for i, code in enumerate(codes)},
        )
    aggregate = dossier_aggregate(in_review)
    (row,) = [r for r in campaign_ranking(campaign, instructor) if r.dossier.id == in_review.pk]
    assert row.stats.count == 3
    assert row.stats.mean == aggregate.stats.mean
    assert (row.stats.low, row.stats.high, row.stats.stddev) == (
        aggregate.stats.low,
        aggregate.stats.high,
        aggregate.stats.stddev,
    )
    assert campaign_weighted_means(campaign) == {in_review.pk: aggregate.stats.mean}
