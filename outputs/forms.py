"""Forms of the outputs pages (exports, letters)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign
from common.errors import InvalidInput
from common.forms import DomainErrorsMixin
from outputs.domain import letters


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("xlsx", "Excel (.xlsx)"), ("ods", "LibreOffice (.ods)"), ("csv", "CSV (;)")],
        error_messages={"invalid_choice": _("Choisissez le format xlsx, ods ou csv.")},
    )


class LetterSettingsForm(DomainErrorsMixin, forms.ModelForm):
    template = forms.FileField(
        label=_("Nouveau modèle de courrier (.docx)"),
        required=False,
        help_text=_(
            "Document Word utilisant uniquement les balises listées ci-dessous (5 Mo au plus)."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        ),
    )
    reset_template = forms.BooleanField(label=_("Revenir au modèle par défaut"), required=False)

    class Meta:
        model = Campaign
        fields = [
            "signatory_name",
            "signatory_title",
            "contact_service",
            "contact_name",
            "contact_email",
            "contact_phone",
            "report_due_date",
            "appeal_mention",
        ]
        widgets = {
            "appeal_mention": forms.Textarea(attrs={"rows": 5}),
            "report_due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "contact_phone": forms.TextInput(attrs={"type": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.instance.appeal_mention:
            # The region's mention (its administrative court) until the campaign has its own.
            self.initial["appeal_mention"] = self.instance.region.appeal_mention()

    def clean_template(self):
        upload = self.cleaned_data.get("template")
        if not upload:
            return None
        if upload.size > letters.MAX_TEMPLATE_BYTES:
            raise forms.ValidationError(_("Le modèle dépasse 5 Mo."))
        data = upload.read()
        try:
            letters.validate_template(data)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from None
        return data
