"""Item 4 beyond project sheets: « Créer le dossier » and « Accorder la prolongation »
double-clicked, or sent again as the browser resends a form, create once (common.once)."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from campaign.models import DeadlineExtension
from dossiers.models import Dossier
from tests.browser.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_creating_the_dossier_with_a_double_click_makes_one(page, lead, campaign):
    login(page, lead)
    page.goto("/")
    page.get_by_role("button", name="Créer le dossier").dblclick()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")
    dossier = Dossier.objects.get()
    assert page.url.endswith(f"/dossiers/{dossier.pk}/rediger/")


def test_an_extension_sent_twice_is_granted_once(page, instructor, campaign, filiere):
    login(page, instructor)
    page.goto(f"/campagnes/{campaign.slug}/prolongations/")
    form = page.locator("main form").last
    form.get_by_label("Filière").select_option(str(filiere.pk))
    until = (campaign.deadline + dt.timedelta(days=10)).date().isoformat()
    form.get_by_label("Nouvelle date limite").fill(until)
    form.get_by_label("Motif").fill("Hospitalisation du coordonnateur")
    fields = form.evaluate("f => Object.fromEntries(new FormData(f))")
    answers = [page.request.post(page.url, form=fields, max_redirects=0) for _n in range(2)]
    assert [answer.status for answer in answers] == [302, 302]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    form.get_by_role("button", name="Accorder la prolongation").dblclick()
    page.wait_for_load_state("networkidle")
    assert DeadlineExtension.objects.count() == 1
