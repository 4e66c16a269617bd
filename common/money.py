"""Money is Decimal with two decimals, parsed strictly and shown the French way."""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import BigIntegerField, Func
from django.utils.translation import gettext as _

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")
_SPACES = re.compile(r"[ \u00a0\u202f]")


def parse_amount(value, *, french=False):
    """Return a Decimal or raise ValidationError with a French message.

    Refuses negatives, NaN/infinity, exponents, more than two decimals and JSON
    floats (they are not exact). With french=True, also accepts "1 600 000,50 €"."""
    if isinstance(value, (bool, float)):
        raise ValidationError(
            _("Le montant doit être une chaîne de caractères, par exemple « 1600000.00 ».")
        )
    if isinstance(value, (int, Decimal)):
        value = format(value, "f") if isinstance(value, Decimal) else str(value)
    if not isinstance(value, str):
        raise ValidationError(_("Montant invalide."))
    text = value.strip()
    if french:
        text = _SPACES.sub("", text.replace("€", "")).replace(",", ".")
    if text.startswith("-"):
        raise ValidationError(_("Le montant ne peut pas être négatif."))
    # [0-9], not \d: \d also matches "١٢٣" or "１６００", which Decimal() accepts.
    if re.fullmatch(r"[0-9]+\.[0-9]{3,}", text):
        raise ValidationError(_("Le montant ne peut pas avoir plus de deux décimales."))
    if not re.fullmatch(r"[0-9]{1,12}(\.[0-9]{1,2})?", text):
        # The example is written the way the person is asked to write (forms: French).
        example = "52 000,50" if french else "1600000.00"
        raise ValidationError(
            _("« %(value)s » n'est pas un montant valide (exemple : %(example)s).")
            % {"value": value, "example": example}
        )
    amount = Decimal(text).quantize(CENT)
    if amount > MAX_AMOUNT:
        raise ValidationError(_("Le montant est trop élevé."))
    return amount


class Cents(Func):
    """A money column (two decimals) read as an integer number of cents: a plain int in
    Python, added up without Decimal conversions (SQLite keeps decimals as binary
    floats: ROUND gives the exact cents), back to euros with from_cents."""

    template = "CAST(ROUND(%(expressions)s * 100) AS BIGINT)"
    output_field = BigIntegerField()

    @property
    def convert_value(self):
        # Both databases already return an int (or None): no int() per value.
        return self._convert_value_noop


def from_cents(cents):
    """Decimal euros (two decimals) of an integer number of cents: 12345 -> 123.45."""
    return Decimal(cents).scaleb(-2)


def money_str(amount):
    """API representation: "1600000.00" (or None)."""
    if amount is None:
        return None
    return format(Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP), "f")


# Decimal's "," grouping and "." point, the French way (narrow no-break space, comma).
_FRENCH = str.maketrans({",": "\u202f", ".": ","})


def format_eur(amount, *, cents=True):
    """French display: 1 600 000,00 € (narrow no-break space between thousands); rounded
    half up to the cent; without `cents`, the euros of that (1 234,99 -> 1 234 €)."""
    if amount is None:
        return "—"
    amount = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    text = format(amount, ",.2f").translate(_FRENCH)
    if not amount and text[0] == "-":  # -0.00
        text = text[1:]
    if not cents:
        text = text[:-3]
    return f"{text}\u00a0€"
