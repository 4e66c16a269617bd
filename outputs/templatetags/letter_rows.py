"""`{% letter_rows dossiers %}`: the rows of the decision letters page's table
(templates/outputs/letters.html), built in Python from plain values (decision 0055):
the same markup the template loop gave, with the outcome labels translated, the
letter's address reversed and the download label translated once per page instead of
once per row (50 rows a page)."""

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from common.escaping import escape
from dossiers.enums import Outcome

register = template.Library()

ROW = (
    "\n          <tr>\n"
    "            <td>{pk}</td>\n"
    "            <td>{filiere}</td>\n"
    '            <td><p class="fr-badge fr-badge--sm {badge}">{outcome}</p></td>\n'
    '            <td class="app-nowrap">{decided}</td>\n'
    '            <td><a class="fr-link fr-icon-download-line fr-link--icon-left" href="{url}">'
    "{download}</a></td>\n"
    "          </tr>\n        "
)
BADGES = {Outcome.REJECTED: "fr-badge--error", Outcome.PARTIALLY_ACCEPTED: "fr-badge--warning"}
_PK_MARK = "1234567890"


@register.simple_tag
def letter_rows(dossiers):
    """The <tr> of every decided dossier of the page: (id, filière's name, outcome,
    decided at) values, as `outputs.views.pages._letters_context` reads them."""
    head, _mark, tail = reverse("outputs:dossier_letter", args=[_PK_MARK]).rpartition(_PK_MARK)
    download = escape(_("Télécharger (.docx)"))
    labels = {}  # outcome → its label, as get_outcome_display gives it
    rows = []
    for pk, filiere, outcome, decided_at in dossiers:
        label = labels.get(outcome)
        if label is None:
            label = labels[outcome] = escape(
                Outcome(outcome).label if outcome in Outcome.values else outcome
            )
        rows.append(
            ROW.format(
                pk=int(pk),
                filiere=escape(filiere),
                badge=BADGES.get(outcome, "fr-badge--success"),
                outcome=label,
                # The template's |date:"d/m/Y", in the current time zone.
                decided=f"{localtime(decided_at):%d/%m/%Y}" if decided_at else "",
                url=escape(f"{head}{int(pk)}{tail}"),
                download=download,
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped
