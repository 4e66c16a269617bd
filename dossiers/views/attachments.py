"""Attachments: upload (editors, while editable), removal, and a permission-checked
download. Files are never served from a public URL (MEDIA_URL is None)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.errors import Conflict, Forbidden, InvalidInput, NotFound
from dossiers.domain.attachments import (
    FileTooLarge,
    UnsupportedFileType,
    add_attachment,
    delete_attachment,
    file_response,
)
from dossiers.forms_projects import AttachmentForm
from dossiers.models import Attachment
from dossiers.rules import can_view_dossier
from dossiers.views.guards import domain_error_response, safe_next, visible_or_404


@login_required
@require_POST
def attachment_upload(request, pk):
    dossier = visible_or_404(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    fallback = reverse("dossiers:detail", args=[dossier.pk])
    back = safe_next(request, request.POST.get("next"), fallback)
    if not form.is_valid():
        messages.error(request, _("Le formulaire d'envoi est invalide : rechargez la page."))
        return redirect(back)
    data = form.cleaned_data
    try:
        attachment = add_attachment(
            dossier, request.user, data.get("file"), data["section"], project_id=data.get("project")
        )
    except (FileTooLarge, UnsupportedFileType, InvalidInput) as exc:
        # 413 / 415 / 400: back to the page the user came from, with the reason.
        messages.error(request, exc.message)
        return redirect(back)
    except (Forbidden, Conflict, NotFound) as exc:
        return domain_error_response(request, exc, dossier)
    messages.success(request, _("Pièce jointe « %(name)s » ajoutée.") % {"name": attachment.name})
    return redirect(back)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def attachment_delete(request, pk, attachment_pk):
    dossier = visible_or_404(request, pk)
    attachment = Attachment.objects.filter(
        dossier=dossier, pk=attachment_pk, removed_at__isnull=True
    ).first()
    if attachment is None:
        raise Http404(_("Pièce jointe introuvable."))
    fallback = reverse("dossiers:detail", args=[dossier.pk])
    back = safe_next(request, request.POST.get("next") or request.GET.get("next"), fallback)
    if request.method != "POST":
        return render(
            request,
            "dossiers/projects_confirm_delete.html",
            {
                "dossier": dossier,
                "title": _("Supprimer une pièce jointe"),
                "message": _("Supprimer la pièce jointe « %(name)s » ?")
                % {"name": attachment.name},
                "action": reverse("dossiers:attachment_delete", args=[dossier.pk, attachment.pk]),
                "next": back,
                "cancel_url": back,
            },
        )
    try:
        delete_attachment(dossier, request.user, attachment.pk)
    except (Forbidden, Conflict, NotFound) as exc:
        return domain_error_response(request, exc, dossier)
    messages.success(request, _("Pièce jointe « %(name)s » supprimée.") % {"name": attachment.name})
    return redirect(back)


@login_required
@require_http_methods(["GET", "HEAD"])
def attachment_download(request, pk, attachment_pk):
    dossier = visible_or_404(request, pk)
    if not can_view_dossier.test(request.user, dossier):
        raise Http404
    # Files removed after a submission stay downloadable: the snapshots list them.
    attachment = Attachment.objects.filter(dossier=dossier, pk=attachment_pk).first()
    if attachment is None:
        raise Http404(_("Pièce jointe introuvable."))
    try:
        return file_response(attachment)
    except NotFound as exc:
        raise Http404(exc.message) from None


urlpatterns = [
    path("<int:pk>/pieces-jointes/", attachment_upload, name="attachment_upload"),
    path(
        "<int:pk>/pieces-jointes/<int:attachment_pk>/",
        attachment_download,
        name="attachment_download",
    ),
    path(
        "<int:pk>/pieces-jointes/<int:attachment_pk>/supprimer/",
        attachment_delete,
        name="attachment_delete",
    ),
]
