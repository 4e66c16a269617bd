"""The "Ajouter une structure" button in a real browser (Playwright + Debian's chromium)."""

import os
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import expect, sync_playwright

from accounts.models import Role
from dossiers.models import Dossier
from tests.factories import DossierFactory, UserFactory

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium absent"),
]


@pytest.fixture(scope="session")
def _media_url_for_live_server():
    """Django's live server builds a media handler from MEDIA_URL, which is None here
    (uploads are never served by URL): give it a harmless one before it starts."""
    override = override_settings(MEDIA_URL="https://media.invalid/")
    override.enable()
    yield
    override.disable()


@pytest.fixture
def server(_media_url_for_live_server, live_server):
    return live_server


@pytest.fixture
def browser_page(monkeypatch):

    # Playwright's sync API keeps an event loop in this thread; the ORM calls of the test are
    # still synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        page = browser.new_page()
        problems = []
        page.on(
            "console",
            lambda message: problems.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.problems = problems
        yield page
        browser.close()


def test_add_member_row_with_javascript(browser_page, server, filiere):
    page = browser_page
    lead = UserFactory(username="porteur-navigateur", roles=[Role.FILIERE_LEAD])
    filiere.editors.add(lead)
    dossier = DossierFactory(filiere=filiere)
    page.goto(f"{server.url}/comptes/connexion/")
    page.get_by_label("Identifiant").fill("porteur-navigateur")
    page.get_by_label("Mot de passe").fill("motdepasse-solide-2025")
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{server.url}/dossiers/{dossier.pk}/rediger/identity/")
    rows = page.locator("fieldset.app-member")
    expect(rows).to_have_count(3)  # two members and one empty row
    url = page.url
    page.get_by_role("button", name="Ajouter une structure").click()
    expect(rows).to_have_count(4)
    assert page.url == url  # no round trip
    assert page.locator('input[name="members-TOTAL_FORMS"]').input_value() == "4"
    expect(page.locator("#member-4-legend")).to_have_text("Structure membre n° 4")
    page.locator('select[name="members-3-type"]').select_option("EHPAD")
    page.locator('input[name="members-3-name"]').fill("EHPAD Ker Héol")
    page.locator('select[name="members-3-role"]').select_option("requérant")
    page.get_by_role("button", name="Enregistrer le brouillon").last.click()
    expect(page.get_by_text("Brouillon enregistré.")).to_be_visible()
    members = Dossier.objects.get(pk=dossier.pk).identity["members"]
    assert [m["name"] for m in members] == [
        "USP du CHU de Brest",
        "HAD du Ponant",
        "EHPAD Ker Héol",
    ]
    assert page.problems == []
