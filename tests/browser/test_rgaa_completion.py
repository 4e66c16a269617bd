"""Issue 11, item 6: a returned dossier past its due date tells its lead so (as it tells
the staff), the completion request looks the same on every page, one « Redéposer »."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import login, logout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_lead_sees_one_resubmit_before_the_due_date(page, lead, returned):
    login(page, lead)
    page.goto(f"/dossiers/{returned.pk}/rediger/")
    request = page.locator("#demande-de-complements")
    expect(request).to_have_class("fr-alert fr-alert--warning fr-mb-4w")
    expect(request).to_contain_text("Merci de préciser la convention.")
    expect(request).not_to_contain_text("En retard")
    resubmit = page.locator("main").get_by_role("link", name="Redéposer")
    expect(resubmit).to_have_count(1)


def test_a_late_answer_is_said_to_the_lead_as_to_the_staff(page, lead, instructor, returned):
    returned.return_due_date = timezone.localdate() - dt.timedelta(days=2)
    returned.save(update_fields=["return_due_date"])
    login(page, lead)
    card = page.locator("main .fr-card")
    expect(card).to_contain_text("En retard")
    page.goto(f"/dossiers/{returned.pk}/rediger/")  # no longer editable: the dossier page
    request = page.locator("#demande-de-complements")
    expect(request).to_have_class("fr-alert fr-alert--error fr-mb-4w")
    expect(request.locator(".fr-badge")).to_have_text("En retard")
    expect(request).to_contain_text("vous ne pouvez plus modifier ni redéposer le dossier")
    expect(page.locator("main").get_by_role("link", name="Redéposer")).to_have_count(0)
    lead_markup = request.evaluate("e => e.className + '|' + e.querySelector('h2').textContent")
    logout(page)

    login(page, instructor)
    # The former workspace address lands on the same single page (decision 0054).
    for address in (f"/dossiers/{returned.pk}/", f"/evaluation/dossiers/{returned.pk}/"):
        page.goto(address)
        assert page.url.endswith(f"/dossiers/{returned.pk}/") or page.url.endswith(
            f"/dossiers/{returned.pk}/#instruction"
        )
        request = page.locator("#demande-de-complements")
        expect(request.locator(".fr-badge")).to_have_text("En retard")
        expect(request).to_contain_text("Le délai est dépassé : le porteur ne peut plus")
        # The same component, on every page.
        assert (
            request.evaluate("e => e.className + '|' + e.querySelector('h2').textContent")
            == lead_markup
        )
