"""Forms of the territorial project part (project sheets, funding lines), the attachments
upload and the staff list filters. They only type and present the input: the rules are
those of dossiers.domain (same messages as the API), whose errors are mapped back onto
the fields with `add_domain_errors`."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign, Territory
from campaign.queries import visible_campaigns, visible_territories
from common.forms import DomainErrorsMixin
from common.limits import TEXT_MAX
from common.money import format_eur
from common.once import FIELD as ONCE
from common.once import OnceOnlyFormMixin
from dossiers.domain.attachments import ALLOWED_LABEL
from dossiers.domain.parts import SWOT_KEYS
from dossiers.enums import DossierState, LineCategory, LineNature, Mission, Section

SWOT_LABELS = {
    "strengths": _("Force"),
    "weaknesses": _("Faiblesse"),
    "opportunities": _("Opportunité"),
    "threats": _("Menace"),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ProjectForm(DomainErrorsMixin, OnceOnlyFormMixin):
    priority = forms.IntegerField(
        label=_("Rang de priorité"),
        min_value=1,
        required=False,
        help_text=_(
            "1 = priorité la plus haute. Chaque rang doit être unique dans le dossier ; "
            "laissé vide, la fiche prend le rang suivant."
        ),
    )
    title = forms.CharField(label=_("Intitulé de la fiche"), max_length=300)
    objectives = forms.CharField(
        label=_("Objectifs"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    actions = forms.CharField(
        label=_("Actions prévues"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    start = forms.DateField(label=_("Début"), required=False, widget=DateInput)
    end = forms.DateField(label=_("Fin"), required=False, widget=DateInput)
    pilot = forms.CharField(label=_("Structure pilote"), max_length=300, required=False)
    partners = forms.CharField(
        label=_("Partenaires"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    indicators = forms.CharField(
        label=_("Indicateurs de suivi"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    missions = forms.MultipleChoiceField(
        label=_("Missions de la filière auxquelles la fiche contribue"),
        choices=Mission.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    swot_items = forms.MultipleChoiceField(
        label=_("Éléments de l'analyse AFOM auxquels la fiche répond"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, swot=None, linked_items=(), with_version=False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        seen = set()
        for key in SWOT_KEYS:
            for item in (swot or {}).get(key) or []:
                if item not in seen:
                    seen.add(item)
                    choices.append((item, f"{SWOT_LABELS[key]} : {item}"))
        for item in linked_items:
            # Linked earlier, since removed from the SWOT: kept so saving does not drop it.
            if item not in seen:
                seen.add(item)
                choices.append(
                    (item, _("%(item)s (n'est plus dans l'analyse AFOM)") % {"item": item})
                )
        self.fields["swot_items"].choices = choices
        if not choices:
            self.fields["swot_items"].help_text = _(
                "Aucun élément : remplissez d'abord l'analyse AFOM du dossier."
            )
        self.fields["version"].required = with_version
        if with_version:
            # An existing sheet keeps an explicit rank (completeness requires one).
            self.fields["priority"].required = True
            self.fields["priority"].help_text = _(
                "1 = priorité la plus haute. Chaque rang doit être unique dans le dossier."
            )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("La fin ne peut pas précéder le début."))
        return data

    def domain_data(self):
        data = {
            key: value for key, value in self.cleaned_data.items() if key not in {"version", ONCE}
        }
        for key in ("start", "end"):
            data[key] = data[key].isoformat() if data.get(key) else None
        return data


class FundingLineForm(DomainErrorsMixin, OnceOnlyFormMixin):
    label = forms.CharField(label=_("Libellé"), max_length=300)
    nature = forms.ChoiceField(
        label=_("Nature du financement"),
        choices=LineNature.choices,
        initial=LineNature.RECURRING,
        widget=forms.RadioSelect,
    )
    category = forms.ChoiceField(
        label=_("Catégorie de dépense"), choices=LineCategory.choices, initial=LineCategory.STAFF
    )
    etp = forms.CharField(
        label=_("ETP (personnel)"),
        required=False,
        max_length=10,
        help_text=_("Équivalents temps plein, par exemple 0,5."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    staff_profile = forms.CharField(
        label=_("Profil du poste (personnel)"), required=False, max_length=200
    )
    amount = forms.CharField(
        label=_("Montant demandé (euros)"),
        max_length=40,
        help_text=_(
            "Montant en année pleine pour une ligne reconductible. Exemple : 52 000,50 "
            "(au plus deux décimales)."
        ),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    first_year = forms.CharField(
        label=_("Première année"),
        required=False,
        max_length=4,
        help_text=_("Obligatoire pour une ligne reconductible, par exemple 2025."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    beneficiary_finess = forms.CharField(
        label=_("FINESS de la structure bénéficiaire"),
        required=False,
        max_length=20,
        help_text=_("9 caractères, clé de contrôle vérifiée (exemple : 290000017)."),
    )
    # The line's version the page was built from (a changed line: 409, input kept).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_etp(self):
        value = self.cleaned_data["etp"].strip().replace(",", ".").replace(" ", "")
        if not value:
            return ""
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise forms.ValidationError(_("Nombre d'ETP attendu, par exemple 0,5.")) from None
        if not number.is_finite() or number < 0 or number > Decimal("999.99"):
            raise forms.ValidationError(_("Le nombre d'ETP doit être compris entre 0 et 999,99."))
        if number.as_tuple().exponent < -2:
            raise forms.ValidationError(_("Le nombre d'ETP a au plus deux décimales."))
        return value

    @classmethod
    def initial_for(cls, line):
        amount = format_eur(line.amount).replace("\u00a0€", "") if line.amount is not None else ""
        return {
            "label": line.label,
            "nature": line.nature,
            "category": line.category,
            "etp": format(line.etp, "f").replace(".", ",") if line.etp is not None else "",
            "staff_profile": line.staff_profile,
            "amount": amount.replace("\u202f", " "),
            "first_year": line.first_year or "",
            "beneficiary_finess": line.beneficiary_finess,
            "version": line.version,
        }


class AttachmentForm(OnceOnlyFormMixin):
    file = forms.FileField(
        label=_("Ajouter une pièce jointe"),
        required=False,
        allow_empty_file=True,
        help_text=_("Taille maximale : %(max)d Mo. Formats acceptés : %(types)s.")
        % {"max": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024), "types": ALLOWED_LABEL},
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.docx,.xlsx,.odt,.ods,.png,.jpg,.jpeg"}
        ),
    )
    section = forms.ChoiceField(choices=Section.choices, widget=forms.HiddenInput)
    project = forms.IntegerField(required=False, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class TerritoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name} ({obj.region.name})"


class DossierFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campagne"),
        queryset=Campaign.objects.none(),
        required=False,
        empty_label=_("Toutes les campagnes"),
        to_field_name="slug",
    )
    state = forms.ChoiceField(
        label=_("État"),
        choices=[("", _("Tous les états"))] + list(DossierState.choices),
        required=False,
    )
    territory = TerritoryChoiceField(
        label=_("Territoire de santé"),
        queryset=Territory.objects.none(),
        required=False,
        empty_label=_("Tous les territoires"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what this user may know of: their regions' campaigns and territories.
        self.fields["campaign"].queryset = visible_campaigns(user).order_by("-opens_at")
        self.fields["territory"].queryset = visible_territories(user).order_by(
            "region__name", "code"
        )
