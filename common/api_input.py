"""Helpers shared by the API routers (see ../shared/api.md).

Body fields that the domain cleaners validate (dossiers.domain.parts,
dossiers.domain.editing) are declared "loose": documented in the OpenAPI
schema with their real type, but passed to the domain unconverted, so that the
API and the forms accept and refuse exactly the same values with the same
French messages (a JSON float amount must reach `parse_amount` as a float to be
refused, not be turned into a string by pydantic)."""

import re
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from pydantic import WithJsonSchema

from common.errors import InvalidInput, NotFound

SLUG_RE = re.compile(r"[-a-zA-Z0-9_]{1,80}")
_SURROGATES = re.compile("[\ud800-\udfff]")
PARIS = ZoneInfo("Europe/Paris")


def nullable(schema):
    return {"anyOf": [schema, {"type": "null"}]}


def loose(schema, *, allow_null=True):
    """A field documented as `schema`, whose value reaches the domain as sent."""
    return Annotated[Any, WithJsonSchema(nullable(schema) if allow_null else schema)]


def choice_of(choices):
    """One of `choices`, or "" (not given: how the domain stores and returns a blank)."""
    return loose({"type": "string", "enum": [*choices.values, ""]})


LooseText = loose({"type": "string"})
LooseInt = loose({"type": "integer", "minimum": 0})
LooseBool = loose({"type": "boolean"})
LooseDate = loose({"type": "string", "format": "date", "example": "2025-09-01"})
LooseMoney = loose(
    {
        "type": "string",
        "pattern": r"^\d{1,12}(\.\d{1,2})?$",
        "example": "1600000.00",
        "description": "Montant en euros, chaîne avec au plus deux décimales (un entier JSON est aussi accepté ; jamais un nombre à virgule flottante).",
    }
)
LooseDecimal = loose({"type": "string", "example": "1.50"})
LooseTextList = loose({"type": "array", "items": {"type": "string"}})


def unsafe_text_errors(value, path=""):
    """Paths of strings that no database can store: NUL characters and lone
    UTF-16 surrogates (both possible in JSON, impossible in an HTML form)."""
    errors = {}

    def visit(item, where):
        if isinstance(item, str):
            if "\x00" in item or _SURROGATES.search(item):
                errors.setdefault(where or "__all__", []).append(
                    _("Ce texte contient des caractères non autorisés.")
                )
        elif isinstance(item, dict):
            for key, sub in item.items():
                visit(key, where)
                visit(sub, f"{where}.{key}" if where else str(key))
        elif isinstance(item, (list, tuple)):
            for index, sub in enumerate(item):
                visit(sub, f"{where}.{index}" if where else str(index))

    visit(value, path)
    return errors


def check_safe_text(value, path=""):
    errors = unsafe_text_errors(value, path)
    if errors:
        raise InvalidInput(_("Certaines informations sont invalides."), errors)
    return value


def body_dict(payload):
    """The fields the client actually sent, as plain JSON values, checked for unsafe text."""
    if payload is None:
        return {}
    return check_safe_text(payload.model_dump(exclude_unset=True))


def check_slug(value, message):
    """A slug from the URL or the query: anything malformed cannot exist (404)."""
    if not isinstance(value, str) or not SLUG_RE.fullmatch(value):
        raise NotFound(message)
    return value


def iso(value):
    """Datetime as ISO 8601 in Europe/Paris with its offset, e.g. 2025-02-14T23:59:59+01:00."""
    if value is None:
        return None
    return value.astimezone(PARIS).isoformat()
