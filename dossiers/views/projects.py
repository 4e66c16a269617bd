"""Territorial project part: project sheets and their funding lines (lead and co-editors,
while the dossier is a draft or returned for completion). Every write goes through
dossiers.domain.editing; its errors come back as French messages on the fields."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.errors import Conflict, DomainError, InvalidInput
from dossiers.domain import editing
from dossiers.domain.totals import requested_sums
from dossiers.enums import Section
from dossiers.forms_projects import FundingLineForm, ProjectForm, add_domain_errors
from dossiers.models import FundingLine, Project
from dossiers.views.guards import (
    check_editable,
    domain_error_response,
    optional_url,
    visible_or_404,
)

STEP = {"current": 4, "total": 4}


def _load(request, pk):
    """(dossier, None) when the user may edit it now, else (dossier, refusal response)."""
    dossier = visible_or_404(request, pk)
    return dossier, check_editable(request, dossier)


def _project_or_404(dossier, project_pk):
    project = Project.objects.filter(dossier=dossier, pk=project_pk).first()
    if project is None:
        raise Http404(_("Fiche projet introuvable."))
    return project


def _line_or_404(project, line_pk):
    line = FundingLine.objects.filter(project=project, pk=line_pk).first()
    if line is None:
        raise Http404(_("Ligne de financement introuvable."))
    return line


def _common_context(dossier):
    return {
        "dossier": dossier,
        "step": STEP,
        "edit_url": optional_url("dossiers:edit", dossier.pk),
        "check_url": optional_url("dossiers:check", dossier.pk),
        "swot_url": optional_url("dossiers:section", dossier.pk, Section.SWOT),
    }


@login_required
@require_http_methods(["GET", "HEAD"])
def project_list(request, pk):
    dossier, refusal = _load(request, pk)
    if refusal:
        return refusal
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
        request,
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


def _write(request, form, dossier, action):
    """Run a domain write for `form`: (result, status, response).

    Bad input (400) and conflicts (409, e.g. a stale version) land on the form,
    which keeps what was typed; other refusals replace the page (`response`)."""
    try:
        return action(), None, None
    except InvalidInput as exc:
        add_domain_errors(form, exc.errors)
        return None, 400, None
    except Conflict as exc:
        form.add_error(None, exc.message)
        return None, 409, None
    except DomainError as exc:
        return None, None, domain_error_response(request, exc, dossier)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def project_create(request, pk):
    dossier, refusal = _load(request, pk)
    if refusal:
        return refusal
    form = _project_form(dossier, data=request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            project, failed, response = _write(
                request,
                form,
                dossier,
                lambda: editing.create_project(dossier, request.user, form.domain_data()),
            )
            if response:
                return response
            status = failed or status
            if not failed:
                messages.success(
                    request,
                    _(
                        "Fiche projet « %(title)s » créée. Ajoutez maintenant ses lignes de financement."
                    )
                    % {"title": project.title},
                )
                _warn_duplicate_rank(request, dossier, project)
                return redirect("dossiers:project_edit", dossier.pk, project.pk)
    return render(
        request,
        "dossiers/projects_form.html",
        {
            **_common_context(dossier),
            "form": form,
            "project": None,
            "title": f"{_('Nouvelle fiche projet')} — {dossier.filiere.name}",
        },
        status=status,
    )


def _render_sheet(
    request, dossier, project, *, form=None, line_form=None, editing_line=None, status=200
):
    lines = list(project.lines.order_by("id"))
    sheet_totals = FundingLine.objects.filter(project=project).aggregate(**requested_sums())
    if line_form is None:
        line_form = FundingLineForm(
            initial=FundingLineForm.initial_for(editing_line) if editing_line else None
        )
    if editing_line is not None:
        line_action = reverse("dossiers:line_edit", args=[dossier.pk, project.pk, editing_line.pk])
    else:
        line_action = reverse("dossiers:line_create", args=[dossier.pk, project.pk])
    return render(
        request,
        "dossiers/projects_sheet.html",
        {
            **_common_context(dossier),
            "project": project,
            "form": form or _project_form(dossier, project),
            "lines": lines,
            "sheet_totals": sheet_totals,
            "line_form": line_form,
            "line_action": line_action,
            "editing_line": editing_line,
            "title": project.title or _("Fiche projet"),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def project_edit(request, pk, project_pk):
    dossier, refusal = _load(request, pk)
    if refusal:
        return refusal
    project = _project_or_404(dossier, project_pk)
    if request.method != "POST":
        return _render_sheet(request, dossier, project)
    form = _project_form(dossier, project, data=request.POST)
    status = 400
    if form.is_valid():
        # A stale version (or a dossier frozen meanwhile) is a 409 shown on the form.
        updated, failed, response = _write(
            request,
            form,
            dossier,
            lambda: editing.update_project(
                dossier,
                request.user,
                project.pk,
                form.domain_data(),
                version=form.cleaned_data["version"],
            ),
        )
        if response:
            return response
        status = failed or status
        if not failed:
            project = updated
            messages.success(request, _("Fiche projet enregistrée."))
            _warn_duplicate_rank(request, dossier, project)
            return redirect("dossiers:project_edit", dossier.pk, project.pk)
    return _render_sheet(request, dossier, project, form=form, status=status)


def _confirm(request, dossier, *, title, message, action, cancel):
    return render(
        request,
        "dossiers/projects_confirm_delete.html",
        {
            "dossier": dossier,
            "title": title,
            "message": message,
            "action": action,
            "cancel_url": cancel,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def project_delete(request, pk, project_pk):
    dossier, refusal = _load(request, pk)
    if refusal:
        return refusal
    project = _project_or_404(dossier, project_pk)
    if request.method != "POST":
        return _confirm(
            request,
            dossier,
            title=_("Supprimer une fiche projet"),
            message=_(
                "Supprimer la fiche « %(title)s », ses lignes de financement et ses pièces "
                "jointes ? Cette action est définitive."
            )
            % {"title": project.title},
            action=reverse("dossiers:project_delete", args=[dossier.pk, project.pk]),
            cancel=reverse("dossiers:projects", args=[dossier.pk]),
        )
    try:
        editing.delete_project(dossier, request.user, project.pk)
    except DomainError as exc:
        return domain_error_response(request, exc, dossier)
    messages.success(request, _("Fiche « %(title)s » supprimée.") % {"title": project.title})
    return redirect("dossiers:projects", dossier.pk)


def _save_line(request, dossier, project, line=None):
    form = FundingLineForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data

        def save():
            if line is None:
                return editing.create_line(dossier, request.user, project.pk, data, french=True)
            return editing.update_line(
                dossier, request.user, project.pk, line.pk, data, french=True
            )

        _saved, failed, response = _write(request, form, dossier, save)
        if response:
            return response
        status = failed or status
        if not failed:
            messages.success(
                request,
                _("Ligne de financement ajoutée.")
                if line is None
                else _("Ligne de financement enregistrée."),
            )
            url = reverse("dossiers:project_edit", args=[dossier.pk, project.pk])
            return redirect(f"{url}#lignes")
    return _render_sheet(
        request, dossier, project, line_form=form, editing_line=line, status=status
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def line_create(request, pk, project_pk):
    dossier, refusal = _load(request, pk)
    if refusal:
        return refusal
    project = _project_or_404(dossier, project_pk)
    if request.method != "POST":
        url = reverse("dossiers:project_edit", args=[dossier.pk, project.pk])
        return redirect(f"{url}#nouvelle-ligne")
    return _save_line(request, dossier, project)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def line_edit(request, pk, project_pk, line_pk):
    dossier, refusal = _load(request, pk)
    if refusal:
        return refusal
    project = _project_or_404(dossier, project_pk)
    line = _line_or_404(project, line_pk)
    if request.method != "POST":
        return _render_sheet(request, dossier, project, editing_line=line)
    return _save_line(request, dossier, project, line)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def line_delete(request, pk, project_pk, line_pk):
    dossier, refusal = _load(request, pk)
    if refusal:
        return refusal
    project = _project_or_404(dossier, project_pk)
    line = _line_or_404(project, line_pk)
    sheet_url = reverse("dossiers:project_edit", args=[dossier.pk, project.pk])
    if request.method != "POST":
        return _confirm(
            request,
            dossier,
            title=_("Supprimer une ligne de financement"),
            message=_("Supprimer la ligne « %(label)s » de la fiche « %(title)s » ?")
            % {"label": line.label, "title": project.title},
            action=reverse("dossiers:line_delete", args=[dossier.pk, project.pk, line.pk]),
            cancel=sheet_url,
        )
    try:
        editing.delete_line(dossier, request.user, project.pk, line.pk)
    except DomainError as exc:
        return domain_error_response(request, exc, dossier)
    messages.success(request, _("Ligne « %(label)s » supprimée.") % {"label": line.label})
    return redirect(f"{sheet_url}#lignes")


urlpatterns = [
    path("<int:pk>/projets/", project_list, name="projects"),
    path("<int:pk>/projets/nouvelle/", project_create, name="project_create"),
    path("<int:pk>/projets/<int:project_pk>/", project_edit, name="project_edit"),
    path("<int:pk>/projets/<int:project_pk>/supprimer/", project_delete, name="project_delete"),
    path("<int:pk>/projets/<int:project_pk>/lignes/", line_create, name="line_create"),
    path("<int:pk>/projets/<int:project_pk>/lignes/<int:line_pk>/", line_edit, name="line_edit"),
    path(
        "<int:pk>/projets/<int:project_pk>/lignes/<int:line_pk>/supprimer/",
        line_delete,
        name="line_delete",
    ),
]
