"""FINESS and SIRET numbers: format and Luhn key."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def luhn_valid(digits):
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def validate_finess(value):
    """9 characters with a Luhn key; Corsican numbers start with 2A/2B (counted as 19/18)."""
    text = (value or "").strip().upper()
    if not re.fullmatch(r"(\d{2}|2A|2B)\d{7}", text):
        raise ValidationError(
            _("Le numéro FINESS doit comporter 9 caractères (exemple : 290000017).")
        )
    digits = text.replace("2A", "19", 1) if text.startswith("2A") else text
    digits = digits.replace("2B", "18", 1) if digits.startswith("2B") else digits
    if not luhn_valid(digits):
        raise ValidationError(
            _("Le numéro FINESS « %(value)s » est invalide (clé de contrôle).") % {"value": text}
        )
    return text


def validate_siret(value):
    text = re.sub(r"\s", "", value or "")
    if not re.fullmatch(r"\d{14}", text):
        raise ValidationError(_("Le numéro SIRET doit comporter 14 chiffres."))
    if not luhn_valid(text):
        raise ValidationError(
            _("Le numéro SIRET « %(value)s » est invalide (clé de contrôle).") % {"value": text}
        )
    return text


def finess_with_key(first_eight):
    """Complete 8 digits with their Luhn key (used by the demo and tests)."""
    for key in range(10):
        candidate = f"{first_eight}{key}"
        if luhn_valid(candidate):
            return candidate
    raise ValueError(first_eight)
