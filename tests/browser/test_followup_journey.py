"""The yearly report in a real browser: a lead updates its prefilled report step by step,
sees a refused amount explained without losing it, checks and remits; the instructor
accepts it and reads the consolidation (no CSP violation, no JavaScript error)."""

import re

import pytest
from playwright.sync_api import expect

from followup.models import Report
from tests.browser.helpers import login, logout
from tests.followup.conftest import followup_campaign, grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def report(decided):
    """The lead's recognised filière's report in a published follow-up campaign."""
    grant(decided)
    campaign = followup_campaign()
    return Report.objects.get(campaign=campaign, filiere=decided.filiere)


def test_lead_remits_its_report_and_the_ars_accepts_it(
    page,
    page_problems,
    report,
    lead,
    instructor,
):
    login(page, lead)
    expect(page.get_by_role("link", name=re.compile("Suivi annuel 2026"))).to_be_visible()
    page.goto(f"/suivi/rapports/{report.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(report.filiere.name)
    page.get_by_role("link", name="Gouvernance et formalisation").click()
    page.get_by_label("Réunions de l'instance de gouvernance dans l'année").fill("3")
    for legend in (
        "Territoire de la filière défini",
        "État des lieux des besoins et attentes mis à jour",
        "Charte ou convention de la filière signée",
    ):
        # The DSFR draws the radio button: the label is what one clicks.
        page.get_by_role("group", name=legend).locator("label", has_text="Oui").click()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Acteurs de la filière")
    # Offer and partnerships: every count given.
    page.goto(f"/suivi/rapports/{report.pk}/rediger/offer/")
    for field in (
        "Lits d'unités",
        "Lits identifiés",
        "Places d'hôpital",
        "Équipes mobiles",
        "Structures d'hospitalisation",
    ):
        page.get_by_label(re.compile(field)).fill("2")
    page.get_by_label("Postes médicaux vacants (ETP)").fill("0,5")
    page.get_by_label("Postes paramédicaux vacants (ETP)").fill("1")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Partenariats")
    for field in page.locator("input[name^='partnerships__']").all():
        field.fill("1")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.goto(f"/suivi/rapports/{report.pk}/rediger/funding/")
    spent = page.get_by_label(re.compile("Montant dépensé"))
    spent.fill("60 000")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("alert")).to_contain_text("dépasse le montant accordé")
    expect(page.get_by_label(re.compile("Montant dépensé"))).to_have_value("60 000")
    page.get_by_label(re.compile("Montant dépensé")).fill("41 000")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérification du rapport")
    expect(page.get_by_role("heading", name="Le rapport est complet")).to_be_visible()
    page.get_by_role("link", name="Remettre le rapport").click()
    page.get_by_role("button", name=re.compile("Confirmer")).click()
    expect(page.locator(".fr-badge").first).to_have_text("Remis")
    logout(page)

    login(page, instructor)
    page.goto(f"/suivi/rapports/{report.pk}/")
    expect(page.get_by_role("columnheader", name="Évolution").first).to_be_visible()
    page.get_by_role("link", name="Accepter le rapport").click()
    page.get_by_role("button", name=re.compile("Confirmer")).click()
    expect(page.locator(".fr-badge").first).to_have_text("Accepté")
    page.goto(f"/suivi/campagnes/{report.campaign.slug}/")
    expect(page.get_by_role("img", name=re.compile("Principaux indicateurs"))).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("Rapports par filière"))).to_contain_text(
        "41\u202f000,00"
    )
