"""The funding-line rows of the proposal and decision pages, and the long tables of the
budget dashboard, built in Python.

A 40-sheet dossier has ~100 lines: rendered by the template engine, their rows were
two thirds of the page's time beside the fields themselves (docs/decisions/0034 did
the same for the fields). Every value goes through render_value (render_value_in_context), as
`{{ value }}` does (localized, escaped); the markup is the templates' own, byte for
byte (tests/budget/test_rows.py compares both). The dashboard's values are all
strings (amounts through format_eur, labels): common.escaping.escape renders them as
`{{ value }}` does, without its lazy-argument wrapper (decision 0055)."""

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from common.escaping import escape, render_value
from common.money import format_eur
from common.templatetags.dsfr_fields import dsfr_field
from dossiers.enums import DossierState
from dossiers.templatetags.dossier_display import state_badge

register = template.Library()


def _display(cache, instance, field):
    """instance.get_<field>_display(), once per model, value and page (each call hashes
    the field's translated choices)."""
    key = (type(instance), field, getattr(instance, field))
    label = cache.get(key)
    if label is None:
        label = cache[key] = getattr(instance, f"get_{field}_display")()
    return label


@register.simple_tag(takes_context=True)
def proposal_rows(context, rows):
    """The <tr> of each (line, proposed field, opinion field) of a project sheet."""

    def value(item):
        return render_value(item, context)

    labels = context.render_context.setdefault("budget_rows.labels", {})
    html = []
    for line, proposed, opinion in rows:
        etp = f' <span class="fr-text--xs">({value(line.etp)} ETP)</span>' if line.etp else ""
        html.append(
            "\n              <tr>\n"
            f'                <th scope="row">{escape(line.label)}{etp}</th>\n'
            f"                <td>{escape(_display(labels, line, 'nature'))}</td>\n"
            f"                <td>{value(line.first_year or '—')}</td>\n"
            f'                <td class="app-money">{escape(format_eur(line.amount))}</td>\n'
            f'                <td class="app-cell-field">{dsfr_field(proposed)}</td>\n'
            f'                <td class="app-cell-field">{dsfr_field(opinion)}</td>\n'
            "              </tr>\n            "
        )
    return mark_safe("".join(html))  # every value is escaped above or by dsfr_field


@register.simple_tag(takes_context=True)
def decision_rows(context, rows):
    """The <tr> of each (line, granted, start month, justification fields) of a sheet."""

    def value(item):
        return render_value(item, context)

    since = escape(_("dès"))
    labels = context.render_context.setdefault("budget_rows.labels", {})
    html = []
    for line, granted, start_month, justification in rows:
        first_year = f" — {since} {value(line.first_year)}" if line.first_year else ""
        opinion = (
            f'<br><span class="fr-text--xs">{escape(_display(labels, line, "proposal_opinion"))}</span>'
            if line.proposal_opinion
            else ""
        )
        html.append(
            "\n              <tr>\n"
            f'                <th scope="row">{escape(line.label)}<br><span class="fr-text--xs">'
            f"{escape(_display(labels, line, 'nature'))}{first_year}</span></th>\n"
            f'                <td class="app-money">{escape(format_eur(line.amount))}</td>\n'
            f'                <td class="app-money">{escape(format_eur(line.proposed))}{opinion}</td>\n'
            f'                <td class="app-cell-field">{dsfr_field(granted)}</td>\n'
            f'                <td class="app-cell-field">{dsfr_field(start_month)}</td>\n'
            f'                <td class="app-cell-field">{dsfr_field(justification)}</td>\n'
            "              </tr>\n            "
        )
    return mark_safe("".join(html))  # every value is escaped above or by dsfr_field


def _sheet_title(context, project):
    """`{% blocktranslate with rank=project.priority|default:"?" title=project.title %}`."""
    rank = render_value(project.priority or "?", context)
    title = render_value(project.title, context)
    return _("Fiche %(rank)s — %(title)s") % {"rank": rank, "title": title}


def _sheet_table(caption, headings, rows_html, subtotal_texts, colspans):
    """A project sheet's table of lines, with the subtotals filled by static/js/budget.js."""
    head = "".join(f"\n              {heading}" for heading in headings)
    recurring, one_off = subtotal_texts
    label_span, tail_span = colspans
    return (
        '\n        <div class="fr-table fr-table--bordered app-table--cards">\n'
        "          <table>\n"
        f"            <caption>{caption}</caption>\n"
        f"            <thead><tr>{head}\n            </tr></thead>\n"
        "            <tbody>\n"
        f"            {rows_html}\n"
        "            </tbody>\n"
        "            \n"
        "            <tfoot data-budget-subtotals hidden>\n"
        f'              <tr><th scope="row" colspan="{label_span}">{recurring}</th>'
        '<td class="app-money" data-budget-subtotal="recurring"></td>'
        f'<td colspan="{tail_span}"></td></tr>\n'
        f'              <tr><th scope="row" colspan="{label_span}">{one_off}</th>'
        '<td class="app-money" data-budget-subtotal="one_off"></td>'
        f'<td colspan="{tail_span}"></td></tr>\n'
        "            </tfoot>\n"
        "          </table>\n"
        "        </div>"
    )


# The interface's own texts are output as `{% translate … as t %}{{ t }}` does: as they
# are (translations are trusted); what users typed is escaped.
def _heading(text, money=False):
    css = ' class="app-money"' if money else ""
    return f'<th scope="col"{css}>{text}</th>'


def _subtotals():
    return (
        _("Sous-total de la fiche — reconductible"),
        _("Sous-total de la fiche — ponctuel"),
    )


@register.simple_tag(takes_context=True)
def proposal_sheets(context, form):
    """The <section> of each project sheet of the proposal form: title, lines, subtotals
    and the sheet's opinion; built once per page rather than by a template loop (40
    sheets: a quarter of the page's time)."""
    headings = [
        _heading(_("Ligne")),
        _heading(_("Nature")),
        _heading(_("Première année")),
        _heading(_("Demandé"), money=True),
        _heading(_("Montant proposé (€)")),
        _heading(_("Avis")),
    ]
    caption, subtotals = _("Lignes de financement"), _subtotals()
    html = []
    for project, project_opinion, rows in form.rows():
        table = _sheet_table(caption, headings, proposal_rows(context, rows), subtotals, (4, 1))
        html.append(
            '\n      <section class="fr-mb-6w" data-budget-sheet>\n'
            f'        <h2 class="fr-h4">{_sheet_title(context, project)}</h2>{table}\n'
            f"        {dsfr_field(project_opinion)}\n"
            "      </section>\n    "
        )
    if not html:
        no_sheet = _("Ce dossier n'a aucune fiche projet.")
        html.append(f"\n      <p>{no_sheet}</p>\n    ")
    return mark_safe("".join(html))  # every value is escaped above or by dsfr_field


@register.simple_tag(takes_context=True)
def decision_sheets(context, form):
    """The <section> of each project sheet of the decision form (see proposal_sheets)."""
    headings = [
        _heading(_("Ligne")),
        _heading(_("Demandé"), money=True),
        _heading(_("Proposé"), money=True),
        _heading(_("Montant accordé (€)")),
        _heading(_("Démarrage")),
        _heading(_("Justification")),
    ]
    caption, subtotals = _("Lignes de financement"), _subtotals()
    opinion_text = _("Avis de l'instructeur :")
    labels = context.render_context.setdefault("budget_rows.labels", {})
    html = []
    for project, rows in form.rows():
        badge = ""
        if project.proposal_opinion:
            opinion = escape(_display(labels, project, "proposal_opinion").lower())
            badge = (
                '<span class="fr-badge fr-badge--sm fr-badge--no-icon">'
                f"{opinion_text} {opinion}</span>"
            )
        table = _sheet_table(caption, headings, decision_rows(context, rows), subtotals, (3, 2))
        html.append(
            '\n      <section class="fr-mb-6w" data-budget-sheet>\n'
            f'        <h2 class="fr-h4">{_sheet_title(context, project)}\n'
            f"          {badge}</h2>{table}\n"
            "      </section>\n    "
        )
    return mark_safe("".join(html))  # every value is escaped above or by the row tags


# ---------------------------------------------------------------- budget dashboard

_AMOUNT_KEYS = [
    (kind, name)
    for kind in ("recurring", "one_off")
    for name in ("requested", "proposed", "granted", "delegated")
]


@register.simple_tag(takes_context=True)
def territory_amount_rows(context, by_territory):
    """The rows of the dashboard's amounts per set of territories."""
    html = []
    for row in by_territory:
        cells = "".join(
            f'          <td class="app-money">{escape(format_eur(row[kind][name]))}</td>\n'
            for kind, name in _AMOUNT_KEYS
        )
        html.append(
            "\n        <tr>\n"
            f'          <th scope="row">{escape(row["label"])}</th>\n'
            f"{cells}        </tr>\n      "
        )
    return mark_safe("".join(html))  # every value is escaped above


@register.simple_tag(takes_context=True)
def territory_year_rows(context, by_territory):
    """The rows of the dashboard's commitments per set of territories and year."""
    html = []
    for row in by_territory:
        cells = "".join(
            f'<td class="app-money">{escape(format_eur(year["total"]))}</td>'
            for year in row["by_year"]
        )
        html.append(
            "\n        <tr>\n"
            f'          <th scope="row">{escape(row["label"])}</th>\n'
            f"          {cells}\n        </tr>\n      "
        )
    return mark_safe("".join(html))  # every value is escaped above


_PK = 2147483647  # a placeholder id, replaced in the URL reversed once per page
_DOSSIER_AMOUNTS = [
    f"{field}_{kind}"
    for field in ("amount", "proposed", "granted")
    for kind in ("recurring", "one_off")
]


@register.simple_tag(takes_context=True)
def dossier_amount_rows(context, dossiers):
    """The rows of the dashboard's page of dossiers (dossier_amounts), with the links to
    the proposal and decision pages while the ARS analyses or once decided."""

    value = escape  # every value is a string: as {{ value }} renders it

    if not dossiers:
        return mark_safe(
            f'\n        <tr><td colspan="9">{value(_("Aucun dossier déposé."))}</td></tr>\n      '
        )
    proposal_url = conditional_escape(reverse("budget:proposal", args=[_PK]))
    decision_url = conditional_escape(reverse("budget:decision", args=[_PK]))
    proposal, decision = value(_("Proposition")), value(_("Décision"))
    badges = {}
    html = []
    for dossier in dossiers:
        badge = badges.get((dossier.state, dossier.outcome))
        if badge is None:
            badge = badges[(dossier.state, dossier.outcome)] = value(
                state_badge(dossier.state, dossier.outcome)
            )
        cells = "".join(
            f'          <td class="app-money">{value(format_eur(getattr(dossier, name)))}</td>\n'
            for name in _DOSSIER_AMOUNTS
        )
        links = ""
        if dossier.state in (DossierState.ARS_ANALYSIS, DossierState.DECIDED):
            pk = str(int(dossier.pk))
            links = (
                f'\n              <a href="{proposal_url.replace(str(_PK), pk)}">{proposal}</a><br>\n'
                f'              <a href="{decision_url.replace(str(_PK), pk)}">{decision}</a>\n'
                "            "
            )
        html.append(
            "\n        <tr>\n"
            f'          <th scope="row">{value(dossier.filiere.name)}</th>\n'
            f"          <td>{badge}</td>\n"
            f"{cells}"
            f"          <td>\n            {links}\n          </td>\n"
            "        </tr>\n      "
        )
    return mark_safe("".join(html))  # every value is escaped above
