"""Issue 11, item 9: staff menus lead to distinct pages; one page per dossier, with the
instruction panels, one button size and one primary action per row."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login
from tests.buttons import button_group_problems

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


def test_the_dossier_page_has_one_primary_action_per_row(page, instructor, submitted):
    """One page per dossier for the staff (decision 0054): the former workspace address
    lands on it, at its instruction panels; one button size and one primary per row."""
    login(page, instructor)
    page.goto(f"/evaluation/dossiers/{submitted.pk}/")
    assert page.url.endswith(f"/dossiers/{submitted.pk}/#instruction")
    group = page.locator("main .fr-btns-group").first
    buttons = group.locator(".fr-btn")
    assert buttons.count() >= 2
    primaries = group.locator(".fr-btn:not(.fr-btn--secondary):not(.fr-btn--tertiary)")
    expect(primaries).to_have_count(1)
    assert "fr-btns-group--sm" not in (group.get_attribute("class") or "")
    assert button_group_problems(page.content()) == []
    main = page.locator("main")
    expect(main.get_by_role("heading", name="Instruction", exact=True)).to_be_visible()
    expect(main.get_by_role("heading", name="Relecteurs et conflits d'intérêts")).to_be_visible()
    expect(main.get_by_role("heading", name="Financement", exact=True)).to_be_visible()
    expect(main.get_by_role("heading", name="Le dossier déposé")).to_be_visible()
    # One history, in the dossier page's style.
    expect(main.get_by_role("heading", name="Historique", exact=True)).to_have_count(1)
