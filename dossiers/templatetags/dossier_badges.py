"""{% load dossier_badges %}{% include "dossiers/_state_badge.html" with dossier=... %}"""

from django import template

from dossiers.templatetags.dossier_display import state_badge_css

register = template.Library()


@register.filter
def state_badge_class(state, outcome=""):
    """DSFR badge modifiers for a dossier state (same colours as the state_badge tag)."""
    return state_badge_css(state, outcome)
