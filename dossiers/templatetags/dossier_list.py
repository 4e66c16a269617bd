"""`{% dossier_list_rows dossiers %}`: the rows of the staff's list of dossiers
(templates/dossiers/list.html), built in Python from the read model's plain rows
(dossiers.queries.list_page): the same markup the template loop gave, without its
thousand template nodes per page (decision 0034 did the same for form widgets).
Everything a user typed (filière, campaign and territory names) is escaped, as
format_html does, without its lazy-argument wrapper."""

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from common.escaping import escape
from common.money import format_eur
from dossiers.templatetags.dossier_display import state_badge

register = template.Library()

ROW = (
    "\n        <tr>\n"
    '          <td>{filiere}<br><span class="fr-text--xs">{campaign}</span></td>\n'
    "          <td>{territories}</td>\n"
    "          <td>{badge}</td>\n"
    '          <td class="app-nowrap">{submitted}</td>\n'
    '          <td class="app-money">{recurring}</td>\n'
    '          <td class="app-money">{one_off}</td>\n'
    '          <td><a class="fr-link" href="{url}">{see}<span class="fr-sr-only"> {the_dossier}'
    " {filiere}</span></a></td>\n"
    "        </tr>\n      "
)


# A dossier's address, built once per page: reverse() for each of 50 rows cost more than
# the rest of the row.
_PK_MARK = "1234567890"


def _territories(territories):
    if not territories:
        return "—"
    return mark_safe(  # both values escaped
        ", ".join(
            f'<abbr title="{escape(name)}">{escape(code)}</abbr>' for code, name in territories
        )
    )


@register.simple_tag
def dossier_list_rows(dossiers):
    """The <tr> of every row of the page (what `{% for dossier in dossiers %}` rendered)."""
    see, the_dossier = _("Voir"), _("le dossier")
    url_head, _mark, url_tail = reverse("dossiers:detail", args=[_PK_MARK]).rpartition(_PK_MARK)
    badges = {}  # (state, outcome) → badge: a handful per page
    rows = []
    for dossier in dossiers:
        submitted = dossier["submitted_at"]
        if submitted:
            # The template's |date:"d/m/Y H:i", in the current time zone.
            submitted = f"{localtime(submitted):%d/%m/%Y %H:%M}"
        key = (dossier["state"], dossier["outcome"])
        badge = badges.get(key)
        if badge is None:
            badge = badges[key] = state_badge(*key)
        rows.append(
            ROW.format(
                filiere=escape(dossier["filiere_name"]),
                campaign=escape(dossier["campaign_name"]),
                territories=_territories(dossier["territories"]),
                badge=badge,
                submitted=escape(submitted or "—"),
                recurring=escape(format_eur(dossier["requested_recurring"])),
                one_off=escape(format_eur(dossier["requested_one_off"])),
                url=escape(f"{url_head}{dossier['pk']}{url_tail}"),
                see=escape(see),
                the_dossier=escape(the_dossier),
            )
        )
    return mark_safe("".join(rows))  # every value of each row is escaped
