"""Issue 11, item 8: while amounts are typed far down the proposal, the envelopes' totals
stay in sight, and each sheet shows its subtotal."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login
from tests.factories import FundingLineFactory, ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_totals_stay_in_sight_and_sheets_have_subtotals(page, instructor, in_analysis):
    for rank in range(2, 6):  # a long proposal: five sheets
        FundingLineFactory(project=ProjectFactory(dossier=in_analysis, priority=rank))
    login(page, instructor)
    page.goto(f"/campagnes/dossiers/{in_analysis.pk}/proposition/")
    sheets = page.locator("[data-budget-sheet]")
    expect(sheets).to_have_count(5)
    last = sheets.last
    amount = last.get_by_label("Montant proposé", exact=False).first
    amount.scroll_into_view_if_needed()
    amount.fill("10 000")
    bar = page.locator("[data-budget-sticky]")
    expect(bar).to_be_visible()
    expect(bar).to_be_in_viewport()
    expect(bar).to_contain_text("10 000,00")
    subtotal = last.locator("[data-budget-subtotal=recurring]")
    expect(subtotal).to_be_visible()
    expect(subtotal).to_have_text("10 000,00 €")
    # The box at the top of the page is out of sight; the bar says the same.
    expect(page.locator("[data-budget-box] table")).not_to_be_in_viewport()
