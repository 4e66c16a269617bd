"""Writing one's own review and reading the reviews of others.

Independence rule: a reviewer sees the others' scores of a
dossier only once their own review of it is submitted (and counts: a review
excluded after a conflict of interest does not open the others'). ARS roles
(instructor, decider, administrator) see every submitted review. The
applicant never sees any review."""

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.rules import is_internal_staff
from common.errors import Conflict, Forbidden, InvalidInput
from common.limits import MAX_CRITERIA, MAX_PROJECTS, TEXT_MAX, bounded
from common.text import clean_text
from dossiers.enums import DossierState as S
from dossiers.enums import Opinion
from scoring.domain.assignments import has_conflict, is_assigned, lock_dossier
from scoring.domain.grid import get_grid, grid_criteria
from scoring.models import CriterionScore, Grid, ProjectOpinion, Review
from scoring.rules import can_view_all_reviews, is_reviewer

_INTEGER = re.compile(r"-?[0-9]{1,6}")
REVIEWABLE_STATES = frozenset({S.CARESP_REVIEW, S.ARS_ANALYSIS})

# What a user may read of the reviews of one dossier.
ACCESS_ALL = "all"  # every submitted review and the aggregate
ACCESS_OWN = "own"  # only their own review
ACCESS_NONE = "none"


def own_review(dossier, user):
    """The user's review of the dossier (or None), with its scores (and their criterion)
    and project opinions."""
    return with_details(Review.objects.filter(dossier_id=dossier.pk, reviewer_id=user.pk)).first()


_UNKNOWN = object()


def review_access(dossier, user, own=_UNKNOWN):
    """ACCESS_ALL, ACCESS_OWN or ACCESS_NONE (`own`: the user's review if already loaded,
    None when it is known there is none)."""
    if not user.is_authenticated:
        return ACCESS_NONE
    if can_view_all_reviews.test(user, dossier):
        return ACCESS_ALL
    if not is_internal_staff.test(user, dossier):
        return ACCESS_NONE
    if own is None:
        counts = False
    elif own is _UNKNOWN:
        counts = Review.objects.filter(
            dossier_id=dossier.pk,
            reviewer_id=user.pk,
            submitted_at__isnull=False,
            excluded_at__isnull=True,
        ).exists()
    else:
        counts = own.counts
    return ACCESS_ALL if counts else ACCESS_OWN


def _detail_prefetches():
    """The prefetches are ordered within each review as the models' orderings do, by the
    review's id rather than by its own ordering (which would join each score to its
    dossier, campaign and filière)."""
    return (
        Prefetch(
            "scores",
            queryset=CriterionScore.objects.select_related("criterion").order_by(
                "review_id", "criterion__position", "criterion_id"
            ),
        ),
        Prefetch(
            "project_opinions", queryset=ProjectOpinion.objects.order_by("review_id", "project_id")
        ),
    )


def with_details(queryset):
    """The reviews with their reviewer, scores (and their criterion) and project opinions."""
    return queryset.select_related("reviewer").prefetch_related(*_detail_prefetches())


def visible_reviews(dossier, user, access=None):
    """The reviews of `dossier` this user may read, with scores and project opinions.

    ARS roles and reviewers who submitted theirs: every submitted review
    (excluded ones included, flagged). Other staff: only their own. Others: none.
    `access`: review_access(dossier, user), when the caller has it."""
    if access is None:
        access = review_access(dossier, user)
    reviews = Review.objects.filter(dossier_id=dossier.pk)
    if access == ACCESS_ALL:
        reviews = reviews.filter(submitted_at__isnull=False)
    elif access == ACCESS_OWN:
        reviews = reviews.filter(reviewer_id=user.pk)
    else:
        return []
    return list(with_details(reviews).order_by("submitted_at", "id"))


@dataclass(frozen=True)
class DossierReviews:
    """What the review panel of the dossier page shows of one dossier's reviews to one
    user: own_review, review_access and visible_reviews, and every review's state."""

    own: Review | None  # with its details
    access: str
    visible: list  # with their details, as visible_reviews orders them
    every: list  # every review of the dossier, without details (the reviewers' table)


def dossier_reviews(dossier, user, criteria=None):
    """DossierReviews in three queries (one without any review to show): the dossier's
    reviews, then the scores and opinions of those this user may read. Same reviews as
    own_review, review_access and visible_reviews, which read them in up to seven
    (tests/scoring/test_panel_reads.py compares them). `criteria`: the campaign's grid's
    criteria, when the caller has them (grid.grid_and_criteria): the scores get theirs
    rather than a copy each, read with them."""
    every = list(
        Review.objects.filter(dossier_id=dossier.pk)
        .select_related("reviewer")
        .order_by("submitted_at", "id")
    )
    own = next((r for r in every if r.reviewer_id == user.pk), None)
    access = review_access(dossier, user, own=own)
    if access == ACCESS_ALL:
        visible = [r for r in every if r.submitted_at is not None]
        visible.sort(key=lambda r: (r.submitted_at, r.pk))
    elif access == ACCESS_OWN:
        visible = [r for r in every if r.reviewer_id == user.pk]
    else:
        visible = []
    detailed = visible + ([own] if own is not None and own not in visible else [])
    if detailed and criteria is None:
        prefetch_related_objects(detailed, *_detail_prefetches())
    elif detailed:
        _load_details(detailed, criteria)
    return DossierReviews(own, access, visible, every)


def _load_details(reviews, criteria):
    """What prefetch_related_objects(reviews, *_detail_prefetches()) gives, in two plain
    queries: each review's scores (their criterion taken from `criteria`, in the same
    order; Django's prefetch when one is not there) and project opinions, cached as their `scores.all()` and
    `project_opinions.all()`. Django's prefetch filters a queryset per review to cache
    them; here each cache is a copy of an empty queryset holding the loaded rows (a
    further filter on it finds nothing rather than another review's rows)."""
    by_id = {review.pk: review for review in reviews}
    known = {criterion.pk: criterion for criterion in criteria}
    read = list(CriterionScore.objects.filter(review_id__in=list(by_id)).order_by())
    if any(score.criterion_id not in known for score in read):
        # A criterion outside the grid given (never: a grid's criteria are its scores').
        prefetch_related_objects(reviews, *_detail_prefetches())
        return
    # In the prefetch's order (review, criterion's position, criterion), sorted here
    # rather than by a join in the query.
    read.sort(key=lambda s: (s.review_id, known[s.criterion_id].position, s.criterion_id))
    scores = {pk: [] for pk in by_id}
    for score in read:
        score.criterion = known[score.criterion_id]
        score.review = by_id[score.review_id]
        scores[score.review_id].append(score)
    opinions = {pk: [] for pk in by_id}
    for opinion in ProjectOpinion.objects.filter(review_id__in=list(by_id)).order_by(
        "review_id", "project_id"
    ):
        opinion.review = by_id[opinion.review_id]
        opinions[opinion.review_id].append(opinion)
    empty_scores, empty_opinions = CriterionScore.objects.none(), ProjectOpinion.objects.none()
    for pk, review in by_id.items():
        cache = getattr(review, "_prefetched_objects_cache", None)
        if cache is None:
            cache = review._prefetched_objects_cache = {}
        for name, empty, rows in (
            ("scores", empty_scores, scores[pk]),
            ("project_opinions", empty_opinions, opinions[pk]),
        ):
            loaded = empty._chain()
            loaded._result_cache, loaded._prefetch_done = rows, True
            cache[name] = loaded


def _reviewer_role(user):
    if user.has_role(Role.CARESP_REVIEWER) and not user.has_role(Role.ARS_INSTRUCTOR):
        return Role.CARESP_REVIEWER
    if user.has_role(Role.ARS_INSTRUCTOR) and not user.has_role(Role.CARESP_REVIEWER):
        return Role.ARS_INSTRUCTOR
    return Role.CARESP_REVIEWER if user.has_role(Role.CARESP_REVIEWER) else ""


def _text(value, path, errors, max_length=TEXT_MAX):
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.setdefault(path, []).append(_("Texte attendu."))
        return ""
    value = clean_text(value).strip()
    if len(value) > max_length:
        errors.setdefault(path, []).append(
            _("Ce texte dépasse %(n)d caractères.") % {"n": max_length}
        )
    return value


def _opinion(value, path, errors):
    if value in (None, ""):
        return ""
    if value not in Opinion.values:
        errors.setdefault(path, []).append(
            _(
                "Avis attendu : favorable, réservé ou défavorable (favourable, reserved, unfavourable)."
            )
        )
        return ""
    return value


def clean_review(grid, criteria, projects, data, *, submit):
    """Validate a review; return cleaned data or raise InvalidInput listing every problem.

    data: {scores: {code: int|None}, opinion, comment,
           criterion_comments?: {code: str}, projects?: [{project, opinion, comment}]}"""
    errors = {}
    by_code = {c.code: c for c in criteria}
    scores_in = data.get("scores")
    if scores_in is None:
        scores_in = {}
    if not isinstance(scores_in, dict):
        errors["scores"] = [_("Objet attendu : {code du critère: note}.")]
        scores_in = {}
    if len(scores_in) > MAX_CRITERIA:
        errors["scores"] = [_("Au plus %(n)d critères.") % {"n": MAX_CRITERIA}]
        scores_in = {}
    scores = {}
    for code, value in scores_in.items():
        path = f"scores.{code}"
        if code not in by_code:
            errors.setdefault(path, []).append(
                _("Critère « %(code)s » inconnu dans la grille.") % {"code": code}
            )
            continue
        if value is None or value == "":
            continue
        if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
            # ASCII digits only: "²".isdigit() is true but int("²") fails.
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            errors.setdefault(path, []).append(_("Note entière attendue."))
            continue
        if not grid.scale_min <= value <= grid.scale_max:
            errors.setdefault(path, []).append(
                _("La note doit être comprise entre %(min)d et %(max)d.")
                % {"min": grid.scale_min, "max": grid.scale_max}
            )
            continue
        scores[code] = value
    comments_in = data.get("criterion_comments")
    comments = None
    if comments_in is not None:
        comments = {}
        if not isinstance(comments_in, dict):
            errors["criterion_comments"] = [_("Objet attendu : {code du critère: commentaire}.")]
            comments_in = {}
        if len(comments_in) > MAX_CRITERIA:
            errors["criterion_comments"] = [_("Au plus %(n)d critères.") % {"n": MAX_CRITERIA}]
            comments_in = {}
        for code, value in comments_in.items():
            if code not in by_code:
                errors.setdefault(f"criterion_comments.{code}", []).append(
                    _("Critère « %(code)s » inconnu dans la grille.") % {"code": code}
                )
                continue
            comments[code] = _text(value, f"criterion_comments.{code}", errors)
    opinion = _opinion(data.get("opinion"), "opinion", errors)
    comment = _text(data.get("comment"), "comment", errors)
    project_opinions = None
    projects_in = data.get("projects")
    if projects_in is not None:
        project_opinions = {}
        known = {p.id: p for p in projects}
        if not isinstance(projects_in, list):
            errors["projects"] = [_("Liste attendue.")]
            projects_in = []
        projects_in = bounded(projects_in, MAX_PROJECTS, "projects", _("fiches projet"), errors)
        for index, item in enumerate(projects_in):
            path = f"projects.{index}"
            if not isinstance(item, dict):
                errors.setdefault(path, []).append(_("Objet attendu."))
                continue
            project_id = item.get("project")
            if (
                not isinstance(project_id, int)
                or isinstance(project_id, bool)
                or (project_id not in known)
            ):
                errors.setdefault(f"{path}.project", []).append(
                    _("Fiche projet inconnue dans ce dossier.")
                )
                continue
            project_opinions[project_id] = {
                "project": known[project_id],
                "opinion": _opinion(item.get("opinion"), f"{path}.opinion", errors),
                "comment": _text(item.get("comment"), f"{path}.comment", errors),
            }
    if submit and not errors:
        for criterion in criteria:
            if criterion.code not in scores:
                errors.setdefault(f"scores.{criterion.code}", []).append(
                    _("Notez le critère « %(label)s » avant de soumettre.")
                    % {"label": criterion.label}
                )
        if not opinion:
            errors.setdefault("opinion", []).append(
                _("Indiquez votre avis global avant de soumettre.")
            )
    if errors:
        message = (
            _("L'évaluation ne peut pas être soumise : corrigez les points signalés.")
            if submit
            else _("L'évaluation contient des erreurs : corrigez les points signalés.")
        )
        raise InvalidInput(message, errors)
    return {
        "scores": scores,
        "criterion_comments": comments,
        "opinion": opinion,
        "comment": comment,
        "projects": project_opinions,
    }


def _check_may_review(dossier, user, review):
    """Raise why `user` may not write their review of `dossier` now (nothing if they may)."""
    if not is_reviewer.test(user, dossier):
        raise Forbidden(
            _("Seuls les relecteurs CARESP et les instructeurs ARS évaluent les dossiers.")
        )
    if dossier.filiere_id in user.filiere_ids:
        raise Forbidden(
            _("Vous rédigez ce dossier pour votre filière : vous ne pouvez pas l'évaluer.")
        )
    if has_conflict(dossier, user):
        raise Conflict(
            _(
                "Vous avez déclaré un conflit d'intérêts sur ce dossier : "
                "vous ne pouvez pas l'évaluer."
            )
        )
    if not is_assigned(dossier, user):
        raise Forbidden(_("Ce dossier ne vous a pas été attribué pour évaluation."))
    if review is not None and review.is_submitted:
        raise Conflict(
            _("Votre évaluation a été soumise le %(date)s : elle n'est plus modifiable.")
            % {"date": timezone.localtime(review.submitted_at).strftime("%d/%m/%Y à %H:%M")}
        )
    if dossier.state not in REVIEWABLE_STATES:
        raise Conflict(
            _(
                "Le dossier est « %(state)s » : les évaluations se font pendant la revue "
                "CARESP ou l'analyse ARS."
            )
            % {"state": dossier.get_state_display()}
        )


def ensure_can_review(dossier, user):
    """Raise Forbidden or Conflict, with the reason, if the user may not review now."""
    review = Review.objects.filter(dossier_id=dossier.pk, reviewer_id=user.pk).first()
    _check_may_review(dossier, user, review)


def save_review(dossier, user, data, *, submit=False, now=None):
    """Create or replace the user's own review of `dossier`; submit it if asked.

    data: see clean_review. `criterion_comments` and `projects` left out (None)
    keep their current values; `scores` replaces all the scores. Once submitted,
    the review is read-only."""
    if not is_reviewer.test(user, dossier):
        _check_may_review(dossier, user, None)
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_dossier(dossier)
        review = Review.objects.select_for_update().filter(dossier=locked, reviewer=user).first()
        _check_may_review(locked, user, review)
        grid = get_grid(locked.campaign_id)
        if submit:
            # Serialises with the grid's edition (see scoring.domain.grid.update_grid).
            grid = Grid.objects.select_for_update().get(pk=grid.pk)
        criteria = grid_criteria(grid)
        projects = list(locked.projects.all())
        cleaned = clean_review(grid, criteria, projects, data, submit=submit)
        if review is None:
            review = Review(
                dossier=locked, reviewer=user, reviewer_role=_reviewer_role(user), created_at=now
            )
        review.opinion = cleaned["opinion"]
        review.comment = cleaned["comment"]
        review.updated_at = now
        if submit:
            review.submitted_at = now
        review.save()
        previous_comments = dict(
            CriterionScore.objects.filter(review=review).values_list("criterion__code", "comment")
        )
        comments = cleaned["criterion_comments"]
        if comments is None:
            comments = previous_comments
        CriterionScore.objects.filter(review=review).delete()
        CriterionScore.objects.bulk_create(
            CriterionScore(
                review=review,
                criterion=criterion,
                score=cleaned["scores"].get(criterion.code),
                comment=comments.get(criterion.code, ""),
            )
            for criterion in criteria
            if criterion.code in cleaned["scores"] or comments.get(criterion.code)
        )
        if cleaned["projects"] is not None:
            ProjectOpinion.objects.filter(review=review).delete()
            ProjectOpinion.objects.bulk_create(
                ProjectOpinion(
                    review=review,
                    project=item["project"],
                    project_title=item["project"].title[:300],
                    opinion=item["opinion"],
                    comment=item["comment"],
                )
                for item in cleaned["projects"].values()
                if item["opinion"] or item["comment"]
            )
    return with_details(Review.objects.filter(pk=review.pk)).get()


def review_document(review):
    """API shape of a review (scores prefetched)."""
    scores = sorted(review.scores.all(), key=lambda s: (s.criterion.position, s.criterion_id))
    return {
        "id": review.id,
        "dossier": review.dossier_id,
        "reviewer": review.reviewer.username,
        "reviewer_name": str(review.reviewer),
        "reviewer_role": review.reviewer_role or None,
        "opinion": review.opinion or None,
        "comment": review.comment,
        "submitted": review.is_submitted,
        "submitted_at": review.submitted_at.isoformat() if review.submitted_at else None,
        "excluded": review.excluded_at is not None,
        "scores": {s.criterion.code: s.score for s in scores if s.score is not None},
        "criterion_comments": {s.criterion.code: s.comment for s in scores if s.comment},
        "projects": [
            {
                "project": o.project_id,
                "title": o.project_title,
                "opinion": o.opinion or None,
                "comment": o.comment,
            }
            for o in review.project_opinions.all()
        ],
    }
