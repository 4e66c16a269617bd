"""Every transition × role × source state, through the single entry point
dossiers.domain.transitions.transition: allowed → the target state and one history
entry; wrong role → Forbidden (403) whatever the state; right role in
the wrong state → Conflict (409), nothing changes."""

import pytest

from common.errors import Conflict, Forbidden
from dossiers.domain.transitions import transition
from dossiers.enums import DossierState as S
from dossiers.models import HistoryEntry, Snapshot
from tests.factories import (
    RETURNED_FROM_ARS,
    RETURNED_FROM_CARESP,
    dossier_in_state,
    due_date,
)

# Source states of the matrix; "returned" twice, depending on where it came from.
MATRIX_STATES = [
    S.DRAFT,
    S.SUBMITTED,
    S.CARESP_REVIEW,
    S.ARS_ANALYSIS,
    RETURNED_FROM_CARESP,
    RETURNED_FROM_ARS,
    S.DECIDED,
    S.WITHDRAWN,
]
ROLES = ["lead", "other_lead", "caresp", "instructor", "decider", "admin_user", "outsider"]
ALLOWED_ROLE = {
    "submit": "lead",
    "withdraw": "lead",
    "resubmit": "lead",
    "start_caresp_review": "instructor",
    "start_ars_analysis": "instructor",
    "return_for_completion": "instructor",
    "decide": "decider",
}
RETURNED = {RETURNED_FROM_CARESP, RETURNED_FROM_ARS}
SOURCES = {
    "submit": {S.DRAFT},
    "start_caresp_review": {S.SUBMITTED},
    "start_ars_analysis": {S.SUBMITTED, S.CARESP_REVIEW},
    "return_for_completion": {S.CARESP_REVIEW, S.ARS_ANALYSIS},
    "resubmit": RETURNED,
    "withdraw": {S.SUBMITTED, S.CARESP_REVIEW, S.ARS_ANALYSIS} | RETURNED,
    "decide": {S.ARS_ANALYSIS},
}
TARGETS = {
    "submit": S.SUBMITTED,
    "start_caresp_review": S.CARESP_REVIEW,
    "start_ars_analysis": S.ARS_ANALYSIS,
    "return_for_completion": S.RETURNED,
    "withdraw": S.WITHDRAWN,
    "decide": S.DECIDED,
}


def expected_target(name, state):
    if name == "resubmit":
        return S.CARESP_REVIEW if state == RETURNED_FROM_CARESP else S.ARS_ANALYSIS
    return TARGETS[name]


@pytest.mark.parametrize("state", MATRIX_STATES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(ALLOWED_ROLE))
def test_transition_role_state_matrix(request, name, role, state, filiere, lead, instructor):
    user = request.getfixturevalue(role)
    dossier = dossier_in_state(state, filiere=filiere, lead=lead, instructor=instructor)
    before_state = dossier.state
    entries = HistoryEntry.objects.filter(dossier=dossier).count()
    snapshots = Snapshot.objects.filter(dossier=dossier).count()
    kwargs = {"comment": "Commentaire de test", "due_date": due_date(), "outcome": "accepted"}

    if role != ALLOWED_ROLE[name]:
        with pytest.raises(Forbidden) as exc:
            transition(dossier, name, user, **kwargs)
        assert exc.value.status == 403
        assert "droit" in exc.value.message
    elif state not in SOURCES[name]:
        with pytest.raises(Conflict) as exc:
            transition(dossier, name, user, **kwargs)
        assert exc.value.status == 409
        assert "impossible" in exc.value.message
    else:
        result = transition(dossier, name, user, **kwargs)
        assert result.state == expected_target(name, state)
        entry = HistoryEntry.objects.filter(dossier=dossier).order_by("-at", "-id").first()
        assert (entry.transition, entry.from_state, entry.to_state, entry.by) == (
            name,
            before_state,
            result.state,
            user,
        )
        assert HistoryEntry.objects.filter(dossier=dossier).count() == entries + 1
        new_snapshots = 1 if name in {"submit", "resubmit"} else 0
        assert Snapshot.objects.filter(dossier=dossier).count() == snapshots + new_snapshots
        return
    dossier.refresh_from_db()
    assert dossier.state == before_state
    assert HistoryEntry.objects.filter(dossier=dossier).count() == entries
