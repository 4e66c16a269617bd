"""Forms of the campaign set-up pages: what was typed, parsed the French way; every rule
lives in the domain (campaign.domain.setup, budget.domain.envelopes, setup.domain),
whose errors come back onto the fields."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from budget.forms import AmountField
from common.forms import DomainErrorsMixin
from common.once import OnceOnlyFormMixin

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time", "step": "1"}, format="%H:%M:%S")
DATE_ERRORS = {"invalid": gettext_lazy("Saisissez une date valide, par exemple 14/02/2025.")}


def paris_parts(moment):
    """(date, time) of an aware datetime in Paris time, for the forms' initial values."""
    if moment is None:
        return None, None
    local = timezone.localtime(moment)
    return local.date(), local.time().replace(microsecond=0)


class CampaignSettingsForm(DomainErrorsMixin, forms.Form):
    """The call's name, calendar (Paris time), envelopes, signatory and appeal court."""

    name = forms.CharField(
        label=gettext_lazy("Nom de l'appel"),
        max_length=200,
        help_text=gettext_lazy(
            "Par exemple « Reconnaissance des filières territoriales de soins palliatifs 2027 »."
        ),
        error_messages={"required": gettext_lazy("Indiquez le nom de l'appel.")},
    )
    opens_on = forms.DateField(
        label=gettext_lazy("Ouverture de l'appel"),
        help_text=gettext_lazy("Les filières peuvent déposer à partir de 0 h ce jour-là."),
        widget=DATE_WIDGET,
        error_messages={"required": gettext_lazy("Indiquez la date d'ouverture."), **DATE_ERRORS},
    )
    deadline_on = forms.DateField(
        label=gettext_lazy("Date limite de dépôt"),
        widget=DATE_WIDGET,
        error_messages={"required": gettext_lazy("Indiquez la date limite."), **DATE_ERRORS},
    )
    deadline_time = forms.TimeField(
        label=gettext_lazy("Heure limite (heure de Paris)"),
        required=False,
        help_text=gettext_lazy("Vide : 23 h 59 min 59 s, la dernière seconde du jour."),
        widget=TIME_WIDGET,
        error_messages={"invalid": gettext_lazy("Saisissez une heure, par exemple 12:00.")},
    )
    decision_date = forms.DateField(
        label=gettext_lazy("Date de décision prévue"),
        required=False,
        widget=DATE_WIDGET,
        error_messages=DATE_ERRORS,
    )
    first_delegation_date = forms.DateField(
        label=gettext_lazy("Première délégation de crédits prévue"),
        required=False,
        widget=DATE_WIDGET,
        error_messages=DATE_ERRORS,
    )
    recurring = AmountField(
        label=gettext_lazy("Enveloppe reconductible (euros par an)"),
        required=False,
        help_text=gettext_lazy("Par exemple « 1 600 000 »."),
    )
    one_off = AmountField(
        label=gettext_lazy("Enveloppe ponctuelle, non reconductible (euros)"),
        required=False,
    )
    signatory_name = forms.CharField(
        label=gettext_lazy("Signataire des courriers"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Nom et prénom, par exemple « Dr Anne Martin »."),
    )
    signatory_title = forms.CharField(
        label=gettext_lazy("Qualité du signataire"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Vide : « Directeur général de l'agence régionale de santé »."),
    )
    appeal_court = forms.CharField(
        label=gettext_lazy("Tribunal administratif (voies de recours)"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Vide : celui de la région."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Motif du changement"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Obligatoire pour changer le calendrier ou une enveloppe d'une campagne publiée : "
            "il est conservé dans l'historique."
        ),
    )

    FIELD_OF_PATH = {"opens_at": "opens_on", "deadline": "deadline_on", "new_amount": None}

    def __init__(self, *args, campaign=None, envelopes=None, **kwargs):
        self.campaign = campaign
        if campaign is not None and "initial" not in kwargs:
            opens_on, _time = paris_parts(campaign.opens_at)
            deadline_on, deadline_time = paris_parts(campaign.deadline)
            kwargs["initial"] = {
                "name": campaign.name,
                "opens_on": opens_on,
                "deadline_on": deadline_on,
                "deadline_time": deadline_time,
                "decision_date": campaign.decision_date,
                "first_delegation_date": campaign.first_delegation_date,
                "signatory_name": campaign.signatory_name,
                "signatory_title": campaign.signatory_title,
                "appeal_court": campaign.appeal_court or campaign.region.appeal_court,
                **{kind: amount for kind, amount in (envelopes or {}).items()},
            }
        super().__init__(*args, **kwargs)
        if campaign is None or campaign.is_draft:
            del self.fields["reason"]

    def domain_field(self, path):
        if path in self.FIELD_OF_PATH:
            return self.FIELD_OF_PATH[path]
        return super().domain_field(path)

    def settings(self):
        """What the domain takes (campaign.domain.setup.FIELDS)."""
        data = self.cleaned_data
        deadline_time = data.get("deadline_time") or dt.time(23, 59, 59)
        return {
            "name": data["name"],
            "opens_at": dt.datetime.combine(data["opens_on"], dt.time(0)),
            "deadline": dt.datetime.combine(data["deadline_on"], deadline_time),
            "decision_date": data.get("decision_date"),
            "first_delegation_date": data.get("first_delegation_date"),
            "signatory_name": data.get("signatory_name", ""),
            "signatory_title": data.get("signatory_title", ""),
            "appeal_court": data.get("appeal_court", ""),
        }


class CreateCampaignForm(CampaignSettingsForm, OnceOnlyFormMixin):
    region = forms.ModelChoiceField(
        label=gettext_lazy("Région"),
        queryset=None,
        empty_label=None,
        error_messages={"required": gettext_lazy("Choisissez la région.")},
    )
    slug = forms.SlugField(
        label=gettext_lazy("Identifiant (facultatif)"),
        required=False,
        max_length=80,
        help_text=gettext_lazy(
            "Dans les adresses et l'API, par exemple « bretagne-2027 ». Vide : tiré du nom."
        ),
        error_messages={
            "invalid": gettext_lazy("Lettres non accentuées, chiffres et tirets seulement.")
        },
    )
    field_order = ["region", "name", "slug"]

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        if regions.count() == 1:
            self.fields["region"].initial = regions.first()


class TerritoriesForm(DomainErrorsMixin, forms.Form):
    territories = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Territoires couverts par l'appel"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choisissez au moins un territoire.")},
    )
    reason = forms.CharField(label=gettext_lazy("Motif"), required=False, max_length=2000)

    def __init__(self, *args, campaign, **kwargs):
        kwargs.setdefault("initial", {"territories": list(campaign.territories.all())})
        super().__init__(*args, **kwargs)
        self.fields["territories"].queryset = campaign.region.territories.order_by("code")
        self.fields["territories"].label_from_instance = lambda t: (
            f"{t.code} — {t.name} ({', '.join(t.departements)})"
        )
        if campaign.is_draft:
            del self.fields["reason"]


class FiliereForm(DomainErrorsMixin, OnceOnlyFormMixin):
    """A filière taking part, and (when adding it) its lead to invite."""

    name = forms.CharField(
        label=gettext_lazy("Nom de la filière"),
        max_length=200,
        error_messages={"required": gettext_lazy("Indiquez le nom de la filière.")},
    )
    territories = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Territoires de santé couverts"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Indiquez au moins un territoire.")},
    )
    lead_name = forms.CharField(
        label=gettext_lazy("Porteur : nom et prénom"), max_length=150, required=False
    )
    lead_email = forms.EmailField(
        label=gettext_lazy("Porteur : adresse électronique"),
        required=False,
        help_text=gettext_lazy("Le porteur reçoit une invitation à rejoindre la plateforme."),
        error_messages={"invalid": gettext_lazy("Adresse électronique invalide.")},
    )

    def __init__(self, *args, campaign, with_lead=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territories"].queryset = campaign.territories.order_by("code")
        self.fields["territories"].label_from_instance = lambda t: f"{t.code} — {t.name}"
        if not with_lead:
            del self.fields["lead_name"]
            del self.fields["lead_email"]

    def domain_field(self, path):
        return {"email": "lead_email", "name": "name"}.get(path) or super().domain_field(path)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tableau des filières (XLSX, ODS ou CSV)"),
        help_text=gettext_lazy(
            "Une ligne par filière ; colonnes « Filière », « Territoires » (codes séparés "
            "par des virgules), « Porteur » (nom et prénom) et « Courriel du porteur »."
        ),
        error_messages={"required": gettext_lazy("Choisissez le fichier à importer.")},
    )


class LeadForm(DomainErrorsMixin, OnceOnlyFormMixin):
    name = forms.CharField(label=gettext_lazy("Nom et prénom"), max_length=150, required=False)
    email = forms.EmailField(
        label=gettext_lazy("Adresse électronique"),
        error_messages={
            "required": gettext_lazy("Indiquez l'adresse électronique."),
            "invalid": gettext_lazy("Adresse électronique invalide."),
        },
    )


class ReasonForm(forms.Form):
    """A confirmation page's optional comment."""

    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput, initial=True)


class CopyGridForm(DomainErrorsMixin, forms.Form):
    source = forms.ModelChoiceField(
        label=gettext_lazy("Reprendre la grille de la campagne"),
        queryset=None,
        empty_label=None,
        error_messages={"required": gettext_lazy("Choisissez la campagne.")},
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = campaign.region.campaigns.exclude(pk=campaign.pk).order_by(
            "-opens_at"
        )


class RegionForm(DomainErrorsMixin, forms.Form):
    agency_name = forms.CharField(label=gettext_lazy("Agence"), max_length=200, required=False)
    appeal_court = forms.CharField(
        label=gettext_lazy("Tribunal administratif (siège de l'ARS)"),
        max_length=200,
        required=False,
    )
    notification_emails = forms.CharField(
        label=gettext_lazy("Adresses de l'ARS prévenues des dépôts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Séparées par des virgules ou une par ligne."),
    )


class TerritoryForm(DomainErrorsMixin, forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=20)
    name = forms.CharField(label=gettext_lazy("Nom"), max_length=200)
    departements = forms.CharField(
        label=gettext_lazy("Départements"),
        max_length=200,
        help_text=gettext_lazy("Codes séparés par des virgules, par exemple « 29, 56 »."),
    )


class CellForm(DomainErrorsMixin, forms.Form):
    acronym = forms.CharField(label=gettext_lazy("Sigle"), max_length=60)
    name = forms.CharField(label=gettext_lazy("Nom"), max_length=200, required=False)
    carrier = forms.CharField(
        label=gettext_lazy("Structure porteuse"), max_length=300, required=False
    )
    founded = forms.CharField(label=gettext_lazy("Création"), max_length=100, required=False)
    description = forms.CharField(
        label=gettext_lazy("Présentation"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    emails = forms.CharField(
        label=gettext_lazy("Adresses électroniques"),
        required=False,
        help_text=gettext_lazy("Séparées par des virgules."),
    )
    phone = forms.CharField(label=gettext_lazy("Téléphone"), max_length=40, required=False)
    website = forms.CharField(label=gettext_lazy("Site internet"), max_length=200, required=False)


class TerritoriesImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tableau des territoires (XLSX, ODS ou CSV)"),
        help_text=gettext_lazy(
            "Colonnes « Code », « Nom » et « Départements » (codes séparés par des virgules)."
        ),
        error_messages={"required": gettext_lazy("Choisissez le fichier à importer.")},
    )


class FollowupCampaignForm(DomainErrorsMixin, OnceOnlyFormMixin):
    """A yearly follow-up of the region's recognised filières (design brief §10): its
    year and calendar; it has neither envelopes, territories nor filières of its own."""

    region = forms.ModelChoiceField(
        label=gettext_lazy("Région"),
        queryset=None,
        empty_label=None,
        error_messages={"required": gettext_lazy("Choisissez la région.")},
    )
    name = forms.CharField(
        label=gettext_lazy("Nom de la campagne"),
        max_length=200,
        help_text=gettext_lazy("Par exemple « Suivi annuel 2026 des filières reconnues »."),
        error_messages={"required": gettext_lazy("Indiquez le nom de la campagne.")},
    )
    year = forms.IntegerField(
        label=gettext_lazy("Année suivie"),
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": gettext_lazy("Indiquez l'année suivie."),
            "invalid": gettext_lazy("Année attendue, par exemple 2026."),
            "min_value": gettext_lazy("Année attendue, par exemple 2026."),
            "max_value": gettext_lazy("Année attendue, par exemple 2026."),
        },
    )
    slug = forms.SlugField(
        label=gettext_lazy("Identifiant (facultatif)"),
        required=False,
        max_length=80,
        help_text=gettext_lazy("Par exemple « bretagne-suivi-2026 ». Vide : tiré du nom."),
        error_messages={
            "invalid": gettext_lazy("Lettres non accentuées, chiffres et tirets seulement.")
        },
    )
    opens_on = forms.DateField(
        label=gettext_lazy("Ouverture"),
        widget=DATE_WIDGET,
        error_messages={"required": gettext_lazy("Indiquez la date d'ouverture."), **DATE_ERRORS},
    )
    deadline_on = forms.DateField(
        label=gettext_lazy("Date limite de remise des rapports"),
        widget=DATE_WIDGET,
        error_messages={"required": gettext_lazy("Indiquez la date limite."), **DATE_ERRORS},
    )
    deadline_time = forms.TimeField(
        label=gettext_lazy("Heure limite (heure de Paris)"),
        required=False,
        help_text=gettext_lazy("Vide : 23 h 59 min 59 s, la dernière seconde du jour."),
        widget=TIME_WIDGET,
        error_messages={"invalid": gettext_lazy("Saisissez une heure, par exemple 12:00.")},
    )

    FIELD_OF_PATH = {"opens_at": "opens_on", "deadline": "deadline_on"}

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        if regions.count() == 1:
            self.fields["region"].initial = regions.first()

    def domain_field(self, path):
        return self.FIELD_OF_PATH.get(path) or super().domain_field(path)

    def settings(self):
        data = self.cleaned_data
        deadline_time = data.get("deadline_time") or dt.time(23, 59, 59)
        return {
            "name": data["name"],
            "kind": "followup",
            "year": data["year"],
            "opens_at": dt.datetime.combine(data["opens_on"], dt.time(0)),
            "deadline": dt.datetime.combine(data["deadline_on"], deadline_time),
        }
