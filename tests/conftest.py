import pytest
from django.conf import settings as django_settings
from django.core import mail

from accounts.models import Role
from campaign.models import CoordinationCell, Region
from campaign.reference import load_reference_cells, load_reference_regions
from tests.api_client import ApiClient
from tests.factories import (
    CampaignFactory,
    DossierFactory,
    FiliereFactory,
    UserFactory,
    complete_dossier,
    decided_dossier,
    in_ars_analysis,
    in_caresp_review,
    returned_dossier,
    submitted_dossier,
    withdrawn_dossier,
)


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    mail.outbox = []


DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _reference_regions(request):
    """The regions a migration loads: a test that empties the database (transactional,
    live server) removes them for the tests that follow it on the same worker."""
    if request.node.get_closest_marker("django_db") is None and not (
        DB_FIXTURES & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("_django_db_helper")
    if not Region.objects.exists():
        load_reference_regions(Region)
        load_reference_cells(Region, CoordinationCell)


@pytest.fixture
def campaign(db):
    return CampaignFactory(slug="bretagne-2025")


@pytest.fixture
def filiere(campaign):
    return FiliereFactory(campaign=campaign, slug="nord-finistere", name="Nord Finistère")


@pytest.fixture
def lead(filiere):
    user = UserFactory(username="porteur", roles=[Role.FILIERE_LEAD])
    filiere.editors.add(user)
    return user


@pytest.fixture
def other_lead(campaign):
    other = FiliereFactory(campaign=campaign, slug="cornouaille", name="Cornouaille")
    user = UserFactory(username="porteur2", roles=[Role.FILIERE_LEAD])
    other.editors.add(user)
    return user


@pytest.fixture
def caresp(db):
    return UserFactory(username="caresp", roles=[Role.CARESP_REVIEWER])


@pytest.fixture
def instructor(db):
    return UserFactory(username="instructeur", roles=[Role.ARS_INSTRUCTOR])


@pytest.fixture
def caresp2(db):
    """A second CARESP reviewer."""
    return UserFactory(username="caresp2", roles=[Role.CARESP_REVIEWER])


@pytest.fixture
def decider(db):
    return UserFactory(username="decideur", roles=[Role.ARS_DECIDER])


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", roles=[Role.ADMIN], is_staff=True, is_superuser=True)


@pytest.fixture
def outsider(db):
    """Authenticated, no role, no filière."""
    return UserFactory(username="inconnu")


@pytest.fixture
def co_editor(filiere):
    """A second editor of the lead's filière."""
    user = UserFactory(username="coredacteur", roles=[Role.FILIERE_LEAD])
    filiere.editors.add(user)
    return user


@pytest.fixture
def as_role(request, client):
    """as_role("lead") logs the test client in as that fixture's user and returns the
    client; as_role(None) or as_role("anonymous") leaves it anonymous."""

    def login(name):
        if django_settings.SESSION_COOKIE_NAME in client.cookies:
            client.logout()
        if name not in (None, "anonymous"):
            client.force_login(request.getfixturevalue(name))
        return client

    return login


# --- The lead's dossier in each state (tests.factories.dossier_in_state) ------------------


@pytest.fixture
def draft(filiere, lead):
    """A draft with complete parts but no project sheet."""
    return DossierFactory(filiere=filiere)


@pytest.fixture
def complete(filiere, lead):
    """A draft that passes the completeness check (one sheet, one 52 000 € line)."""
    return complete_dossier(filiere=filiere)


@pytest.fixture
def submitted(filiere, lead):
    return submitted_dossier(filiere=filiere, lead=lead)


@pytest.fixture
def in_review(filiere, lead, instructor):
    """In CARESP review."""
    return in_caresp_review(filiere=filiere, lead=lead, instructor=instructor)


@pytest.fixture
def returned(filiere, lead, instructor):
    """Returned from the CARESP review: "Merci de préciser la convention.", due in 15 days."""
    return returned_dossier(
        filiere=filiere,
        lead=lead,
        instructor=instructor,
        comment="Merci de préciser la convention.",
    )


@pytest.fixture
def in_analysis(filiere, lead, instructor):
    """In ARS analysis, after the CARESP review."""
    return in_ars_analysis(filiere=filiere, lead=lead, instructor=instructor)


@pytest.fixture
def decided(filiere, lead, instructor, decider):
    """Decided (accepted) after both reviews."""
    return decided_dossier(filiere=filiere, lead=lead, instructor=instructor, decider=decider)


@pytest.fixture
def withdrawn(filiere, lead):
    return withdrawn_dossier(filiere=filiere, lead=lead)


# --- The API as each role ---------------------------------------------------------------


@pytest.fixture
def people(lead, co_editor, other_lead, caresp, instructor, decider, admin_user, outsider):
    return {
        "lead": lead,
        "co_editor": co_editor,
        "other_lead": other_lead,
        "caresp": caresp,
        "instructor": instructor,
        "decider": decider,
        "admin": admin_user,
        "outsider": outsider,
        "anonymous": None,
    }


@pytest.fixture
def api_as(client):
    """api_as(user) -> ApiClient (tests.api_client); api_as(None) is anonymous."""
    cache = {}

    def make(user):
        key = user.pk if user is not None else None
        if key not in cache:
            cache[key] = ApiClient(client, user)
        return cache[key]

    return make


@pytest.fixture
def api(api_as, lead):
    """The filière lead's client."""
    return api_as(lead)
