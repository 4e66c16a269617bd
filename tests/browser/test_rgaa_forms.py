"""Issue 11: users lose nothing they type, and a refused save is announced (items 1–4, 7)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def focused(page):
    return page.evaluate(
        "() => { const e = document.activeElement; return e ? "
        "(e.hasAttribute('data-error-summary') ? 'summary' : e.tagName + '#' + e.id) : null }"
    )


def test_failed_save_focuses_the_summary_and_prefixes_the_title(page, lead, draft):
    """Item 7: RGAA 11.10 and 8.6; the phone field refuses « abc »."""
    login(page, lead)
    page.goto(f"/dossiers/{draft.pk}/rediger/identity/")
    expect(page).not_to_have_title(re.compile("^Erreur"))
    page.get_by_label("Téléphone du coordonnateur").fill("abc")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page).to_have_title(re.compile(r"^Erreur : "))
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    link = summary.get_by_role("link", name=re.compile("Téléphone du coordonnateur"))
    expect(link).to_contain_text("Numéro de téléphone invalide")
    expect(page.get_by_label("Téléphone du coordonnateur")).to_have_value("abc")
    # The summary's link leads to the field.
    link.click()
    expect(page).to_have_url(re.compile("#id_coordinator_phone$"))
