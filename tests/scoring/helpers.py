"""Helpers of the review tests (dossiers in a state: tests.factories.dossier_in_state)."""

from accounts.models import Role
from scoring.domain.grid import get_grid, grid_criteria
from tests.factories import UserFactory


def full_scores(campaign, value):
    """{code: value} for every criterion of the campaign's grid (value: int or {code: int})."""
    criteria = grid_criteria(get_grid(campaign))
    if isinstance(value, dict):
        return {c.code: value[c.code] for c in criteria}
    return {c.code: value for c in criteria}


def new_reviewer(username, role=Role.CARESP_REVIEWER):
    return UserFactory(username=username, roles=[role])
