"""Budget pages (ARS staff only): dashboard and envelopes, proposal, decision, delegations.

Every page checks its permission on the server and calls the budget's domain
(budget.domain) and read model (budget.queries); refusals come back as the domain's
French messages, with what was typed kept (common.views.DomainFormMixin)."""

import datetime as dt
import re
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Count, Min, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

from budget import enums, queries
from budget.domain import decisions, delegations, envelopes, proposals
from budget.forms import AmendmentForm, DecisionForm, DelegationForm, ProposalForm
from budget.models import EnvelopeKind
from budget.rules import (
    can_amend_envelope,
    can_decide,
    can_propose,
    can_record_delegation,
)
from campaign.queries import visible_campaigns
from campaign.views.mixins import CampaignMixin
from common.errors import Forbidden
from common.money import format_eur
from common.once import once_redirect
from common.views import DomainFormMixin
from dossiers.enums import DossierState, LineNature
from dossiers.views.mixins import DossierMixin

ARS_ONLY = gettext_lazy("Réservé aux agents de l'ARS.")


class BudgetPermissionMixin(PermissionRequiredMixin):
    """Budget pages: ARS roles only (CARESP and filières get 403). A view sets
    `permission_object()`; forms are shown again with the domain's refusal (400, or
    409 when an envelope or a state says no), what was typed kept."""

    permission_required = "budget.view_budget"
    permission_denied_message = ARS_ONLY


class ArsPageMixin(CampaignMixin, BudgetPermissionMixin, DomainFormMixin):
    conflicts_on_form = True

    def get_permission_object(self):
        return self.campaign


class ArsDossierMixin(DossierMixin, BudgetPermissionMixin, DomainFormMixin):
    """A dossier page for ARS roles: 404 if the user may not know it, 403 if not ARS."""

    conflicts_on_form = True

    def get_permission_object(self):
        return self.dossier

    def sheets(self):
        return queries.sheets_with_lines(self.dossier)


# ---------------------------------------------------------------- dashboard


def chart_years(by_year):
    """Geometry of the per-year bar chart (inline SVG, no script): numbers only."""
    width, height, top, bottom, left = 640, 260, 20, 40, 10
    plot_height = height - top - bottom
    peak = max([row["recurring_envelope"] for row in by_year] + [row["total"] for row in by_year])
    peak = peak or Decimal(1)
    slot = (width - left) / max(len(by_year), 1)
    bar = slot * 0.3

    def y(value):
        return top + plot_height - float(value / peak) * plot_height

    bars = []
    for index, row in enumerate(by_year):
        x = left + index * slot + slot * 0.15
        for offset, key in ((0, "recurring"), (bar, "one_off")):
            top_y = y(row[key])
            bars.append(
                {
                    "kind": key,
                    "x": round(x + offset, 1),
                    "y": round(top_y, 1),
                    "width": round(bar, 1),
                    "height": round(top + plot_height - top_y, 1),
                    "label": f"{row['year']} — {format_eur(row[key])}",
                }
            )
    envelope = by_year[0]["recurring_envelope"] if by_year else Decimal(0)
    return {
        "width": width,
        "height": height,
        "baseline": top + plot_height,
        "bars": bars,
        "years": [
            {"x": round(left + i * slot + slot / 2, 1), "year": row["year"]}
            for i, row in enumerate(by_year)
        ],
        "envelope_y": round(y(envelope), 1),
        "envelope": envelope,
        "legend_y": height - 8,
    }


DOSSIERS_PER_PAGE = 50


def dashboard_context(request, campaign, amendment_forms=None):
    envelopes, amendments = queries.dashboard_envelopes(campaign)
    summary = queries.budget_summary(campaign, envelopes)
    # One page of the per-dossier table; its sums are computed for that page only.
    page = queries.dossier_amounts_page(campaign, request.GET.get("page"), DOSSIERS_PER_PAGE)
    may_amend = can_amend_envelope.test(request.user, campaign)
    forms = amendment_forms or {}
    envelope_rows = []
    for kind, label in EnvelopeKind.choices:
        envelope = next((e for e in envelopes if e.kind == kind), None)
        form = forms.get(kind) or AmendmentForm(prefix=kind)
        envelope_rows.append(
            {
                "kind": kind,
                "label": label,
                "totals": summary["envelopes"][kind],
                "envelope": envelope,
                "amendments": amendments[kind] if envelope else [],
                "form": form if may_amend else None,
            }
        )
    return {
        "title": _("Budget — %(campaign)s") % {"campaign": campaign.name},
        "campaign": campaign,
        "campaigns": list(visible_campaigns(request.user).values("pk", "slug", "name")),
        "summary": summary,
        "envelope_rows": envelope_rows,
        "dossiers": page.object_list,
        "dossier_page": page,
        "chart": chart_years(summary["by_year"]),
        "may_propose": can_propose.test(request.user, campaign),
        "may_decide": can_decide.test(request.user, campaign),
        "ars_analysis": DossierState.ARS_ANALYSIS,
        "decided": DossierState.DECIDED,
    }


class BudgetHomeView(LoginRequiredMixin, BudgetPermissionMixin, View):
    """The nav's "Budget" entry: the most recent campaign's dashboard."""

    def get(self, request):
        campaign = visible_campaigns(request.user).order_by("-opens_at").first()
        if campaign is None:
            return render(request, "budget/no_campaign.html", {"title": _("Budget")}, status=200)
        return redirect("budget:dashboard", slug=campaign.slug)


class BudgetDashboardView(ArsPageMixin, View):
    def get(self, request, slug):
        return render(request, "budget/dashboard.html", dashboard_context(request, self.campaign))


class EnvelopeAmendView(ArsPageMixin, View):
    """On the budget dashboard, whose figures are ARS business: who may read it and amend
    (a regional administrator amends from the campaign's set-up page, setup.views)."""

    http_method_names = ["post"]
    permission_required = ("budget.view_budget", "budget.amend_envelope")
    permission_denied_message = gettext_lazy(
        "Modification réservée à l'administrateur et au décideur."
    )

    def post(self, request, slug, kind):
        if kind not in enums.KINDS:
            raise Http404
        form = self.domain_form = AmendmentForm(request.POST, prefix=kind)
        if not form.is_valid():
            return self.form_invalid(form)

        def amend():
            envelopes.amend_envelope(
                envelopes.get_envelope(self.campaign, kind),
                request.user,
                form.cleaned_data["new_amount"],
                form.cleaned_data["date"],
                form.cleaned_data["reason"],
            )
            messages.success(request, _("L'enveloppe a été modifiée."))
            return reverse("budget:dashboard", args=[slug]) + "#enveloppes"

        return once_redirect(
            request,
            amend,
            _("Cette modification de l'enveloppe était déjà enregistrée."),
            form=form,
        )

    def form_invalid(self, form, status=400):
        context = dashboard_context(self.request, self.campaign, {self.kwargs["kind"]: form})
        return render(self.request, "budget/dashboard.html", context, status=status)


# ---------------------------------------------------------------- proposal and decision


class ProposalView(ArsDossierMixin, View):
    template_name = "budget/proposal.html"

    def editable(self):
        return (
            can_propose.test(self.request.user, self.dossier)
            and self.dossier.state == DossierState.ARS_ANALYSIS
        )

    def render_page(self, form, status=200):
        lines = form.lines
        context = {
            "title": _("Proposition — %(name)s") % {"name": self.dossier.display_name},
            "dossier": self.dossier,
            "form": form,
            "editable": self.editable(),
            "may_propose": can_propose.test(self.request.user, self.dossier),
            "envelopes": queries.envelope_room(self.dossier, lines, "proposed", minus_pending=True),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render_page(
            ProposalForm(
                sheets=self.sheets(),
                editable=self.editable(),
                version=self.dossier.proposal_version,
            )
        )

    def post(self, request, pk):
        if not can_propose.test(request.user, self.dossier):
            raise Forbidden(_("Seul l'instructeur ARS peut proposer des montants."))
        form = self.domain_form = ProposalForm(request.POST, sheets=self.sheets())
        if not form.is_valid():
            return self.form_invalid(form)
        proposals.propose(
            self.dossier,
            request.user,
            form.domain_lines(),
            project_opinions=form.domain_projects(),
            version=form.cleaned_data.get("version"),
        )
        messages.success(request, _("La proposition a été enregistrée."))
        return redirect("budget:proposal", pk=self.dossier.pk)

    def form_invalid(self, form, status=400):
        return self.render_page(form, status)


class DecisionView(ArsDossierMixin, View):
    template_name = "budget/decision.html"

    def editable(self):
        return (
            can_decide.test(self.request.user, self.dossier)
            and self.dossier.state == DossierState.ARS_ANALYSIS
        )

    def default_start(self):
        planned = self.dossier.campaign.first_delegation_date
        return dt.date(planned.year, planned.month, 1) if planned else None

    def render_page(self, form, status=200):
        context = {
            "title": _("Décision — %(name)s") % {"name": self.dossier.display_name},
            "dossier": self.dossier,
            "form": form,
            "editable": self.editable(),
            "is_decided": self.dossier.state == DossierState.DECIDED,
            "envelopes": queries.envelope_room(
                self.dossier,
                form.lines if self.dossier.state != DossierState.DECIDED else [],
                "granted",
                minus_pending=False,
            ),
            "recurring": LineNature.RECURRING,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        form = DecisionForm(sheets=self.sheets(), default_start=self.default_start())
        if not self.editable():
            for field in form.fields.values():
                field.disabled = True
        return self.render_page(form)

    def post(self, request, pk):
        if not can_decide.test(request.user, self.dossier):
            raise Forbidden(_("Seul le décideur ARS peut enregistrer la décision."))
        form = self.domain_form = DecisionForm(
            request.POST, sheets=self.sheets(), default_start=self.default_start()
        )
        if not form.is_valid():
            return self.form_invalid(form)
        decisions.decide(
            self.dossier,
            request.user,
            form.cleaned_data["outcome"],
            form.domain_lines(),
            form.cleaned_data["comment"],
            recognised=form.cleaned_data["recognised"],
        )
        messages.success(request, _("La décision a été enregistrée ; le porteur en est informé."))
        return redirect("budget:decision", pk=self.dossier.pk)

    def form_invalid(self, form, status=400):
        return self.render_page(form, status)


# ---------------------------------------------------------------- delegations


LINES_PER_PAGE = 50
DELEGATIONS_PER_PAGE = 50


class DelegationsView(ArsPageMixin, View):
    template_name = "budget/delegations.html"

    def render_page(self, campaign, form, status=200):
        # One page of each table (a national campaign has thousands of granted lines):
        # a fixed number of queries whatever the size of the campaign.
        query = self.request.GET
        line_page = queries.delegable_lines_page(campaign, query.get("page"), LINES_PER_PAGE)
        lines = line_page.object_list
        if form is not None:
            form.limit_choices(lines)
        delegations = queries.delegation_rows(campaign)
        summary = queries.campaign_delegation_set(campaign).aggregate(
            total=Sum("amount"), first=Min("date"), count=Count("pk")
        )
        paginator = Paginator(delegations, DELEGATIONS_PER_PAGE)
        paginator.count = summary["count"]
        delegation_page = paginator.get_page(query.get("delegations"))
        context = {
            "title": _("Délégations — %(campaign)s") % {"campaign": campaign.name},
            "campaign": campaign,
            "form": form,
            "lines": lines,
            "line_page": line_page,
            "delegations": delegation_page.object_list,
            "delegation_page": delegation_page,
            "total_delegated": summary["total"] or Decimal(0),
            "first_delegation_date": summary["first"],
        }
        return render(self.request, self.template_name, context, status=status)

    def form(self, campaign, data=None):
        if not can_record_delegation.test(self.request.user, campaign):
            return None
        return DelegationForm(data, lines=queries.delegable_lines(campaign))

    def get(self, request, slug):
        campaign = self.campaign
        form = self.form(campaign)
        line_id = request.GET.get("ligne", "")
        if form is not None and re.fullmatch(r"[0-9]{1,18}", line_id):
            form.initial["line"] = int(line_id)
        return self.render_page(campaign, form)

    def post(self, request, slug):
        form = self.form(self.campaign, request.POST)
        if form is None:
            raise Forbidden(_("Seul le décideur ARS enregistre les délégations."))
        self.domain_form = form
        if not form.is_valid():
            return self.form_invalid(form)
        data = form.cleaned_data

        def record():
            delegations.record_delegation(
                request.user,
                data["line"],
                data["amount"],
                data["date"],
                data["instrument"],
                data["beneficiary_finess"],
            )
            messages.success(request, _("La délégation a été enregistrée."))
            return reverse("budget:delegations", args=[slug])

        return once_redirect(
            request, record, _("Cette délégation était déjà enregistrée."), form=form
        )

    def form_invalid(self, form, status=400):
        return self.render_page(self.campaign, form, status)
