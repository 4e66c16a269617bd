"""`{% project_list_rows dossier projects %}`: the rows of the lead's list of project
sheets (templates/dossiers/projects.html), built in Python (decision 0055): the same
markup the template loop gave, without its four reversed addresses, five translations
and csrf token per sheet (a dossier has up to 40 sheets). The title the lead typed is
escaped wherever it appears."""

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from common.escaping import escape
from common.money import format_eur

register = template.Library()

ROW = (
    "\n        <tr>\n"
    '          <td class="app-nowrap">\n'
    "            {priority}\n"
    "            {duplicate}\n"
    "          </td>\n"
    '          <td><a href="{edit_url}">{title_or_default}</a></td>\n'
    "          <td>{line_count}</td>\n"
    '          <td class="app-money">{recurring}</td>\n'
    '          <td class="app-money">{one_off}</td>\n'
    "          <td>\n"
    '            <ul class="fr-btns-group fr-btns-group--inline fr-btns-group--sm'
    ' fr-btns-group--icon-left">\n'
    '              <li><a class="fr-btn fr-btn--secondary fr-icon-edit-line fr-btn--icon-left"'
    ' href="{edit_url}">{edit}<span class="fr-sr-only"> {title}</span></a></li>\n'
    "              <li>\n"
    '                <form method="post" action="{delete_url}">\n'
    "                  {csrf}\n"
    '                  <button type="submit" class="fr-btn fr-btn--tertiary fr-icon-delete-line'
    ' fr-btn--icon-left" data-confirm="{confirm}">{delete}<span class="fr-sr-only">'
    " {title}</span></button>\n"
    "                </form>\n"
    "              </li>\n"
    "            </ul>\n"
    "          </td>\n"
    "        </tr>\n      "
)

# The sheets' addresses, reversed once per page with a mark where the sheet's id goes.
_PK_MARK = "1234567890"


@register.simple_tag(takes_context=True)
def project_list_rows(context, dossier, projects):
    """The <tr> of every sheet (what `{% for project in projects %}` rendered)."""
    edit_head, _m, edit_tail = reverse(
        "dossiers:project_edit", args=[dossier.pk, _PK_MARK]
    ).rpartition(_PK_MARK)
    delete_head, _m, delete_tail = reverse(
        "dossiers:project_delete", args=[dossier.pk, _PK_MARK]
    ).rpartition(_PK_MARK)
    duplicate_badge = (
        f'<p class="fr-badge fr-badge--sm fr-badge--warning">{escape(_("Rang en double"))}</p>'
    )
    untitled, edit, delete = _("Fiche sans intitulé"), escape(_("Modifier")), escape(_("Supprimer"))
    # {% blocktranslate %}: the translation as it is, the title escaped into it.
    confirm = _("Supprimer la fiche « %(title)s » et ses lignes de financement ?")
    csrf = CsrfTokenNode().render(context)
    rows = []
    for project in projects:
        title = escape(project.title)
        rows.append(
            ROW.format(
                priority=escape(project.priority or "—"),
                duplicate=duplicate_badge if project.duplicate_rank else "",
                edit_url=escape(f"{edit_head}{project.pk}{edit_tail}"),
                title_or_default=title if project.title else escape(untitled),
                line_count=escape(project.line_count),
                recurring=escape(format_eur(project.requested_recurring)),
                one_off=escape(format_eur(project.requested_one_off)),
                edit=edit,
                title=title,
                delete_url=escape(f"{delete_head}{project.pk}{delete_tail}"),
                csrf=csrf,
                confirm=confirm % {"title": title},
                delete=delete,
            )
        )
    return mark_safe("".join(rows))  # every value of each row is escaped
