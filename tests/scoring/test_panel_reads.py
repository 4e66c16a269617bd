"""The review panel of the dossier page reads a dossier's reviews, grid, eligible reviewers
and opinions per sheet in fewer queries (scoring.domain.reviews.dossier_reviews,
grid.grid_and_criteria, assignments.eligible_reviewers(excluded_ids=…),
aggregate.dossier_aggregate(projects=…)): the same figures and the same reviews for
everyone as the functions that read them one by one."""

import pytest

from dossiers.domain.transitions import transition
from scoring.domain import aggregate
from scoring.domain.assignments import (
    assign_reviewer,
    declare_conflict,
    eligible_reviewer_choices,
    eligible_reviewers,
)
from scoring.domain.grid import get_grid, grid_and_criteria, grid_criteria
from scoring.domain.reviews import (
    dossier_reviews,
    own_review,
    review_access,
    save_review,
    visible_reviews,
)
from scoring.forms import reviewer_label
from scoring.models import Grid, Review
from tests.factories import ProjectFactory
from tests.scoring.helpers import full_scores, new_reviewer


def _review(dossier, user, value, opinion, projects=(), submit=True):
    return save_review(
        dossier,
        user,
        {
            "scores": full_scores(dossier.campaign, value),
            "opinion": opinion,
            "projects": [
                {"project": p.id, "opinion": o, "comment": "<b>avis</b>"} for p, o in projects
            ],
        },
        submit=submit,
    )


@pytest.fixture
def reviewed(in_review, instructor, caresp, caresp2):
    """Three reviewers: caresp submitted (two sheets' opinions), caresp2 submitted then
    declared a conflict (excluded), caresp3 writing a draft; a sheet without opinion."""
    first = in_review.projects.get()
    second = ProjectFactory(dossier=in_review, priority=2, title="<Seconde> fiche")
    ProjectFactory(dossier=in_review, priority=None, title="Sans avis")
    caresp3 = new_reviewer("caresp3")
    for user in (caresp, caresp2, caresp3):
        assign_reviewer(in_review, instructor, user)
    _review(in_review, caresp, 4, "favourable", [(first, "favourable"), (second, "reserved")])
    _review(in_review, caresp2, 1, "unfavourable", [(first, "unfavourable")])
    declare_conflict(in_review, caresp2, "Découvert après coup.")
    _review(in_review, caresp3, 2, "reserved", [(second, "favourable")], submit=False)
    return in_review, caresp3


def _details(reviews):
    return [
        (
            r.pk,
            r.reviewer_id,
            [
                (s.criterion.code, s.criterion.label, s.score, s.comment, s.review_id)
                for s in r.scores.all()
            ],
            [
                (o.project_id, o.project_title, o.opinion, o.comment)
                for o in r.project_opinions.all()
            ],
        )
        for r in reviews
    ]


@pytest.mark.parametrize(
    "who", ["caresp", "caresp2", "caresp3", "instructor", "decider", "admin_user", "lead"]
)
@pytest.mark.parametrize("with_criteria", ["none", "grid", "partial"])
def test_dossier_reviews_are_the_reviews_read_one_by_one(
    request, reviewed, who, with_criteria, django_assert_num_queries
):
    """With the grid's criteria (the review panel), the details are loaded by
    reviews._load_details rather than Django's prefetch: the same rows, in the same order
    (and by the prefetch again when a score's criterion is not among those given)."""
    dossier, caresp3 = reviewed
    user = caresp3 if who == "caresp3" else request.getfixturevalue(who)

    criteria = None if with_criteria == "none" else grid_and_criteria(dossier.campaign_id)[1]
    if with_criteria == "partial":
        criteria = criteria[1:]
    read = dossier_reviews(dossier, user, criteria=criteria)
    with django_assert_num_queries(0):  # loaded
        read_details = _details(read.visible), _details([read.own] if read.own else [])

    own = own_review(dossier, user)
    assert read.own == own
    assert read_details[1] == _details([own] if own else [])
    assert read.access == review_access(dossier, user)
    assert read_details[0] == _details(visible_reviews(dossier, user))
    assert {r.pk for r in read.every} == set(
        Review.objects.filter(dossier=dossier).values_list("pk", flat=True)
    )


def test_the_aggregate_counts_the_loaded_opinions_as_the_database(reviewed, instructor):
    dossier, _ = reviewed
    dossier = transition(dossier, "start_ars_analysis", instructor)
    read = dossier_reviews(dossier, instructor)
    sheets = {p.id: (p.title, p.priority) for p in dossier.projects.all()}

    loaded = aggregate.dossier_aggregate(dossier, submitted=read.visible, projects=sheets)
    queried = aggregate.dossier_aggregate(dossier, submitted=read.visible)

    assert loaded.projects == queried.projects
    assert [p["title"] for p in loaded.projects] == [
        dossier.projects.get(priority=1).title,
        "<Seconde> fiche",
    ]
    assert loaded.projects[0]["opinions"] == {"favourable": 1, "reserved": 0, "unfavourable": 0}


def test_grid_and_criteria_in_one_query(campaign, django_assert_num_queries):
    assert not Grid.objects.filter(campaign=campaign).exists()
    grid, criteria = grid_and_criteria(campaign)  # created on first use, as get_grid does
    assert grid == get_grid(campaign) and criteria == grid_criteria(grid)

    with django_assert_num_queries(1):
        again, read = grid_and_criteria(campaign.pk)

    assert again == grid and read == criteria
    assert all(c.grid is again for c in read)


def test_eligible_reviewers_without_the_known_ones(reviewed, instructor, caresp, caresp2):
    dossier, caresp3 = reviewed
    spare = new_reviewer("caresp4")
    excluded = set(dossier.reviewer_assignments.values_list("reviewer_id", flat=True))
    excluded |= set(dossier.conflicts.values_list("reviewer_id", flat=True))

    listed = eligible_reviewers(dossier, excluded_ids=excluded)

    assert listed == list(eligible_reviewers(dossier))
    assert spare in listed and not {caresp, caresp2, caresp3} & set(listed)


def test_eligible_reviewer_choices_are_the_eligible_reviewers_as_the_form_labels_them(
    reviewed, caresp, caresp2
):
    dossier, caresp3 = reviewed
    spare = new_reviewer("caresp4")
    spare.first_name, spare.last_name = "Zoé", "Abadie"
    spare.save()
    excluded = set(dossier.reviewer_assignments.values_list("reviewer_id", flat=True))
    excluded |= set(dossier.conflicts.values_list("reviewer_id", flat=True))

    choices = eligible_reviewer_choices(dossier, excluded)

    assert choices == [(user.pk, reviewer_label(user)) for user in eligible_reviewers(dossier)]
    assert (spare.pk, f"Zoé Abadie ({spare.username})") in choices
    assert not {caresp.pk, caresp2.pk, caresp3.pk} & {pk for pk, _label in choices}
