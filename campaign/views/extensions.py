"""Individual deadline extensions, granted by the ARS instructor (design brief §1)."""

import rules
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from campaign.domain.extensions import grant_extension
from campaign.models import Campaign
from common.errors import InvalidInput


class ExtensionForm(forms.Form):
    filiere = forms.ModelChoiceField(
        label=gettext_lazy("Filière"),
        queryset=None,
        empty_label=gettext_lazy("Choisir une filière"),
        error_messages={"required": gettext_lazy("Indiquez la filière.")},
    )
    until = forms.DateField(
        label=gettext_lazy("Nouvelle date limite"),
        help_text=gettext_lazy(
            "Le dépôt reste possible jusqu'à 23 h 59 min 59 s (heure de Paris) ce jour-là."
        ),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Indiquez la nouvelle date limite."),
            "invalid": gettext_lazy("Saisissez une date valide, par exemple 28/02/2025."),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("Motif"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": gettext_lazy("Indiquez le motif de la prolongation.")},
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["filiere"].queryset = campaign.filieres.order_by("name")


class ExtensionsView(LoginRequiredMixin, View):
    """List of a campaign's extensions and the form to grant one (ARS instructors, admin)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not rules.has_perm(
            "dossiers.grant_extension", request.user
        ):
            raise DjangoPermissionDenied
        self.campaign = get_object_or_404(Campaign, slug=kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, slug):
        return self.render(ExtensionForm(campaign=self.campaign))

    def post(self, request, slug):
        form = ExtensionForm(request.POST, campaign=self.campaign)
        if form.is_valid():
            try:
                extension = grant_extension(
                    self.campaign,
                    request.user,
                    form.cleaned_data["filiere"],
                    form.cleaned_data["until"],
                    form.cleaned_data["reason"],
                )
            except InvalidInput as exc:
                for field, errors in exc.errors.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(
                    request,
                    _("Prolongation accordée à « %(filiere)s ».") % {"filiere": extension.filiere},
                )
                return redirect("campaign:extensions", slug=self.campaign.slug)
        return self.render(form, status=400)

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


urlpatterns = [
    path("<slug:slug>/prolongations/", ExtensionsView.as_view(), name="extensions"),
]
