"""Staff side: the list of dossiers (CARESP and ARS) and the one dossier page (anyone
who may see the dossier; for the staff, with the instruction panels of dossiers.panels),
with its submitted snapshots."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

from accounts.display import shown_to_applicants
from accounts.rules import is_internal_staff
from common.views import DomainFormMixin
from dossiers import queries
from dossiers.domain import due_dates
from dossiers.domain.access import with_page_relations
from dossiers.domain.receipts import build_receipt
from dossiers.domain.serialize import dossier_document, readable_json
from dossiers.domain.totals import ZERO, dossier_totals
from dossiers.domain.transitions import available_transitions
from dossiers.enums import (
    SUBMITTED_STATES,
    DossierState,
    LineNature,
    Mission,
    Section,
)
from dossiers.forms import DueDateForm
from dossiers.forms_projects import DossierFilterForm
from dossiers.models import Dossier
from dossiers.panels import PageData, render_panels
from dossiers.rules import (
    TRANSITION_PERMISSIONS,
    can_view_decision,
    can_view_proposals,
    is_dossier_editor,
)
from dossiers.views.mixins import DossierMixin

PAGE_SIZE = 50

# --------------------------------------------------------------------------- list


class DossierListView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """The staff's list of dossiers, filtered, one page at a time, with its totals."""

    http_method_names = ["get", "head"]
    permission_required = "dossiers.list_dossiers"
    permission_denied_message = gettext_lazy(
        "Cette page est réservée aux équipes de l'ARS et de la CARESP."
    )

    def get(self, request):
        form = DossierFilterForm(request.GET or None, user=request.user)
        filters = {}
        if form.is_bound:
            form.is_valid()
            filters = getattr(form, "cleaned_data", {})
        queryset = queries.filtered_dossiers(request.user, **filters)
        page, totals = queries.list_page(queryset, request.GET.get("page"), PAGE_SIZE)
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "dossiers/list.html",
            {
                "form": form,
                "page_obj": page,
                "dossiers": page.object_list,
                "totals": totals,
                "count": page.paginator.count,
                "query": query.urlencode(),
                "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
                "title": _("Dossiers"),
            },
        )


# --------------------------------------------------------------------------- document


def _sum(values):
    return sum((Decimal(v) for v in values if v not in (None, "")), ZERO)


def _present(doc, *, per_project_totals=None):
    """Add what the sheets show to a dossier document (live or snapshot: their mission
    labels and sums) and return it. The document is the caller's own (dossier_document
    builds a new one, the snapshot page reads its snapshot for the request): a deep copy
    here was a tenth of a large dossier's page. The identity, diagnostic and SWOT are
    shown from the document by dossier_display's section tags (decision 0064)."""
    doc["identity"] = doc.get("identity") or {}
    # Plain strings: the sheets' lists escape them, forty sheets of lazy labels cost more.
    mission_labels = {code: str(label) for code, label in Mission.choices}
    for project in doc.get("projects") or []:
        project["mission_labels"] = [
            mission_labels.get(code, code) if isinstance(code, str) else code
            for code in project.get("missions") or []
        ]
        if per_project_totals is not None:
            sums = per_project_totals.get(project["id"]) or {}
            project["sums"] = {
                key: sums.get(key, ZERO)
                for key in ("requested_recurring", "requested_one_off")
                + ("proposed_recurring", "proposed_one_off", "granted_recurring", "granted_one_off")
            }
        else:
            lines = project.get("lines") or []
            project["sums"] = {
                f"{field}_{kind}": _sum(
                    line.get(field if field != "requested" else "amount")
                    for line in lines
                    if line.get("nature") == nature
                )
                for field in ("requested", "proposed", "granted")
                for kind, nature in (
                    ("recurring", LineNature.RECURRING),
                    ("one_off", LineNature.ONE_OFF),
                )
            }
    return doc


def _staff_view(user, dossier):
    """Internal staff reading someone else's dossier: sees proposals and internal history.
    A filière's own editors never do, whatever other role they hold."""
    return is_internal_staff.test(user, dossier) and not is_dossier_editor.test(user, dossier)


class DossierDetailView(DossierMixin, View):
    """The read-only dossier page, for whoever may see the dossier."""

    http_method_names = ["get", "head"]
    dossier_queryset = with_page_relations(Dossier.objects.all())

    def get(self, request, pk):
        return dossier_page(request, self.dossier)


def document_context(user, dossier, totals=None):
    """What dossiers/detail_document.html needs to show the dossier's content to this
    person (the one dossier page, decision 0054). `totals`: dossier_totals(), when the
    caller has them; each sheet's sums are added up from the lines the page reads."""
    show_proposal = can_view_proposals.test(user, dossier)
    show_grant = can_view_decision.test(user, dossier)
    overall = totals or dossier_totals(dossier)
    per_project = {}
    if not show_proposal:
        overall = {k: v for k, v in overall.items() if not k.startswith("proposed")}
    if not show_grant:
        overall = {k: v for k, v in overall.items() if not k.startswith("granted")}
    document = dossier_document(
        dossier,
        show_proposal=show_proposal,
        show_grant=show_grant,
        attachments=False,
        read_values=True,
        sheet_sums=per_project,
    )
    return {
        "doc": _present(document, per_project_totals=per_project),
        "live": True,
        "totals": overall,
        "show_proposal": show_proposal,
        "show_grant": show_grant,
    }


def _action_buttons(dossier, user, *, editor, can_edit, transitions):
    """The page's row of actions: one size, the first one primary, the others secondary
    (withdrawing: tertiary). [{"label", "url", "kind"}]; url None: shown disabled."""
    items = []
    if can_edit:
        items.append(
            {
                "label": _("Modifier le dossier"),
                "url": reverse("dossiers:edit", args=[dossier.pk]),
                "icon": "fr-icon-edit-line",
            }
        )
        items.append(
            {
                "label": _("Projet territorial"),
                "url": reverse("dossiers:projects", args=[dossier.pk]),
            }
        )
        items.append(
            {
                "label": _("Vérifier avant dépôt"),
                "url": reverse("dossiers:check", args=[dossier.pk]),
            }
        )
    for action in transitions:
        items.append({**action, "tertiary": action["name"] == "withdraw"})
    primary_given = False
    for item in items:
        if item.get("tertiary"):
            item["kind"] = "tertiary"
        elif not primary_given and item.get("url"):
            item["kind"], primary_given = "primary", True
        else:
            item["kind"] = "secondary"
    return items


def dossier_page(request, dossier, *, status=200, panels=None):
    """The one page of a dossier, for whoever may see it (decision 0054): its situation,
    its actions, the instruction panels of the apps above (dossiers.panels: the staff of
    the dossier's region, never the filière's own editors), its content, its deposits
    and its history. `panels`: {panel key: overrides}, a panel's refused form shown
    again (its view answers with `status`)."""
    user = request.user
    staff_view = _staff_view(user, dossier)
    decided = dossier.state == DossierState.DECIDED
    if staff_view:
        history = queries.staff_history(dossier)
    else:
        history = [
            entry
            for entry in dossier.history.select_related("by").order_by("at", "id")
            if entry.is_public
        ]
        for entry in history:
            # The filière reads who acted by role for the staff (« l'ARS »), never a login.
            entry.by_label = shown_to_applicants(entry.by, dossier.region_id)
    editor = is_dossier_editor.test(user, dossier)
    transitions = [
        {
            "name": name,
            "label": label,
            "url": reverse("dossiers:transition", args=[dossier.pk, name]),
        }
        for name, label in available_transitions(dossier, user)
        # Past the due date, resubmitting is refused: no button that leads to a refusal.
        if not (name == "resubmit" and dossier.completion_overdue())
    ]
    can_edit = editor and dossier.is_editable and not dossier.completion_overdue()
    overdue = dossier.completion_overdue()
    totals = dossier_totals(dossier)
    snapshots = queries.page_snapshots(dossier)
    document = document_context(user, dossier, totals)
    return render(
        request,
        "dossiers/detail.html",
        {
            "dossier": dossier,
            **document,
            "staff_view": staff_view,
            "territories": queries.filiere_territories(dossier.filiere_id),
            "snapshots": snapshots,
            "history": history,
            "actions": _action_buttons(
                dossier, user, editor=editor, can_edit=can_edit, transitions=transitions
            ),
            "can_edit": can_edit,
            "completion_overdue": overdue,
            "due_date_url": reverse("dossiers:due_date", args=[dossier.pk])
            if staff_view
            and dossier.state == DossierState.RETURNED
            and TRANSITION_PERMISSIONS["return_for_completion"].test(user, dossier)
            else None,
            # The instruction, for the staff only; each panel says who may see it.
            "panels": render_panels(
                request,
                dossier,
                panels,
                PageData(totals=totals, snapshots=snapshots, projects=document["doc"]["projects"]),
            )
            if staff_view
            else [],
            # A panel's refused form (its forms are in the panel's context, not the page's):
            # the title says « Erreur : » (common.templatetags.page_errors).
            "page_error": status >= 400,
            "sections": Section,
            "title": dossier.display_name,
            "letter_url": reverse("outputs:dossier_letter", args=[dossier.pk]) if decided else None,
            "print_url": reverse("outputs:dossier_print", args=[dossier.pk])
            if dossier.state in SUBMITTED_STATES | {DossierState.WITHDRAWN}
            else None,
        },
        status=status,
    )


class SnapshotView(DossierMixin, View):
    """What was submitted, as it was submitted."""

    http_method_names = ["get", "head"]

    def get(self, request, pk, number):
        return snapshot_page(request, self.dossier, number)


def readable_snapshot(request, dossier, number):
    """A deposit of the dossier, for its editors and the staff (404 for anyone else)."""
    user = request.user
    if not (is_internal_staff.test(user, dossier) or is_dossier_editor.test(user, dossier)):
        raise Http404
    snapshot = dossier.snapshots.select_related("created_by").filter(number=number).first()
    if snapshot is None:
        raise Http404(_("Dépôt introuvable."))
    return snapshot


class ReceiptView(DossierMixin, View):
    """The receipt of a deposit (récépissé): number, date and time, what was submitted,
    the snapshot's SHA-256. Shown right after submitting, and linked from the dossier."""

    http_method_names = ["get", "head"]

    def get(self, request, pk, number):
        dossier = self.dossier
        snapshot = readable_snapshot(request, dossier, number)
        return render(
            request,
            "dossiers/receipt.html",
            {
                "dossier": dossier,
                "snapshot": snapshot,
                "receipt": build_receipt(dossier, snapshot),
                "staff_view": _staff_view(request.user, dossier),
                "title": _("Récépissé du dépôt n° %(number)d — %(name)s")
                % {"number": snapshot.number, "name": dossier.display_name},
            },
        )


def snapshot_page(request, dossier, number):
    user = request.user
    snapshot = readable_snapshot(request, dossier, number)
    # The snapshot was read for this request (readable_snapshot): its content is this
    # page's own to mask and present, no copy needed (a large one's took 2 ms).
    content = snapshot.content
    if not can_view_proposals.test(user, dossier):
        # Snapshots hold what the applicant submitted; never show internal figures anyway.
        for project in content.get("projects") or []:
            for line in project.get("lines") or []:
                for key in ("proposed", "proposal_opinion", "granted", "start_month"):
                    line[key] = None
    # What was deposited, as stored (before _present adds its display lists to `content`).
    deposited_json = readable_json(content)
    totals = content.get("totals") or {}
    doc = _present(content)
    attachments = content.get("attachments") or []
    by_part = {}
    for attachment in attachments:
        key = attachment.get("section")
        if key == Section.PROJECTS and attachment.get("project"):
            key = f"project-{attachment['project']}"
        by_part.setdefault(key, []).append(attachment)
    for project in doc.get("projects") or []:
        project["attachment_list"] = by_part.get(f"project-{project['id']}", [])
    doc["attachment_lists"] = {section: by_part.get(section, []) for section in Section.values}
    return render(
        request,
        "dossiers/snapshot.html",
        {
            "dossier": dossier,
            "snapshot": snapshot,
            "doc": doc,
            "live": False,
            "show_proposal": False,
            "show_grant": False,
            "totals": totals,
            "json": deposited_json,
            "staff_view": _staff_view(user, dossier),
            "title": _("Dépôt n° %(number)d — %(name)s")
            % {"number": snapshot.number, "name": dossier.display_name},
        },
    )


class DueDateView(DossierMixin, DomainFormMixin, View):
    """An ARS instructor extends the due date of a returned dossier's completion request
    (dossiers.domain.due_dates.extend_due_date)."""

    conflicts_on_form = True

    def check_permission(self):
        if not TRANSITION_PERMISSIONS["return_for_completion"].test(
            self.request.user, self.dossier
        ):
            raise PermissionDenied(
                _("Seuls les instructeurs de l'ARS prolongent le délai de réponse.")
            )

    def get(self, request, pk):
        self.check_permission()
        return self.render_page(DueDateForm())

    def post(self, request, pk):
        self.check_permission()
        form = self.domain_form = DueDateForm(request.POST)
        if not form.is_valid():
            return self.form_invalid(form)
        dossier = due_dates.extend_due_date(
            self.dossier, request.user, form.cleaned_data["due_date"], form.cleaned_data["reason"]
        )
        messages.success(
            request,
            _("Délai de réponse prolongé jusqu'au %(date)s ; le porteur en est informé.")
            % {"date": formats.date_format(dossier.return_due_date, "j F Y")},
        )
        return redirect(reverse("dossiers:detail", args=[dossier.pk]) + "#demande-de-complements")

    def form_invalid(self, form, status=400):
        return self.render_page(form, status=status)

    def render_page(self, form, status=200):
        return render(
            self.request,
            "dossiers/due_date.html",
            {
                "title": _("Prolonger le délai de réponse"),
                "dossier": self.dossier,
                "form": form,
                "overdue": self.dossier.completion_overdue(),
            },
            status=status,
        )
