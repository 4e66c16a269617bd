"""The rows of the delegations page's two tables (templates/budget/delegations.html),
built in Python from the read model's plain rows (budget.queries.delegable_lines_page,
delegation_rows): the same markup as the template loops they replace, without their
hundreds of template nodes per page (decision 0034 did the same for form widgets).
Every value is escaped by common.escaping.escape (what format_html does, without its
lazy-argument wrapper per value)."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from budget.models import DelegationInstrument
from common.escaping import escape
from common.money import format_eur
from dossiers.enums import LineNature

register = template.Library()

LINE_ROW = (
    "\n        <tr>\n"
    "          <td>{filiere}</td>\n"
    "          <td>{priority} — {title}</td>\n"
    "          <td>{label}</td>\n"
    "          <td>{nature}</td>\n"
    "          <td>{finess}</td>\n"
    '          <td class="app-money">{granted}</td>\n'
    '          <td class="app-money">{delegated}</td>\n'
    '          <td class="app-money">{left}</td>\n'
    "          {action}\n"
    "        </tr>\n      "
)
ACTION = (
    '<td><a href="?{page}ligne={pk}#id_line">{delegate}'
    '<span class="fr-sr-only"> — {label}</span></a></td>'
)
DELEGATION_ROW = (
    "\n        <tr>\n"
    "          <td>{date}</td>\n"
    "          <td>{filiere}</td>\n"
    "          <td>{label}</td>\n"
    "          <td>{instrument}</td>\n"
    "          <td>{finess}</td>\n"
    '          <td class="app-money">{amount}</td>\n'
    "          <td>{created_by}</td>\n"
    "        </tr>\n      "
)


@register.simple_tag
def delegable_line_rows(lines, page_number, with_action):
    """The granted lines' <tr> (with the "Déléguer" link when the user may delegate)."""
    natures = {value: escape(label) for value, label in LineNature.choices}
    delegate = escape(_("Déléguer"))
    page = f"page={page_number}&amp;" if page_number > 1 else ""
    rows = []
    for line in lines:
        label = escape(line.label)
        action = ""
        if with_action:
            action = (
                ACTION.format(page=page, pk=line.pk, delegate=delegate, label=label)
                if line.left > 0
                else "<td></td>"
            )
        nature = natures.get(line.nature)
        rows.append(
            LINE_ROW.format(
                filiere=escape(line.filiere_name),
                priority=escape(line.priority or "?"),
                title=escape(line.project_title),
                label=label,
                nature=escape(line.nature) if nature is None else nature,
                finess=escape(line.beneficiary_finess or "—"),
                granted=format_eur(line.granted),
                delegated=format_eur(line.delegated),
                left=format_eur(line.left),
                action=action,
            )
        )
    return mark_safe("".join(rows))  # every value escaped above


def _user(first_name, last_name, username):
    """str(user) (accounts.User: full name, else username), or "—" without a user."""
    if username is None:
        return "—"
    return f"{first_name} {last_name}".strip() or username


@register.simple_tag
def delegation_rows(delegations):
    """The recorded delegations' <tr>."""
    instruments = {value: escape(label) for value, label in DelegationInstrument.choices}
    rows = []
    for row in delegations:
        instrument = instruments.get(row["instrument"])
        rows.append(
            DELEGATION_ROW.format(
                date=f"{row['date']:%d/%m/%Y}",
                filiere=escape(row["line__project__dossier__filiere__name"]),
                label=escape(row["line__label"]),
                instrument=escape(row["instrument"]) if instrument is None else instrument,
                finess=escape(row["beneficiary_finess"]),
                amount=format_eur(row["amount"]),
                created_by=escape(
                    _user(
                        row["created_by__first_name"],
                        row["created_by__last_name"],
                        row["created_by__username"],
                    )
                ),
            )
        )
    return mark_safe("".join(rows))  # every value escaped above
