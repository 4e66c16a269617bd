"""Forms of the campaign pages."""

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy

from campaign.models import CampaignDocument
from common.files import ALLOWED_LABEL
from common.forms import DomainErrorsMixin
from common.once import OnceOnlyFormMixin


class ExtensionForm(DomainErrorsMixin, OnceOnlyFormMixin):
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


class AcceptInvitationForm(DomainErrorsMixin, forms.Form):
    """Accepting with the signed-in account: nothing to type, the refusal shown on top."""


class NewAccountForm(DomainErrorsMixin, forms.Form):
    """Accepting an invitation without an account: the name and the password of the new
    account (its address is the invited one)."""

    first_name = forms.CharField(
        label=gettext_lazy("Prénom"),
        max_length=150,
        error_messages={"required": gettext_lazy("Indiquez votre prénom.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=gettext_lazy("Nom"),
        max_length=150,
        error_messages={"required": gettext_lazy("Indiquez votre nom.")},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    password1 = forms.CharField(
        label=gettext_lazy("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": gettext_lazy("Choisissez un mot de passe.")},
    )
    password2 = forms.CharField(
        label=gettext_lazy("Confirmation du mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": gettext_lazy("Saisissez à nouveau le mot de passe.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = " ".join(
            password_validation.password_validators_help_texts()
        )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") != data.get("password1"):
            self.add_error("password2", gettext_lazy("Les deux mots de passe diffèrent."))
        return data


class DocumentForm(DomainErrorsMixin, OnceOnlyFormMixin):
    """A document of the call: its nature, title and file (checked by the domain)."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Nature du document"),
        choices=[("", gettext_lazy("— Choisir —")), *CampaignDocument.Kind.choices],
        required=False,
    )
    title = forms.CharField(
        label=gettext_lazy("Titre"),
        required=False,
        max_length=200,
        help_text=gettext_lazy(
            "Tel que les porteurs le verront, par exemple « Cahier des charges de l'appel à candidatures 2025 »."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("Fichier"),
        required=False,
        allow_empty_file=True,
        help_text=gettext_lazy(
            "Taille maximale : %(max)d Mo. Formats acceptés : %(types)s (vérifiés d'après le contenu du fichier)."
        )
        % {"max": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024), "types": ALLOWED_LABEL},
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.docx,.xlsx,.odt,.ods,.png,.jpg,.jpeg"}
        ),
    )
