"""Individual deadline extensions, granted by the ARS instructor."""

from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

from campaign.domain.extensions import grant_extension
from campaign.forms import ExtensionForm
from campaign.views.mixins import CampaignMixin
from common.once import once_redirect
from common.views import DomainFormMixin


class ExtensionsView(CampaignMixin, PermissionRequiredMixin, DomainFormMixin, View):
    """List of a campaign's extensions and the form to grant one (ARS instructors, admin)."""

    permission_required = "campaign.grant_extension"
    permission_denied_message = gettext_lazy(
        "Les prolongations sont accordées par les instructeurs de l'ARS."
    )

    def get(self, request, slug):
        return self.render(ExtensionForm(campaign=self.campaign))

    def post(self, request, slug):
        form = self.domain_form = ExtensionForm(request.POST, campaign=self.campaign)
        if not form.is_valid():
            return self.form_invalid(form)

        def grant():
            extension = grant_extension(
                self.campaign,
                request.user,
                form.cleaned_data["filiere"],
                form.cleaned_data["until"],
                form.cleaned_data["reason"],
            )
            messages.success(
                request,
                _("Prolongation accordée à « %(filiere)s ».") % {"filiere": extension.filiere},
            )
            return reverse("campaign:extensions", args=[self.campaign.slug])

        return once_redirect(
            request, grant, _("Cette prolongation était déjà accordée."), form=form
        )

    def form_invalid(self, form, status=400):
        return self.render(form, status=status)

    def render(self, form, status=200):
        extensions = self.campaign.extensions.select_related("filiere", "granted_by").order_by(
            "filiere__name", "-until"
        )
        return render(
            request=self.request,
            template_name="campaign/extensions/list.html",
            context={
                "title": _("Prolongations du délai de dépôt"),
                "campaign": self.campaign,
                "extensions": extensions,
                "form": form,
            },
            status=status,
        )
