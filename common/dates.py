"""Dates written out in French in pages built in Python."""

from django.utils.dates import MONTHS


def long_date(day):
    """date_format(day, "j F Y") (« 5 décembre 2026 ») in the active language, without
    Django's format parser: the dashboards write hundreds of dates per page."""
    return f"{day.day} {MONTHS[day.month]} {day.year:04d}"
