import pytest

from accounts.models import Role
from dossiers.enums import DossierState as S
from tests.factories import complete_dossier
from tests.scoring.helpers import bring_to, new_reviewer


@pytest.fixture
def caresp2(db):
    return new_reviewer("caresp2", Role.CARESP_REVIEWER)


@pytest.fixture
def in_review(filiere, lead, instructor):
    """The lead's complete dossier, in CARESP review."""
    return bring_to(
        complete_dossier(filiere=filiere), S.CARESP_REVIEW, lead=lead, instructor=instructor
    )


@pytest.fixture
def submitted(filiere, lead, instructor):
    return bring_to(
        complete_dossier(filiere=filiere), S.SUBMITTED, lead=lead, instructor=instructor
    )
