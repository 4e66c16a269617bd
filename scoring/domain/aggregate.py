"""Aggregate of a dossier's reviews and ranking of a campaign's dossiers.

Scale: the grid's own scale (0 to 4 by default), not a mark out of 20.
- A reviewer's score is the weighted mean of their criterion scores:
  Σ(weight × score) / Σ(weight).
- The dossier's weighted mean is the mean of its reviewers' scores (every
  counted review scores every criterion, so it is also the weighted mean of
  the per-criterion means).
- Spread: lowest and highest reviewer score, and the population standard
  deviation of the reviewer scores (0 with a single review).
- Per criterion: mean, lowest and highest score.
Only submitted reviews that were not excluded (conflict of interest
declared after submission) count. A campaign's sums (the ranking) are each review's
stored sums (ReviewScoreSums, kept by database triggers in integer hundredths of
weight × score, exact on both databases, decision 0060); a dossier's few dozen scores
are summed from its loaded reviews, as exact Decimals (the same figures); means
are exact Decimals, rounded half up to two decimals only for display; the ranking
sorts on exact values."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils.translation import gettext as _

from campaign.queries import filiere_territory_links
from common.errors import Forbidden
from dossiers.domain.access import visible_dossiers
from dossiers.domain.totals import ZERO, sums_by_dossier
from dossiers.enums import SUBMITTED_STATES, Opinion
from dossiers.models import Dossier
from scoring.domain.grid import get_grid, grid_criteria
from scoring.domain.reviews import with_details
from scoring.models import ProjectOpinion, Review, ReviewScoreSums
from scoring.rules import can_view_all_reviews, can_view_ranking

TWO = Decimal("0.01")
NO_AMOUNTS = {"amount_recurring": ZERO, "amount_one_off": ZERO}
COUNTED = {"review__submitted_at__isnull": False, "review__excluded_at__isnull": True}


def q2(value):
    """Two decimals, half up, for display and the API (None stays None)."""
    return None if value is None else value.quantize(TWO, rounding=ROUND_HALF_UP)


def d2(value):
    """API string of a Decimal with two decimals, or None."""
    return None if value is None else format(q2(value), "f")


@dataclass
class Stats:
    count: int = 0
    mean: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    stddev: Decimal | None = None

    @classmethod
    def of(cls, values):
        values = list(values)
        if not values:
            return cls()
        n = len(values)
        mean = sum(values, Decimal(0)) / n
        variance = sum(((v - mean) ** 2 for v in values), Decimal(0)) / n
        return cls(n, mean, min(values), max(values), variance.sqrt())

    def as_document(self):
        return {
            "reviews": self.count,
            "weighted_mean": d2(self.mean),
            "min": d2(self.low),
            "max": d2(self.high),
            "stddev": d2(self.stddev),
        }


def review_scores(**filters):
    """{review_id: (dossier_id, weighted score)} for the counted reviews matching filters.

    One query, whatever the number of reviews: the reviews' sums are stored
    (ReviewScoreSums, kept by database triggers, decision 0060), in hundredths, so that
    their quotient is the exact weighted score."""
    rows = (
        ReviewScoreSums.objects.filter(**COUNTED, **filters)
        .order_by()
        # As tuples (a national campaign has a thousand reviews and more).
        .values_list("review_id", "review__dossier_id", "points", "weights")
    )
    return {
        review_id: (dossier_id, Decimal(points) / weights)
        for review_id, dossier_id, points, weights in rows
        if weights
    }


@dataclass
class CriterionStats:
    criterion: object
    count: int
    mean: Decimal | None
    low: int | None
    high: int | None


@dataclass
class ReviewerScore:
    review: Review
    score: Decimal


@dataclass
class DossierAggregate:
    grid: object
    stats: Stats
    criteria: list = field(default_factory=list)
    reviewers: list = field(default_factory=list)
    opinions: dict = field(default_factory=dict)
    projects: list = field(default_factory=list)

    def as_document(self):
        return {
            "scale": {"min": self.grid.scale_min, "max": self.grid.scale_max},
            **self.stats.as_document(),
            "criteria": [
                {
                    "code": c.criterion.code,
                    "label": c.criterion.label,
                    "weight": d2(c.criterion.weight),
                    "count": c.count,
                    "mean": d2(c.mean),
                    "min": c.low,
                    "max": c.high,
                }
                for c in self.criteria
            ],
            "reviewers": [
                {
                    "reviewer": r.review.reviewer.username,
                    "reviewer_role": r.review.reviewer_role or None,
                    "weighted_score": d2(r.score),
                    "opinion": r.review.opinion or None,
                }
                for r in self.reviewers
            ],
            "opinions": self.opinions,
            "projects": self.projects,
        }


def dossier_aggregate(dossier, *, grid=None, criteria=None, submitted=None, projects=None):
    """The aggregate of the counted reviews of one dossier (a fixed number of queries).

    `grid` and `criteria`: the campaign's, when the caller has already loaded them;
    `submitted`: the dossier's submitted reviews with their reviewer and scores
    (reviews.with_details), when the caller has them (reviews.visible_reviews() for
    the ARS roles and the reviewers who submitted theirs), else read here. The
    weighted scores are the database's figures, computed from the loaded scores: exact
    Decimal weights × integer scores, the reviews in the order of their ids.
    `projects`: {id: (title, priority)} of the dossier's sheets, when the caller has them
    and `submitted` (with their project opinions): the opinions per sheet are then
    counted from those reviews rather than read again."""
    grid = grid or get_grid(dossier.campaign_id)
    criteria = criteria if criteria is not None else grid_criteria(grid)
    if submitted is None:
        submitted = with_details(
            Review.objects.filter(dossier_id=dossier.pk, submitted_at__isnull=False)
        )
    counted = sorted((r for r in submitted if r.counts), key=lambda r: r.pk)
    reviewers = []
    per_criterion = defaultdict(list)
    opinions = {value: 0 for value in Opinion.values}
    for review in counted:
        points = weights = Decimal(0)
        for score in review.scores.all():
            if score.score is None:
                continue
            points += score.criterion.weight * score.score
            weights += score.criterion.weight
            per_criterion[score.criterion_id].append(score.score)
        if weights:
            reviewers.append(ReviewerScore(review, points / weights))
        if review.opinion:
            opinions[review.opinion] += 1
    stats = Stats.of(r.score for r in reviewers)
    criterion_stats = []
    for criterion in criteria:
        values = per_criterion.get(criterion.id)
        if not values:
            criterion_stats.append(CriterionStats(criterion, 0, None, None, None))
        else:
            criterion_stats.append(
                CriterionStats(
                    criterion,
                    len(values),
                    Decimal(sum(values)) / len(values),
                    min(values),
                    max(values),
                )
            )
    reviewers.sort(key=lambda r: (-r.score, r.review.reviewer.username))
    if projects is not None and submitted is not None:
        rows = _opinion_counts(counted, projects)
    else:
        rows = (
            ProjectOpinion.objects.filter(
                review__dossier_id=dossier.pk,
                project__isnull=False,
                **COUNTED,
            )
            .exclude(opinion="")
            .values("project_id", "project__title", "project__priority", "opinion")
            .annotate(n=Count("id"))
            .order_by()
        )
    by_project = {}
    for row in rows:
        entry = by_project.setdefault(
            row["project_id"],
            {
                "project": row["project_id"],
                "title": row["project__title"],
                "priority": row["project__priority"],
                "opinions": {value: 0 for value in Opinion.values},
            },
        )
        entry["opinions"][row["opinion"]] = row["n"]
    project_list = sorted(
        by_project.values(),
        key=lambda p: (p["priority"] is None, p["priority"] or 0, p["project"]),
    )
    return DossierAggregate(grid, stats, criterion_stats, reviewers, opinions, project_list)


def _opinion_counts(counted, projects):
    """The rows of dossier_aggregate's opinions-per-sheet query, counted from the counted
    reviews' loaded project opinions ({id: (title, priority)}: the dossier's sheets)."""
    counts = Counter(
        (opinion.project_id, opinion.opinion)
        for review in counted
        for opinion in review.project_opinions.all()
        if opinion.project_id in projects and opinion.opinion
    )
    return [
        {
            "project_id": project_id,
            "project__title": projects[project_id][0],
            "project__priority": projects[project_id][1],
            "opinion": value,
            "n": n,
        }
        for (project_id, value), n in counts.items()
    ]


@dataclass
class RankedDossier:
    """What the ranking shows of a dossier (read as plain values: a national campaign
    ranks hundreds of dossiers, model instances and their JSON documents cost more than
    the ranking itself)."""

    id: int
    state: str
    display_name: str
    filiere_slug: str
    filiere_id: int | None = None

    @property
    def pk(self):
        return self.id


@dataclass
class RankingRow:
    rank: int | None
    dossier: RankedDossier
    stats: Stats
    territory_codes: list
    requested_recurring: Decimal
    requested_one_off: Decimal
    # The counted reviewers' scores, until ranking_details() turns them into `stats`.
    scores: list = field(default_factory=list, repr=False)

    def as_document(self):
        return {
            "rank": self.rank,
            "dossier": self.dossier.id,
            "filiere": self.dossier.filiere_slug,
            "name": self.dossier.display_name,
            "state": self.dossier.state,
            "territories": list(self.territory_codes),
            **self.stats.as_document(),
            "requested_recurring": d2(self.requested_recurring),
            "requested_one_off": d2(self.requested_one_off),
        }


def campaign_weighted_means(campaign):
    """{dossier_id: weighted mean (exact Decimal)} of the dossiers with counted reviews.

    For the decisions export: same figures as the ranking, in two queries."""
    by_dossier = {}
    for dossier_id, score in review_scores(review__dossier__campaign_id=campaign.pk).values():
        by_dossier.setdefault(dossier_id, []).append(score)
    return {dossier_id: Stats.of(scores).mean for dossier_id, scores in by_dossier.items()}


def campaign_ranking(campaign, user):
    """Submitted dossiers of the campaign by weighted mean, best first (fixed number of
    queries), with their details (ranking_details).

    Dossiers without any counted review come last, unranked. ARS roles see
    every dossier; a CARESP reviewer sees only the dossiers whose reviews
    they may read (their own review submitted), with their overall rank."""
    return ranking_details(campaign, ranked_dossiers(campaign, user))


def ranked_dossiers(campaign, user):
    """The rows of campaign_ranking, ranked, before their details: what ranks them only
    (weighted mean and number of reviews in `stats`); ranking_details() completes the
    rows shown (a page of them: the amounts and the spread of every dossier of a
    national campaign cost more than the ranking itself)."""

    if not can_view_ranking.test(user, campaign):
        raise Forbidden(_("Le classement est réservé aux équipes de l'ARS et de la CARESP."))
    dossiers = (
        visible_dossiers(
            user, Dossier.objects.filter(campaign_id=campaign.pk, state__in=SUBMITTED_STATES)
        )
        .order_by()  # ranked below
        .values_list(
            "id", "state", "filiere_id", "filiere__slug", "filiere__name", "stored_name__name"
        )
    )
    by_dossier = {}
    for dossier_id, score in review_scores(review__dossier__campaign_id=campaign.pk).values():
        by_dossier.setdefault(dossier_id, []).append(score)
    rows = []
    for dossier_id, state, filiere_id, filiere_slug, filiere_name, name in dossiers:
        scores = by_dossier.get(dossier_id, [])
        # What Stats.of() gives for the mean; the rest of the spread in ranking_details().
        mean = sum(scores, Decimal(0)) / len(scores) if scores else None
        rows.append(
            RankingRow(
                None,
                RankedDossier(dossier_id, state, name or filiere_name, filiere_slug, filiere_id),
                Stats(len(scores), mean),
                [],
                ZERO,
                ZERO,
                scores,
            )
        )
    rows.sort(
        key=lambda r: (
            r.stats.mean is None,
            -(r.stats.mean or 0),
            -r.stats.count,
            r.dossier.display_name.lower(),
        )
    )
    previous = None
    for position, row in enumerate(rows, start=1):
        if row.stats.mean is None:
            break
        if previous is not None and row.stats.mean == previous.stats.mean:
            row.rank = previous.rank
        else:
            row.rank = position
        previous = row
    readable = readable_score_dossiers(user, campaign)
    if readable is not None:
        rows = [row for row in rows if row.dossier.id in readable]
    return rows


def ranking_details(campaign, rows):
    """`rows` (of ranked_dossiers) completed with their spread (Stats), territories' codes and
    requested amounts, in two queries whatever their number."""
    rows = list(rows)
    # Requested amounts per dossier and nature, summed by the database apart from the
    # dossiers' rows (dossiers.domain.totals.sums_by_dossier), for these rows only.
    requested = sums_by_dossier(
        Dossier.objects.filter(pk__in=[row.dossier.id for row in rows]), fields=("amount",)
    )
    # The codes of the filières' territories (those the campaign covers), in one query.
    territories_of = defaultdict(list)
    for filiere_id, code in (
        filiere_territory_links(campaign)
        .filter(filiere_id__in={row.dossier.filiere_id for row in rows})
        .order_by("territory__code", "territory_id")
        .values_list("filiere_id", "territory__code")
    ):
        territories_of[filiere_id].append(code)
    for row in rows:
        amounts = requested.get(row.dossier.id) or NO_AMOUNTS
        row.stats = Stats.of(row.scores)
        row.territory_codes = territories_of[row.dossier.filiere_id]
        row.requested_recurring = amounts["amount_recurring"]
        row.requested_one_off = amounts["amount_one_off"]
    return rows


def readable_score_dossiers(user, campaign):
    """The dossiers of the campaign whose reviews and scores `user` may read: None for
    all of them (ARS roles), else the set of those where their own review is submitted
    and not set aside by a conflict of interest (CARESP reviewers; the ranking and the
    exports ask this)."""
    if can_view_all_reviews.test(user, campaign):
        return None
    return set(
        Review.objects.filter(
            reviewer_id=user.pk,
            dossier__campaign_id=campaign.pk,
            submitted_at__isnull=False,
            excluded_at__isnull=True,
        ).values_list("dossier_id", flat=True)
    )
