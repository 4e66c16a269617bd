"""The report pages: the report itself (read, with its steps for those who write it and
the ARS's actions), each step's form, the completeness check, the confirmation of an
action, the attachments and the printable report.

Access: anonymous → login page; a report this user may not see → 404
(followup.domain.access); a step's form → 403 for who may see but not write it; every
change goes through a domain function (followup.domain.editing, transitions,
attachments), whose French refusals come back on the form with what was typed."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.rules import is_internal_staff
from campaign.domain.deadline_display import deadline_passed, time_left
from common.errors import Conflict, InvalidInput
from common.once import once_redirect
from common.views import file_download
from followup.domain import attachments as attachment_domain
from followup.domain import exports
from followup.domain import funding as funding_domain
from followup.domain.access import get_visible_report
from followup.domain.diff import diff_documents
from followup.domain.display import funding_lines, report_blocks
from followup.domain.editing import extend_due_date, section_fingerprint, update_report
from followup.domain.serialize import check_report
from followup.domain.transitions import available_transitions, blocked_reason, transition
from followup.domain.types import report_type
from followup.forms import AttachmentForm, DueDateForm, FundingForm, SectionForm, TransitionForm
from followup.rules import can_check_report, can_edit_report, is_report_editor
from followup.workflow import TRANSITIONS

DESCRIPTIONS = {
    "submit": gettext_lazy(
        "Le rapport remis est conservé tel quel et transmis à l'ARS ; il n'est plus modifiable, sauf si l'ARS demande des compléments."
    ),
    "resubmit": gettext_lazy(
        "Le rapport complété est remis à l'ARS ; la version précédente reste consultable."
    ),
    "accept": gettext_lazy(
        "Le rapport est accepté : il compte dans la consolidation régionale et n'est plus modifiable."
    ),
    "return_for_completion": gettext_lazy(
        "Le rapport redevient modifiable par ceux qui l'écrivent, jusqu'à la date indiquée ; ils reçoivent votre message par courriel."
    ),
}


def report_url(report):
    return reverse("followup:report", args=[report.pk])


def step_url(report, key):
    return reverse("followup:step", args=[report.pk, key])


def steps(report):
    """[(key, label)] of the report's steps, in order."""
    rtype = report_type(report.kind)
    items = [(section.key, section.label) for section in rtype.sections]
    if rtype.has_funding:
        items.append(("funding", _("Utilisation des crédits")))
    return items


def grouped_problems(report, problems):
    """[{section, label, url, problems: [{message, url}]}], each linking to its field."""
    groups = []
    for key, label in steps(report):
        items = [
            {"message": p.message, "url": f"{step_url(report, key)}#{_anchor(report, p.field)}"}
            for p in problems
            if p.section == key
        ]
        if items:
            groups.append(
                {"section": key, "label": label, "url": step_url(report, key), "problems": items}
            )
    return groups


def _anchor(report, path):
    if path.startswith("funding."):
        parts = path.split(".")
        return f"id_line_{parts[1]}_{parts[2]}" if len(parts) == 3 else "funding"
    name = path.split(".", 1)[1] if "." in path else path
    parts = name.split(".")
    rtype = report_type(report.kind)
    for field in rtype.fields:
        key = field.key.split(".")
        if parts[: len(key)] == key:
            rest = parts[len(key) :]
            if field.kind == "missions" and rest:
                return f"id_{field.name}__{rest[0]}__status"
            if field.kind == "rows" and len(rest) >= 2:
                return f"id_{field.name}__{rest[0]}__{rest[1]}"
            if field.kind == "counts_by":
                return f"group-{field.name}"
            return f"id_{field.name}"
    return ""


def deadline_context(report):
    deadline = report.deadline()
    return {
        "deadline": deadline,
        "deadline_passed": deadline_passed(deadline),
        "time_left": time_left(deadline),
        "late": report.is_late(),
    }


class ReportMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.report = get_visible_report(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class WriterMixin(ReportMixin):
    """Pages that write the report: 403 for who may not; a GET on a report no longer
    editable goes to the report's page with the reason."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.report = get_visible_report(request.user, kwargs["pk"])
        if not is_report_editor.test(request.user, self.report):
            raise PermissionDenied(_("Vous ne pouvez pas modifier ce rapport."))
        if request.method != "POST" and not can_edit_report.test(request.user, self.report):
            messages.info(
                request,
                _("Le rapport est « %(state)s » : il ne peut plus être modifié.")
                % {"state": self.report.get_state_display()},
            )
            return redirect(report_url(self.report))
        return super(ReportMixin, self).dispatch(request, *args, **kwargs)


class ReportView(ReportMixin, View):
    """The report: its state and deadline, its steps and completeness for those who write
    it, the answers (for the ARS: what changed since last year), the use of funds, the
    attachments, the history and the actions this person may take."""

    template_name = "followup/report.html"
    printable = False

    def get(self, request, pk):
        report = self.report
        user = request.user
        staff = is_internal_staff.test(user, report)
        blocks, baseline_label = report_blocks(report, with_changes=staff or self.printable)
        problems = check_report(report)
        writer = is_report_editor.test(user, report)
        context = {
            "report": report,
            "rtype": report_type(report.kind),
            "title": report.title,
            "blocks": blocks,
            "baseline_label": baseline_label,
            "funding": funding_lines(funding_domain.uses_of(report)) if report.filiere_id else [],
            "funding_totals": funding_domain.funding_totals(report.funding.all())
            if report.filiere_id
            else None,
            "attachments": report.attachments.filter(removed_at__isnull=True).order_by(
                "section", "uploaded_at"
            ),
            "history": report.history.select_related("by").order_by("at", "id"),
            "actions": [
                {
                    "name": name,
                    "label": label,
                    "url": reverse("followup:transition", args=[report.pk, name]),
                }
                for name, label in available_transitions(report, user)
            ],
            "can_edit": can_edit_report.test(user, report),
            "can_extend": report.state == "returned" and can_check_report.test(user, report),
            "writer": writer,
            "staff": staff,
            "steps": [
                {
                    "key": key,
                    "label": label,
                    "url": step_url(report, key),
                    "problems": sum(1 for p in problems if p.section == key),
                }
                for key, label in steps(report)
            ],
            "problem_count": len(problems),
            "snapshots": report.snapshots.defer("content").order_by("number"),
            "resubmission_changes": self.resubmission_changes(report) if staff else None,
            **deadline_context(report),
        }
        return render(
            request, "followup/print.html" if self.printable else self.template_name, context
        )

    @staticmethod
    def resubmission_changes(report):
        """What changed between the last two remittances (a report returned then
        remitted again), or None."""
        last_two = list(report.snapshots.order_by("-number")[:2])
        if len(last_two) < 2:
            return None
        new, old = last_two
        return diff_documents(report.kind, old.content, new.content)


class PrintView(ReportView):
    printable = True


class StepView(WriterMixin, View):
    """One step of the report: a form saved as a draft (every problem of what was typed at
    once, nothing lost), then « Enregistrer et continuer » to the next step."""

    def setup_step(self):
        key = self.kwargs["section"]
        keys = [k for k, _label in steps(self.report)]
        if key not in keys:
            raise Http404(_("Étape inconnue."))
        self.key, self.keys = key, keys
        self.rtype = report_type(self.report.kind)
        self.section = self.rtype.section(key)

    def build(self, data=None):
        fingerprint = section_fingerprint(self.report, self.key)
        if self.key == "funding":
            return FundingForm(
                data=data, uses=funding_domain.uses_of(self.report), fingerprint=fingerprint
            )
        return SectionForm(
            data=data, section=self.section, content=self.report.content, fingerprint=fingerprint
        )

    def get(self, request, pk, section):
        self.setup_step()
        return self.render_page(self.build())

    def post(self, request, pk, section):
        self.setup_step()
        form = self.build(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        sent = form.cleaned_data.get("fingerprint") or ""
        # The page's fingerprint of the step: a co-editor's save meanwhile is a conflict.
        fingerprint = (self.key, sent) if sent else None
        try:
            if self.key == "funding":
                update_report(
                    self.report,
                    request.user,
                    funding=form.to_funding(),
                    fingerprint=fingerprint,
                    french=True,
                )
            else:
                update_report(
                    self.report, request.user, content=form.to_content(), fingerprint=fingerprint
                )
        except Conflict as exc:
            return self.render_page(form, conflict=exc.message, status=409)
        except InvalidInput as exc:
            form.apply_errors(exc.errors)
            return self.render_page(form, status=400)
        messages.success(request, _("Brouillon enregistré."))
        index = self.keys.index(self.key)
        if "continue" in request.POST:
            if index + 1 < len(self.keys):
                return redirect(step_url(self.report, self.keys[index + 1]))
            return redirect(reverse("followup:check", args=[self.report.pk]))
        return redirect(step_url(self.report, self.key))

    def render_page(self, form, *, conflict=None, status=200):
        report = self.report
        index = self.keys.index(self.key)
        all_steps = steps(report)
        problems = [p for p in check_report(report) if p.section == self.key]
        summary = []
        for message in form.non_field_errors():
            summary.append({"anchor": None, "text": message})
        for field in form:
            for message in field.errors:
                summary.append({"anchor": field.auto_id, "text": f"{field.label} : {message}"})
        context = {
            "report": report,
            "title": f"{all_steps[index][1]} — {report.title}",
            "form": form,
            "section": self.section,
            "section_key": self.key,
            "section_label": all_steps[index][1],
            "step_number": index + 1,
            "step_count": len(all_steps),
            "next_step_label": all_steps[index + 1][1]
            if index + 1 < len(all_steps)
            else _("Vérification et remise"),
            "hub_url": report_url(report),
            "conflict": conflict,
            "error_summary": summary if status == 400 else [],
            "section_problems": [
                {"message": p.message, "url": f"#{_anchor(report, p.field)}"} for p in problems
            ],
            "attachments": report.attachments.filter(section=self.key, removed_at__isnull=True),
            "attachment_form": AttachmentForm(),
            "accepts_files": bool(self.section and self.section.attachments),
            "steps": [
                {"key": k, "label": label, "url": step_url(report, k)} for k, label in all_steps
            ],
            **deadline_context(report),
        }
        template = "followup/step_funding.html" if self.key == "funding" else "followup/step.html"
        return render(self.request, template, context, status=status)


class CheckView(ReportMixin, View):
    def get(self, request, pk):
        report = self.report
        problems = check_report(report)
        names = {name for name, _label in available_transitions(report, request.user)}
        submit = "submit" if "submit" in names else ("resubmit" if "resubmit" in names else None)
        return render(
            request,
            "followup/check.html",
            {
                "report": report,
                "title": _("Vérification — %(report)s") % {"report": report.title},
                "groups": grouped_problems(report, problems),
                "problem_count": len(problems),
                "submit_url": reverse("followup:transition", args=[report.pk, submit])
                if submit
                else None,
                "submit_label": TRANSITIONS[submit].label if submit else "",
                **deadline_context(report),
            },
        )


class TransitionView(ReportMixin, View):
    """Confirm then fire an action (remit, accept, return with a message and a due date)."""

    def spec(self):
        spec = TRANSITIONS.get(self.kwargs["name"])
        if spec is None:
            raise Http404(_("Action inconnue."))
        return spec

    def get(self, request, pk, name):
        spec = self.spec()
        form = TransitionForm(spec=spec, initial={"version": self.report.version})
        return self.render_page(spec, form)

    def post(self, request, pk, name):
        spec = self.spec()
        form = TransitionForm(request.POST, spec=spec)
        if not form.is_valid():
            return self.render_page(spec, form, status=400)
        try:
            transition(
                self.report,
                name,
                request.user,
                comment=form.cleaned_data.get("comment") or "",
                due_date=form.cleaned_data.get("due_date"),
                version=form.cleaned_data.get("version"),
            )
        except InvalidInput as exc:
            if exc.errors.get("problems"):
                return self.render_page(spec, form, status=400)
            for key, messages_ in exc.errors.items():
                for message in messages_:
                    form.add_error(key if key in form.fields else None, message)
            return self.render_page(spec, form, status=400)
        messages.success(request, _("Action effectuée : %(label)s.") % {"label": spec.label})
        return redirect(report_url(self.report))

    def render_page(self, spec, form, status=200):
        report = self.report
        blocked = blocked_reason(report, spec.name, now=timezone.now())
        if blocked is None and not any(
            n == spec.name for n, _l in available_transitions(report, self.request.user)
        ):
            raise PermissionDenied(_("Vous n'avez pas le droit d'effectuer cette action."))
        problems = check_report(report) if spec.name in ("submit", "resubmit") else []
        return render(
            self.request,
            "followup/transition.html",
            {
                "report": report,
                "title": f"{spec.label} — {report.title}",
                "spec": spec,
                "form": form,
                "blocked": blocked,
                "groups": grouped_problems(report, problems),
                "problem_count": len(problems),
                "description": DESCRIPTIONS.get(spec.name, ""),
                "cancel_url": report_url(report),
                **deadline_context(report),
            },
            status=status,
        )


class AttachmentUploadView(WriterMixin, View):
    def post(self, request, pk, section):
        form = AttachmentForm(request.POST, request.FILES)
        upload = request.FILES.get("file") if form.is_valid() else None
        back = step_url(self.report, section) + "#pieces-jointes"
        if upload is None:
            messages.error(request, _("Choisissez un fichier."))
            return redirect(back)

        def add():
            attachment_domain.add_attachment(self.report, request.user, upload, section)
            messages.success(request, _("Pièce jointe ajoutée."))
            return back

        return once_redirect(request, add, _("Ce fichier était déjà envoyé."))


class AttachmentDeleteView(WriterMixin, View):
    def post(self, request, pk, aid):
        attachment = self.report.attachments.filter(pk=aid).first()
        section = attachment.section if attachment else ""
        attachment_domain.delete_attachment(self.report, request.user, aid)
        messages.success(request, _("Pièce jointe retirée."))
        return redirect(step_url(self.report, section) + "#pieces-jointes")


class AttachmentDownloadView(ReportMixin, View):
    def get(self, request, pk, aid):
        attachment = self.report.attachments.filter(pk=aid, removed_at__isnull=True).first()
        if attachment is None:
            raise Http404(_("Pièce jointe introuvable."))
        return attachment_domain.file_response(attachment)


class ReportExportView(ReportMixin, View):
    """One report's answers as a spreadsheet (the CAR'sp survey for the DGOS)."""

    def get(self, request, pk, fmt):
        if fmt not in exports.EXPORT_FORMATS:
            raise Http404(_("Format d'export inconnu."))
        filename, content_type, data = exports.export_report(self.report, fmt)
        return file_download(data, filename, content_type)


class DueDateView(ReportMixin, View):
    """An ARS instructor extends the due date of a returned report."""

    def get(self, request, pk):
        if not can_check_report.test(request.user, self.report):
            raise PermissionDenied(
                _("Seuls les instructeurs de l'ARS prolongent le délai de réponse.")
            )
        return self.render_page(DueDateForm())

    def post(self, request, pk):
        form = DueDateForm(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            extend_due_date(
                self.report,
                request.user,
                form.cleaned_data.get("due_date"),
                form.cleaned_data.get("reason"),
            )
        except InvalidInput as exc:
            for key, messages_ in exc.errors.items():
                for message in messages_:
                    form.add_error(key if key in form.fields else None, message)
            return self.render_page(form, status=400)
        messages.success(request, _("Délai de réponse prolongé."))
        return redirect(report_url(self.report))

    def render_page(self, form, status=200):
        return render(
            self.request,
            "followup/due_date.html",
            {"report": self.report, "title": _("Prolonger le délai de réponse"), "form": form},
            status=status,
        )
