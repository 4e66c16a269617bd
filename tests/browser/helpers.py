"""Helpers for browser journeys: `from tests.browser.helpers import login, logout`."""

import re
from pathlib import Path

# Screenshots and HTML of failing tests (ignored by git).
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"

# The password tests.factories.UserFactory gives every user.
PASSWORD = "motdepasse-solide-2025"


def login(page, user, password=PASSWORD):
    """Log in through the real login form; waits until the form has gone."""
    page.goto("/comptes/connexion/")
    form = page.locator("main form")
    form.get_by_label("Identifiant").fill(user.username)
    form.get_by_label("Mot de passe").fill(password)
    form.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/comptes/connexion/" not in url)
    return page


def logout(page):
    page.locator(".fr-header__tools-links").get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/comptes/connexion/"))
    return page
