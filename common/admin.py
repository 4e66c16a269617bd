"""Shared pieces of the read-only Django admin: rows the domain guards are shown there,
never changed; the admin says where in the application each one is changed (through
the domain, with its checks, history and e-mails)."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _


def where_to_change(url_name, args, label):
    """A link to the page that changes this row, for a `readonly_fields` method."""
    return format_html('<a href="{}">{}</a>', reverse(url_name, args=args), label)


WHERE_LABEL = _("où le modifier")
