"""The review panel of the dossier page (dossiers.panels, decision 0054): reviewers and
conflicts of interest, one's own review, the reviews and their synthesis, internal
comments, the changes between two submissions. Registered by ScoringConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from dossiers import panels
from scoring.rules import can_use_workspace
from scoring.views.workspace import PANEL_KEY, panel_context


def register():
    panels.register(
        panels.Panel(
            key=PANEL_KEY,
            title=_("Évaluation"),
            template="scoring/_panel.html",
            # The staff of the dossier's region (CARESP, ARS; the national administrator).
            visible=can_use_workspace.test,
            context=panel_context,
            order=10,
        )
    )
