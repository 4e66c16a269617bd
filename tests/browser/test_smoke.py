"""First journeys in a real browser: the DSFR frame, login and logout, skip links, CSP."""

import re

import pytest
from playwright.sync_api import expect

from campaign.models import Filiere
from tests.browser.helpers import RESULTS_DIR, login, logout
from tests.factories import DossierFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_renders_with_the_dsfr(page):
    page.goto("/comptes/connexion/")
    expect(page).to_have_title(re.compile("Connexion"))
    header = page.locator("header.fr-header")
    expect(header).to_be_visible()
    assert header.bounding_box()["height"] > 50
    expect(page.locator("main").get_by_role("heading", name="Connexion")).to_be_visible()
    button = page.locator("main form").get_by_role("button", name="Se connecter")
    expect(button).to_have_class(re.compile(r"\bfr-btn\b"))
    # The DSFR stylesheet is applied: Marianne font, blue France primary button.
    assert "Marianne" in page.evaluate("getComputedStyle(document.body).fontFamily")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(0, 0, 145)"
    # ... and the font files themselves were served (not a fallback font).
    assert page.evaluate("document.fonts.ready.then(() => document.fonts.check('1rem Marianne'))")
    # DSFR icons are CSS masks on ::before: the lock icon of the header link has one.
    mask = page.locator(".fr-header__tools .fr-icon-lock-line").evaluate(
        "a => getComputedStyle(a, '::before').maskImage || "
        "getComputedStyle(a, '::before').webkitMaskImage"
    )
    assert "lock-line" in mask
    # The French form labels come from the crispy DSFR pack.
    expect(page.locator("label.fr-label", has_text="Identifiant")).to_be_visible()
    expect(page.locator("input.fr-input#id_password")).to_have_attribute("type", "password")


def test_bad_password_shows_french_error_and_keeps_the_username(page, lead):
    page.goto("/comptes/connexion/")
    form = page.locator("main form")
    form.get_by_label("Identifiant").fill("porteur")
    form.get_by_label("Mot de passe").fill("mauvais-mot-de-passe")
    form.get_by_role("button", name="Se connecter").click()
    expect(page.locator("main")).to_contain_text("Identifiant ou mot de passe incorrect")
    expect(page).to_have_url(re.compile(r"/comptes/connexion/$"))
    expect(form.get_by_label("Identifiant")).to_have_value("porteur")
    expect(form.get_by_label("Mot de passe")).to_have_value("")


def test_anonymous_visitor_is_sent_to_the_login_page(page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/comptes/connexion/\?next=/$"))


def test_lead_logs_in_sees_home_and_logs_out(page, lead):
    login(page, lead)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bonjour {lead.first_name}")
    tools = page.locator(".fr-header__tools-links")
    expect(tools).to_contain_text(str(lead))
    expect(page.locator("#navigation").get_by_role("link", name="Accueil")).to_have_attribute(
        "aria-current", "page"
    )
    # A lead is not staff: no link to the list of every dossier.
    expect(page.locator("#navigation").get_by_role("link", name="Dossiers")).to_have_count(0)

    logout(page)
    expect(page.locator("main").get_by_role("heading", name="Connexion")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/comptes/connexion/\?next=/$"))


def test_login_follows_next(page, lead, filiere):
    dossier = DossierFactory(filiere=filiere)
    page.goto(f"/dossiers/{dossier.pk}/")
    expect(page).to_have_url(re.compile(r"/comptes/connexion/\?next="))
    form = page.locator("main form")
    form.get_by_label("Identifiant").fill("porteur")
    form.get_by_label("Mot de passe").fill("motdepasse-solide-2025")
    form.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(rf"/dossiers/{dossier.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(dossier.display_name)


def test_staff_sees_the_dossier_list_in_the_navigation(page, instructor):
    login(page, instructor)
    page.locator("#navigation").get_by_role("link", name="Dossiers").click()
    expect(page).to_have_url(re.compile(r"/dossiers/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dossiers")


def test_lead_cannot_open_another_filieres_dossier(page, lead, other_lead):
    other = DossierFactory(filiere=Filiere.objects.get(slug="cornouaille"))
    login(page, lead)
    response = page.goto(f"/dossiers/{other.pk}/")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("Cornouaille")


def test_api_answers_with_the_browser_session(page, lead):
    login(page, lead)
    response = page.request.get("/api/v1/me")
    assert response.status == 200
    assert response.json()["username"] == "porteur"


def test_dsfr_javascript_runs_without_csp_violation(page, lead, page_problems):
    login(page, lead)
    # The DSFR module marks the document once it has started.
    expect(page.locator("html")).to_have_attribute("data-fr-js", "true")
    # Its behaviour works: the mobile menu opens as a modal on a narrow screen.
    page.set_viewport_size({"width": 375, "height": 800})
    page.locator("#bouton-menu").click()
    expect(page.locator("#menu-principal")).to_be_visible()
    expect(page.locator("#menu-principal").get_by_role("link", name="Accueil")).to_be_visible()
    page.locator("#menu-principal").get_by_role("button", name="Fermer").click()
    expect(page.locator("#menu-principal")).to_be_hidden()
    page_problems.assert_clean()


def test_csp_violations_are_caught(page, lead, page_problems):
    """The collector works: an inline script is blocked and reported."""
    page.goto("/comptes/connexion/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = 1'; document.body.append(s); }"
    )
    page.wait_for_function("() => true")
    page.wait_for_timeout(200)
    assert page.evaluate("window.injected") is None
    assert any("script-src" in text for text in page_problems.csp), page_problems.csp
    page_problems.csp.clear()


def test_skip_links_are_the_first_keyboard_stops(page, lead):
    login(page, lead)
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Contenu")
    expect(focused).to_have_attribute("href", "#content")
    expect(focused).to_be_visible()
    links = page.locator(".fr-skiplinks a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs == ["#content", "#navigation", "#footer"]
    for href in hrefs:
        expect(page.locator(href)).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#content$"))


def test_home_page_screenshot(page, lead):
    """Leaves test-results/home-lead.png for a human look at the DSFR frame."""
    login(page, lead)
    page.evaluate("document.fonts.ready")
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / "home-lead.png"
    page.screenshot(path=path, full_page=True)
    assert path.stat().st_size > 10_000
