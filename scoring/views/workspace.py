"""The instruction workspace: the staff dashboard of a campaign's dossiers, the review
panel of the dossier page (its reviews, reviewers, conflicts, internal comments:
scoring.panels, decision 0054) and its forms, the changes between two submissions.

Views only shape input and output: every rule is enforced by scoring.domain (the API
calls the same functions); domain errors reach their page through common.views. Each
page runs a fixed number of queries whatever the number of dossiers."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

from accounts.models import User
from campaign.queries import visible_campaigns
from common.errors import Conflict
from common.once import once_redirect
from common.views import DomainFormMixin
from dossiers.domain.access import visible_dossiers, with_page_relations
from dossiers.domain.diff import diff_snapshots
from dossiers.domain.transitions import available_transitions
from dossiers.enums import DossierState as S
from dossiers.models import Dossier, Project, Snapshot
from dossiers.queries import page_snapshots
from dossiers.views.staff import dossier_page
from scoring import queries
from scoring.domain import aggregate as aggregates
from scoring.domain import assignments, comments, reviews
from scoring.domain.grid import grid_and_criteria
from scoring.forms import AssignReviewerForm, ConflictForm, InternalCommentForm, ReviewForm
from scoring.rules import (
    can_assign_reviewers,
    can_declare_conflict,
    can_read_ars_only_comments,
    can_view_all_reviews,
)
from scoring.views.mixins import StaffDossierMixin

DASHBOARD_PAGE_SIZE = 50


# The review panel's key on the dossier page (dossiers.panels), and the anchor of the
# page's instruction area.
PANEL_KEY = "evaluation"
PANEL_ANCHOR = "instruction"


def workspace_url(dossier, anchor=""):
    """The dossier page (where the instruction panels are), at `anchor`."""
    return reverse("dossiers:detail", args=[dossier.pk]) + (f"#{anchor}" if anchor else "")


def transition_links(dossier, user):
    """[(name, label, url)] of the transitions this user may fire."""
    return [
        (name, label, reverse("dossiers:transition", args=[dossier.pk, name]))
        for name, label in available_transitions(dossier, user)
    ]


class DashboardView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The staff's home: a campaign's dossiers by state, one's own assignments and, for
    the ARS, what is late or missing."""

    permission_required = "scoring.use_workspace"

    def get(self, request):
        user = request.user
        campaigns = list(visible_campaigns(user).order_by("-opens_at"))
        slug = request.GET.get("campagne")
        campaign = next(
            (c for c in campaigns if c.slug == slug), campaigns[0] if campaigns else None
        )
        context = {
            "title": _("Instruction des dossiers"),
            "campaigns": campaigns,
            "campaign": campaign,
        }
        if campaign is None:
            return render(request, "scoring/dashboard.html", context)
        is_ars = can_view_all_reviews.test(user, campaign)
        # The diagnostic and SWOT documents are not shown here: not loaded for the listed rows.
        base = visible_dossiers(
            user, Dossier.objects.filter(campaign=campaign).defer("diagnostic", "swot")
        )
        state_filter = request.GET.get("etat")
        if state_filter not in S.values:
            state_filter = None
        counts, total = queries.state_counts(base)
        mine, todo = queries.my_assignments(user, campaign)
        today = timezone.localdate()
        context.update(
            is_ars=is_ars,
            state_filter=state_filter,
            state_counts=counts,
            total=total,
            today=today,
            page=queries.dossier_listing_page(
                base,
                state_filter,
                request.GET.get("page"),
                DASHBOARD_PAGE_SIZE,
                # Known from the tiles (which count every staff state; `total`: all).
                count=next((n for s, _l, n in counts if s == state_filter), None)
                if state_filter
                else total,
            ),
            my_assignments=mine,
            my_todo=todo,
        )
        if is_ars:
            context.update(queries.ars_overview(campaign, today))
        return render(request, "scoring/dashboard.html", context)


class Workspace:
    """Everything the review workspace of one dossier shows to one user."""

    def __init__(self, request, dossier, page=None):
        self.request, self.user = request, request.user
        # Loaded by the page (dossiers.views.staff: campaign, filière).
        self.dossier = dossier
        # What the dossier page has already read (dossiers.panels.PageData), or None.
        self.page = page
        self.grid, self.criteria = grid_and_criteria(self.dossier.campaign_id)
        self.is_ars = can_view_all_reviews.test(self.user, self.dossier)
        self.can_assign = can_assign_reviewers.test(self.user, self.dossier)
        # Plain values (scoring.queries): the panel shows names and dates only.
        self.assignments = queries.panel_assignments(self.dossier.pk)
        # In the model's order (one dossier: by date).
        self.conflicts = queries.panel_conflicts(
            self.dossier.pk, reviewer_id=None if self.is_ars else self.user.pk
        )
        self.my_conflict = next((c for c in self.conflicts if c.reviewer_id == self.user.pk), None)
        self.my_assignment = next(
            (a for a in self.assignments if a.reviewer_id == self.user.pk), None
        )
        self.reviews = reviews.dossier_reviews(self.dossier, self.user, criteria=self.criteria)
        self.my_review, self.access = self.reviews.own, self.reviews.access

    @cached_property
    def projects(self):
        """The dossier's sheets, for the review form only (an opinion per sheet)."""
        return sorted(
            Project.objects.filter(dossier_id=self.dossier.pk),
            key=lambda p: (p.priority is None, p.priority or 0, p.id),
        )

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
        if self.is_ars:  # every assignment and conflict of the dossier is loaded
            excluded = {a.reviewer_id for a in self.assignments}
            excluded |= {c.reviewer_id for c in self.conflicts}
            return AssignReviewerForm(
                data, eligible_choices=assignments.eligible_reviewer_choices(self.dossier, excluded)
            )
        return AssignReviewerForm(data, eligible=list(assignments.eligible_reviewers(self.dossier)))

    def conflict_form(self, data=None):
        if not can_declare_conflict.test(self.user, self.dossier) or self.my_conflict is not None:
            return None
        return ConflictForm(data)

    def comment_form(self, data=None):
        return InternalCommentForm(
            data, can_restrict=can_read_ars_only_comments.test(self.user, self.dossier)
        )

    def assignment_rows(self):
        by_reviewer = {r.reviewer_id: r for r in self.reviews.every}
        return [(a, by_reviewer.get(a.reviewer_id)) for a in self.assignments]

    def snapshots(self):
        if self.page is not None:
            items = self.page.snapshots
        else:
            items = page_snapshots(self.dossier)
        return [(item, items[index - 1] if index else None) for index, item in enumerate(items)]

    def context(
        self,
        *,
        review_form=None,
        assign_form=None,
        conflict_form=None,
        comment_form=None,
        confirm_review=False,
    ):
        visible = self.reviews.visible
        others = [r for r in visible if r.reviewer_id != self.user.pk]
        aggregate = None
        if self.access == reviews.ACCESS_ALL:
            # `visible`: every submitted review (ACCESS_ALL), what the aggregate reads.
            aggregate = aggregates.dossier_aggregate(
                self.dossier,
                grid=self.grid,
                criteria=self.criteria,
                submitted=visible,
                projects={p["id"]: (p["title"], p["priority"]) for p in self.page.projects}
                if self.page is not None
                else None,
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
            "dossier": self.dossier,
            "grid": self.grid,
            "criteria": self.criteria,
            "is_ars": self.is_ars,
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
            "comments": queries.panel_comments(self.dossier, self.user),
            "snapshots": self.snapshots(),
            "reviewable_states": reviews.REVIEWABLE_STATES,
            "confirm_review": confirm_review,
        }

    def render(self, status=200, **forms):
        """The dossier page with this panel's forms shown again (`forms`: the context()
        keywords: bound forms, confirm_review), the other panels as they are."""
        dossier = with_page_relations(Dossier.objects.all()).get(pk=self.dossier.pk)
        return dossier_page(self.request, dossier, status=status, panels={PANEL_KEY: forms})


def panel_context(request, dossier, page=None, **forms):
    """The review panel of the dossier page (scoring.panels)."""
    return Workspace(request, dossier, page=page).context(**forms)


class WorkspaceView(StaffDossierMixin, View):
    """The former instruction workspace: its panels are on the dossier page now
    (decision 0054); old links and e-mails land there."""

    http_method_names = ["get", "head"]

    def get(self, request, pk):
        return redirect(workspace_url(self.dossier, PANEL_ANCHOR))


class WorkspaceFormView(StaffDossierMixin, DomainFormMixin, View):
    """A form of the workspace (POST only): on success back to the workspace at its
    section; a refusal is shown on the form, in the workspace, with what was typed
    (400, or 409 when the dossier's state or a conflict says no)."""

    http_method_names = ["post"]
    conflicts_on_form = True
    form_name = ""  # the Workspace.context() keyword of this form
    anchor = ""

    def apply_domain_errors(self, form, exc):
        super().apply_domain_errors(form, exc)
        if isinstance(exc, Conflict):
            # The form may no longer be shown (the state changed): the message always is.
            messages.error(self.request, exc.message)

    def form_invalid(self, form, status=400):
        return Workspace(self.request, self.dossier).render(status=status, **{self.form_name: form})

    def done(self, message):
        messages.success(self.request, message)
        return redirect(workspace_url(self.dossier, self.anchor))


class ReviewView(WorkspaceFormView):
    """One's own review: saved as a draft, or submitted (then read-only)."""

    form_name = "review_form"
    anchor = "mon-evaluation"

    def post(self, request, pk):
        workspace = Workspace(request, self.dossier)
        if not workspace.can_write_review:
            # Say why (403: not a reviewer or not assigned; 409: state, conflict, submitted).
            reviews.ensure_can_review(self.dossier, request.user)
        form = self.domain_form = ReviewForm(
            request.POST,
            grid=workspace.grid,
            criteria=workspace.criteria,
            projects=workspace.projects,
        )
        submit = request.POST.get("action") == "submit"
        if not form.is_valid():
            return self.form_invalid(form)
        if submit and not form.cleaned_data.get("confirm_submit"):
            # Confirmed in the DSFR modal (static/js/app.js adds confirm_submit); without
            # JavaScript, the page asks here, above the form, what was typed kept.
            return Workspace(request, self.dossier).render(
                status=200, review_form=form, confirm_review=True
            )
        reviews.save_review(self.dossier, request.user, form.review_data(), submit=submit)
        if submit:
            return self.done(
                _(
                    "Votre évaluation est soumise. Les évaluations des autres relecteurs "
                    "vous sont désormais visibles."
                )
            )
        return self.done(_("Votre évaluation est enregistrée (brouillon)."))


class AssignView(WorkspaceFormView):
    form_name = "assign_form"
    anchor = "relecteurs"

    def post(self, request, pk):
        if not can_assign_reviewers.test(request.user, self.dossier):
            raise PermissionDenied
        form = self.domain_form = AssignReviewerForm(
            request.POST, eligible=list(assignments.eligible_reviewers(self.dossier))
        )
        if not form.is_valid():
            return self.form_invalid(form)
        reviewer = form.cleaned_data["reviewer"]

        def assign():
            assignments.assign_reviewer(self.dossier, request.user, reviewer)
            return self.done(
                _("Le dossier est attribué à %(user)s, qui en est averti par courriel.")
                % {"user": reviewer}
            ).url

        return once_redirect(request, assign, _("Ce relecteur était déjà désigné."), form=form)


class UnassignView(WorkspaceFormView):
    anchor = "relecteurs"

    def post(self, request, pk, user_id):
        if not can_assign_reviewers.test(request.user, self.dossier):
            raise PermissionDenied
        reviewer = User.objects.filter(pk=user_id).first()
        if reviewer is None:
            raise Http404
        assignments.unassign_reviewer(self.dossier, request.user, reviewer)
        return self.done(_("L'attribution à %(user)s est retirée.") % {"user": reviewer})


class ConflictView(WorkspaceFormView):
    form_name = "conflict_form"
    anchor = "relecteurs"

    def post(self, request, pk):
        if not can_declare_conflict.test(request.user, self.dossier):
            raise PermissionDenied
        form = self.domain_form = ConflictForm(request.POST)
        if not form.is_valid():
            return self.form_invalid(form)

        def declare():
            assignments.declare_conflict(self.dossier, request.user, form.cleaned_data["reason"])
            return self.done(
                _(
                    "Votre conflit d'intérêts est enregistré : vous ne pouvez plus évaluer ce "
                    "dossier. L'ARS en est avertie."
                )
            ).url

        return once_redirect(
            request, declare, _("Ce conflit d'intérêts était déjà déclaré."), form=form
        )


class CommentView(WorkspaceFormView):
    form_name = "comment_form"
    anchor = "commentaires"

    def post(self, request, pk):
        form = self.domain_form = InternalCommentForm(
            request.POST,
            can_restrict=can_read_ars_only_comments.test(request.user, self.dossier),
        )
        if not form.is_valid():
            return self.form_invalid(form)

        def add():
            comments.add_comment(
                self.dossier,
                request.user,
                form.cleaned_data["text"],
                ars_only=form.cleaned_data.get("ars_only", False),
            )
            return self.done(_("Commentaire interne ajouté.")).url

        return once_redirect(request, add, _("Ce commentaire était déjà ajouté."), form=form)


class SnapshotDiffView(StaffDossierMixin, View):
    """What changed between two submissions of the dossier."""

    def get(self, request, pk, a, b):
        found = {
            s.number: s
            for s in Snapshot.objects.filter(
                dossier=self.dossier, number__in=[a, b]
            ).select_related("created_by")
        }
        if a not in found or b not in found:
            raise Http404
        old, new = found[a], found[b]
        return render(
            request,
            "scoring/snapshot_diff.html",
            {
                "title": _("Changements entre les dépôts n° %(a)d et n° %(b)d") % {"a": a, "b": b},
                "dossier": self.dossier,
                "old": old,
                "new": new,
                "diff": diff_snapshots(old.content, new.content),
            },
        )
