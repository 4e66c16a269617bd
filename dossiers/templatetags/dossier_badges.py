"""{% load dossier_badges %}{% include "dossiers/_state_badge.html" with dossier=... %}"""

from django import template

from dossiers.enums import DossierState

register = template.Library()

BADGE_CLASSES = {
    DossierState.DRAFT: "fr-badge--new",
    DossierState.SUBMITTED: "fr-badge--success",
    DossierState.CARESP_REVIEW: "fr-badge--info",
    DossierState.ARS_ANALYSIS: "fr-badge--info",
    DossierState.RETURNED: "fr-badge--warning",
    DossierState.DECIDED: "fr-badge--success",
    DossierState.WITHDRAWN: "",
}


@register.filter
def state_badge_class(state):
    """DSFR badge modifier for a dossier state."""
    return BADGE_CLASSES.get(state, "")
