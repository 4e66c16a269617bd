"""The funding-line rows of the proposal and decision pages, built in Python.

A 40-sheet dossier has ~100 lines: rendered by the template engine, their rows were
two thirds of the page's time beside the fields themselves (docs/decisions/0034 did
the same for the fields). Every value goes through render_value_in_context, as
`{{ value }}` does (localized, escaped); the markup is the templates' own, byte for
byte (tests/budget/test_pages.py compares both)."""

from django import template
from django.template.base import render_value_in_context
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from common.money import format_eur
from common.templatetags.dsfr_fields import dsfr_field

register = template.Library()


def _display(cache, line, field):
    """line.get_<field>_display(), once per value and page (each call hashes the
    field's translated choices)."""
    value = getattr(line, field)
    label = cache.get((field, value))
    if label is None:
        label = cache[(field, value)] = getattr(line, f"get_{field}_display")()
    return label


@register.simple_tag(takes_context=True)
def proposal_rows(context, rows):
    """The <tr> of each (line, proposed field, opinion field) of a project sheet."""

    def value(item):
        return render_value_in_context(item, context)

    labels = context.render_context.setdefault("budget_rows.labels", {})
    html = []
    for line, proposed, opinion in rows:
        etp = f' <span class="fr-text--xs">({value(line.etp)} ETP)</span>' if line.etp else ""
        html.append(
            "\n              <tr>\n"
            f'                <th scope="row">{value(line.label)}{etp}</th>\n'
            f"                <td>{value(_display(labels, line, 'nature'))}</td>\n"
            f"                <td>{value(line.first_year or '—')}</td>\n"
            f'                <td class="app-money">{value(format_eur(line.amount))}</td>\n'
            f'                <td class="app-cell-field">{dsfr_field(proposed)}</td>\n'
            f'                <td class="app-cell-field">{dsfr_field(opinion)}</td>\n'
            "              </tr>\n            "
        )
    return mark_safe("".join(html))  # every value is escaped above or by dsfr_field


@register.simple_tag(takes_context=True)
def decision_rows(context, rows):
    """The <tr> of each (line, granted, start month, justification fields) of a sheet."""

    def value(item):
        return render_value_in_context(item, context)

    since = value(_("dès"))
    labels = context.render_context.setdefault("budget_rows.labels", {})
    html = []
    for line, granted, start_month, justification in rows:
        first_year = f" — {since} {value(line.first_year)}" if line.first_year else ""
        opinion = (
            f'<br><span class="fr-text--xs">{value(_display(labels, line, "proposal_opinion"))}</span>'
            if line.proposal_opinion
            else ""
        )
        html.append(
            "\n              <tr>\n"
            f'                <th scope="row">{value(line.label)}<br><span class="fr-text--xs">'
            f"{value(_display(labels, line, 'nature'))}{first_year}</span></th>\n"
            f'                <td class="app-money">{value(format_eur(line.amount))}</td>\n'
            f'                <td class="app-money">{value(format_eur(line.proposed))}{opinion}</td>\n'
            f'                <td class="app-cell-field">{dsfr_field(granted)}</td>\n'
            f'                <td class="app-cell-field">{dsfr_field(start_month)}</td>\n'
            f'                <td class="app-cell-field">{dsfr_field(justification)}</td>\n'
            "              </tr>\n            "
        )
    return mark_safe("".join(html))  # every value is escaped above or by dsfr_field
