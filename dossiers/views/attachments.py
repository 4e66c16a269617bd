"""Attachments: upload (editors, while editable), removal, and a permission-checked
download. Files are never served from a public URL (MEDIA_URL is None)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from common.errors import InvalidInput
from common.once import FIELD as ONCE
from common.once import run_once
from common.views import safe_back_url
from dossiers.domain.attachments import (
    FileTooLarge,
    UnsupportedFileType,
    add_attachment,
    delete_attachment,
    file_response,
)
from dossiers.forms_projects import AttachmentForm
from dossiers.models import Attachment
from dossiers.views.mixins import DossierMixin


def attach_posted_file(request, dossier, section, project_id=None):
    """The file sent with a part's form, without JavaScript (issue 11): the part's draft
    has just been saved, then the file is added; a refused file is said, the draft stays
    saved. With JavaScript the file goes alone to AttachmentUploadView (static/js/inline.js)."""
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choisissez d'abord le fichier à envoyer."))
        return

    def add():
        attachment = add_attachment(dossier, request.user, upload, section, project_id=project_id)
        messages.success(
            request, _("Pièce jointe « %(name)s » ajoutée.") % {"name": attachment.name}
        )
        return request.path

    try:
        _url, done = run_once(request.user, request.POST.get(ONCE), add)
    except (FileTooLarge, UnsupportedFileType, InvalidInput) as exc:
        messages.error(request, exc.message)
        return
    if not done:
        messages.info(request, _("Ce fichier était déjà envoyé."))


class AttachmentMixin(DossierMixin):
    def back_url(self):
        fallback = reverse("dossiers:detail", args=[self.dossier.pk])
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        return safe_back_url(self.request, data.get("next"), fallback)


class AttachmentUploadView(AttachmentMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        form = AttachmentForm(request.POST, request.FILES)
        back = self.back_url()
        if not form.is_valid():
            messages.error(request, _("Le formulaire d'envoi est invalide : rechargez la page."))
            return redirect(back)
        data = form.cleaned_data
        try:
            _url, done = run_once(
                request.user,
                data.get(ONCE),
                lambda: self.add(data.get("file"), data["section"], data.get("project"), back),
            )
        except (FileTooLarge, UnsupportedFileType, InvalidInput) as exc:
            # A refused file (413 / 415 / 400) is not an error page: back to the page the
            # user came from, with the reason.
            messages.error(request, exc.message)
            return redirect(back)
        if not done:
            messages.info(request, _("Ce fichier était déjà envoyé."))
        return redirect(back)

    def add(self, upload, section, project_id, back):
        attachment = add_attachment(
            self.dossier, self.request.user, upload, section, project_id=project_id
        )
        messages.success(
            self.request, _("Pièce jointe « %(name)s » ajoutée.") % {"name": attachment.name}
        )
        return back


class AttachmentDeleteView(AttachmentMixin, View):
    def attachment(self):
        attachment = Attachment.objects.filter(
            dossier=self.dossier, pk=self.kwargs["attachment_pk"], removed_at__isnull=True
        ).first()
        if attachment is None:
            raise Http404(_("Pièce jointe introuvable."))
        return attachment

    def get(self, request, pk, attachment_pk):
        attachment, back = self.attachment(), self.back_url()
        return render(
            request,
            "dossiers/projects_confirm_delete.html",
            {
                "dossier": self.dossier,
                "title": _("Supprimer une pièce jointe"),
                "message": _("Supprimer la pièce jointe « %(name)s » ?")
                % {"name": attachment.name},
                "action": reverse(
                    "dossiers:attachment_delete", args=[self.dossier.pk, attachment.pk]
                ),
                "next": back,
                "cancel_url": back,
            },
        )

    def post(self, request, pk, attachment_pk):
        attachment = self.attachment()
        delete_attachment(self.dossier, request.user, attachment.pk)
        messages.success(
            request, _("Pièce jointe « %(name)s » supprimée.") % {"name": attachment.name}
        )
        return redirect(self.back_url())


class AttachmentDownloadView(DossierMixin, View):
    http_method_names = ["get", "head"]

    def get(self, request, pk, attachment_pk):
        # Files removed after a submission stay downloadable: the snapshots list them.
        attachment = Attachment.objects.filter(dossier=self.dossier, pk=attachment_pk).first()
        if attachment is None:
            raise Http404(_("Pièce jointe introuvable."))
        return file_response(attachment)
