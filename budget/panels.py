"""The financing panel of the dossier page (dossiers.panels, decision 0054): what was
requested, proposed and granted, what each envelope of the campaign still has, and the
way to the proposal and decision pages. ARS roles of the dossier's region only (as the
budget pages). Registered by BudgetConfig.ready()."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from budget import queries
from budget.rules import can_decide, can_propose, can_view_budget
from dossiers import panels
from dossiers.domain.totals import dossier_totals
from dossiers.enums import DossierState

PANEL_KEY = "financement"
# The proposal and the decision are made while the ARS analyses the dossier.
OPEN_STATES = {DossierState.ARS_ANALYSIS, DossierState.DECIDED}


def panel_context(request, dossier, page=None):
    user = request.user
    # The dossier page has read them (dossiers.panels.PageData).
    totals = page.totals if page is not None else dossier_totals(dossier)
    pending = dossier.state == DossierState.ARS_ANALYSIS
    links = []
    if dossier.state in OPEN_STATES:
        proposal = (reverse("budget:proposal", args=[dossier.pk]), _("Proposition de financement"))
        decision = (reverse("budget:decision", args=[dossier.pk]), _("Décision"))
        links = [proposal, decision]
        if pending:
            # While the ARS analyses: the page one works on (the instructor proposes, the
            # decider decides); both for the others (the administrator reads them).
            mine = [proposal] if can_propose.test(user, dossier) else []
            mine += [decision] if can_decide.test(user, dossier) else []
            links = mine or links
    return {
        "totals": totals,
        "rows": [
            (
                _("Reconductible (année pleine)"),
                totals["requested_recurring"],
                totals["proposed_recurring"],
                totals["granted_recurring"],
            ),
            (
                _("Ponctuel"),
                totals["requested_one_off"],
                totals["proposed_one_off"],
                totals["granted_one_off"],
            ),
        ],
        "envelopes": queries.panel_envelope_room(dossier, totals, minus_pending=pending)
        if dossier.state != DossierState.DECIDED
        else None,
        "links": links,
    }


def register():
    panels.register(
        panels.Panel(
            key=PANEL_KEY,
            title=_("Financement"),
            template="budget/_panel.html",
            visible=can_view_budget.test,
            context=panel_context,
            order=20,
        )
    )
