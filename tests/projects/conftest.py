"""Fixtures of the project-sheets, attachments and staff-pages tests."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from dossiers.domain.transitions import transition
from dossiers.enums import DossierState
from tests.factories import UserFactory, complete_dossier

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
def co_editor(filiere):
    user = UserFactory(username="coredacteur", roles=[Role.FILIERE_LEAD])
    filiere.editors.add(user)
    return user


@pytest.fixture
def dossier(filiere, lead):
    """A complete draft of the lead's filière (one sheet, one 52 000 € recurring line)."""
    return complete_dossier(filiere=filiere)


def move_to(dossier, state, *, lead, instructor, decider=None, outcome="accepted"):
    """Drive a draft through the real workflow up to `state`."""
    if state == DossierState.DRAFT:
        return dossier
    dossier = transition(dossier, "submit", lead)
    if state == DossierState.SUBMITTED:
        return dossier
    if state == DossierState.WITHDRAWN:
        return transition(dossier, "withdraw", lead)
    dossier = transition(dossier, "start_caresp_review", instructor)
    if state == DossierState.CARESP_REVIEW:
        return dossier
    if state == DossierState.RETURNED:
        return transition(
            dossier,
            "return_for_completion",
            instructor,
            comment="Merci de préciser le calendrier.",
            due_date=timezone.localdate() + dt.timedelta(days=10),
        )
    dossier = transition(dossier, "start_ars_analysis", instructor)
    if state == DossierState.ARS_ANALYSIS:
        return dossier
    assert state == DossierState.DECIDED
    return transition(dossier, "decide", decider, outcome=outcome, comment="Projet pertinent.")


@pytest.fixture
def in_state(dossier, lead, instructor, decider):
    def make(state, **kwargs):
        return move_to(dossier, state, lead=lead, instructor=instructor, decider=decider, **kwargs)

    return make


@pytest.fixture
def as_user(client, request):
    """as_user("lead") → the test client logged in as that fixture's user (None: anonymous)."""

    def login(name):
        client.logout()
        if name not in (None, "anonymous"):
            client.force_login(request.getfixturevalue(name))
        return client

    return login
