"""Parsing of the budget's inputs (API bodies and forms alike): each helper adds its
French message to an `errors` dict keyed by the field's path instead of raising, so
that a command lists every problem at once."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from common.limits import TEXT_MAX, too_long_message
from common.money import parse_amount
from common.text import clean_text as common_clean_text

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def add_error(errors, key, message):
    errors.setdefault(key, []).append(str(message))


def parse_money(value, errors, key, *, allow_none=False):
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_none:
            return None
        add_error(errors, key, _("Indiquez un montant."))
        return None
    try:
        return parse_amount(value)
    except ValidationError as exc:
        for message in exc.messages:
            add_error(errors, key, message)
        return None


def parse_date(value, errors, key, *, required=True):
    if value is None or value == "":
        if required:
            add_error(errors, key, _("Indiquez une date."))
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    add_error(errors, key, _("Date invalide : écrivez-la AAAA-MM-JJ (exemple : 2025-07-15)."))
    return None


def parse_month(value, errors, key):
    """A start month: the first day of a month (date or "AAAA-MM-01")."""
    start = parse_date(value, errors, key, required=False)
    if start is not None and start.day != 1:
        add_error(
            errors,
            key,
            _("Le mois de démarrage est le premier jour d'un mois (exemple : 2025-07-01)."),
        )
        return None
    if start is not None and not 2000 <= start.year <= 2100:
        add_error(errors, key, _("Le mois de démarrage est hors des années possibles."))
        return None
    return start


def object_id(value):
    """An id given as an int, a digit string or a model instance; None if unusable."""
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def clean_text(value, errors=None, key=None):
    """A typed text, through the one cleaning rule (common.text), stripped; with
    `errors`, a text longer than common.limits.TEXT_MAX is refused under `key`."""
    text = common_clean_text(value).strip() if isinstance(value, str) else ""
    if errors is not None and len(text) > TEXT_MAX:
        add_error(errors, key, too_long_message(TEXT_MAX))
    return text
