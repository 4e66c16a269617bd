"""The call's documents: the region's ARS instructors publish and remove them; anyone
who may see the campaign downloads them (the leads from their home page)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

from campaign.domain.documents import add_document, delete_document, document_response
from campaign.forms import DocumentForm
from campaign.views.mixins import CampaignMixin
from common.files import FileTooLarge, UnsupportedFileType
from common.once import once_redirect
from common.views import DomainFormMixin

MANAGERS_ONLY = gettext_lazy(
    "Les documents de l'appel sont publiés par les instructeurs de l'ARS de la région."
)


class DocumentsView(CampaignMixin, PermissionRequiredMixin, DomainFormMixin, View):
    """The campaign's documents and the form to publish one (ARS instructors, admin)."""

    permission_required = "campaign.manage_documents"
    permission_denied_message = MANAGERS_ONLY

    def get_permission_object(self):
        return self.campaign

    def get(self, request, slug):
        return self.render(DocumentForm())

    def post(self, request, slug):
        form = self.domain_form = DocumentForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.form_invalid(form)
        data = form.cleaned_data

        def publish():
            document = add_document(
                request.user,
                self.campaign,
                kind=data["kind"],
                title=data["title"],
                upload=data.get("file") or None,
            )
            messages.success(
                request, _("Document « %(title)s » publié.") % {"title": document.title}
            )
            return reverse("campaign:documents", args=[slug])

        try:
            return once_redirect(request, publish, _("Ce document était déjà publié."), form=form)
        except (FileTooLarge, UnsupportedFileType) as exc:
            # A refused file (413 / 415) is shown on the form, what was typed kept.
            form.add_error("file", exc.message)
            return self.form_invalid(form, status=exc.status)

    def form_invalid(self, form, status=400):
        return self.render(form, status=status)

    def render(self, form, status=200):
        return render(
            self.request,
            "campaign/documents.html",
            {
                "title": _("Documents de l'appel"),
                "campaign": self.campaign,
                "documents": self.campaign.documents.select_related("uploaded_by"),
                "form": form,
            },
            status=status,
        )


class DocumentDeleteView(CampaignMixin, PermissionRequiredMixin, View):
    http_method_names = ["post"]
    permission_required = "campaign.manage_documents"
    permission_denied_message = MANAGERS_ONLY

    def get_permission_object(self):
        return self.campaign

    def post(self, request, slug, document_pk):
        delete_document(request.user, self.campaign, document_pk)
        messages.success(request, _("Document retiré."))
        return redirect("campaign:documents", slug=slug)


class DocumentDownloadView(CampaignMixin, View):
    """Anyone who may see the campaign (campaign.queries.visible_campaigns): its leads,
    its region's staff; no staff role needed."""

    def get(self, request, slug, document_pk):
        return document_response(self.campaign, document_pk)
