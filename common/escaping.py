"""Escaping for the parts of pages built in Python (large tables, form widgets).

Django's conditional_escape goes through a lazy-argument wrapper on every call: pages
that escape tens of thousands of values (a 40-sheet dossier, its proposal form) spent a
tenth of their time there. This does the same thing without it."""

import html

from django.conf import settings
from django.template.base import render_value_in_context


def escape(value):
    """conditional_escape: a safe string (anything with __html__) as it is, anything else
    as a string with & < > " ' escaped, as Django escapes them."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def render_value(value, context):
    """`{{ value }}` (render_value_in_context) with plain strings and integers rendered
    directly: the rows of a 40-sheet dossier render a few hundred of them."""
    kind = type(value)
    if kind is str and context.autoescape:
        return html.escape(value)
    if kind is int and context.autoescape and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return render_value_in_context(value, context)
