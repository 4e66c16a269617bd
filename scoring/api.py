"""Review and scoring API (api.md): grid, own review, reviews and aggregate,
reviewer assignment, conflicts of interest, campaign ranking.

Every endpoint calls the same domain functions as the pages (scoring.domain):
same rules, same French messages. Decimal values (weights, means) are
strings with two decimals, never JSON floats."""

from typing import Any

from django.utils.translation import gettext as _
from ninja import Schema, Status

from accounts.models import User
from campaign.queries import get_visible_campaign
from common.api_input import check_safe_text
from common.api_pagination import Router, Rows
from common.errors import Forbidden, NotFound
from dossiers.domain.access import get_visible_dossier
from scoring.domain import aggregate as aggregates
from scoring.domain import assignments, reviews
from scoring.domain.grid import get_grid, grid_criteria, is_locked
from scoring.models import Review, ReviewerAssignment
from scoring.rules import can_view_grid

router = Router(tags=["évaluation"])


class CriterionOut(Schema):
    code: str
    label: str
    group: str
    weight: str
    min: int
    max: int


class GridOut(Schema):
    campaign: str
    locked: bool
    min: int
    max: int
    criteria: list[CriterionOut]


class ReviewProjectOpinionIn(Schema):
    project: Any
    opinion: str | None = None
    comment: str | None = None


class ReviewIn(Schema):
    scores: dict[str, Any] = {}
    opinion: str | None = None
    comment: str | None = None
    submit: bool = False
    criterion_comments: dict[str, Any] | None = None
    projects: list[ReviewProjectOpinionIn] | None = None


class ProjectOpinionOut(Schema):
    project: int | None
    title: str
    opinion: str | None
    comment: str


class ReviewOut(Schema):
    id: int
    dossier: int
    reviewer: str
    reviewer_name: str
    reviewer_role: str | None
    opinion: str | None
    comment: str
    submitted: bool
    submitted_at: str | None
    excluded: bool
    scores: dict[str, int]
    criterion_comments: dict[str, str]
    projects: list[ProjectOpinionOut]


class StatsOut(Schema):
    reviews: int
    weighted_mean: str | None
    min: str | None
    max: str | None
    stddev: str | None


class ScaleOut(Schema):
    min: int
    max: int


class CriterionStatsOut(Schema):
    code: str
    label: str
    weight: str
    count: int
    mean: str | None
    min: int | None
    max: int | None


class ReviewerScoreOut(Schema):
    reviewer: str
    reviewer_role: str | None
    weighted_score: str | None
    opinion: str | None


class ProjectOpinionsOut(Schema):
    project: int
    title: str
    priority: int | None
    opinions: dict[str, int]


class AggregateOut(StatsOut):
    scale: ScaleOut
    criteria: list[CriterionStatsOut]
    reviewers: list[ReviewerScoreOut]
    opinions: dict[str, int]
    projects: list[ProjectOpinionsOut]


class AssignedOut(Schema):
    reviewer: str
    status: str


class ReviewsOut(Schema):
    reviews: list[ReviewOut]
    aggregate: AggregateOut
    assigned: list[AssignedOut]


class AssignIn(Schema):
    username: str


class AssignmentOut(Schema):
    dossier: int
    reviewer: str
    assigned_by: str | None
    at: str


class ConflictIn(Schema):
    reason: str


class ConflictOut(Schema):
    dossier: int
    reviewer: str
    reason: str
    at: str


class RankingRowOut(StatsOut):
    rank: int | None
    dossier: int
    filiere: str
    name: str
    state: str
    territories: list[str]
    requested_recurring: str | None
    requested_one_off: str | None


def _campaign(request, slug):
    return get_visible_campaign(request.auth, slug)


def _dossier(user, dossier_id):
    dossier = get_visible_dossier(user, dossier_id)
    if dossier is None:
        raise NotFound(_("Dossier introuvable."))
    return dossier


@router.get("/campaigns/{slug}/grid", response=GridOut, summary="Grille d'évaluation")
def get_campaign_grid(request, slug: str):
    campaign = _campaign(request, slug)
    if not can_view_grid.test(request.auth, campaign):
        raise Forbidden(_("La grille d'évaluation est réservée à l'ARS et à la CARESP."))
    grid = get_grid(campaign)
    return {
        "campaign": campaign.slug,
        "locked": is_locked(grid),
        "min": grid.scale_min,
        "max": grid.scale_max,
        "criteria": [
            {
                "code": c.code,
                "label": c.label,
                "group": c.group,
                "weight": aggregates.d2(c.weight),
                "min": grid.scale_min,
                "max": grid.scale_max,
            }
            for c in grid_criteria(grid)
        ],
    }


@router.put(
    "/dossiers/{dossier_id}/reviews/mine",
    response=ReviewOut,
    summary="Enregistrer ou soumettre sa propre évaluation",
)
def put_my_review(request, dossier_id: int, payload: ReviewIn):
    dossier = _dossier(request.auth, dossier_id)
    data = payload.model_dump()
    if payload.projects is not None:
        data["projects"] = [p.model_dump() for p in payload.projects]
    check_safe_text(data)
    review = reviews.save_review(dossier, request.auth, data, submit=payload.submit)
    return reviews.review_document(review)


def _assigned_status(dossier):
    by_reviewer = {
        r.reviewer_id: r
        for r in Review.objects.filter(dossier_id=dossier.pk).only(
            "reviewer_id", "submitted_at", "excluded_at"
        )
    }
    result = []
    for assignment in ReviewerAssignment.objects.filter(dossier_id=dossier.pk).select_related(
        "reviewer"
    ):
        review = by_reviewer.get(assignment.reviewer_id)
        if review is None:
            status = "pending"
        elif review.is_submitted:
            status = "submitted"
        else:
            status = "draft"
        result.append({"reviewer": assignment.reviewer.username, "status": status})
    return result


@router.get(
    "/dossiers/{dossier_id}/reviews",
    response=ReviewsOut,
    summary="Évaluations d'un dossier et leur synthèse",
)
def get_reviews(request, dossier_id: int):
    user = request.auth
    dossier = _dossier(user, dossier_id)
    access = reviews.review_access(dossier, user)
    if access != reviews.ACCESS_ALL:
        if access == reviews.ACCESS_OWN:
            raise Forbidden(
                _(
                    "Les évaluations des autres relecteurs vous seront visibles une fois la vôtre "
                    "soumise."
                )
            )
        raise Forbidden(_("Les évaluations sont réservées à l'ARS et à la CARESP."))
    # Every submitted review (ACCESS_ALL): what the aggregate reads too.
    visible = reviews.visible_reviews(dossier, user, access=access)
    return {
        "reviews": [reviews.review_document(r) for r in visible],
        "aggregate": aggregates.dossier_aggregate(dossier, submitted=visible).as_document(),
        "assigned": _assigned_status(dossier),
    }


@router.post(
    "/dossiers/{dossier_id}/reviewers",
    response={201: AssignmentOut},
    summary="Attribuer le dossier à un relecteur",
)
def post_reviewer(request, dossier_id: int, payload: AssignIn):
    dossier = _dossier(request.auth, dossier_id)
    check_safe_text(payload.username, "username")
    reviewer = User.objects.filter(username=payload.username.strip()).first()
    assignment = assignments.assign_reviewer(dossier, request.auth, reviewer)
    return Status(
        201,
        {
            "dossier": dossier.pk,
            "reviewer": reviewer.username,
            "assigned_by": request.auth.username,
            "at": assignment.at.isoformat(),
        },
    )


@router.post(
    "/dossiers/{dossier_id}/conflicts",
    response={201: ConflictOut},
    summary="Déclarer un conflit d'intérêts",
)
def post_conflict(request, dossier_id: int, payload: ConflictIn):
    dossier = _dossier(request.auth, dossier_id)
    check_safe_text(payload.reason, "reason")
    conflict = assignments.declare_conflict(dossier, request.auth, payload.reason)
    return Status(
        201,
        {
            "dossier": dossier.pk,
            "reviewer": request.auth.username,
            "reason": conflict.reason,
            "at": conflict.at.isoformat(),
        },
    )


@router.get(
    "/campaigns/{slug}/ranking",
    response=list[RankingRowOut],
    summary="Classement des dossiers par note pondérée",
)
def get_ranking(request, slug: str):
    campaign = _campaign(request, slug)
    rows = aggregates.ranked_dossiers(campaign, request.auth)
    # Ranked over every dossier; the details and documents of the page's rows only.
    return Rows(
        rows,
        lambda page: [row.as_document() for row in aggregates.ranking_details(campaign, page)],
        total=len(rows),
    )
