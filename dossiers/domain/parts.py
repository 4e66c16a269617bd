"""Canonical shape and format checks of the identity sheet, diagnostic and SWOT.

Drafts may be incomplete (empty fields are fine: completeness is checked at
submission), but what is filled in must be well-formed: a FINESS with a valid
key, an e-mail address, whole non-negative numbers. The API and the forms both
go through these functions, so they accept and refuse exactly the same input."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from common.errors import InvalidInput
from common.identifiers import validate_finess, validate_siret
from common.limits import MAX_MEMBERS, MAX_SWOT_ITEMS, TEXT_MAX, bounded
from common.text import clean_text
from dossiers.enums import (
    DIAGNOSTIC_ANALYSES,
    LegalStatus,
    MemberRole,
    MemberType,
    Mission,
    MissionStatus,
)

DIAGNOSTIC_COUNTS = [
    "population",
    "minors",
    "over_75",
    "lisp_beds",
    "usp_beds",
    "emsp_count",
    "had_count",
    "ehpad_count",
    "ehpad_residents",
    "had_patients",
    "other_housing_count",
    "specialised_team_establishments",
    "dac_count",
    "cpts_count",
    "volunteer_associations",
]
SWOT_KEYS = ["strengths", "weaknesses", "opportunities", "threats"]
MAX_COUNT = 10**9


class _Collector:
    def __init__(self):
        self.errors = {}

    def add(self, path, message):
        self.errors.setdefault(path, []).append(str(message))

    def text(self, data, key, path, max_length=TEXT_MAX):
        value = data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.add(path, _("Texte attendu."))
            return ""
        value = clean_text(value).strip()
        if len(value) > max_length:
            self.add(path, _("Ce texte dépasse %(n)d caractères.") % {"n": max_length})
        return value

    def choice(self, data, key, path, choices):
        value = data.get(key)
        if value in (None, ""):
            return ""
        if value not in choices.values:
            self.add(path, _("Valeur « %(value)s » non reconnue.") % {"value": value})
            return ""
        return value

    def identifier(self, value, path, validator):
        if value in (None, ""):
            return ""
        if not isinstance(value, str):
            self.add(path, _("Texte attendu."))
            return ""
        try:
            return validator(value)
        except ValidationError as exc:
            for message in exc.messages:
                self.add(path, message)
            return value.strip()

    def count(self, data, key, path):
        value = data.get(key)
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            self.add(path, _("Nombre entier attendu."))
            return None
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace("\u202f", "").replace("\u00a0", "")
            # isdigit() alone lets "²" or "١٢٣" through (int() then fails).
            if not (value.isascii() and value.isdigit()) or len(value) > 12:
                self.add(path, _("Nombre entier positif ou nul attendu."))
                return None
            value = int(value)
        if not isinstance(value, int) or value < 0:
            self.add(path, _("Nombre entier positif ou nul attendu."))
            return None
        if value > MAX_COUNT:
            self.add(path, _("Ce nombre est trop grand."))
            return None
        return value

    def decimal(self, data, key, path):
        value = data.get(key)
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            self.add(path, _("Nombre attendu."))
            return None
        try:
            number = Decimal(str(value).replace(",", ".").replace(" ", ""))
        except InvalidOperation:
            self.add(path, _("Nombre attendu."))
            return None
        if not number.is_finite() or number < 0:
            self.add(path, _("Nombre positif attendu."))
            return None
        return str(number)

    def raise_if_any(self):
        if self.errors:
            raise InvalidInput(_("Certaines informations sont invalides."), self.errors)


def _mapping(value, path, collector):
    if value is None:
        return {}
    if not isinstance(value, dict):
        collector.add(path, _("Objet attendu."))
        return {}
    return value


PHONE_SEPARATORS = str.maketrans("", "", " .-()\u00a0")


def valid_phone(value):
    """A French number (0 and 9 digits) or an international one (+ and 8 to 15 digits),
    written with spaces, dots, hyphens or brackets as people do."""
    digits = value.translate(PHONE_SEPARATORS)
    if digits.startswith("+"):
        return digits.isascii() and digits[1:].isdigit() and 8 <= len(digits) - 1 <= 15
    return digits.isascii() and digits.isdigit() and len(digits) == 10 and digits[0] == "0"


def clean_identity(data):
    c = _Collector()
    data = _mapping(data, "identity", c)
    lead = _mapping(data.get("lead_structure"), "identity.lead_structure", c)
    coordinator = _mapping(data.get("coordinator"), "identity.coordinator", c)
    email = c.text(coordinator, "email", "identity.coordinator.email", 254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            c.add("identity.coordinator.email", _("Adresse électronique invalide."))
    phone = c.text(coordinator, "phone", "identity.coordinator.phone", 40)
    if phone and not valid_phone(phone):
        c.add(
            "identity.coordinator.phone",
            _(
                "Numéro de téléphone invalide : 10 chiffres, par exemple 02 98 22 33 33, "
                "ou l'indicatif international, par exemple +33 2 98 22 33 33."
            ),
        )
    members_in = data.get("members") or []
    if not isinstance(members_in, list):
        c.add("identity.members", _("Liste attendue."))
        members_in = []
    members_in = bounded(
        members_in, MAX_MEMBERS, "identity.members", _("structures membres"), c.errors
    )
    members = []
    for index, member in enumerate(members_in):
        path = f"identity.members.{index}"
        member = _mapping(member, path, c)
        members.append(
            {
                "type": c.choice(member, "type", f"{path}.type", MemberType),
                "name": c.text(member, "name", f"{path}.name", 300),
                "finess": c.identifier(member.get("finess"), f"{path}.finess", validate_finess),
                "siret": c.identifier(member.get("siret"), f"{path}.siret", validate_siret),
                "role": c.choice(member, "role", f"{path}.role", MemberRole),
            }
        )
    convention = data.get("convention_signed")
    if convention not in (None, True, False):
        c.add("identity.convention_signed", _("Oui ou non attendu."))
        convention = None
    cleaned = {
        "name": c.text(data, "name", "identity.name", 300),
        "lead_structure": {
            "name": c.text(lead, "name", "identity.lead_structure.name", 300),
            "finess": c.identifier(
                lead.get("finess"), "identity.lead_structure.finess", validate_finess
            ),
            "legal_status": c.choice(
                lead, "legal_status", "identity.lead_structure.legal_status", LegalStatus
            ),
            # The decision letter's addressee (call for applications: "représentant légal").
            "address": c.text(lead, "address", "identity.lead_structure.address", 500),
            "representative_name": c.text(
                lead, "representative_name", "identity.lead_structure.representative_name", 200
            ),
            "representative_title": c.text(
                lead, "representative_title", "identity.lead_structure.representative_title", 200
            ),
        },
        "coordinator": {
            "name": c.text(coordinator, "name", "identity.coordinator.name", 200),
            "email": email,
            "phone": phone,
        },
        "members": members,
        "governance": c.text(data, "governance", "identity.governance"),
        "convention_signed": convention,
        # Why actors the call names are not members (dossiers.domain.participation).
        "actors_justification": c.text(
            data, "actors_justification", "identity.actors_justification"
        ),
    }
    for key in ("communes", "territory_notes"):
        if key in data:
            cleaned[key] = c.text(data, key, f"identity.{key}")
    c.raise_if_any()
    return cleaned


def clean_diagnostic(data):
    c = _Collector()
    data = _mapping(data, "diagnostic", c)
    cleaned = {key: c.count(data, key, f"diagnostic.{key}") for key in DIAGNOSTIC_COUNTS}
    cleaned["area_km2"] = c.decimal(data, "area_km2", "diagnostic.area_km2")
    cleaned["access_notes"] = c.text(data, "access_notes", "diagnostic.access_notes")
    for key, _label in DIAGNOSTIC_ANALYSES:
        cleaned[key] = c.text(data, key, f"diagnostic.{key}")
    missions_in = data.get("missions") or []
    if not isinstance(missions_in, list):
        c.add("diagnostic.missions", _("Liste attendue."))
        missions_in = []
    missions_in = bounded(
        missions_in, len(Mission.values), "diagnostic.missions", _("missions"), c.errors
    )
    by_code = {}
    for index, mission in enumerate(missions_in):
        path = f"diagnostic.missions.{index}"
        mission = _mapping(mission, path, c)
        code = mission.get("code")
        if code not in Mission.values:
            c.add(f"{path}.code", _("Mission « %(code)s » inconnue.") % {"code": code})
            continue
        if code in by_code:
            c.add(f"{path}.code", _("Mission « %(code)s » en double.") % {"code": code})
            continue
        by_code[code] = {
            "code": code,
            "status": c.choice(mission, "status", f"{path}.status", MissionStatus),
            "comment": c.text(mission, "comment", f"{path}.comment"),
        }
    # Always the full table, in the instruction's order.
    cleaned["missions"] = [
        by_code.get(code, {"code": code, "status": "", "comment": ""}) for code in Mission.values
    ]
    c.raise_if_any()
    return cleaned


def clean_swot(data):
    c = _Collector()
    data = _mapping(data, "swot", c)
    cleaned = {}
    for key in SWOT_KEYS:
        items = data.get(key) or []
        if not isinstance(items, list):
            c.add(f"swot.{key}", _("Liste attendue."))
            items = []
        items = bounded(items, MAX_SWOT_ITEMS, f"swot.{key}", _("éléments"), c.errors)
        kept = []
        for index, item in enumerate(items):
            if not isinstance(item, str):
                c.add(f"swot.{key}.{index}", _("Texte attendu."))
                continue
            item = clean_text(item).strip()
            if len(item) > 2000:
                c.add(f"swot.{key}.{index}", _("Ce texte dépasse 2000 caractères."))
            if item:
                kept.append(item)
        cleaned[key] = kept
    c.raise_if_any()
    return cleaned


CLEANERS = {"identity": clean_identity, "diagnostic": clean_diagnostic, "swot": clean_swot}


def establishment_names(identity):
    """{FINESS: name} of the lead structure and the members an identity sheet names: who
    receives a funding line (letters, exports)."""
    names = {}
    identity = identity if isinstance(identity, dict) else {}
    lead = identity.get("lead_structure") or {}
    members = identity.get("members") or []
    for item in [lead, *(members if isinstance(members, list) else [])]:
        if isinstance(item, dict) and item.get("finess"):
            names.setdefault(str(item["finess"]), str(item.get("name") or ""))
    return names
