"""Issue 11, item 9 (part): staff menus lead to distinct pages; the review page has one
button size and one primary action, and holds the dossier itself."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_menu_entries_lead_to_distinct_pages(page, instructor, submitted):
    login(page, instructor)
    nav = page.locator("#navigation")
    targets = {}
    for link in nav.get_by_role("link").all():
        href = link.get_attribute("href")
        response = page.request.get(href)
        targets.setdefault(response.url, []).append(link.inner_text())
    duplicates = {url: names for url, names in targets.items() if len(names) > 1}
    assert not duplicates, duplicates
    expect(nav.get_by_role("link", name="Instruction")).to_be_visible()


def test_review_page_has_one_primary_action(page, instructor, submitted):
    login(page, instructor)
    page.goto(f"/evaluation/dossiers/{submitted.pk}/")
    group = page.locator("main .fr-btns-group").first
    buttons = group.locator(".fr-btn")
    assert buttons.count() >= 2
    primaries = group.locator(".fr-btn:not(.fr-btn--secondary):not(.fr-btn--tertiary)")
    expect(primaries).to_have_count(1)
    assert "fr-btns-group--sm" not in (group.get_attribute("class") or "")
    expect(page.locator("main").get_by_role("heading", name="Le dossier déposé")).to_be_visible()
