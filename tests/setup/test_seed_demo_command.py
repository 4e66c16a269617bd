"""seed_demo on a database without the demo (each test runs the command itself)."""

import pytest

from accounts.models import User
from dossiers.models import Dossier
from tests.setup.conftest import EXAMPLE_FILE, run_command

pytestmark = pytest.mark.django_db


def test_demo_on_top_of_the_example_campaign_file(db):
    run_command("load_campaign", str(EXAMPLE_FILE))
    code, out, _err = run_command("seed_demo")
    assert code == 0 and "Démonstration chargée" in out
    assert Dossier.objects.count() == 10


def test_quick_demo_hashes_are_upgraded_at_first_login(settings, client):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    code, _out, _err = run_command("seed_demo")
    assert code == 0
    user = User.objects.get(username="caresp")
    assert user.password.startswith("pbkdf2_sha256$10000$")
    assert client.login(username="caresp", password="Lande-Bruyere-8142")
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$1000000$")
    assert user.check_password("Lande-Bruyere-8142")
