"""Issue 11, item 10: the complete DSFR frame — header naming the region's agency, the
signed-in name as text, the footer's mandatory links and their pages, the display
settings opened from the footer, and the DSFR error pages in the demo (DEBUG) too."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOOTER_PAGES = [
    ("Plan du site", "Plan du site"),
    ("Accessibilité : partiellement conforme", "Déclaration d’accessibilité"),
    ("Mentions légales", "Mentions légales"),
    ("Données personnelles", "Données personnelles"),
    ("Gestion des cookies", "Gestion des cookies"),
]


def test_header_names_the_agency_and_the_user_as_text(page, lead, filiere):
    login(page, lead)
    tagline = page.locator(".fr-header__service-tagline")
    expect(tagline).to_have_text(f"Agence régionale de santé {filiere.region.name}")
    tools = page.locator(".fr-header__tools-links")
    name = tools.get_by_text(str(lead))
    expect(name).to_be_visible()
    # Text, not a fake control: neither a link nor a button, no button styling.
    assert name.evaluate("e => e.closest('a, button, [role=button], .fr-btn') === null")
    expect(tools.get_by_role("link", name=re.compile(str(lead)))).to_have_count(0)


def test_footer_links_lead_to_their_pages(page):
    page.goto("/comptes/connexion/")
    footer = page.locator("footer#footer")
    for link_name, heading in FOOTER_PAGES:
        footer.get_by_role("link", name=link_name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page).to_have_title(re.compile(f"^{heading} — "))
    # The accessibility statement holds what the RGAA requires of it.
    page.locator("footer#footer").get_by_role("link", name=FOOTER_PAGES[1][0]).click()
    main = page.locator("main")
    for section in (
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Établissement de cette déclaration d’accessibilité",
        "Retour d’information et contact",
        "Voies de recours",
    ):
        expect(main.get_by_role("heading", name=section)).to_be_visible()
    expect(main).to_contain_text("partiellement conforme")
    expect(main).to_contain_text("Défenseur des droits")


def test_display_settings_open_from_the_footer_and_apply(page):
    page.goto("/comptes/connexion/")
    page.locator("footer#footer").get_by_role("button", name="Paramètres d’affichage").click()
    dialog = page.locator("#fr-theme-modal")
    expect(dialog).to_be_visible()
    dialog.locator("label[for=fr-radios-theme-dark]").click()
    expect(page.locator("html")).to_have_attribute("data-fr-theme", "dark")
    dialog.get_by_role("button", name=re.compile("Fermer|Close")).click()
    expect(dialog).to_be_hidden()


@pytest.mark.parametrize("address", ["/adresse-inconnue/", "/dossiers/999999/"])
def test_the_demo_shows_the_dsfr_404_page(page, settings, lead, address):
    settings.DEBUG = True  # as in `make run`
    settings.DEBUG_PAGES = False
    login(page, lead)
    response = page.goto(address)
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect(page.locator("header.fr-header")).to_be_visible()
    expect(
        page.locator("footer#footer").get_by_role("link", name="Mentions légales")
    ).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("URLconf")
