"""Import of a campaign description file (api.md §Commands, `manage.py load_campaign`).

The file is checked whole before anything is written: every problem is listed
at once (in French, with its place in the file) and nothing is imported when
there is one. Otherwise campaign, envelopes, territories, filières and users are
created or updated, idempotently, by campaign slug, territory code, filière slug
and username, in one transaction.

The campaign belongs to the region the file names (reference data,
campaign/data/regions.json). Territories are the region's: a code the region already
has is that territory (updated), the others are added to the region; the campaign
covers the territories listed, or when the key is omitted those it already covers,
else its region's, else (Bretagne) the reference ones of setup/data/bretagne.json. A
filière is its region's: a slug the region already has is that filière, with its
leads and history, and it takes part in this campaign too. A staff role listed is held
for the campaign's region only (admin is national).

Updates never delete: territories and filières absent from the file are kept,
roles and filière memberships are added, and a changed envelope amount is recorded
as an amendment."""

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import REGIONAL_ROLES, Role, RoleGrant, User
from budget.domain.envelopes import set_envelope
from budget.models import Envelope, EnvelopeKind
from campaign.domain.regions import update_region
from campaign.domain.setup import add_filiere, create_campaign, set_territories, update_campaign
from campaign.domain.territories import save_territory
from campaign.models import Campaign, Region
from common.errors import Conflict, InvalidInput
from common.money import format_eur, parse_amount
from common.text import clean_text
from dossiers.enums import DossierState
from dossiers.models import FundingLine
from followup.domain.opening import open_reports
from setup.domain.lifecycle import publish

REFERENCE_FILE = Path(__file__).resolve().parent / "data" / "bretagne.json"
AMENDMENT_REASON = "Import du fichier de campagne"

TOP_KEYS = {
    "slug",
    "name",
    "region",
    "opens_at",
    "deadline",
    "decision_date",
    "first_delegation_date",
    "envelopes",
    "territories",
    "filieres",
    "users",
    "signatory",
    "contact",
    "report_due_date",
    "notification_emails",
    "kind",
    "year",
}
TOP_REQUIRED = ["slug", "name", "region", "opens_at", "deadline", "envelopes"]
# A yearly follow-up (api.md: `"kind": "followup"`): its participants are the region's
# recognised filières, it has neither envelopes, territories nor filières of its own.
FOLLOWUP_KEYS = {
    "slug",
    "name",
    "kind",
    "region",
    "year",
    "opens_at",
    "deadline",
    "users",
    "contact",
}
FOLLOWUP_REQUIRED = ["slug", "name", "region", "year", "opens_at", "deadline"]
TERRITORY_KEYS = {"code", "name", "departements"}
FILIERE_KEYS = {"slug", "name", "territories"}
USER_KEYS = {"username", "email", "password", "roles", "filieres", "first_name", "last_name"}
SIGNATORY_KEYS = {"name", "title"}
CONTACT_KEYS = {"service", "name", "email", "phone"}
REFERENCE_REGION = "Bretagne"
DEPARTEMENT_RE = re.compile(r"(\d{2}|2A|2B|97\d)")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Python's JSON messages, in French.
JSON_MESSAGES = {
    "Expecting value": "valeur attendue",
    "Expecting ',' delimiter": "virgule attendue",
    "Expecting ':' delimiter": "deux-points attendu",
    "Expecting property name enclosed in double quotes": "nom de clé entre guillemets doubles attendu",
    "Extra data": "texte en trop après la fin du document",
    "Unterminated string starting at": "chaîne de caractères non terminée",
    "Invalid control character at": "caractère de contrôle interdit dans une chaîne",
    "Invalid \\escape": "séquence d'échappement invalide",
    "Illegal trailing comma before end of object": "virgule en trop avant la fin de l'objet",
    "Illegal trailing comma before end of array": "virgule en trop avant la fin de la liste",
}


class CampaignFileError(InvalidInput):
    """The file is refused whole; `problems` lists every reason, in French."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(
            "Le fichier de campagne est invalide : rien n'a été importé.",
            {"file": self.problems},
        )


def reference_territories():
    """Brittany's 8 health territories (setup/data/bretagne.json)."""
    data = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    return [
        TerritorySpec(t["code"], t["name"], list(t["departements"])) for t in data["territories"]
    ]


def _no_duplicate_keys(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"la clé « {key} » apparaît deux fois dans le même objet")
        seen[key] = value
    return seen


def parse_campaign_json(text):
    """Decode the file's text; JSON errors come back in French with line and column."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        message = JSON_MESSAGES.get(exc.msg, exc.msg)
        raise CampaignFileError(
            [
                f"JSON invalide ligne {exc.lineno}, colonne {exc.colno} : {message}.",
            ]
        ) from None
    except ValueError as exc:
        raise CampaignFileError([f"JSON invalide : {exc}."]) from None


def read_campaign_file(path):
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise CampaignFileError([f"Fichier « {path} » introuvable."]) from None
    except IsADirectoryError:
        raise CampaignFileError([f"« {path} » est un répertoire, pas un fichier."]) from None
    except PermissionError:
        raise CampaignFileError([f"Lecture du fichier « {path} » refusée (droits)."]) from None
    except OSError as exc:
        raise CampaignFileError([f"Lecture du fichier « {path} » impossible : {exc}."]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CampaignFileError(
            [f"Le fichier doit être encodé en UTF-8 (octet invalide à la position {exc.start})."]
        ) from None
    return parse_campaign_json(text)


@dataclass
class TerritorySpec:
    code: str
    name: str
    departements: list


@dataclass
class FiliereSpec:
    slug: str
    name: str
    territories: list
    path: str = ""


@dataclass
class UserSpec:
    username: str
    email: str = ""
    password: str | None = None
    roles: list = field(default_factory=list)
    filieres: list = field(default_factory=list)
    first_name: str | None = None
    last_name: str | None = None
    path: str = ""


@dataclass
class CampaignSpec:
    slug: str = ""
    name: str = ""
    region: str = ""
    opens_at: dt.datetime | None = None
    deadline: dt.datetime | None = None
    decision_date: dt.date | None = None
    first_delegation_date: dt.date | None = None
    envelopes: dict = field(default_factory=dict)
    territories: list | None = None
    filieres: list = field(default_factory=list)
    users: list = field(default_factory=list)
    signatory: dict | None = None
    contact: dict | None = None
    report_due_date: dt.date | None = None
    notification_emails: list | None = None
    kind: str = "call"
    year: int | None = None

    @property
    def is_followup(self):
        return self.kind == "followup"


def _join(path, key):
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class _Checker:
    """Collects every problem of the file; each names its place (« filieres[2].slug »)."""

    def __init__(self):
        self.problems = []

    def add(self, path, message):
        self.problems.append(f"« {path} » : {message}" if path else message)

    def obj(self, value, path, allowed, required):
        if not isinstance(value, dict):
            self.add(path, "un objet JSON { … } est attendu.")
            return None
        for key in value:
            if key not in allowed and not key.startswith("_"):
                self.add(
                    _join(path, key),
                    f"clé inconnue (clés possibles : {', '.join(sorted(allowed))}).",
                )
        for key in required:
            if key not in value:
                self.add(_join(path, key), "clé obligatoire absente.")
        return value

    def text(self, data, key, path, *, required=True, max_length=200):
        p = _join(path, key)
        value = data.get(key)
        if value is None:
            if required and key in data:
                self.add(p, "une valeur est obligatoire.")
            return None
        if not isinstance(value, str):
            self.add(p, "une chaîne de caractères est attendue.")
            return None
        value = clean_text(value).strip()
        if required and not value:
            self.add(p, "ne doit pas être vide.")
            return None
        if len(value) > max_length:
            self.add(p, f"ne doit pas dépasser {max_length} caractères.")
            return None
        return value

    def slug(self, data, key, path, max_length=80):
        value = self.text(data, key, path, max_length=max_length)
        if value:
            try:
                validate_slug(value)
            except ValidationError:
                self.add(
                    _join(path, key),
                    f"« {value} » n'est pas un identifiant valide (lettres non accentuées, "
                    "chiffres, tirets, par exemple « nord-finistere »).",
                )
                return None
        return value

    def datetime(self, data, key, path):
        p = _join(path, key)
        value = data.get(key)
        if value is None:
            return None
        example = "(exemple : 2025-02-14T23:59:59+01:00)"
        if not isinstance(value, str):
            self.add(p, f"une date et heure ISO 8601 est attendue {example}.")
            return None
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            self.add(p, f"« {value} » n'est pas une date et heure ISO 8601 valide {example}.")
            return None
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            self.add(p, f"« {value} » doit indiquer son décalage horaire {example}.")
            return None
        return parsed

    def date(self, data, key, path):
        p = _join(path, key)
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not DATE_RE.fullmatch(value):
            self.add(p, f"une date AAAA-MM-JJ est attendue (reçu : {json.dumps(value)}).")
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.add(p, f"« {value} » n'est pas une date existante.")
            return None

    def string_list(self, data, key, path, *, required=False, missing=()):
        p = _join(path, key)
        value = data.get(key)
        if value is None:
            if required:
                self.add(p, "une liste est obligatoire.")
            return list(missing) if missing is not None else None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(p, 'une liste de chaînes de caractères est attendue (exemple : ["T1"]).')
            return []
        return [v.strip() for v in value]

    def object_list(self, data, key, path):
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(_join(path, key), "une liste [ … ] est attendue.")
            return []
        return value


def _check_structure(data):
    """Everything that can be checked without the database: (spec, checker)."""
    c = _Checker()
    spec = CampaignSpec()
    if not isinstance(data, dict):
        c.add("", "Le fichier doit contenir un objet JSON { … } décrivant la campagne.")
        return spec, c
    kind = data.get("kind", "call")
    if kind not in ("call", "followup"):
        c.add(
            "kind", f"nature « {kind} » inconnue : « call » (appel) ou « followup » (suivi annuel)."
        )
        kind = "call"
    spec.kind = kind
    if spec.is_followup:
        c.obj(data, "", FOLLOWUP_KEYS, FOLLOWUP_REQUIRED)
        year = data.get("year")
        if "year" in data and (
            isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100
        ):
            c.add("year", "année attendue sous forme d'entier, par exemple 2026.")
        else:
            spec.year = year
    else:
        c.obj(data, "", TOP_KEYS - {"year"}, TOP_REQUIRED)
    spec.slug = c.slug(data, "slug", "")
    spec.name = c.text(data, "name", "")
    spec.region = c.text(data, "region", "", max_length=100)
    spec.opens_at = c.datetime(data, "opens_at", "")
    spec.deadline = c.datetime(data, "deadline", "")
    if spec.opens_at and spec.deadline and spec.deadline <= spec.opens_at:
        c.add("deadline", "la date limite de dépôt doit être postérieure à l'ouverture (opens_at).")
    spec.decision_date = c.date(data, "decision_date", "")
    spec.first_delegation_date = c.date(data, "first_delegation_date", "")
    if (
        spec.decision_date
        and spec.first_delegation_date
        and spec.first_delegation_date < spec.decision_date
    ):
        c.add(
            "first_delegation_date",
            "la première délégation ne peut pas précéder la décision (decision_date).",
        )

    if "signatory" in data and c.obj(data["signatory"], "signatory", SIGNATORY_KEYS, ["name"]):
        spec.signatory = {
            "name": c.text(data["signatory"], "name", "signatory"),
            "title": c.text(data["signatory"], "title", "signatory", required=False) or "",
        }
    if "contact" in data and c.obj(data["contact"], "contact", CONTACT_KEYS, ["name"]):
        contact = data["contact"]
        spec.contact = {
            "service": c.text(contact, "service", "contact", required=False) or "",
            "name": c.text(contact, "name", "contact"),
            "email": c.text(contact, "email", "contact", required=False, max_length=254) or "",
            "phone": c.text(contact, "phone", "contact", required=False, max_length=40) or "",
        }
        if spec.contact["email"]:
            try:
                validate_email(spec.contact["email"])
            except ValidationError:
                c.add(
                    "contact.email",
                    f"« {spec.contact['email']} » n'est pas une adresse électronique.",
                )
    spec.report_due_date = c.date(data, "report_due_date", "")
    if spec.report_due_date and spec.decision_date and spec.report_due_date <= spec.decision_date:
        c.add(
            "report_due_date", "le premier rapport annuel est dû après la décision (decision_date)."
        )
    if "notification_emails" in data:
        spec.notification_emails = c.string_list(data, "notification_emails", "")
        for index, address in enumerate(spec.notification_emails):
            try:
                validate_email(address)
            except ValidationError:
                c.add(
                    _join("notification_emails", index),
                    f"« {address} » n'est pas une adresse électronique.",
                )

    envelopes = data.get("envelopes")
    if "envelopes" in data and c.obj(envelopes, "envelopes", set(EnvelopeKind.values), []):
        if not envelopes:
            c.add("envelopes", "indiquez au moins une enveloppe (recurring, one_off).")
        for kind in EnvelopeKind.values:
            if kind not in envelopes:
                continue
            try:
                spec.envelopes[kind] = parse_amount(envelopes[kind])
            except ValidationError as exc:
                for message in exc.messages:
                    c.add(_join("envelopes", kind), message)

    if "territories" in data:
        spec.territories = []
        codes = Counter()
        for index, item in enumerate(c.object_list(data, "territories", "")):
            path = _join("territories", index)
            if c.obj(item, path, TERRITORY_KEYS, ["code", "name", "departements"]) is None:
                continue
            code = c.text(item, "code", path, max_length=20)
            name = c.text(item, "name", path)
            departements = c.string_list(item, "departements", path, required=True)
            for dep in departements:
                if not DEPARTEMENT_RE.fullmatch(dep):
                    c.add(
                        _join(path, "departements"),
                        f'« {dep} » n\'est pas un code de département (exemple : "29").',
                    )
            if "departements" in item and not departements:
                c.add(_join(path, "departements"), "indiquez au moins un département.")
            if code:
                codes[code] += 1
                if codes[code] == 2:
                    c.add(path, f"le code de territoire « {code} » apparaît plusieurs fois.")
            if code and name:
                spec.territories.append(TerritorySpec(code, name, departements))
        if data["territories"] == []:
            c.add(
                "territories",
                "la liste est vide (omettez la clé pour garder les territoires de la campagne "
                "ou prendre ceux de la région).",
            )

    slugs = Counter()
    for index, item in enumerate(c.object_list(data, "filieres", "")):
        path = _join("filieres", index)
        if c.obj(item, path, FILIERE_KEYS, ["slug", "name"]) is None:
            continue
        slug = c.slug(item, "slug", path)
        name = c.text(item, "name", path)
        # None: not given, so an update keeps the filière's territories.
        territories = c.string_list(item, "territories", path, missing=None)
        if slug:
            slugs[slug] += 1
            if slugs[slug] == 2:
                c.add(path, f"l'identifiant de filière « {slug} » apparaît plusieurs fois.")
        if slug and name:
            spec.filieres.append(FiliereSpec(slug, name, territories, path))

    usernames = Counter()
    for index, item in enumerate(c.object_list(data, "users", "")):
        path = _join("users", index)
        if c.obj(item, path, USER_KEYS, ["username"]) is None:
            continue
        username = c.text(item, "username", path, max_length=150)
        if username:
            try:
                User.username_validator(username)
            except ValidationError:
                c.add(
                    _join(path, "username"),
                    f"« {username} » n'est pas un nom d'utilisateur valide (lettres, chiffres "
                    "et @ . + - _ uniquement).",
                )
                username = None
        email = c.text(item, "email", path, required=False, max_length=254) or ""
        if email:
            try:
                validate_email(email)
            except ValidationError:
                c.add(_join(path, "email"), f"« {email} » n'est pas une adresse électronique.")
        password = item.get("password")
        if password is not None and not isinstance(password, str):
            c.add(_join(path, "password"), "une chaîne de caractères est attendue.")
            password = None
        roles = c.string_list(item, "roles", path)
        for role in roles:
            if role not in Role.values:
                c.add(
                    _join(path, "roles"),
                    f"rôle « {role} » inconnu (rôles possibles : {', '.join(Role.values)}).",
                )
        if username:
            usernames[username] += 1
            if usernames[username] == 2:
                c.add(path, f"l'utilisateur « {username} » apparaît plusieurs fois.")
            spec.users.append(
                UserSpec(
                    username=username,
                    email=email,
                    password=password,
                    roles=[r for r in roles if r in Role.values],
                    filieres=c.string_list(item, "filieres", path),
                    first_name=c.text(item, "first_name", path, required=False, max_length=150),
                    last_name=c.text(item, "last_name", path, required=False, max_length=150),
                    path=path,
                )
            )
    return spec, c


def _granted_total(campaign, kind):
    total = FundingLine.objects.filter(
        project__dossier__campaign=campaign,
        project__dossier__state=DossierState.DECIDED,
        nature=kind,
    ).aggregate(total=Sum("granted"))["total"]
    return total or Decimal("0")


def find_region(name):
    """The region of that name (or INSEE code), whatever the case, or None."""
    if not name:
        return None
    return (
        Region.objects.filter(name__iexact=name).first() or Region.objects.filter(code=name).first()
    )


def _check_against_database(spec, c):
    """Checks that need the current data (run inside the import's transaction):
    (campaign or None, region or None, {username: User})."""
    campaign = Campaign.objects.filter(slug=spec.slug).first() if spec.slug else None
    region = find_region(spec.region)
    if spec.region and region is None:
        names = ", ".join(Region.objects.order_by("name").values_list("name", flat=True))
        c.add("region", f"région « {spec.region} » inconnue (régions connues : {names}).")
    if campaign and region and campaign.region_id != region.pk:
        c.add(
            "region",
            f"la campagne « {campaign.slug} » appartient à la région « {campaign.region} » : "
            "elle ne peut pas changer de région.",
        )
    campaign_codes = set()
    participant_slugs = set()
    if campaign:
        campaign_codes = set(campaign.territories.values_list("code", flat=True))
        participant_slugs = set(campaign.filieres.values_list("slug", flat=True))
        for envelope in Envelope.objects.select_for_update().filter(campaign=campaign):
            new_amount = spec.envelopes.get(envelope.kind)
            if new_amount is None or new_amount >= envelope.amount:
                continue
            granted = _granted_total(campaign, envelope.kind)
            if new_amount < granted:
                c.add(
                    _join("envelopes", envelope.kind),
                    f"impossible d'abaisser l'enveloppe « {envelope.get_kind_display()} » à "
                    f"{format_eur(new_amount)} : {format_eur(granted)} sont déjà accordés "
                    "par des décisions.",
                )
    if region is not None and not spec.is_followup:
        covered = _covered_codes(spec, region, campaign_codes)
        if covered is None:
            c.add(
                "territories",
                f"la région « {region.name} » n'a pas encore de territoires de santé : "
                "indiquez-les (code, name, departements).",
            )
            covered = set()
        for filiere in spec.filieres:
            for code in filiere.territories or []:
                if code not in covered:
                    c.add(
                        _join(filiere.path, "territories"),
                        f"territoire « {code} » inconnu de la campagne (territoires : "
                        f"{', '.join(sorted(covered))}).",
                    )
    known_slugs = participant_slugs | {f.slug for f in spec.filieres}
    if spec.is_followup and region is not None:
        # A follow-up's leads write for the region's filières.
        known_slugs |= set(region.filieres.values_list("slug", flat=True))
    if campaign is not None and campaign.kind != spec.kind:
        c.add(
            "kind",
            f"la campagne « {campaign.slug} » est de nature « {campaign.kind} » : elle ne peut pas en changer.",
        )
    existing_users = {
        u.username: u for u in User.objects.filter(username__in=[u.username for u in spec.users])
    }
    for user in spec.users:
        for slug in user.filieres:
            if slug not in known_slugs:
                c.add(_join(user.path, "filieres"), f"filière « {slug} » inconnue.")
        current = existing_users.get(user.username)
        if current is None and not user.password:
            c.add(
                _join(user.path, "password"),
                f"mot de passe obligatoire pour créer l'utilisateur « {user.username} ».",
            )
        elif user.password:
            probe = current or User(
                username=user.username,
                email=user.email,
                first_name=user.first_name or "",
                last_name=user.last_name or "",
            )
            try:
                password_validation.validate_password(user.password, probe)
            except ValidationError as exc:
                for message in exc.messages:
                    c.add(_join(user.path, "password"), f"mot de passe refusé : {message}")
    return campaign, region, existing_users


def _covered_codes(spec, region, campaign_codes):
    """The territory codes the campaign will cover (None: the region has none to offer)."""
    if spec.territories is not None:
        return campaign_codes | {t.code for t in spec.territories}
    if campaign_codes:
        return campaign_codes
    region_codes = set(region.territories.values_list("code", flat=True))
    if region_codes:
        return region_codes
    if region.name == REFERENCE_REGION:
        return {t.code for t in reference_territories()}
    return None


def validate_campaign_data(data):
    """Return the checked spec, or raise CampaignFileError with every problem (no writes)."""
    spec, c = _check_structure(data)
    with transaction.atomic():
        _check_against_database(spec, c)
    if c.problems:
        raise CampaignFileError(c.problems)
    return spec


@dataclass
class LoadReport:
    campaign: Campaign
    campaign_status: str  # "created", "updated" or "unchanged"
    counts: dict = field(default_factory=dict)
    amendments: list = field(default_factory=list)
    reference_territories: bool = False

    def count(self, kind, status):
        self.counts.setdefault(kind, Counter())[status] += 1

    def summary(self):
        status = {"created": "créée", "updated": "mise à jour", "unchanged": "inchangée"}
        lines = [
            f"Campagne « {self.campaign.name} » ({self.campaign.slug}) "
            f"{status[self.campaign_status]}."
        ]
        forms = {
            True: ("créée", "créées", "mise à jour", "mises à jour", "inchangée", "inchangées"),
            False: ("créé", "créés", "mis à jour", "mis à jour", "inchangé", "inchangés"),
        }
        labels = [
            ("envelopes", "Enveloppes", True),
            ("territories", "Territoires", False),
            ("filieres", "Filières", True),
            ("users", "Utilisateurs", False),
        ]
        for kind, label, feminine in labels:
            counts = self.counts.get(kind, Counter())
            f = forms[feminine]
            parts = [
                f"{n} {f[i] if n <= 1 else f[i + 1]}"
                for n, i in (
                    (counts["created"], 0),
                    (counts["updated"], 2),
                    (counts["unchanged"], 4),
                )
            ]
            text = f"  {label} : {', '.join(parts)}"
            if kind == "territories" and self.reference_territories:
                text += " (territoires de référence de la région)"
            lines.append(text + ".")
        for envelope, previous, new in self.amendments:
            lines.append(
                f"  Avenant enregistré pour « {envelope.get_kind_display()} » : "
                f"{format_eur(previous)} → {format_eur(new)} (motif : {AMENDMENT_REASON})."
            )
        return "\n".join(lines)


def _load_territories(spec, region, campaign, actor, report):
    """The region's territories named by the file (created or updated by code), and the
    ones the campaign covers (see the module docstring), through the set-up's domain."""
    territory_specs = spec.territories
    covered = set(campaign.territories.values_list("code", flat=True))
    if territory_specs is None:
        if covered:
            for _code in covered:
                report.count("territories", "unchanged")
            return
        if region.territories.exists():
            codes = list(region.territories.values_list("code", flat=True))
            set_territories(campaign, actor, codes, reason=AMENDMENT_REASON)
            for _code in codes:
                report.count("territories", "unchanged")
            return
        territory_specs = reference_territories()
        report.reference_territories = True
    for item in territory_specs:
        _territory, status = save_territory(
            region, actor, code=item.code, name=item.name, departements=item.departements
        )
        report.count("territories", status)
    set_territories(
        campaign,
        actor,
        sorted(covered | {item.code for item in territory_specs}),
        reason=AMENDMENT_REASON,
    )


def _load_filieres(spec, region, campaign, actor, report):
    existing = {f.slug: f for f in region.filieres.prefetch_related("territories")}
    participants = set(campaign.filieres.values_list("pk", flat=True))
    filieres = dict(existing)
    for item in spec.filieres:
        before = existing.get(item.slug)
        state = (
            (before.name, {t.code for t in before.territories.all()}, before.pk in participants)
            if before
            else None
        )
        filiere, created = add_filiere(
            campaign, actor, name=item.name, slug=item.slug, territories=item.territories
        )
        filieres[item.slug] = filiere
        if created:
            report.count("filieres", "created")
            continue
        after = (filiere.name, set(filiere.territories.values_list("code", flat=True)), True)
        report.count("filieres", "unchanged" if after == state else "updated")
    return filieres


def _load_envelopes(spec, campaign, actor, now, report):
    envelopes = {e.kind: e for e in Envelope.objects.filter(campaign=campaign)}
    for kind, amount in spec.envelopes.items():
        previous = envelopes.get(kind)
        draft = campaign.is_draft
        envelope = set_envelope(campaign, actor, kind, amount, reason=AMENDMENT_REASON, now=now)
        if previous is None:
            report.count("envelopes", "created")
        elif envelope is None:
            report.count("envelopes", "unchanged")
        else:
            report.count("envelopes", "updated")
            if not draft:
                report.amendments.append((envelope, previous.amount, amount))


def _domain_problems(exc):
    """A domain refusal met while writing, as the file's problems."""
    problems = [
        f"« {path} » : {message}" if path else str(message)
        for path, messages in exc.errors.items()
        for message in (messages if isinstance(messages, list | tuple) else [messages])
        if not isinstance(message, dict)
    ]
    return problems or [exc.message]


def load_campaign(data, *, actor=None, now=None):
    """Validate then import the campaign description `data` (a decoded JSON object).

    Every write goes through the set-up's domain functions (the same as the pages);
    the campaign ends published. Raises CampaignFileError (nothing written) or
    returns a LoadReport."""
    now = now or timezone.now()
    try:
        return _load_campaign(data, actor, now)
    except (InvalidInput, Conflict) as exc:
        if isinstance(exc, CampaignFileError):
            raise
        raise CampaignFileError(_domain_problems(exc)) from None


def _load_campaign(data, actor, now):
    with transaction.atomic():
        spec, c = _check_structure(data)
        campaign, region, existing_users = _check_against_database(spec, c)
        if c.problems:
            raise CampaignFileError(c.problems)
        fields = {
            "name": spec.name,
            "opens_at": spec.opens_at,
            "deadline": spec.deadline,
            "decision_date": spec.decision_date,
            "first_delegation_date": spec.first_delegation_date,
        }
        if spec.signatory is not None:
            fields["signatory_name"] = spec.signatory["name"]
            # Without a title, the model's default ("Directeur général de l'ARS").
            fields["signatory_title"] = (
                spec.signatory["title"] or Campaign._meta.get_field("signatory_title").get_default()
            )
        if spec.contact is not None:
            fields.update({f"contact_{key}": value for key, value in spec.contact.items()})
        if "report_due_date" in data:
            fields["report_due_date"] = spec.report_due_date
        if spec.is_followup:
            for key in ("decision_date", "first_delegation_date"):
                fields.pop(key)
        if campaign is None:
            campaign = create_campaign(
                actor, region, slug=spec.slug, kind=spec.kind, year=spec.year, **fields
            )
            report = LoadReport(campaign, "created")
        else:
            changed = update_campaign(campaign, actor, fields, reason=AMENDMENT_REASON, now=now)
            report = LoadReport(campaign, "updated" if changed else "unchanged")
        if spec.notification_emails is not None:
            update_region(region, actor, notification_emails=spec.notification_emails)

        if spec.is_followup:
            if campaign.year != spec.year:
                Campaign.objects.filter(pk=campaign.pk).update(year=spec.year)
                campaign.year = spec.year
            filieres = {f.slug: f for f in region.filieres.all()}
        else:
            _load_envelopes(spec, campaign, actor, now, report)
            _load_territories(spec, region, campaign, actor, report)
            filieres = _load_filieres(spec, region, campaign, actor, report)

        for item in spec.users:
            user = existing_users.get(item.username)
            created = user is None
            changed = False
            if created:
                user = User(username=item.username, email=item.email)
                user.set_password(item.password)
                changed = True
            values = {"email": item.email}
            if item.first_name is not None:
                values["first_name"] = item.first_name
            if item.last_name is not None:
                values["last_name"] = item.last_name
            if Role.ADMIN in item.roles:
                # The administrator works in the Django admin.
                values.update(is_staff=True, is_superuser=True)
            for key, value in values.items():
                if getattr(user, key) != value:
                    setattr(user, key, value)
                    changed = True
            # Without a setter: comparing must not re-hash (and save) an unchanged password.
            if not created and item.password and not check_password(item.password, user.password):
                user.set_password(item.password)
                changed = True
            if changed:
                user.save()
            for role in item.roles:
                # A staff role is held for the campaign's region only; admin is national.
                grant, made = RoleGrant.objects.get_or_create(
                    user=user, role=role, region=region if role in REGIONAL_ROLES else None
                )
                changed = changed or made
            member_of = set() if created else set(user.filieres.values_list("pk", flat=True))
            for slug in item.filieres:
                filiere = filieres.get(slug)
                if filiere.pk not in member_of:
                    filiere.editors.add(user)
                    member_of.add(filiere.pk)
                    changed = True
            report.count("users", "created" if created else ("updated" if changed else "unchanged"))
        if campaign.is_draft:
            # Files load live calls (api.md); a call prepared in the interface is
            # published by its file.
            publish(campaign, actor, now=now, interactive=False)
        elif spec.is_followup:
            # Loaded again: filières recognised since have their report.
            open_reports(campaign)
        if report.campaign_status == "unchanged" and any(
            counts["created"] or counts["updated"] for counts in report.counts.values()
        ):
            report.campaign_status = "updated"
    return report
