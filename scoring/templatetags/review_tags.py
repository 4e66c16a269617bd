"""Display helpers of the review pages."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import format_html

from dossiers.enums import DossierState, Opinion
from dossiers.templatetags.dossier_display import state_badge_css

register = template.Library()

OPINION_BADGES = {
    Opinion.FAVOURABLE: "fr-badge--success",
    Opinion.RESERVED: "fr-badge--warning",
    Opinion.UNFAVOURABLE: "fr-badge--error",
}


@register.simple_tag
def state_badge(state):
    """Same colours as dossier_display's state_badge (one scheme on every page)."""
    try:
        label = DossierState(state).label
    except ValueError:
        label = state
    return format_html(
        '<span class="fr-badge fr-badge--sm {}">{}</span>', state_badge_css(state), label
    )


@register.simple_tag
def opinion_badge(opinion):
    if not opinion:
        return format_html('<span class="fr-text--sm">{}</span>', "—")
    return format_html(
        '<span class="fr-badge fr-badge--sm fr-badge--no-icon {}">{}</span>',
        OPINION_BADGES.get(opinion, ""),
        Opinion(opinion).label,
    )


@register.filter
def dec(value, places=2):
    """French decimal: 3,12 (None: —)."""
    if value is None or value == "":
        return "—"
    quantum = Decimal(1).scaleb(-int(places))
    text = format(Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP), "f")
    return text.replace(".", ",")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
