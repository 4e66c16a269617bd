"""Helpers of the review tests: dossiers brought to a state through the real workflow."""

import datetime as dt

from django.utils import timezone

from accounts.models import Role
from dossiers.domain.transitions import transition
from dossiers.enums import DossierState as S
from scoring.domain.grid import get_grid, grid_criteria
from tests.factories import FiliereFactory, FundingLineFactory, ProjectFactory, UserFactory
from tests.factories import complete_dossier as make_complete_dossier

# Source states of the matrix; "returned" twice, depending on where it came from.
RETURNED_FROM_CARESP = "returned_from_caresp"
RETURNED_FROM_ARS = "returned_from_ars"
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


def due_date(days=15):
    return timezone.localdate() + dt.timedelta(days=days)


def bring_to(dossier, state, *, lead, instructor, decider=None):
    """Walk `dossier` (a complete draft) through the workflow up to `state`."""
    if state == S.DRAFT:
        return dossier
    dossier = transition(dossier, "submit", lead)
    if state == S.SUBMITTED:
        return dossier
    if state == S.WITHDRAWN:
        return transition(dossier, "withdraw", lead)
    dossier = transition(dossier, "start_caresp_review", instructor)
    if state == S.CARESP_REVIEW:
        return dossier
    if state == RETURNED_FROM_CARESP:
        return transition(
            dossier,
            "return_for_completion",
            instructor,
            comment="Merci de préciser la gouvernance.",
            due_date=due_date(),
        )
    dossier = transition(dossier, "start_ars_analysis", instructor)
    if state == S.ARS_ANALYSIS:
        return dossier
    if state == RETURNED_FROM_ARS:
        return transition(
            dossier,
            "return_for_completion",
            instructor,
            comment="Merci de chiffrer la fiche 1.",
            due_date=due_date(),
        )
    if state == S.DECIDED:
        decider = decider or UserFactory(roles=[Role.ARS_DECIDER])
        return transition(dossier, "decide", decider, outcome="accepted", comment="Accordé.")
    raise ValueError(state)


def new_filiere(campaign, name, *, territories=None):
    lead = UserFactory(roles=[Role.FILIERE_LEAD])
    filiere = FiliereFactory(campaign=campaign, name=name, territories=territories or [])
    filiere.editors.add(lead)
    return filiere, lead


def dossier_in(campaign, state, *, instructor, name="Filière", territories=None, projects=1):
    """A new filière with its complete dossier brought to `state`; returns (dossier, lead)."""
    filiere, lead = new_filiere(campaign, name, territories=territories)
    dossier = make_complete_dossier(filiere=filiere)
    for index in range(1, projects):
        FundingLineFactory(project=ProjectFactory(dossier=dossier, priority=index + 1))
    return bring_to(dossier, state, lead=lead, instructor=instructor), lead


def full_scores(campaign, value):
    """{code: value} for every criterion of the campaign's grid (value: int or {code: int})."""
    criteria = grid_criteria(get_grid(campaign))
    if isinstance(value, dict):
        return {c.code: value[c.code] for c in criteria}
    return {c.code: value for c in criteria}


def new_reviewer(username, role=Role.CARESP_REVIEWER):
    return UserFactory(username=username, roles=[role])
