"""Issue 11, item 8: at 390 px (a phone), no page scrolls sideways and no amount, table
cell or button is hidden; the data tables become cards (.app-table--cards, static/css/
app.css) and axe-core finds nothing, of any impact. Every page type that holds a data
table, for each role of the demo: leads (a draft and a decided dossier), the CARESP
reviewer, the ARS instructor, the ARS decider and the regional administrator. One
demo, one browser context per person: about 50 s, and 15–25 s to load the demo
(`pytest tests/browser/test_responsive.py --durations=5`).

test_axe.py crawls every page type linked from each home at 1280 and 390 px for axe-core,
the sideways scroll and hidden amounts; this file looks closer at the pages with tables,
at a table that appears after an action (background generations), and at the cards
themselves (labels, totals, what screen readers get, 1280 px unchanged)."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from dossiers.models import Dossier, Project
from followup.models import Report
from setup.demo import ACCOUNTS, DEMO_SLUG, FOLLOWUP_SLUG
from tests.browser.axe import axe_violations
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.helpers import login
from tests.browser.layout import layout_problems

# `axe`: HTML and layout only, the same on either database (run once in CI, on SQLite).
pytestmark = [pytest.mark.browser, pytest.mark.axe, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PASSWORDS = {account.username: account.password for account in ACCOUNTS}

# {draft} Nord Finistère, {decided} Brocéliande Atlantique (decided, yearly report),
# {review} Armor (CARESP review), {analysis} Haute Bretagne (ARS analysis).
PAGES = {
    "porteur.nord-finistere": [
        "/",
        "/dossiers/{draft}/rediger/",
        "/dossiers/{draft}/rediger/identity/",
        "/dossiers/{draft}/projets/",
        "/dossiers/{draft}/projets/{sheet}/",
        "/dossiers/{draft}/co-redacteurs/inviter/",
        "/dossiers/{draft}/",
    ],
    "porteur.broceliande-atlantique": [
        "/",
        "/dossiers/{decided}/",
        "/dossiers/{decided}/depots/1/",
        "/dossiers/{decided}/depots/1/recepisse/",
        "/suivi/",
        "/suivi/rapports/{report}/",
    ],
    "caresp": [
        "/evaluation/",
        "/dossiers/",
        "/dossiers/{review}/",
        "/evaluation/campagnes/{campaign}/classement/",
    ],
    "instructeur": [
        "/",
        "/dossiers/",
        "/dossiers/{analysis}/",
        "/campagnes/dossiers/{analysis}/proposition/",
        "/evaluation/campagnes/{campaign}/classement/",
        "/evaluation/campagnes/{campaign}/grille/",
        "/campagnes/{campaign}/budget/",
        "/campagnes/{campaign}/delegations/",
        "/campagnes/{campaign}/prolongations/",
        "/campagnes/{campaign}/documents/",
        "/campagnes/sorties/",
        "/campagnes/{campaign}/exports/",
        "/campagnes/{campaign}/courriers/",
        "/campagnes/{campaign}/couverture/",
        "/campagnes/dossiers/{analysis}/impression/",
        "/suivi/",
        "/suivi/campagnes/{followup}/",
    ],
    "decideur": [
        "/campagnes/dossiers/{analysis}/decision/",
        "/campagnes/{campaign}/delegations/",
    ],
    "admin-bretagne": [
        "/gestion/campagnes/",
        "/gestion/campagnes/{campaign}/",
        "/gestion/campagnes/{campaign}/filieres/",
    ],
}

# Pages seen once a button is pressed: (page, button, what then appears), then checked.
ACTIONS = {
    "instructeur": [
        ("/campagnes/{campaign}/courriers/", "Générer tous les courriers", "tr[data-job-state]")
    ],
}


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=io.StringIO())
    dossiers = {
        dossier.filiere.slug: dossier.pk
        for dossier in Dossier.objects.filter(campaign__slug=DEMO_SLUG).select_related("filiere")
    }
    return {
        "campaign": DEMO_SLUG,
        "followup": FOLLOWUP_SLUG,
        "draft": dossiers["nord-finistere"],
        "sheet": Project.objects.filter(dossier_id=dossiers["nord-finistere"]).first().pk,
        "decided": dossiers["broceliande-atlantique"],
        "report": Report.objects.get(filiere__slug="broceliande-atlantique").pk,
        "review": dossiers["armor"],
        "analysis": dossiers["haute-bretagne"],
    }


class Person:
    def __init__(self, username):
        self.username = username


def check_person(browser, live_server, page_problems, username, ids):
    """Each page of `username` at 390 px: what is wrong, as readable lines."""
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris", viewport=PHONE
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", page_problems.on_console)
    page.on("pageerror", page_problems.on_page_error)
    page.on("response", page_problems.on_response)
    found = []
    try:
        login(page, Person(username), PASSWORDS[username])
        visits = [(template, None, None) for template in PAGES[username]]
        for template, button, expected in visits + ACTIONS.get(username, []):
            path = template.format(**ids)
            response = page.goto(path)
            if response.status != 200:
                found.append(f"{path} : réponse {response.status}")
                continue
            if button:  # e.g. a background generation: its table of jobs appears
                page.get_by_role("button", name=button).click()
                expect(page.locator(expected).first).to_be_visible()
                path = f"{path} après « {button} »"
            uncarded = page.locator(".app-table--cards:has(thead):not([data-cards])")
            if uncarded.count():
                found.append(f"{path} : {uncarded.count()} tableau(x) sans cartes")
            found += [f"{path} : {line}" for line in layout_problems(page)]
            found += [f"{path} : axe {line}" for line in axe_violations(page)]
        return page, context, found
    except Exception:
        context.close()
        raise


def test_every_page_fits_a_phone(browser, live_server, page_problems, demo):
    found = []
    for username in PAGES:
        page, context, problems = check_person(browser, live_server, page_problems, username, demo)
        found += [f"{username} {line}" for line in problems]
        if username == "instructeur":
            try:
                check_cards(page)
            except AssertionError as error:
                found.append(f"instructeur /dossiers/ : pas de cartes ({error})".split("\n")[0])
            # The same page at 1280 px keeps its table: a header row, the cells side by side.
            page.goto(f"/campagnes/{demo['campaign']}/budget/")
            page.set_viewport_size({"width": 1280, "height": 900})
            header = page.locator(".app-table--cards thead").first
            expect(header).to_be_visible()
            assert header.bounding_box()["height"] > 20
            row = page.locator(".app-table--cards tbody tr").first
            cells = row.locator("td, th")
            first, second = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
            assert abs(first["y"] - second["y"]) < 2, "à 1280 px, les cellules restent côte à côte"
        context.close()
    page_problems.assert_clean()
    assert not found, "\n".join([f"{len(found)} problème(s) à 390 px :"] + found)


def check_cards(page):
    """A card shows each amount under its column's name; the totals row is a card too."""
    page.goto("/dossiers/")
    table = page.locator(".app-table--cards[data-cards] table").first
    first = table.locator("tbody tr").first
    amount = first.locator("td.app-money").first
    expect(amount).to_have_attribute("data-label", "Reconductible demandé")
    shown = amount.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert "Reconductible demandé" in shown, shown
    assert amount.evaluate("cell => cell.innerText").endswith("€")
    # Each row is a card: its cells are stacked, not side by side, within the screen.
    cells = first.locator("td, th")
    assert cells.nth(1).bounding_box()["y"] > cells.nth(0).bounding_box()["y"]
    # Screen readers still get a table: the header names each cell, the label is silent.
    tree = table.aria_snapshot()
    assert 'columnheader "Reconductible demandé"' in tree, tree
    assert 'cell "Reconductible demandé' not in tree, tree
    total = table.locator("tfoot tr").first
    expect(total).to_be_visible()
    box = total.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
