"""Read models of the instruction dashboard: what the staff see of a campaign's dossiers,
in a fixed number of queries whatever the number of dossiers."""

from collections import defaultdict
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count, Q

from accounts.display import user_name
from campaign.models import Filiere
from common.prepared import prepared
from dossiers.domain.access import region_staff_dossiers
from dossiers.enums import DossierState as S
from dossiers.models import Dossier
from scoring.domain import reviews
from scoring.models import ConflictOfInterest, InternalComment, Review, ReviewerAssignment
from scoring.rules import can_comment_internally, can_read_ars_only_comments

# Review states shown on the dashboard's tiles, in the lifecycle's order (drafts are never
# visible to staff).
STAFF_STATES = [S.SUBMITTED, S.CARESP_REVIEW, S.ARS_ANALYSIS, S.RETURNED, S.DECIDED, S.WITHDRAWN]


def state_counts(base):
    """[(state, label, count)] of the dossiers of `base`, in the lifecycle's order."""
    counts = dict(base.values_list("state").annotate(n=Count("id")).order_by())
    return [(s, S(s).label, counts.get(s, 0)) for s in STAFF_STATES], sum(counts.values())


@dataclass(frozen=True)
class ListedDossier:
    """A row of the dashboard's list of dossiers (read as plain values)."""

    pk: int
    state: str
    display_name: str
    territory_codes: list
    n_assigned: int
    n_submitted: int


def dossier_listing_page(base, state, page_number, page_size, count):
    """One page of the dashboard's list: dossiers in the order of their filière's name,
    with their territories' codes and their count of assigned and counted reviews.

    The page's ids are a subquery (LIMIT/OFFSET over the plain ordered dossiers); its
    rows are then read as values, the review counts computed by the database for them
    only; `count` (known from the state tiles, None if not) spares the paginator its
    COUNT. Two queries (three without `count`)."""
    ids = base.filter(state=state) if state else base
    paginator = Paginator(ids.order_by("filiere__name", "id").values("pk"), page_size)
    if count is not None:
        paginator.count = count
    page = paginator.get_page(page_number)
    rows = list(
        base.filter(pk__in=page.object_list)
        .order_by("filiere__name", "id")
        # Grouped on these columns only (not on the dossiers' wide rows).
        .values_list("id", "state", "filiere_id", "filiere__name", "stored_name__name")
        .annotate(
            n_assigned=Count("reviewer_assignments", distinct=True),
            n_submitted=Count(
                "reviews",
                filter=Q(reviews__submitted_at__isnull=False, reviews__excluded_at__isnull=True),
                distinct=True,
            ),
        )
    )
    # The filières' territories (all of them, in Territory's order), in one query.
    codes = defaultdict(list)
    for filiere_id, code in (
        Filiere.territories.through.objects.filter(filiere_id__in={row[2] for row in rows})
        .order_by("territory__region", "territory__code")
        .values_list("filiere_id", "territory__code")
    ):
        codes[filiere_id].append(code)
    page.object_list = [
        ListedDossier(pk, state, name or filiere_name, codes[filiere_id], n_assigned, n_done)
        for pk, state, filiere_id, filiere_name, name, n_assigned, n_done in rows
    ]
    return page


@dataclass(frozen=True)
class AssignedDossier:
    pk: int
    state: str
    display_name: str


@dataclass(frozen=True)
class ReturnedDossier:
    """A dossier returned for completion, as the ARS's overview lists it."""

    pk: int
    display_name: str
    returned_from: str
    return_due_date: object
    return_message: str


@dataclass(frozen=True)
class Assignment:
    dossier: AssignedDossier


@dataclass(frozen=True)
class OwnReview:
    submitted_at: object
    excluded_at: object

    @property
    def is_submitted(self):
        return self.submitted_at is not None


def my_assignments(user, campaign):
    """[(assignment, own review or None)] of this reviewer in the campaign, and how many
    are still to do. A CARESP reviewer may hold hundreds of assignments: read as plain
    values (the dossier's name by the database), not as model instances."""
    own = {
        dossier_id: OwnReview(submitted_at, excluded_at)
        for dossier_id, submitted_at, excluded_at in _own_review_rows(user.pk, campaign.pk)
    }
    rows = [
        (Assignment(AssignedDossier(pk, state, name or filiere_name)), own.get(pk))
        for pk, state, filiere_name, name in _own_assignment_rows(user.pk, campaign.pk)
    ]
    todo = sum(
        1
        for a, r in rows
        if (r is None or not r.is_submitted) and a.dossier.state in reviews.REVIEWABLE_STATES
    )
    return rows, todo


@prepared
def _own_assignment_rows(reviewer_id, campaign_id):
    return (
        ReviewerAssignment.objects.filter(reviewer_id=reviewer_id, dossier__campaign_id=campaign_id)
        .order_by("dossier__filiere__name")
        .values_list(
            "dossier_id",
            "dossier__state",
            "dossier__filiere__name",
            "dossier__stored_name__name",
        )
    )


@prepared
def _own_review_rows(reviewer_id, campaign_id):
    return (
        Review.objects.filter(reviewer_id=reviewer_id, dossier__campaign_id=campaign_id)
        .order_by()
        .values_list("dossier_id", "submitted_at", "excluded_at")
    )


def ars_overview(campaign, today):
    """What the ARS sees above the list: dossiers per territory and state, returned
    dossiers (late ones flagged), dossiers in review still missing a review.

    For the ARS of the campaign's region only (the caller checks can_view_all_reviews):
    these reads start from what the region's staff see of the campaign
    (dossiers.domain.access.region_staff_dossiers), prepared on its id."""
    territories = list(campaign.territories.order_by("code"))
    matrix = defaultdict(dict)
    for territory_id, state, count in _territory_state_counts(campaign.pk):
        matrix[territory_id][state] = count
    territory_rows = [
        (t, [matrix[t.id].get(s, 0) for s in STAFF_STATES], sum(matrix[t.id].values()))
        for t in territories
    ]
    if matrix.get(None):
        territory_rows.append(
            (None, [matrix[None].get(s, 0) for s in STAFF_STATES], sum(matrix[None].values()))
        )
    # Read as plain values, as the rows below.
    returned = [
        (
            ReturnedDossier(pk, name or filiere_name, returned_from, due, message),
            due is not None and due < today,
        )
        for pk, filiere_name, name, returned_from, due, message in _returned_rows(campaign.pk)
    ]
    # Dossiers in review with no reviewer yet or an assigned reviewer who has not submitted.
    # Three plain reads (the dossiers in review, their assignments, their submitted
    # reviews) matched here: a national campaign has a few hundred of each, and the
    # correlated subqueries that did this in the database cost more to build than to run.
    in_review = _in_review_rows(campaign.pk)
    submitted = defaultdict(set)
    for dossier_id, reviewer_id in _in_review_submitted(campaign.pk):
        submitted[dossier_id].add(reviewer_id)
    assigned = defaultdict(int)
    pending = defaultdict(list)
    for dossier_id, reviewer_id, first_name, last_name, username in _in_review_assignments(
        campaign.pk
    ):
        assigned[dossier_id] += 1
        if reviewer_id not in submitted[dossier_id]:
            pending[dossier_id].append(user_name(first_name, last_name, username))
    missing = [
        (
            AssignedDossier(pk, state, name or filiere_name),
            pending[pk],
            assigned[pk],
            len(submitted[pk]),
        )
        for pk, state, filiere_name, name in in_review
        if not assigned[pk] or pending[pk]
    ]
    return {
        "territory_rows": territory_rows,
        "returned": returned,
        "late_count": sum(1 for _d, late in returned if late),
        "missing_reviews": missing,
        "states": [(s, S(s).label) for s in STAFF_STATES],
    }


def _in_review_ids(campaign_id):
    # A subquery: cheaper than the dossiers' ids as parameters.
    return Dossier.objects.filter(
        campaign_id=campaign_id, state__in=sorted(reviews.REVIEWABLE_STATES)
    ).values("pk")


@prepared
def _territory_state_counts(campaign_id):
    return (
        region_staff_dossiers(campaign_id)
        .values_list("filiere__territories", "state")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )


@prepared
def _returned_rows(campaign_id):
    return (
        region_staff_dossiers(campaign_id)
        .filter(state=S.RETURNED)
        .order_by("return_due_date", "id")
        .values_list(
            "id",
            "filiere__name",
            "stored_name__name",
            "returned_from",
            "return_due_date",
            "return_message",
        )
    )


@prepared
def _in_review_rows(campaign_id):
    return (
        Dossier.objects.filter(campaign_id=campaign_id, state__in=sorted(reviews.REVIEWABLE_STATES))
        .order_by("filiere__name", "id")
        .values_list("id", "state", "filiere__name", "stored_name__name")
    )


@prepared
def _in_review_submitted(campaign_id):
    return (
        Review.objects.filter(
            dossier_id__in=_in_review_ids(campaign_id), submitted_at__isnull=False
        )
        .order_by()
        .values_list("dossier_id", "reviewer_id")
    )


@prepared
def _in_review_assignments(campaign_id):
    return (
        ReviewerAssignment.objects.filter(dossier_id__in=_in_review_ids(campaign_id))
        .order_by("at", "id")
        .values_list(
            "dossier_id",
            "reviewer_id",
            "reviewer__first_name",
            "reviewer__last_name",
            "reviewer__username",
        )
    )


@dataclass(frozen=True, slots=True)
class PanelAssignment:
    """A reviewer designated on the dossier, as the review panel shows it (plain values:
    the names as str(user) gives them)."""

    reviewer_id: int
    reviewer: str
    assigned_by: str | None  # None: designated by nobody left (no author)
    at: object


@dataclass(frozen=True, slots=True)
class PanelConflict:
    """A conflict of interest declared on the dossier, as the review panel shows it."""

    reviewer_id: int
    reviewer: str
    reason: str
    at: object


def panel_assignments(dossier_id):
    """[PanelAssignment] of one dossier, by date: one query of plain values rather than
    assignments with their two users as model instances."""
    return [
        PanelAssignment(
            reviewer_id,
            user_name(first, last, username),
            user_name(by_first, by_last, by_username) if by_username is not None else None,
            at,
        )
        for reviewer_id, first, last, username, by_first, by_last, by_username, at in (
            _assignment_rows(dossier_id)
        )
    ]


@prepared
def _assignment_rows(dossier_id):
    return (
        ReviewerAssignment.objects.filter(dossier_id=dossier_id)
        .order_by("at", "id")
        .values_list(
            "reviewer_id",
            "reviewer__first_name",
            "reviewer__last_name",
            "reviewer__username",
            "assigned_by__first_name",
            "assigned_by__last_name",
            "assigned_by__username",
            "at",
        )
    )


def panel_conflicts(dossier_id, reviewer_id=None):
    """[PanelConflict] of one dossier by date (`reviewer_id`: only this reviewer's)."""
    # A dossier has a few conflicts: one read, this reviewer's kept here.
    return [
        PanelConflict(conflicted_id, user_name(first, last, username), reason, at)
        for conflicted_id, first, last, username, reason, at in _conflict_rows(dossier_id)
        if reviewer_id is None or conflicted_id == reviewer_id
    ]


@prepared
def _conflict_rows(dossier_id):
    return (
        ConflictOfInterest.objects.filter(dossier_id=dossier_id)
        .order_by("at", "id")
        .values_list(
            "reviewer_id",
            "reviewer__first_name",
            "reviewer__last_name",
            "reviewer__username",
            "reason",
            "at",
        )
    )


@dataclass(frozen=True, slots=True)
class PanelComment:
    """An internal comment, as the review panel shows it."""

    author: str
    at: object
    ars_only: bool
    text: str


def panel_comments(dossier, user):
    """scoring.domain.comments.visible_comments(dossier, user) as plain values (the
    author's name as str(user)): the same comments, by date, under the same rules."""
    if not can_comment_internally.test(user, dossier):
        return []
    # One read of the dossier's comments; the ARS-only ones kept for the ARS only.
    shows_ars_only = can_read_ars_only_comments.test(user, dossier)
    return [
        PanelComment(user_name(first, last, username), at, ars_only, text)
        for first, last, username, at, ars_only, text in _comment_rows(dossier.pk)
        if shows_ars_only or not ars_only
    ]


@prepared
def _comment_rows(dossier_id):
    return (
        InternalComment.objects.filter(dossier_id=dossier_id)
        .order_by("at", "id")
        .values_list(
            "author__first_name", "author__last_name", "author__username", "at", "ars_only", "text"
        )
    )
