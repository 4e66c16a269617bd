"""The coverage page's repeated cells, built in Python: a national campaign lists
hundreds of dossiers per territory and per département (the same markup as the loop it
replaces, one `reverse` and one translation per page instead of one per row)."""

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from common.escaping import escape

register = template.Library()

_PK = 2147483647  # a placeholder id, replaced in the reversed URL


def _detail_url():
    """The dossier page's URL with `{}` in place of the id (reversed once)."""
    return reverse("dossiers:detail", args=[_PK]).replace(str(_PK), "{}")


@register.simple_tag
def coverage_territory_dossiers(dossiers):
    """A territory's covering dossiers: link, state and badges, or "—"."""
    if not dossiers:
        return "—"
    url = _detail_url()
    recognised = (
        '<span class="fr-badge fr-badge--sm fr-badge--success">'
        f"{escape(_('Filière reconnue'))}</span>"
    )
    candidate = (
        f'<span class="fr-badge fr-badge--sm fr-badge--info">{escape(_("Candidate"))}</span>'
    )
    rejected = f'<span class="fr-badge fr-badge--sm fr-badge--error">{escape(_("Rejeté"))}</span>'
    parts = []
    for d in dossiers:
        status = recognised if d.recognised else ("" if d.state == "decided" else candidate)
        parts.append(
            f'<p class="fr-mb-1v"><a href="{url.format(int(d.id))}">n° {int(d.id)} — '
            f"{escape(d.name)}</a>\n"
            f'<span class="fr-badge fr-badge--sm">{escape(d.state_label)}</span>\n'
            f"{status}\n{rejected if d.rejected else ''}</p>"
        )
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped


@register.simple_tag
def coverage_departement_dossiers(dossiers):
    """A département's dossiers: "n° id filière" lines, rejected ones flagged, or "—"."""
    if not dossiers:
        return "—"
    rejected = f' <span class="fr-badge fr-badge--sm fr-badge--error">{escape(_("Rejeté"))}</span>'
    return mark_safe(  # noqa: S308 - every value is escaped
        "<br>".join(
            f"n° {int(d.id)} {escape(d.filiere)}{rejected if d.rejected else ''}" for d in dossiers
        )
    )
