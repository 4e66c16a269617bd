"""The rows of the delegations page's two tables (templates/budget/delegations.html),
built in Python from the read model's plain rows (budget.queries.delegable_lines_page,
delegation_rows): the same markup as the template loops they replace, without their
hundreds of template nodes per page (decision 0034 did the same for form widgets).
Every value is escaped by format_html."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from budget.models import DelegationInstrument
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
    natures = dict(LineNature.choices)
    delegate = _("Déléguer")
    page = f"page={page_number}&" if page_number > 1 else ""
    rows = []
    for line in lines:
        action = ""
        if with_action:
            action = (
                format_html(ACTION, page=page, pk=line.pk, delegate=delegate, label=line.label)
                if line.left > 0
                else mark_safe("<td></td>")
            )
        rows.append(
            format_html(
                LINE_ROW,
                filiere=line.filiere_name,
                priority=line.priority or "?",
                title=line.project_title,
                label=line.label,
                nature=natures.get(line.nature, line.nature),
                finess=line.beneficiary_finess or "—",
                granted=format_eur(line.granted),
                delegated=format_eur(line.delegated),
                left=format_eur(line.left),
                action=action,
            )
        )
    return mark_safe("".join(rows))  # each row is format_html's escaped output


def _user(first_name, last_name, username):
    """str(user) (accounts.User: full name, else username), or "—" without a user."""
    if username is None:
        return "—"
    return f"{first_name} {last_name}".strip() or username


@register.simple_tag
def delegation_rows(delegations):
    """The recorded delegations' <tr>."""
    instruments = dict(DelegationInstrument.choices)
    rows = [
        format_html(
            DELEGATION_ROW,
            date=f"{row['date']:%d/%m/%Y}",
            filiere=row["line__project__dossier__filiere__name"],
            label=row["line__label"],
            instrument=instruments.get(row["instrument"], row["instrument"]),
            finess=row["beneficiary_finess"],
            amount=format_eur(row["amount"]),
            created_by=_user(
                row["created_by__first_name"],
                row["created_by__last_name"],
                row["created_by__username"],
            ),
        )
        for row in delegations
    ]
    return mark_safe("".join(rows))  # each row is format_html's escaped output
