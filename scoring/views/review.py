"""Staff pages of the review: dashboard, review workspace of a dossier, snapshot
diff, campaign ranking and scoring grid (URL namespace "scoring").

Views only shape input and output: every rule is enforced by scoring.domain
(the API calls the same functions). Each page runs a fixed number of
queries whatever the number of dossiers."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from campaign.models import Campaign, Territory
from common.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from dossiers.domain.access import get_visible_dossier, visible_dossiers
from dossiers.domain.diff import diff_snapshots
from dossiers.domain.transitions import available_transitions
from dossiers.enums import DossierState as S
from dossiers.models import Dossier, HistoryEntry, Snapshot
from scoring.domain import aggregate as aggregates
from scoring.domain import assignments, comments, reviews
from scoring.domain.grid import get_grid, grid_criteria, is_locked, update_grid
from scoring.forms import (
    AssignReviewerForm,
    ConflictForm,
    CriterionFormSet,
    GridScaleForm,
    InternalCommentForm,
    ReviewForm,
)
from scoring.models import ConflictOfInterest, Review, ReviewerAssignment
from scoring.rules import (
    can_assign_reviewers,
    can_declare_conflict,
    can_edit_grid,
    can_read_ars_only_comments,
    can_use_workspace,
    can_view_all_reviews,
    can_view_grid,
    can_view_ranking,
)

DASHBOARD_PAGE_SIZE = 50
RANKING_PAGE_SIZE = 50
# Review states shown on the dashboard's tiles, in the lifecycle's order (drafts are never
# visible to staff).
STAFF_STATES = [S.SUBMITTED, S.CARESP_REVIEW, S.ARS_ANALYSIS, S.RETURNED, S.DECIDED, S.WITHDRAWN]


def _forbid_unless(predicate, user):
    if not predicate.test(user):
        raise HttpForbidden


def _staff_dossier(request, pk):
    """The dossier for a staff page: 404 if this user may not know it, 403 if not staff."""
    dossier = get_visible_dossier(request.user, pk)
    if dossier is None:
        raise Http404
    _forbid_unless(can_use_workspace, request.user)
    return dossier


def _raise_http(exc):
    if isinstance(exc, Forbidden):
        raise HttpForbidden(exc.message)
    if isinstance(exc, NotFound):
        raise Http404(exc.message)


def _workspace_url(dossier, anchor=""):
    return reverse("scoring:dossier", args=[dossier.pk]) + (f"#{anchor}" if anchor else "")


def transition_links(dossier, user):
    """[(name, label, url)] of the transitions this user may fire; url None if the
    confirmation page is not installed."""
    links = []
    for name, label in available_transitions(dossier, user):
        try:
            url = reverse("dossiers:transition", args=[dossier.pk, name])
        except NoReverseMatch:
            url = None
        links.append((name, label, url))
    return links


def _campaign_choice(request):
    campaigns = list(Campaign.objects.order_by("-opens_at"))
    slug = request.GET.get("campagne")
    selected = next((c for c in campaigns if c.slug == slug), campaigns[0] if campaigns else None)
    return campaigns, selected


@login_required
def dashboard(request):
    user = request.user
    _forbid_unless(can_use_workspace, user)
    campaigns, campaign = _campaign_choice(request)
    context = {"title": _("Instruction des dossiers"), "campaigns": campaigns, "campaign": campaign}
    if campaign is None:
        return render(request, "scoring/dashboard.html", context)
    is_ars = can_view_all_reviews.test(user)
    # The diagnostic and SWOT documents are not shown here: not loaded for the listed rows.
    base = visible_dossiers(
        user, Dossier.objects.filter(campaign=campaign).defer("diagnostic", "swot")
    )
    counts = dict(base.values_list("state").annotate(n=Count("id")).order_by())
    state_filter = request.GET.get("etat")
    if state_filter not in S.values:
        state_filter = None
    context.update(
        is_ars=is_ars,
        state_filter=state_filter,
        state_counts=[(s, S(s).label, counts.get(s, 0)) for s in STAFF_STATES],
        total=sum(counts.values()),
        today=timezone.localdate(),
    )
    # All the campaign's dossiers, one page at a time.
    listing = (
        base.select_related("filiere")
        .prefetch_related("filiere__territories")
        .annotate(
            n_assigned=Count("reviewer_assignments", distinct=True),
            n_submitted=Count(
                "reviews",
                filter=Q(reviews__submitted_at__isnull=False, reviews__excluded_at__isnull=True),
                distinct=True,
            ),
        )
        .order_by("filiere__name", "id")
    )
    if state_filter:
        listing = listing.filter(state=state_filter)
    context["page"] = Paginator(listing, DASHBOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    # My own assignments and where I stand.
    mine = list(
        ReviewerAssignment.objects.filter(reviewer=user, dossier__campaign=campaign)
        .select_related("dossier__filiere")
        .order_by("dossier__filiere__name")
    )
    my_reviews = {
        r.dossier_id: r
        for r in Review.objects.filter(reviewer=user, dossier__campaign=campaign).only(
            "dossier_id", "submitted_at", "updated_at", "excluded_at"
        )
    }
    context["my_assignments"] = [(a, my_reviews.get(a.dossier_id)) for a in mine]
    context["my_todo"] = sum(
        1
        for a, r in context["my_assignments"]
        if (r is None or not r.is_submitted) and a.dossier.state in reviews.REVIEWABLE_STATES
    )
    if is_ars:
        context.update(_ars_dashboard(campaign, base, context["today"]))
    return render(request, "scoring/dashboard.html", context)


def _ars_dashboard(campaign, base, today):
    territories = list(Territory.objects.filter(campaign=campaign).order_by("code"))
    matrix = defaultdict(dict)
    for row in (
        base.values("filiere__territories", "state")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    ):
        matrix[row["filiere__territories"]][row["state"]] = row["n"]
    territory_rows = [
        (t, [matrix[t.id].get(s, 0) for s in STAFF_STATES], sum(matrix[t.id].values()))
        for t in territories
    ]
    if matrix.get(None):
        territory_rows.append(
            (None, [matrix[None].get(s, 0) for s in STAFF_STATES], sum(matrix[None].values()))
        )
    returned = [
        (d, d.return_due_date is not None and d.return_due_date < today)
        for d in base.filter(state=S.RETURNED)
        .select_related("filiere")
        .order_by("return_due_date", "id")
    ]
    # Dossiers in review with no reviewer yet or an assigned reviewer who has not submitted:
    # selected and counted by the database (two queries), not by loading every assignment
    # and review of the campaign.
    submitted = Review.objects.filter(
        dossier=OuterRef("dossier"), reviewer=OuterRef("reviewer"), submitted_at__isnull=False
    )
    pending_assignments = ReviewerAssignment.objects.filter(~Exists(submitted))
    in_review = list(
        base.filter(state__in=reviews.REVIEWABLE_STATES)
        .annotate(
            n_assigned=Count("reviewer_assignments", distinct=True),
            n_done=Count("reviews", filter=Q(reviews__submitted_at__isnull=False), distinct=True),
        )
        .filter(Q(n_assigned=0) | Exists(pending_assignments.filter(dossier=OuterRef("pk"))))
        .select_related("filiere")
        .order_by("filiere__name", "id")
    )
    pending = defaultdict(list)
    for assignment in (
        pending_assignments.filter(dossier__in=[d.pk for d in in_review])
        .select_related("reviewer")
        .order_by("at", "id")
    ):
        pending[assignment.dossier_id].append(assignment.reviewer)
    missing = [(d, pending[d.pk], d.n_assigned, d.n_done) for d in in_review]
    return {
        "territory_rows": territory_rows,
        "returned": returned,
        "late_count": sum(1 for _d, late in returned if late),
        "missing_reviews": missing,
        "states": [(s, S(s).label) for s in STAFF_STATES],
    }


class Workspace:
    """Everything the review workspace of one dossier shows to one user."""

    def __init__(self, request, dossier):
        self.request, self.user = request, request.user
        self.dossier = (
            Dossier.objects.select_related("campaign", "filiere")
            .prefetch_related("filiere__territories", "projects")
            .get(pk=dossier.pk)
        )
        self.grid = get_grid(self.dossier.campaign_id)
        self.criteria = grid_criteria(self.grid)
        self.projects = sorted(
            self.dossier.projects.all(), key=lambda p: (p.priority is None, p.priority or 0, p.id)
        )
        self.is_ars = can_view_all_reviews.test(self.user)
        self.can_assign = can_assign_reviewers.test(self.user)
        self.assignments = list(
            ReviewerAssignment.objects.filter(dossier=self.dossier)
            .select_related("reviewer", "assigned_by")
            .order_by("at", "id")
        )
        conflicts = ConflictOfInterest.objects.filter(dossier=self.dossier).select_related(
            "reviewer"
        )
        self.conflicts = list(conflicts if self.is_ars else conflicts.filter(reviewer=self.user))
        self.my_conflict = next((c for c in self.conflicts if c.reviewer_id == self.user.pk), None)
        self.my_assignment = next(
            (a for a in self.assignments if a.reviewer_id == self.user.pk), None
        )
        self.my_review = reviews.own_review(self.dossier, self.user)
        self.access = reviews.review_access(self.dossier, self.user, own=self.my_review)

    def review_form(self, data=None):
        if not self.can_write_review:
            return None
        return ReviewForm(
            data,
            grid=self.grid,
            criteria=self.criteria,
            projects=self.projects,
            review=self.my_review,
        )

    @property
    def can_write_review(self):
        return (
            self.my_assignment is not None
            and self.my_conflict is None
            and (self.my_review is None or not self.my_review.is_submitted)
            and self.dossier.state in reviews.REVIEWABLE_STATES
        )

    def assign_form(self, data=None):
        if not self.can_assign or self.dossier.state not in assignments.ASSIGNABLE_STATES:
            return None
        return AssignReviewerForm(data, eligible=list(assignments.eligible_reviewers(self.dossier)))

    def conflict_form(self, data=None):
        if not can_declare_conflict.test(self.user) or self.my_conflict is not None:
            return None
        return ConflictForm(data)

    def comment_form(self, data=None):
        return InternalCommentForm(data, can_restrict=can_read_ars_only_comments.test(self.user))

    def assignment_rows(self):
        by_reviewer = {
            r.reviewer_id: r
            for r in Review.objects.filter(dossier=self.dossier).only(
                "reviewer_id", "submitted_at", "excluded_at", "updated_at"
            )
        }
        return [(a, by_reviewer.get(a.reviewer_id)) for a in self.assignments]

    def snapshots(self):
        items = list(
            Snapshot.objects.filter(dossier=self.dossier)
            .defer("content")
            .select_related("created_by")
            .order_by("number")
        )
        return [(item, items[index - 1] if index else None) for index, item in enumerate(items)]

    def context(self, *, review_form=None, assign_form=None, conflict_form=None, comment_form=None):
        visible = reviews.visible_reviews(self.dossier, self.user)
        others = [r for r in visible if r.reviewer_id != self.user.pk]
        aggregate = None
        if self.access == reviews.ACCESS_ALL:
            aggregate = aggregates.dossier_aggregate(
                self.dossier, grid=self.grid, criteria=self.criteria
            )
        columns, matrix = [], []
        if aggregate is not None:
            weighted = {item.review.pk: item.score for item in aggregate.reviewers}
            columns = [(review, weighted.get(review.pk)) for review in visible]
            by_review = {
                review.pk: {score.criterion_id: score for score in review.scores.all()}
                for review in visible
            }
            matrix = [
                (stats, [by_review[review.pk].get(stats.criterion.id) for review in visible])
                for stats in aggregate.criteria
            ]
        return {
            "title": _("Instruction — %(name)s") % {"name": self.dossier.display_name},
            "dossier": self.dossier,
            "territories": list(self.dossier.filiere.territories.all()),
            "projects": self.projects,
            "grid": self.grid,
            "criteria": self.criteria,
            "is_ars": self.is_ars,
            "transitions": transition_links(self.dossier, self.user),
            "assignment_rows": self.assignment_rows(),
            "conflicts": self.conflicts,
            "my_conflict": self.my_conflict,
            "my_assignment": self.my_assignment,
            "my_review": self.my_review,
            "access": self.access,
            "can_write_review": self.can_write_review,
            "review_form": review_form or self.review_form(),
            "assign_form": assign_form or self.assign_form(),
            "conflict_form": conflict_form or self.conflict_form(),
            "comment_form": comment_form or self.comment_form(),
            "other_reviews": others if self.access == reviews.ACCESS_ALL else [],
            "review_columns": columns,
            "score_matrix": matrix,
            "aggregate": aggregate,
            "comments": comments.visible_comments(self.dossier, self.user),
            "snapshots": self.snapshots(),
            "history": list(
                HistoryEntry.objects.filter(dossier=self.dossier)
                .select_related("by")
                .order_by("at", "id")
            ),
            "reviewable_states": reviews.REVIEWABLE_STATES,
        }

    def render(self, status=200, **forms):
        return render(self.request, "scoring/dossier.html", self.context(**forms), status=status)


@login_required
def dossier_workspace(request, pk):
    dossier = _staff_dossier(request, pk)
    return Workspace(request, dossier).render()


@login_required
@require_POST
def save_my_review(request, pk):
    dossier = _staff_dossier(request, pk)
    workspace = Workspace(request, dossier)
    form = ReviewForm(
        request.POST,
        grid=workspace.grid,
        criteria=workspace.criteria,
        projects=workspace.projects,
    )
    submit = request.POST.get("action") == "submit"
    if not workspace.can_write_review:
        # Say why (403: not a reviewer or not assigned; 409: state, conflict, submitted).
        try:
            reviews.ensure_can_review(dossier, request.user)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect(_workspace_url(dossier, "mon-evaluation"))
        except DomainError as exc:
            _raise_http(exc)
    if form.is_valid():
        if submit and not form.cleaned_data.get("confirm_submit"):
            form.add_error(
                "confirm_submit",
                _("Cochez cette case pour confirmer la soumission, qui est définitive."),
            )
        else:
            try:
                reviews.save_review(dossier, request.user, form.review_data(), submit=submit)
            except InvalidInput as exc:
                form.add_domain_errors(exc.errors)
                messages.error(request, exc.message)
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect(_workspace_url(dossier, "mon-evaluation"))
            except DomainError as exc:
                _raise_http(exc)
            else:
                if submit:
                    messages.success(
                        request,
                        _(
                            "Votre évaluation est soumise. Les évaluations des autres relecteurs "
                            "vous sont désormais visibles."
                        ),
                    )
                else:
                    messages.success(request, _("Votre évaluation est enregistrée (brouillon)."))
                return redirect(_workspace_url(dossier, "mon-evaluation"))
    return workspace.render(status=400, review_form=form)


@login_required
@require_POST
def assign_reviewer(request, pk):
    dossier = _staff_dossier(request, pk)
    _forbid_unless(can_assign_reviewers, request.user)
    workspace = Workspace(request, dossier)
    form = AssignReviewerForm(request.POST, eligible=list(assignments.eligible_reviewers(dossier)))
    if form.is_valid():
        reviewer = form.cleaned_data["reviewer"]
        try:
            assignments.assign_reviewer(dossier, request.user, reviewer)
        except InvalidInput as exc:
            for messages_ in exc.errors.values():
                for message in messages_:
                    form.add_error("reviewer", message)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect(_workspace_url(dossier, "relecteurs"))
        except DomainError as exc:
            _raise_http(exc)
        else:
            messages.success(
                request,
                _("Le dossier est attribué à %(user)s, qui en est averti par courriel.")
                % {"user": reviewer},
            )
            return redirect(_workspace_url(dossier, "relecteurs"))
    return workspace.render(status=400, assign_form=form)


@login_required
@require_POST
def unassign_reviewer(request, pk, user_id):
    dossier = _staff_dossier(request, pk)
    _forbid_unless(can_assign_reviewers, request.user)
    reviewer = User.objects.filter(pk=user_id).first()
    if reviewer is None:
        raise Http404
    try:
        assignments.unassign_reviewer(dossier, request.user, reviewer)
    except Conflict as exc:
        messages.error(request, exc.message)
    except DomainError as exc:
        _raise_http(exc)
    else:
        messages.success(request, _("L'attribution à %(user)s est retirée.") % {"user": reviewer})
    return redirect(_workspace_url(dossier, "relecteurs"))


@login_required
@require_POST
def declare_conflict(request, pk):
    dossier = _staff_dossier(request, pk)
    _forbid_unless(can_declare_conflict, request.user)
    form = ConflictForm(request.POST)
    if form.is_valid():
        try:
            assignments.declare_conflict(dossier, request.user, form.cleaned_data["reason"])
        except InvalidInput as exc:
            for messages_ in exc.errors.values():
                for message in messages_:
                    form.add_error("reason", message)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect(_workspace_url(dossier, "relecteurs"))
        except DomainError as exc:
            _raise_http(exc)
        else:
            messages.success(
                request,
                _(
                    "Votre conflit d'intérêts est enregistré : vous ne pouvez plus évaluer ce "
                    "dossier. L'ARS en est avertie."
                ),
            )
            return redirect(_workspace_url(dossier, "relecteurs"))
    return Workspace(request, dossier).render(status=400, conflict_form=form)


@login_required
@require_POST
def add_comment(request, pk):
    dossier = _staff_dossier(request, pk)
    form = InternalCommentForm(
        request.POST, can_restrict=can_read_ars_only_comments.test(request.user)
    )
    if form.is_valid():
        try:
            comments.add_comment(
                dossier,
                request.user,
                form.cleaned_data["text"],
                ars_only=form.cleaned_data.get("ars_only", False),
            )
        except InvalidInput as exc:
            for messages_ in exc.errors.values():
                for message in messages_:
                    form.add_error("text", message)
        except DomainError as exc:
            _raise_http(exc)
        else:
            messages.success(request, _("Commentaire interne ajouté."))
            return redirect(_workspace_url(dossier, "commentaires"))
    return Workspace(request, dossier).render(status=400, comment_form=form)


@login_required
def snapshot_diff(request, pk, a, b):
    dossier = _staff_dossier(request, pk)
    found = {
        s.number: s
        for s in Snapshot.objects.filter(dossier=dossier, number__in=[a, b]).select_related(
            "created_by"
        )
    }
    if a not in found or b not in found:
        raise Http404
    old, new = found[a], found[b]
    return render(
        request,
        "scoring/snapshot_diff.html",
        {
            "title": _("Changements entre les dépôts n° %(a)d et n° %(b)d") % {"a": a, "b": b},
            "dossier": dossier,
            "old": old,
            "new": new,
            "diff": diff_snapshots(old.content, new.content),
        },
    )


def _campaign_or_404(slug):
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is None:
        raise Http404
    return campaign


@login_required
def ranking(request, slug):
    campaign = _campaign_or_404(slug)
    _forbid_unless(can_view_ranking, request.user)
    rows = aggregates.campaign_ranking(campaign, request.user)
    grid = get_grid(campaign)
    # Ranks are computed over every dossier; the page shows them 50 at a time.
    page = Paginator(rows, RANKING_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "scoring/ranking.html",
        {
            "title": _("Classement — %(campaign)s") % {"campaign": campaign.name},
            "campaign": campaign,
            "grid": grid,
            "rows": page.object_list,
            "page": page,
            "is_ars": can_view_all_reviews.test(request.user),
        },
    )


def _criterion_initial(criteria):
    return [
        {
            "id": c.id,
            "position": c.position,
            "code": c.code,
            "label": c.label,
            "group": c.group,
            "weight": c.weight,
            "description": c.description,
        }
        for c in criteria
    ]


@login_required
def grid(request, slug):
    campaign = _campaign_or_404(slug)
    user = request.user
    _forbid_unless(can_view_grid, user)
    scoring_grid = get_grid(campaign)
    locked = is_locked(scoring_grid)
    editable = can_edit_grid.test(user) and not locked
    criteria = grid_criteria(scoring_grid)
    status = 200
    scale_form = formset = None
    if request.method == "POST":
        _forbid_unless(can_edit_grid, user)
        scale_form = GridScaleForm(request.POST)
        formset = CriterionFormSet(request.POST, prefix="criteres")
        if locked:
            messages.error(
                request,
                _(
                    "La grille est verrouillée : une évaluation a déjà été soumise pour cette "
                    "campagne."
                ),
            )
            return redirect("scoring:grid", slug=campaign.slug)
        if scale_form.is_valid() and formset.is_valid():
            kept = [
                (index, form)
                for index, form in enumerate(formset.forms)
                if form.cleaned_data
                and not form.cleaned_data.get("DELETE")
                and (form.has_changed() or form.cleaned_data.get("id"))
            ]
            kept.sort(
                key=lambda item: (
                    item[1].cleaned_data.get("position") is None,
                    item[1].cleaned_data.get("position") or 0,
                    item[0],
                )
            )
            items = [
                {
                    key: form.cleaned_data.get(key)
                    for key in ("id", "code", "label", "group", "weight", "description")
                }
                for _index, form in kept
            ]
            try:
                update_grid(
                    campaign,
                    user,
                    scale_min=scale_form.cleaned_data["scale_min"],
                    scale_max=scale_form.cleaned_data["scale_max"],
                    criteria=items,
                )
            except InvalidInput as exc:
                messages.error(request, exc.message)
                for path, errors in exc.errors.items():
                    parts = path.split(".")
                    if parts[0] in ("scale_min", "scale_max"):
                        for message in errors:
                            scale_form.add_error(parts[0], message)
                    elif parts[0] == "criteria" and len(parts) > 2:
                        form = kept[int(parts[1])][1]
                        field = parts[2] if parts[2] in form.fields else None
                        for message in errors:
                            form.add_error(field, message)
                    else:
                        for message in errors:
                            scale_form.add_error(None, message)
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect("scoring:grid", slug=campaign.slug)
            except DomainError as exc:
                _raise_http(exc)
            else:
                messages.success(request, _("La grille d'évaluation est enregistrée."))
                return redirect("scoring:grid", slug=campaign.slug)
        status = 400
    elif editable:
        scale_form = GridScaleForm(
            initial={"scale_min": scoring_grid.scale_min, "scale_max": scoring_grid.scale_max}
        )
        formset = CriterionFormSet(initial=_criterion_initial(criteria), prefix="criteres")
    total_weight = sum((c.weight for c in criteria), start=0)
    return render(
        request,
        "scoring/grid.html",
        {
            "title": _("Grille d'évaluation — %(campaign)s") % {"campaign": campaign.name},
            "campaign": campaign,
            "grid": scoring_grid,
            "criteria": criteria,
            "total_weight": total_weight,
            "locked": locked,
            "editable": editable,
            "can_edit": can_edit_grid.test(user),
            "scale_form": scale_form,
            "formset": formset,
        },
        status=status,
    )


urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("dossiers/<int:pk>/", dossier_workspace, name="dossier"),
    path("dossiers/<int:pk>/mon-evaluation/", save_my_review, name="review"),
    path("dossiers/<int:pk>/relecteurs/", assign_reviewer, name="assign"),
    path(
        "dossiers/<int:pk>/relecteurs/<int:user_id>/retirer/",
        unassign_reviewer,
        name="unassign",
    ),
    path("dossiers/<int:pk>/conflit/", declare_conflict, name="conflict"),
    path("dossiers/<int:pk>/commentaires/", add_comment, name="comment"),
    path("dossiers/<int:pk>/depots/<int:a>/<int:b>/", snapshot_diff, name="diff"),
    path("campagnes/<slug:slug>/classement/", ranking, name="ranking"),
    path("campagnes/<slug:slug>/grille/", grid, name="grid"),
]
