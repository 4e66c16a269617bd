"""A call set up from scratch in the interface, then answered (issue 14's journey).

The region's administrator loads the region's territories from a spreadsheet, creates the
call (dates in Paris time, envelopes, signatory), chooses its territories, imports 8
filières and their leads from a spreadsheet whose one bad row refuses the whole file (the
row named), fixes it, imports, publishes. An invited lead signs in through a local
OpenID provider (oidc-provider-mock, never the real ProConnect), finds the call, writes
and submits the dossier. Only the accounts of the administrator comes from a factory."""

import csv
import io
import re

import oidc_provider_mock
import pytest
import requests
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Role
from campaign.models import Campaign, Invitation
from tests.browser.helpers import login, logout
from tests.browser.test_journey import (
    expect_message,
    lead_adds_a_project,
    lead_checks_and_submits,
    lead_creates_the_dossier,
    lead_fills_the_diagnostic,
    lead_fills_the_identity_sheet,
    lead_fills_the_swot,
    main,
    snap,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TERRITORIES = [
    ("T1", "Brest – Carhaix – Morlaix", "29"),
    ("T2", "Quimper – Douarnenez – Pont-l'Abbé", "29"),
    ("T3", "Lorient – Quimperlé", "56, 29"),
    ("T4", "Vannes – Ploërmel – Malestroit", "56"),
    ("T5", "Rennes – Fougères – Vitré – Redon", "35"),
    ("T6", "Saint-Malo – Dinan", "35, 22"),
    ("T7", "Saint-Brieuc – Guingamp – Lannion", "22"),
    ("T8", "Pontivy – Loudéac", "56, 22"),
]
FILIERES = [
    ("Nord Finistère", "T1", "Anne Le Goff", "anne.legoff@example.fr"),
    ("Cornouaille", "T2", "Yann Kerdraon", "yann.kerdraon@example.fr"),
    ("Lorient / Quimperlé", "T3", "Soazig Le Bris", "soazig.lebris@example.fr"),
    ("Brocéliande Atlantique", "T4", "Gaël Morvan", "gael.morvan@example.fr"),
    ("Haute Bretagne", "T5", "Nolwenn Guillou", "nolwenn.guillou@example.fr"),
    ("Saint-Malo / Dinan", "T6", "Erwan Jégou", "erwan.jegou@example.fr"),
    ("Armor", "T7", "Maïwenn Le Floch", "maiwenn.lefloch@example.fr"),
    ("Cœur de Breizh", "T8", "Loïc Le Bihan", "loic.lebihan@example.fr"),
]


def spreadsheet(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


@pytest.fixture
def oidc_provider(settings):
    """A local OpenID provider for this test, and ProConnect switched on against it."""
    with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
        url = f"http://localhost:{server.server_port}"
        settings.OIDC_RP_CLIENT_ID = "plateforme-filieres"
        settings.OIDC_RP_CLIENT_SECRET = "secret-de-test"
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{url}/oauth2/authorize"
        settings.OIDC_OP_TOKEN_ENDPOINT = f"{url}/oauth2/token"
        settings.OIDC_OP_USER_ENDPOINT = f"{url}/userinfo"
        settings.OIDC_OP_JWKS_ENDPOINT = f"{url}/jwks"
        settings.OIDC_OP_LOGOUT_ENDPOINT = f"{url}/oauth2/end_session"
        settings.OIDC_OP_ISSUER = url
        yield url


def admin_loads_the_territories(page, tmp_path):
    page.locator("#navigation").get_by_role("link", name="Paramétrage").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paramétrage des appels")
    main(page).get_by_role("link", name=re.compile("Région Bretagne : territoires")).click()
    path = tmp_path / "territoires.csv"
    path.write_bytes(spreadsheet(["Code", "Nom", "Départements"], TERRITORIES))
    form = main(page).locator("form").filter(has_text="Charger les territoires")
    form.get_by_label(re.compile("Tableau des territoires")).set_input_files(path)
    form.get_by_role("button", name="Charger le tableau").click()
    expect_message(page, "Territoires importés : 8 ajouté(s)")


def admin_creates_the_call(page):
    page.locator("#navigation").get_by_role("link", name="Paramétrage").click()
    main(page).get_by_role("link", name="Nouvel appel — Bretagne").click()
    form = main(page).locator("form")
    form.get_by_label("Nom de l'appel").fill("Reconnaissance des filières de soins palliatifs 2027")
    form.get_by_label("Identifiant (facultatif)").fill("bretagne-2027")
    today = page.evaluate("() => new Date().toISOString().slice(0, 10)")
    year = int(today[:4]) + 1
    form.get_by_label("Ouverture de l'appel").fill(today)
    form.get_by_label("Date limite de dépôt").fill(f"{year}-02-14")
    form.get_by_label("Date de décision prévue").fill(f"{year}-06-30")
    form.get_by_label("Première délégation de crédits prévue").fill(f"{year}-07-15")
    form.get_by_label("Enveloppe reconductible (euros par an)").fill("1 600 000")
    form.get_by_label(re.compile("Enveloppe ponctuelle")).fill("400 000")
    form.get_by_label("Signataire des courriers").fill("Dr Anne Martin")
    form.get_by_label("Qualité du signataire").fill("Directrice générale de l'ARS Bretagne")
    snap(page, "setup-01-creation")
    form.get_by_role("button", name="Créer l'appel (en préparation)").click()
    expect_message(page, "est créé, en préparation")
    expect(page.get_by_role("heading", level=1)).to_have_text("Territoires de l'appel")
    for code, _name, _deps in TERRITORIES:
        box = main(page).get_by_label(re.compile(f"^{code} — "))
        page.locator(f'label[for="{box.get_attribute("id")}"]').click()
    main(page).get_by_role("button", name="Enregistrer les territoires").click()
    expect_message(page, "Les territoires de l'appel sont enregistrés.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Filières et porteurs")


def admin_imports_the_filieres(page, tmp_path):
    main(page).get_by_role("link", name="Importer un tableau de filières").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer des filières")
    rows = [list(row) for row in FILIERES]
    rows[5] = ["Saint-Malo / Dinan", "T6, T9", "Erwan Jégou", "erwan.jegou@example.fr"]
    bad = tmp_path / "filieres-erreur.csv"
    bad.write_bytes(spreadsheet(["Filière", "Territoires", "Porteur", "Courriel"], rows))
    form = main(page).locator("form").filter(has_text="Vérifier le tableau")
    form.get_by_label(re.compile("Tableau des filières")).set_input_files(bad)
    form.get_by_role("button", name="Vérifier le tableau").click()
    errors = main(page).locator("#erreurs-import")
    expect(errors).to_contain_text("1 erreur : rien n'a été importé")
    expect(errors).to_contain_text("Ligne 7 : territoire « T9 » inconnu de la campagne")
    expect(main(page).get_by_role("button", name=re.compile("^Importer"))).to_have_count(0)
    snap(page, "setup-02-import-refuse")

    good = tmp_path / "filieres.csv"
    good.write_bytes(
        spreadsheet(["Filière", "Territoires", "Porteur", "Courriel"], [list(r) for r in FILIERES])
    )
    form = main(page).locator("form").filter(has_text="Vérifier le tableau")
    form.get_by_label(re.compile("Tableau des filières")).set_input_files(good)
    form.get_by_role("button", name="Vérifier le tableau").click()
    expect(main(page).locator("tbody tr")).to_have_count(8)
    snap(page, "setup-03-apercu")
    main(page).get_by_role("button", name="Importer les 8 filières").click()
    expect_message(page, "8 filière(s) importée(s) avec leurs porteurs.")
    expect(main(page).locator("tbody tr")).to_have_count(8)


def admin_publishes(page):
    main(page).get_by_role("link", name="Retour à l'appel").click()
    expect(main(page)).to_contain_text("L'appel peut être publié")
    main(page).get_by_role("link", name="Publier l'appel").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publier l'appel")
    main(page).get_by_role("button", name="Publier l'appel").click()
    expect_message(page, "L'appel est publié.")
    expect(main(page).locator(".fr-badge").first).to_have_text("Publiée")


def lead_signs_in_with_proconnect(page, provider, email):
    # Nothing reaches the Internet: the mock's page would fetch a stylesheet from a CDN.
    page.route(re.compile(r"^https://"), lambda route: route.abort())
    requests.put(
        f"{provider}/users/{email}", json={"email": email, "usual_name": "Le Goff"}, timeout=10
    )
    page.goto("/comptes/connexion/")
    main(page).get_by_role("link", name=re.compile("ProConnect$")).click()
    page.wait_for_url(re.compile(r"^http://localhost:\d+/oauth2/authorize"))
    page.locator("input[name=sub]").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(lambda url: "/comptes/" not in url and "oauth2" not in url)
    expect(page.locator(".fr-header__tools-links")).to_contain_text("Se déconnecter")


def test_a_call_set_up_from_scratch_is_answered_by_an_invited_lead(
    page, page_problems, tmp_path, oidc_provider
):
    admin = UserFactory(username="admin-bretagne", roles=[Role.REGION_ADMIN])
    login(page, admin)
    admin_loads_the_territories(page, tmp_path)
    admin_creates_the_call(page)
    admin_imports_the_filieres(page, tmp_path)
    assert mail.outbox == []  # in preparation: nothing has left
    admin_publishes(page)
    page_problems.assert_clean()

    campaign = Campaign.objects.get(slug="bretagne-2027")
    assert campaign.filieres.count() == 8
    invited = sorted(message.to[0] for message in mail.outbox)
    assert invited == sorted(row[3] for row in FILIERES)
    assert Invitation.objects.filter(accepted_at__isnull=True).count() == 8

    logout(page)
    lead_signs_in_with_proconnect(page, oidc_provider, "anne.legoff@example.fr")
    filiere = campaign.filieres.get(name="Nord Finistère")
    lead_creates_the_dossier(page, filiere)
    lead_fills_the_identity_sheet(page)
    lead_fills_the_diagnostic(page)
    lead_fills_the_swot(page)
    lead_adds_a_project(
        page,
        priority=1,
        title="Renforcer l'équipe mobile",
        line={
            "label": "Infirmier de l'équipe mobile",
            "nature": "Reconductible",
            "category": "Personnel",
            "etp": "1,5",
            "amount": "52 000,50",
            "first_year": "2025",
            "shown": "52 000,50 €",
        },
    )
    lead_adds_a_project(
        page,
        priority=2,
        title="Équiper l'équipe mobile",
        line={
            "label": "Véhicule de service",
            "nature": "Ponctuel non reconductible",
            "category": "Investissement",
            "amount": "18000",
            "shown": "18 000,00 €",
        },
    )
    lead_checks_and_submits(page)
    dossier = campaign.dossiers.get(filiere=filiere)
    assert dossier.state == "submitted"
    assert Invitation.objects.get(email="anne.legoff@example.fr").accepted_at is not None
