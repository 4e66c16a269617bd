"""Territorial project part: project sheets and their funding lines (lead and co-editors,
while the dossier is a draft or returned for completion). Every write goes through
dossiers.domain.editing; its refusals come back on the form, what was typed kept (400
for bad input, 409 for a stale version or a dossier frozen meanwhile)."""

from collections import Counter

from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from common.once import FIELD as ONCE
from common.once import run_once
from common.views import DomainFormMixin
from dossiers.domain import editing
from dossiers.domain.totals import requested_sums
from dossiers.enums import Section
from dossiers.forms_projects import FundingLineForm, ProjectForm
from dossiers.models import FundingLine, Project
from dossiers.views.attachments import attach_posted_file
from dossiers.views.mixins import EditorMixin

STEP = {"current": 4, "total": 4}


def _common_context(dossier):
    return {
        "dossier": dossier,
        "step": STEP,
        "edit_url": reverse("dossiers:edit", args=[dossier.pk]),
        "check_url": reverse("dossiers:check", args=[dossier.pk]),
        "swot_url": reverse("dossiers:section", args=[dossier.pk, Section.SWOT]),
    }


def _project_form(dossier, project=None, data=None):
    if project is None:
        return ProjectForm(data, swot=dossier.swot)
    initial = {
        "priority": project.priority,
        "title": project.title,
        "objectives": project.objectives,
        "actions": project.actions,
        "start": project.start,
        "end": project.end,
        "pilot": project.pilot,
        "partners": project.partners,
        "indicators": project.indicators,
        "missions": project.missions,
        "swot_items": project.swot_items,
        "version": project.version,
    }
    return ProjectForm(
        data,
        initial=initial,
        swot=dossier.swot,
        linked_items=project.swot_items,
        with_version=True,
    )


def _warn_duplicate_rank(request, dossier, project):
    if project.priority is None:
        return
    others = list(
        Project.objects.filter(dossier=dossier, priority=project.priority)
        .exclude(pk=project.pk)
        .values_list("title", flat=True)
    )
    if others:
        messages.warning(
            request,
            _(
                "Le rang de priorité %(rank)d est aussi celui de : %(others)s. Chaque rang doit "
                "être unique avant le dépôt."
            )
            % {"rank": project.priority, "others": ", ".join(f"« {t} »" for t in others)},
        )


class ProjectsMixin(EditorMixin, DomainFormMixin):
    """The dossier's project sheets, for its editors; `self.project` and `self.line`
    from the URL when it names them (404 when they are not the dossier's)."""

    conflicts_on_form = True

    def dispatch(self, request, *args, **kwargs):
        self.project = self.line = None
        return super().dispatch(request, *args, **kwargs)

    def load(self):
        if "project_pk" in self.kwargs:
            self.project = Project.objects.filter(
                dossier=self.dossier, pk=self.kwargs["project_pk"]
            ).first()
            if self.project is None:
                raise Http404(_("Fiche projet introuvable."))
        if "line_pk" in self.kwargs:
            self.line = FundingLine.objects.filter(
                project=self.project, pk=self.kwargs["line_pk"]
            ).first()
            if self.line is None:
                raise Http404(_("Ligne de financement introuvable."))

    def get(self, request, *args, **kwargs):
        self.load()
        return self.show()

    def post(self, request, *args, **kwargs):
        self.load()
        return self.save()

    def sheet_url(self, anchor=""):
        url = reverse("dossiers:project_edit", args=[self.dossier.pk, self.project.pk])
        return f"{url}#{anchor}" if anchor else url

    def render_sheet(self, *, form=None, line_form=None, editing_line=None, status=200):
        dossier, project = self.dossier, self.project
        if line_form is None:
            line_form = FundingLineForm(
                initial=FundingLineForm.initial_for(editing_line) if editing_line else None
            )
        if editing_line is not None:
            line_action = reverse(
                "dossiers:line_edit", args=[dossier.pk, project.pk, editing_line.pk]
            )
        else:
            line_action = reverse("dossiers:line_create", args=[dossier.pk, project.pk])
        return render(
            self.request,
            "dossiers/projects_sheet.html",
            {
                **_common_context(dossier),
                "project": project,
                "form": form or _project_form(dossier, project),
                "lines": list(project.lines.order_by("id")),
                "sheet_totals": FundingLine.objects.filter(project=project).aggregate(
                    **requested_sums()
                ),
                "line_form": line_form,
                "line_action": line_action,
                "editing_line": editing_line,
                "title": project.title or _("Fiche projet"),
            },
            status=status,
        )

    def confirm(self, *, title, message, action, cancel):
        return render(
            self.request,
            "dossiers/projects_confirm_delete.html",
            {
                "dossier": self.dossier,
                "title": title,
                "message": message,
                "action": action,
                "cancel_url": cancel,
            },
        )


class ProjectListView(ProjectsMixin, View):
    http_method_names = ["get", "head"]

    def show(self):
        dossier = self.dossier
        projects = list(
            Project.objects.filter(dossier=dossier)
            .annotate(**requested_sums("lines__"))
            .annotate(line_count=Count("lines", distinct=True))
            .order_by("priority", "id")
        )
        ranks = Counter(p.priority for p in projects if p.priority is not None)
        duplicates = sorted(rank for rank, count in ranks.items() if count > 1)
        for project in projects:
            project.duplicate_rank = project.priority in duplicates
        totals = FundingLine.objects.filter(project__dossier=dossier).aggregate(
            **requested_sums(), line_count=Count("id")
        )
        return render(
            self.request,
            "dossiers/projects.html",
            {
                **_common_context(dossier),
                "projects": projects,
                "duplicates": duplicates,
                "duplicates_list": ", ".join(str(rank) for rank in duplicates),
                "totals": totals,
                "title": f"{_('Projet territorial')} — {dossier.filiere.name}",
            },
        )


class ProjectCreateView(ProjectsMixin, View):
    def show(self, form=None, status=200):
        return render(
            self.request,
            "dossiers/projects_form.html",
            {
                **_common_context(self.dossier),
                "form": form or _project_form(self.dossier),
                "project": None,
                "title": f"{_('Nouvelle fiche projet')} — {self.dossier.filiere.name}",
            },
            status=status,
        )

    def form_invalid(self, form, status=400):
        return self.show(form, status)

    def save(self):
        form = self.domain_form = _project_form(self.dossier, data=self.request.POST)
        if not form.is_valid():
            return self.form_invalid(form)

        def create():
            project = editing.create_project(self.dossier, self.request.user, form.domain_data())
            messages.success(
                self.request,
                _("Fiche projet « %(title)s » créée. Ajoutez maintenant ses lignes de financement.")
                % {"title": project.title},
            )
            _warn_duplicate_rank(self.request, self.dossier, project)
            return reverse("dossiers:project_edit", args=[self.dossier.pk, project.pk])

        url, done = run_once(self.request.user, form.cleaned_data.get(ONCE), create)
        if not done:
            messages.info(self.request, _("Cette fiche projet était déjà créée : la voici."))
        return redirect(url)


class ProjectSheetView(ProjectsMixin, View):
    """A project sheet and its funding lines."""

    def show(self):
        return self.render_sheet()

    def form_invalid(self, form, status=400):
        return self.render_sheet(form=form, status=status)

    def save(self):
        form = self.domain_form = _project_form(self.dossier, self.project, data=self.request.POST)
        if not form.is_valid():
            return self.form_invalid(form)
        # A stale version (or a dossier frozen meanwhile) is a 409 shown on the form.
        project = editing.update_project(
            self.dossier,
            self.request.user,
            self.project.pk,
            form.domain_data(),
            version=form.cleaned_data["version"],
        )
        messages.success(self.request, _("Fiche projet enregistrée."))
        _warn_duplicate_rank(self.request, self.dossier, project)
        if "upload_attachment" in self.request.POST:
            # Without JavaScript, the file came with the sheet: saved first, above.
            attach_posted_file(self.request, self.dossier, Section.PROJECTS, project.pk)
            return redirect(self.sheet_url(f"pieces-jointes-projects-{project.pk}"))
        return redirect("dossiers:project_edit", self.dossier.pk, project.pk)


class ProjectDeleteView(ProjectsMixin, View):
    def show(self):
        return self.confirm(
            title=_("Supprimer une fiche projet"),
            message=_(
                "Supprimer la fiche « %(title)s », ses lignes de financement et ses pièces "
                "jointes ? Cette action est définitive."
            )
            % {"title": self.project.title},
            action=reverse("dossiers:project_delete", args=[self.dossier.pk, self.project.pk]),
            cancel=reverse("dossiers:projects", args=[self.dossier.pk]),
        )

    def save(self):
        editing.delete_project(self.dossier, self.request.user, self.project.pk)
        messages.success(
            self.request, _("Fiche « %(title)s » supprimée.") % {"title": self.project.title}
        )
        return redirect("dossiers:projects", self.dossier.pk)


class LineView(ProjectsMixin, View):
    """A funding line of the sheet: added (no line in the URL) or changed."""

    def show(self):
        if self.line is None:
            return redirect(self.sheet_url("nouvelle-ligne"))
        return self.render_sheet(editing_line=self.line)

    def form_invalid(self, form, status=400):
        return self.render_sheet(line_form=form, editing_line=self.line, status=status)

    def save(self):
        form = self.domain_form = FundingLineForm(self.request.POST)
        if not form.is_valid():
            return self.form_invalid(form)
        user = self.request.user
        data = {key: value for key, value in form.cleaned_data.items() if key != ONCE}
        version = data.pop("version", None)
        if self.line is None:

            def create():
                editing.create_line(self.dossier, user, self.project.pk, data, french=True)
                messages.success(self.request, _("Ligne de financement ajoutée."))
                return self.sheet_url("lignes")

            url, done = run_once(user, form.cleaned_data.get(ONCE), create)
            if not done:
                messages.info(self.request, _("Cette ligne était déjà ajoutée."))
            return redirect(url)
        else:
            editing.update_line(
                self.dossier,
                user,
                self.project.pk,
                self.line.pk,
                data,
                french=True,
                version=version,
            )
            messages.success(self.request, _("Ligne de financement enregistrée."))
        return redirect(self.sheet_url("lignes"))


class LineDeleteView(ProjectsMixin, View):
    def show(self):
        return self.confirm(
            title=_("Supprimer une ligne de financement"),
            message=_("Supprimer la ligne « %(label)s » de la fiche « %(title)s » ?")
            % {"label": self.line.label, "title": self.project.title},
            action=reverse(
                "dossiers:line_delete", args=[self.dossier.pk, self.project.pk, self.line.pk]
            ),
            cancel=self.sheet_url(),
        )

    def save(self):
        editing.delete_line(self.dossier, self.request.user, self.project.pk, self.line.pk)
        messages.success(
            self.request, _("Ligne « %(label)s » supprimée.") % {"label": self.line.label}
        )
        return redirect(self.sheet_url("lignes"))
