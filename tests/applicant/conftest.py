import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from dossiers.domain.transitions import transition
from tests.factories import DossierFactory, UserFactory, complete_dossier


@pytest.fixture
def co_editor(filiere):
    user = UserFactory(username="coredactrice", roles=[Role.FILIERE_LEAD])
    filiere.editors.add(user)
    return user


@pytest.fixture
def draft(filiere, lead):
    """A draft with complete parts but no project sheet."""
    return DossierFactory(filiere=filiere)


@pytest.fixture
def complete(filiere, lead):
    """A draft that passes the completeness check."""
    return complete_dossier(filiere=filiere)


def submitted_dossier(filiere, lead):
    return transition(complete_dossier(filiere=filiere), "submit", lead)


def returned_dossier(filiere, lead, instructor, message="Merci de préciser la convention."):
    dossier = submitted_dossier(filiere, lead)
    dossier = transition(dossier, "start_caresp_review", instructor)
    return transition(
        dossier,
        "return_for_completion",
        instructor,
        comment=message,
        due_date=timezone.localdate() + dt.timedelta(days=15),
    )


@pytest.fixture
def submitted(filiere, lead):
    return submitted_dossier(filiere, lead)


@pytest.fixture
def returned(filiere, lead, instructor):
    return returned_dossier(filiere, lead, instructor)


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
def as_role(request, client):
    """as_role("caresp") logs the client in as that fixture's user (None: anonymous)."""

    def login(name):
        if name is None:
            client.logout()
            return None
        user = request.getfixturevalue(name)
        client.force_login(user)
        return user

    return login
