import pytest
from django.core import mail

from accounts.models import Role
from campaign.models import Region
from campaign.reference import load_reference_regions
from tests.factories import CampaignFactory, FiliereFactory, UserFactory


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
def decider(db):
    return UserFactory(username="decideur", roles=[Role.ARS_DECIDER])


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", roles=[Role.ADMIN], is_staff=True, is_superuser=True)


@pytest.fixture
def outsider(db):
    """Authenticated, no role, no filière."""
    return UserFactory(username="inconnu")
