"""Forms of the applicant's pages: each part of the dossier (identity, diagnostic, SWOT),
the workflow actions and the invitation of a co-editor.

The forms only shape what the user typed into the part's JSON document; whether
it is well-formed (FINESS key, e-mail, non-negative counts...) is decided by
dossiers.domain.parts through dossiers.domain.editing.update_parts, exactly as
for the API. Its errors come back keyed by paths (``identity.members.0.finess``)
and `apply_errors` puts each one next to its field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.limits import MAX_SWOT_ITEMS, TEXT_MAX
from common.once import OnceOnlyFormMixin
from dossiers.domain.parts import DIAGNOSTIC_COUNTS, SWOT_KEYS
from dossiers.enums import (
    DIAGNOSTIC_ANALYSES,
    LegalStatus,
    MemberRole,
    MemberType,
    Mission,
    MissionStatus,
)

BLANK = [("", _("— Choisir —"))]


def _text(label, *, max_length=None, help_text="", rows=None, **attrs):
    widget = forms.Textarea(attrs={"rows": rows, **attrs}) if rows else forms.TextInput(attrs)
    if rows and max_length is None:
        max_length = TEXT_MAX  # api.md: 20,000 characters per text field
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        widget=widget,
        strip=True,
    )


def _count(label, help_text=""):
    return _text(label, help_text=help_text, inputmode="numeric", autocomplete="off")


class PartForm(forms.Form):
    """A form editing one part of the dossier, with the part's fingerprint (concurrent edits)."""

    part = ""
    # form field → domain error path
    paths: dict = {}

    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    @classmethod
    def anchor_for(cls, path):
        """The HTML id to link to for a completeness problem or error path, or None."""
        for name, field_path in cls.paths.items():
            if field_path == path:
                return f"id_{name}"
        return None

    def apply_errors(self, errors):
        """Attach domain errors to fields; return those that match no field."""
        by_path = {path: name for name, path in self.paths.items()}
        left = {}
        for path, messages in errors.items():
            name = by_path.get(path)
            if name is None:
                left[path] = messages
                continue
            for message in messages:
                self.add_error(name, message)
        return left


class IdentityForm(PartForm):
    part = "identity"
    paths = {
        "name": "identity.name",
        "communes": "identity.communes",
        "lead_name": "identity.lead_structure.name",
        "lead_finess": "identity.lead_structure.finess",
        "lead_legal_status": "identity.lead_structure.legal_status",
        "lead_address": "identity.lead_structure.address",
        "lead_representative_name": "identity.lead_structure.representative_name",
        "lead_representative_title": "identity.lead_structure.representative_title",
        "coordinator_name": "identity.coordinator.name",
        "coordinator_email": "identity.coordinator.email",
        "coordinator_phone": "identity.coordinator.phone",
        "governance": "identity.governance",
        "convention_signed": "identity.convention_signed",
        "actors_justification": "identity.actors_justification",
    }

    name = _text(_("Nom de la filière"), max_length=300)
    communes = _text(
        _("Communes ou EPCI couverts"),
        rows=3,
        help_text=_("À renseigner seulement si la filière couvre moins qu'un territoire de santé."),
    )
    lead_name = _text(_("Nom de la structure porteuse"), max_length=300)
    lead_finess = _text(
        _("Numéro FINESS de la structure porteuse"),
        help_text=_("9 caractères avec la clé de contrôle, par exemple 290000017."),
        autocomplete="off",
        spellcheck="false",
    )
    lead_legal_status = forms.ChoiceField(
        label=_("Statut juridique"), required=False, choices=BLANK + LegalStatus.choices
    )
    lead_address = _text(
        _("Adresse postale de la structure porteuse"),
        rows=3,
        help_text=_(
            "Destinataire du courrier de décision, par exemple « 2 avenue Foch, 29200 Brest »."
        ),
    )
    lead_representative_name = _text(
        _("Représentant légal de la structure porteuse"), max_length=200, autocomplete="name"
    )
    lead_representative_title = _text(
        _("Qualité du représentant légal"),
        max_length=200,
        help_text=_("Par exemple « Directrice générale »."),
    )
    coordinator_name = _text(_("Nom et prénom du coordonnateur"), max_length=200)
    coordinator_email = forms.CharField(
        label=_("Adresse électronique du coordonnateur"),
        required=False,
        help_text=_("Format attendu : nom@domaine.fr"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    coordinator_phone = _text(
        _("Téléphone du coordonnateur"),
        max_length=40,
        help_text=_("Par exemple 02 98 22 33 33 ou +33 2 98 22 33 33."),
        type="tel",
        autocomplete="tel",
    )
    governance = _text(
        _("Gouvernance"),
        rows=5,
        help_text=_("Instance de pilotage, composition, fréquence des réunions."),
    )
    actors_justification = _text(
        _("Acteurs de l'appel absents : pourquoi ?"),
        rows=4,
        help_text=_(
            "L'appel demande que les LISP, USP, EMSP, HAD, l'ERRSPP, les DAC et les CPTS du "
            "territoire participent à la filière. Si certains ne sont pas membres, dites "
            "pourquoi (absents du territoire, associés autrement, démarche en cours…)."
        ),
    )
    convention_signed = forms.ChoiceField(
        label=_("Une convention de partenariat a-t-elle été signée ?"),
        required=False,
        choices=[("yes", _("Oui")), ("no", _("Non")), ("", _("Non renseigné"))],
        widget=forms.RadioSelect,
    )

    @classmethod
    def initial_from(cls, identity):
        identity = identity or {}
        lead = identity.get("lead_structure") or {}
        coordinator = identity.get("coordinator") or {}
        convention = identity.get("convention_signed")
        return {
            "name": identity.get("name", ""),
            "communes": identity.get("communes", ""),
            "lead_name": lead.get("name", ""),
            "lead_finess": lead.get("finess", ""),
            "lead_legal_status": lead.get("legal_status", ""),
            "lead_address": lead.get("address", ""),
            "lead_representative_name": lead.get("representative_name", ""),
            "lead_representative_title": lead.get("representative_title", ""),
            "coordinator_name": coordinator.get("name", ""),
            "coordinator_email": coordinator.get("email", ""),
            "coordinator_phone": coordinator.get("phone", ""),
            "governance": identity.get("governance", ""),
            "convention_signed": {True: "yes", False: "no"}.get(convention, ""),
            "actors_justification": identity.get("actors_justification", ""),
        }

    def to_part(self, members, stored=None):
        """The identity document; keeps keys this form does not edit (e.g. territory_notes)."""
        data = self.cleaned_data
        document = {
            key: value for key, value in (stored or {}).items() if key in {"territory_notes"}
        }
        document.update(
            {
                "name": data["name"],
                "communes": data["communes"],
                "lead_structure": {
                    "name": data["lead_name"],
                    "finess": data["lead_finess"],
                    "legal_status": data["lead_legal_status"],
                    "address": data["lead_address"],
                    "representative_name": data["lead_representative_name"],
                    "representative_title": data["lead_representative_title"],
                },
                "coordinator": {
                    "name": data["coordinator_name"],
                    "email": data["coordinator_email"],
                    "phone": data["coordinator_phone"],
                },
                "members": members,
                "governance": data["governance"],
                "convention_signed": {"yes": True, "no": False}.get(data["convention_signed"]),
                "actors_justification": data["actors_justification"],
            }
        )
        return document


class MemberForm(forms.Form):
    paths = {"type": "type", "name": "name", "finess": "finess", "siret": "siret", "role": "role"}

    type = forms.ChoiceField(
        label=_("Type de structure"), required=False, choices=BLANK + MemberType.choices
    )
    name = _text(_("Nom de la structure"), max_length=300)
    finess = _text(
        _("FINESS"),
        help_text=_("9 caractères, si la structure en a un."),
        autocomplete="off",
        spellcheck="false",
    )
    siret = _text(
        _("SIRET"),
        help_text=_("14 chiffres, à défaut de FINESS."),
        autocomplete="off",
        inputmode="numeric",
    )
    role = forms.ChoiceField(
        label=_("Rôle dans la filière"), required=False, choices=BLANK + MemberRole.choices
    )

    def is_blank(self):
        return not any((self.cleaned_data.get(key) or "") for key in self.paths)

    def to_member(self):
        return {key: self.cleaned_data.get(key) or "" for key in self.paths}


class BaseMemberFormSet(forms.BaseFormSet):
    deletion_widget = forms.CheckboxInput

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Retirer cette structure")

    def kept_forms(self):
        """Forms to store, in order: neither ticked for removal nor left empty."""
        return [
            form
            for form in self.forms
            if form.is_valid() and not form.cleaned_data.get("DELETE") and not form.is_blank()
        ]


MemberFormSet = forms.formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=1, can_delete=True, max_num=200
)


DIAGNOSTIC_LABELS = {
    "population": (_("Population du territoire (habitants)"), ""),
    "minors": (_("Dont mineurs"), ""),
    "over_75": (_("Dont personnes de 75 ans et plus"), ""),
    "lisp_beds": (_("Lits identifiés de soins palliatifs (LISP)"), ""),
    "usp_beds": (_("Lits d'unités de soins palliatifs (USP)"), ""),
    "emsp_count": (_("Équipes mobiles de soins palliatifs (EMSP)"), ""),
    "had_count": (_("Établissements d'hospitalisation à domicile (HAD)"), ""),
    "ehpad_count": (_("EHPAD"), ""),
    "ehpad_residents": (_("Résidents accueillis en EHPAD"), ""),
    "had_patients": (_("Patients suivis en hospitalisation à domicile (HAD) par an"), ""),
    "other_housing_count": (
        _("Autres habitats collectifs"),
        _("Résidences autonomie, MAS, FAM, foyers… (nombre entier)."),
    ),
    "specialised_team_establishments": (
        _("Établissements ayant recours à une équipe spécialisée de soins palliatifs"),
        _("EHPAD, établissements médico-sociaux ou de santé (nombre entier)."),
    ),
    "dac_count": (_("Dispositifs d'appui à la coordination (DAC)"), ""),
    "cpts_count": (_("Communautés professionnelles territoriales de santé (CPTS)"), ""),
    "volunteer_associations": (_("Associations de bénévoles d'accompagnement"), ""),
}
POPULATION_FIELDS = ["population", "minors", "over_75", "area_km2", "access_notes"]
OFFER_FIELDS = [key for key in DIAGNOSTIC_COUNTS if key not in POPULATION_FIELDS]


def mission_status_field(code):
    return f"mission_{code}_status"


def mission_comment_field(code):
    return f"mission_{code}_comment"


class DiagnosticForm(PartForm):
    part = "diagnostic"
    paths = {
        **{key: f"diagnostic.{key}" for key in DIAGNOSTIC_COUNTS},
        "area_km2": "diagnostic.area_km2",
        "access_notes": "diagnostic.access_notes",
        **{key: f"diagnostic.{key}" for key, _label in DIAGNOSTIC_ANALYSES},
        **{
            mission_status_field(code): f"diagnostic.missions.{index}.status"
            for index, code in enumerate(Mission.values)
        },
        **{
            mission_comment_field(code): f"diagnostic.missions.{index}.comment"
            for index, code in enumerate(Mission.values)
        },
    }
    # Completeness problems name the mission by its code.
    anchors = {
        f"diagnostic.missions.{code}": f"id_{mission_status_field(code)}" for code in Mission.values
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hint = _("Nombre entier, sans décimale.")
        for key in DIAGNOSTIC_COUNTS:
            label, help_text = DIAGNOSTIC_LABELS[key]
            self.fields[key] = _count(label, help_text or hint)
        self.fields["area_km2"] = _text(
            _("Superficie (km²)"),
            help_text=_("Nombre, décimales possibles (par exemple 3500,5)."),
            inputmode="decimal",
            autocomplete="off",
        )
        self.fields["access_notes"] = _text(
            _("Accessibilité et temps de trajet"),
            rows=4,
            help_text=_("Zones éloignées d'une équipe spécialisée, îles, temps d'accès..."),
        )
        for key, label in DIAGNOSTIC_ANALYSES:
            self.fields[key] = _text(label, rows=4)
        for code, label in Mission.choices:
            self.fields[mission_status_field(code)] = forms.ChoiceField(
                label=label,
                required=False,
                choices=MissionStatus.choices,
                widget=forms.RadioSelect,
            )
            self.fields[mission_comment_field(code)] = _text(
                _("Commentaire sur la mission « %(mission)s »") % {"mission": label}, rows=2
            )

    @classmethod
    def anchor_for(cls, path):
        return cls.anchors.get(path) or super().anchor_for(path)

    @classmethod
    def initial_from(cls, diagnostic):
        diagnostic = diagnostic or {}
        initial = {}
        for key in DIAGNOSTIC_COUNTS:
            value = diagnostic.get(key)
            initial[key] = "" if value is None else str(value)
        area = diagnostic.get("area_km2")
        initial["area_km2"] = "" if area in (None, "") else str(area).replace(".", ",")
        initial["access_notes"] = diagnostic.get("access_notes", "")
        for key, _label in DIAGNOSTIC_ANALYSES:
            initial[key] = diagnostic.get(key, "")
        for mission in diagnostic.get("missions") or []:
            code = mission.get("code")
            if code in Mission.values:
                initial[mission_status_field(code)] = mission.get("status", "")
                initial[mission_comment_field(code)] = mission.get("comment", "")
        return initial

    def missions(self):
        """[(label, status bound field, comment bound field)] in the instruction's order."""
        return [
            (label, self[mission_status_field(code)], self[mission_comment_field(code)])
            for code, label in Mission.choices
        ]

    def to_part(self):
        data = self.cleaned_data
        document = {key: data[key] for key in DIAGNOSTIC_COUNTS}
        document["area_km2"] = data["area_km2"]
        document["access_notes"] = data["access_notes"]
        for key, _label in DIAGNOSTIC_ANALYSES:
            document[key] = data[key]
        document["missions"] = [
            {
                "code": code,
                "status": data[mission_status_field(code)],
                "comment": data[mission_comment_field(code)],
            }
            for code in Mission.values
        ]
        return document


SWOT_LABELS = {
    "strengths": _("Forces"),
    "weaknesses": _("Faiblesses"),
    "opportunities": _("Opportunités"),
    "threats": _("Menaces"),
}


def lines_of(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class SwotForm(PartForm):
    part = "swot"
    paths = {key: f"swot.{key}" for key in SWOT_KEYS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in SWOT_KEYS:
            self.fields[key] = _text(
                SWOT_LABELS[key],
                rows=6,
                # One line per item: the items' own bounds are the domain's.
                max_length=MAX_SWOT_ITEMS * 2001,
                help_text=_(
                    "Un élément par ligne : chaque ligne devient un élément de la liste (les lignes vides sont ignorées)."
                ),
            )

    @classmethod
    def initial_from(cls, swot):
        swot = swot or {}
        return {key: "\n".join(swot.get(key) or []) for key in SWOT_KEYS}

    def to_part(self):
        return {key: lines_of(self.cleaned_data[key]) for key in SWOT_KEYS}

    def apply_errors(self, errors):
        # swot.strengths.3 → the 4th item (non-empty line) of "strengths".
        left = {}
        for path, messages in errors.items():
            parts = path.split(".")
            if len(parts) >= 2 and parts[0] == "swot" and parts[1] in SWOT_KEYS:
                for message in messages:
                    if len(parts) == 3 and parts[2].isdigit():
                        message = _("Élément n° %(n)d : %(message)s") % {
                            "n": int(parts[2]) + 1,
                            "message": message,
                        }
                    self.add_error(parts[1], message)
            else:
                left[path] = messages
        return left


PART_FORMS = {"identity": IdentityForm, "diagnostic": DiagnosticForm, "swot": SwotForm}


class TransitionForm(forms.Form):
    """Comment (and due date for a completion request) of a workflow action."""

    comment = forms.CharField(
        label=_("Commentaire (facultatif)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
    )
    due_date = forms.DateField(
        label=_("Date limite de réponse"),
        required=False,
        help_text=_("Format attendu : JJ/MM/AAAA"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Saisissez une date valide, par exemple 28/02/2025.")},
    )

    # The dossier version the page showed: a change made meanwhile (another
    # instructor's action, an edit) makes the confirmation stale (409).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, spec, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        if not spec.is_public:
            self.fields["comment"].label = _("Commentaire interne (facultatif)")
            self.fields["comment"].help_text = _(
                "Visible des équipes de l'ARS et de la CARESP seulement, jamais du porteur."
            )
        if spec.needs_comment:
            field = self.fields["comment"]
            field.required = True
            field.label = _("Message au porteur")
            field.help_text = _(
                "Précisez les compléments attendus : le porteur le recevra par courriel."
            )
            field.error_messages["required"] = _("Indiquez le message destiné au porteur.")
        if spec.needs_due_date:
            field = self.fields["due_date"]
            field.required = True
            field.error_messages["required"] = _("Indiquez la date limite de réponse.")
        else:
            del self.fields["due_date"]

    def apply_errors(self, errors):
        left = {}
        for key, messages in errors.items():
            if key in self.fields:
                for message in messages:
                    self.add_error(key, message)
            else:
                left[key] = messages
        return left


class InviteForm(OnceOnlyFormMixin):
    email = forms.CharField(
        label=_("Adresse électronique"),
        help_text=_("Format attendu : nom@domaine.fr"),
        error_messages={"required": _("Indiquez l'adresse électronique de la personne à inviter.")},
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def apply_errors(self, errors):
        left = {}
        for key, messages in errors.items():
            if key in self.fields:
                for message in messages:
                    self.add_error(key, message)
            else:
                left[key] = messages
        return left


class DueDateForm(forms.Form):
    """An ARS instructor extends the due date of a completion request."""

    due_date = forms.DateField(
        label=_("Nouvelle date limite de réponse"),
        help_text=_("Le porteur peut modifier et redéposer le dossier jusqu'à la fin de ce jour."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Indiquez la nouvelle date limite."),
            "invalid": _("Saisissez une date valide, par exemple 28/02/2025."),
        },
    )
    reason = forms.CharField(
        label=_("Motif"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": _("Indiquez le motif de la prolongation.")},
    )

    def add_domain_errors(self, exc):
        for key, messages in exc.errors.items():
            for message in messages:
                self.add_error(key if key in self.fields else None, message)
        if not exc.errors:
            self.add_error(None, exc.message)
