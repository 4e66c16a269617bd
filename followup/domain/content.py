"""The one module that validates a report's answers (docs/decisions/0015).

`clean_content(report_type, data)` returns the whole document in its canonical shape —
every field of the type present, None where nothing is given — or raises InvalidInput
with every problem at once, each under its path (« indicators.offer.usp_beds »). A
draft may be incomplete; what is given must be well-formed: whole numbers ≥ 0, ETP with
at most two decimals, texts of at most 20,000 characters (api.md), known choices.
`problems(report_type, content)` lists what is missing before the report can be
remitted, with the section of each (the pages link to it). The pages and the API both
go through here: they accept and refuse exactly the same input."""

import re
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _

from common.errors import InvalidInput
from common.limits import bounded
from dossiers.domain.completeness import Problem
from dossiers.domain.parts import _Collector
from dossiers.enums import Mission, MissionStatus

MONTH_RE = re.compile(r"(19|20)\d\d-(0[1-9]|1[0-2])")
ETP_RE = re.compile(r"[0-9]{1,4}(\.[0-9]{1,2})?")
CENT = Decimal("0.01")


# --- Paths ------------------------------------------------------------------------


def get_path(document, key):
    value = document
    for part in key.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def set_path(document, key, value):
    parts = key.split(".")
    target = document
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def _empty_value(field):
    if field.kind in ("multi", "rows"):
        return []
    if field.kind == "counts_by":
        return {value: None for value, _label in field.choices}
    if field.kind == "missions":
        return [{"code": code, "status": "", "comment": ""} for code in Mission.values]
    return None


def empty_content(report_type):
    document = {}
    for field in report_type.fields:
        set_path(document, field.key, _empty_value(field))
    return document


# --- Validation -----------------------------------------------------------------------


class _Cleaner(_Collector):
    """The dossier's collector (texts, counts, choices with their French messages), with
    the kinds a report adds."""

    def etp(self, value, path):
        if value in (None, ""):
            return None
        if isinstance(value, bool | float):
            self.add(path, _("Nombre décimal attendu sous forme de texte, par exemple « 0.50 »."))
            return None
        text = str(value).strip().replace(",", ".").replace(" ", "")
        if text.startswith("-"):
            self.add(path, _("Nombre positif ou nul attendu."))
            return None
        if not ETP_RE.fullmatch(text):
            self.add(path, _("Nombre d'ETP attendu, avec au plus deux décimales (exemple : 1.50)."))
            return None
        try:
            return format(Decimal(text).quantize(CENT), "f")
        except InvalidOperation:
            self.add(path, _("Nombre attendu."))
            return None

    def boolean(self, value, path):
        if value in (None, ""):
            return None
        if value in (True, False):
            return value
        self.add(path, _("Oui ou non attendu."))
        return None

    def month(self, value, path):
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not MONTH_RE.fullmatch(value.strip()):
            self.add(path, _("Mois attendu au format AAAA-MM (exemple : 2024-03)."))
            return None
        return value.strip()

    def email(self, data, key, path):
        value = self.text(data, key, path, 254)
        if value:
            try:
                validate_email(value)
            except ValidationError:
                self.add(path, _("Adresse électronique invalide."))
        return value or None

    def url(self, data, key, path):
        value = self.text(data, key, path, 500)
        if value:
            try:
                URLValidator(schemes=["http", "https"])(value)
            except ValidationError:
                self.add(path, _("Adresse internet invalide (elle commence par https://)."))
        return value or None

    def multi(self, value, path, field):
        if value in (None, ""):
            return []
        if not isinstance(value, list):
            self.add(path, _("Liste attendue."))
            return []
        allowed = [choice for choice, _label in field.choices]
        kept = []
        for item in value[: len(allowed) + 1]:
            if item not in allowed:
                self.add(path, _("Valeur « %(value)s » non reconnue.") % {"value": str(item)[:50]})
            elif item not in kept:
                kept.append(item)
        return [choice for choice in allowed if choice in kept]


def _clean_value(c, field, container, key, path):
    """The cleaned value of `field`, read as `container[key]`."""
    value = container.get(key) if isinstance(container, dict) else None
    kind = field.kind
    if kind == "count":
        return c.count(container, key, path)
    if kind == "decimal":
        return c.etp(value, path)
    if kind == "bool":
        return c.boolean(value, path)
    if kind == "text":
        return c.text(container, key, path, field.max_length) or None
    if kind == "line":
        text = c.text(container, key, path, min(field.max_length, 300))
        return text.replace("\n", " ") or None
    if kind == "choice":
        allowed = SimpleNamespace(values=[choice for choice, _label in field.choices])
        return c.choice(container, key, path, allowed) or None
    if kind == "multi":
        return c.multi(value, path, field)
    if kind == "month":
        return c.month(value, path)
    if kind == "email":
        return c.email(container, key, path)
    if kind == "url":
        return c.url(container, key, path)
    if kind == "counts_by":
        data = value if isinstance(value, dict) else {}
        if value not in (None, "") and not isinstance(value, dict):
            c.add(path, _("Objet attendu."))
        allowed = [choice for choice, _label in field.choices]
        for unknown in [k for k in data if k not in allowed][:5]:
            c.add(
                f"{path}.{unknown}"[:200], _("Type « %(value)s » non reconnu.") % {"value": unknown}
            )
        return {choice: c.count(data, choice, f"{path}.{choice}") for choice in allowed}
    if kind == "rows":
        rows = value if isinstance(value, list) else []
        if value not in (None, "") and not isinstance(value, list):
            c.add(path, _("Liste attendue."))
        rows = bounded(rows, field.max_rows, path, _("lignes"), c.errors)
        cleaned = []
        for index, row in enumerate(rows):
            row_path = f"{path}.{index}"
            if not isinstance(row, dict):
                c.add(row_path, _("Objet attendu."))
                continue
            item = {
                sub.key: _clean_value(c, sub, row, sub.key, f"{row_path}.{sub.key}")
                for sub in field.fields
            }
            if any(v not in (None, "", []) for v in item.values()):
                cleaned.append(item)
        return cleaned
    if kind == "missions":
        missions = value if isinstance(value, list) else []
        if value not in (None, "") and not isinstance(value, list):
            c.add(path, _("Liste attendue."))
        missions = bounded(missions, len(Mission.values), path, _("missions"), c.errors)
        by_code = {}
        for index, mission in enumerate(missions):
            item_path = f"{path}.{index}"
            if not isinstance(mission, dict):
                c.add(item_path, _("Objet attendu."))
                continue
            code = mission.get("code")
            if code not in Mission.values:
                c.add(
                    f"{item_path}.code",
                    _("Mission « %(code)s » inconnue.") % {"code": str(code)[:50]},
                )
                continue
            by_code[code] = {
                "code": code,
                "status": c.choice(mission, "status", f"{item_path}.status", MissionStatus),
                "comment": c.text(mission, "comment", f"{item_path}.comment"),
            }
        return [
            by_code.get(code, {"code": code, "status": "", "comment": ""})
            for code in Mission.values
        ]
    raise ValueError(f"unknown field kind {kind}")


def clean_content(report_type, data, *, prefix=None):
    """The whole document, canonical; InvalidInput (400) with every problem at once."""
    prefix = report_type.content_name if prefix is None else prefix
    c = _Cleaner()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidInput(
            _("Certaines informations sont invalides."), {prefix: [_("Objet attendu.")]}
        )
    cleaned = {}
    for field in report_type.fields:
        parts = field.key.split(".")
        container = data
        for part in parts[:-1]:
            container = container.get(part) if isinstance(container, dict) else None
        if container is not None and not isinstance(container, dict):
            c.add(f"{prefix}.{'.'.join(parts[:-1])}", _("Objet attendu."))
            container = None
        value = _clean_value(c, field, container or {}, parts[-1], f"{prefix}.{field.key}")
        set_path(cleaned, field.key, value)
    c.raise_if_any()
    return cleaned


def merge(report_type, current, sent):
    """`current` with the top-level keys of `sent` replaced (a PATCH, a section's form)."""
    document = dict(current or {})
    if isinstance(sent, dict):
        known = {field.key.split(".")[0] for field in report_type.fields}
        for key, value in sent.items():
            if key in known:
                document[key] = value
    return document


# --- Completeness ----------------------------------------------------------------


def _given(field, value):
    if field.kind == "counts_by":
        # A census: the types the filière counts (an absent type counts none).
        return isinstance(value, dict) and any(v is not None for v in value.values())
    if field.kind == "missions":
        return isinstance(value, list) and all(m.get("status") for m in value)
    if field.kind in ("multi", "rows"):
        return bool(value)
    return value not in (None, "")


def _is_required(field, document, row=None):
    if field.required_if:
        other, expected = field.required_if
        source = row if row is not None and "." not in other else document
        actual = get_path(source, other) if source is not None else None
        if isinstance(actual, list):
            return expected in actual
        return actual == expected
    return field.required


def problems(report_type, content):
    """[Problem(field, message, section)]: what is missing, every problem at once."""
    found = []
    content = content or {}
    for section in report_type.sections:
        for field in section.fields:
            value = get_path(content, field.key)
            path = f"{report_type.content_name}.{field.key}"
            if _is_required(field, content) and not _given(field, value):
                if field.kind == "missions":
                    labels = dict(Mission.choices)
                    statuses = {m.get("code"): m.get("status") for m in value or []}
                    for code in Mission.values:
                        if not statuses.get(code):
                            found.append(
                                Problem(
                                    f"{path}.{code}",
                                    _(
                                        "%(section)s : indiquez la couverture de la mission « %(mission)s »."
                                    )
                                    % {"section": section.label, "mission": labels[code]},
                                    section.key,
                                )
                            )
                    continue
                found.append(
                    Problem(
                        path,
                        _("%(section)s : « %(field)s » n'est pas renseigné.")
                        % {"section": section.label, "field": field.label},
                        section.key,
                    )
                )
            if field.kind == "rows" and isinstance(value, list):
                for index, row in enumerate(value):
                    for sub in field.fields:
                        if _is_required(sub, content, row) and not _given(sub, row.get(sub.key)):
                            found.append(
                                Problem(
                                    f"{path}.{index}.{sub.key}",
                                    _(
                                        "%(section)s : « %(field)s » n° %(n)d, « %(sub)s » n'est pas renseigné."
                                    )
                                    % {
                                        "section": section.label,
                                        "field": field.label,
                                        "n": index + 1,
                                        "sub": sub.label,
                                    },
                                    section.key,
                                )
                            )
    return found
