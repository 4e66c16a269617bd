"""Who may do what with a dossier. Lists use dossiers.domain.access.visible_dossiers,
which mirrors can_view_dossier as a single query."""

import rules

from accounts.rules import (
    is_ars,
    is_ars_decider,
    is_ars_instructor,
    is_caresp_reviewer,
    is_internal_staff,
)
from dossiers.enums import EDITABLE_STATES, DossierState


@rules.predicate
def is_dossier_editor(user, dossier):
    """The filière's lead or one of its co-editors."""
    if dossier is None or not user.is_authenticated:
        return False
    return dossier.filiere_id in user.filiere_ids


@rules.predicate
def is_draft(user, dossier):
    return dossier is not None and dossier.state == DossierState.DRAFT


@rules.predicate
def is_editable_state(user, dossier):
    return dossier is not None and dossier.state in EDITABLE_STATES


@rules.predicate
def is_completion_overdue(user, dossier):
    """Returned for completion and past its due date (dossiers.domain.due_dates)."""
    return dossier is not None and dossier.completion_overdue()


@rules.predicate
def is_decided(user, dossier):
    return dossier is not None and dossier.state == DossierState.DECIDED


can_view_dossier = is_dossier_editor | (is_internal_staff & ~is_draft)
can_edit_dossier = is_dossier_editor & is_editable_state & ~is_completion_overdue
can_read_internal = is_internal_staff
# Proposed amounts and the instructor's opinions: the ARS; the CARESP only once the
# decision is notified (it is e-mailed to the filière when the dossier is decided);
# a filière's own editors never (decision 0021). Pages, API and exports ask this.
can_view_proposals = ~is_dossier_editor & (is_ars | (is_internal_staff & is_decided))
# The decision (outcome, granted amounts, start months): once notified, for whoever
# sees the dossier; before, for the ARS only (a decision is being prepared).
can_view_decision = is_decided | (~is_dossier_editor & is_ars)

rules.add_perm("dossiers.view_dossier", can_view_dossier)
rules.add_perm("dossiers.change_dossier", can_edit_dossier)
rules.add_perm("dossiers.view_internal", can_read_internal)
rules.add_perm("dossiers.view_proposals", can_view_proposals)
rules.add_perm("dossiers.view_decision", can_view_decision)
rules.add_perm("dossiers.list_dossiers", is_internal_staff)

# Role part of each transition; the state part is the workflow's source states.
# The instruction arrows are never fired on one's own filière's dossier (separation of
# duties: a person may hold an ARS role and write a dossier, not instruct it).
TRANSITION_PERMISSIONS = {
    "submit": is_dossier_editor,
    "withdraw": is_dossier_editor,
    "resubmit": is_dossier_editor,
    "start_caresp_review": is_ars_instructor & ~is_dossier_editor,
    "start_ars_analysis": is_ars_instructor & ~is_dossier_editor,
    "return_for_completion": is_ars_instructor & ~is_dossier_editor,
    "decide": is_ars_decider & ~is_dossier_editor,
}

__all__ = [
    "can_edit_dossier",
    "can_view_dossier",
    "can_view_decision",
    "can_view_proposals",
    "is_ars",
    "is_caresp_reviewer",
    "is_dossier_editor",
    "is_decided",
    "TRANSITION_PERMISSIONS",
]
