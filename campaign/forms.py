"""Forms of the campaign pages."""

from django import forms
from django.utils.translation import gettext_lazy

from common.forms import DomainErrorsMixin


class ExtensionForm(DomainErrorsMixin, forms.Form):
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
