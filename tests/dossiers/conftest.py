"""Dossier tests: the roles the pages are checked for, and the lead's complete draft
moved along the workflow (the per-state fixtures themselves are in tests/conftest.py)."""

import pytest

from dossiers.enums import DossierState
from tests.factories import complete_dossier, dossier_in_state, due_date

ROLES = [
    "lead",
    "co_editor",
    "other_lead",
    "caresp",
    "instructor",
    "decider",
    "admin_user",
    "outsider",
]
STAFF = ["caresp", "instructor", "decider", "admin_user"]


@pytest.fixture
def dossier(filiere, lead):
    """A complete draft of the lead's filière (one sheet, one 52 000 € recurring line)."""
    return complete_dossier(filiere=filiere)


@pytest.fixture
def in_state(dossier, lead, instructor, decider):
    """in_state(state, **kwargs) moves `dossier` to `state` (tests.factories.dossier_in_state);
    returned: "Merci de préciser le calendrier.", due in 10 days."""

    def make(state, **kwargs):
        if state == DossierState.RETURNED:
            kwargs.setdefault("comment", "Merci de préciser le calendrier.")
            kwargs.setdefault("due_date", due_date(10))
        return dossier_in_state(
            state, dossier=dossier, lead=lead, instructor=instructor, decider=decider, **kwargs
        )

    return make
