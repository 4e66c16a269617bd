"""The "Ajouter une structure" button in a real browser (Playwright + Debian's chromium)."""

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from dossiers.models import Dossier
from tests.factories import DossierFactory, UserFactory

# The browser, the live server and the `page` fixture (relative URLs go to the live
# server; CSP violations and JavaScript errors collected): tests/browser/conftest.py.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_add_member_row_with_javascript(page, page_problems, filiere):
    console_errors = []
    page.on(
        "console",
        lambda message: console_errors.append(message.text) if message.type == "error" else None,
    )
    lead = UserFactory(username="porteur-navigateur", roles=[Role.FILIERE_LEAD])
    filiere.editors.add(lead)
    dossier = DossierFactory(filiere=filiere)
    page.goto("/comptes/connexion/")
    page.get_by_label("Identifiant").fill("porteur-navigateur")
    page.get_by_label("Mot de passe").fill("motdepasse-solide-2025")
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"/dossiers/{dossier.pk}/rediger/identity/")
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
    # No console error nor uncaught JavaScript error (the `page` fixture also fails the
    # test on a CSP violation or a broken static file).
    assert console_errors + page_problems.errors == []
