"""Dates written out in French in pages built in Python."""

from django.utils.dates import MONTHS
from django.utils.translation import get_language

_month_names = {}


def long_date(day):
    """date_format(day, "j F Y") (« 5 décembre 2026 ») in the active language, without
    Django's format parser: the dashboards write hundreds of dates per page (the
    month names translated once per language)."""
    language = get_language()
    names = _month_names.get(language)
    if names is None:
        names = _month_names[language] = {month: str(name) for month, name in MONTHS.items()}
    return f"{day.day} {names[day.month]} {day.year:04d}"
