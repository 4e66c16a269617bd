"""The whole call for applications in a real browser, through the interface only.

A filière lead writes and submits its dossier; the ARS instructor sends it to the
CARESP and assigns a reviewer, who scores it; the instructor asks for completion, the
lead completes and resubmits; the instructor moves it to ARS analysis, reads what changed
and proposes amounts; the ARS decider records a partial decision; the lead downloads the
decision letter and the instructor exports the decisions.

Only the campaign, the filière and the accounts come from factories (tests/conftest.py);
everything else is typed and clicked. Every page of the journey is watched for Content-
Security-Policy violations and JavaScript errors (the `page` fixture of conftest.py).
"""

import datetime as dt
import io
import os
import re
import zipfile

import docx
import openpyxl
import pytest
from playwright.sync_api import expect

from common.identifiers import finess_with_key
from tests.browser.helpers import RESULTS_DIR, login, logout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEAD_FINESS = finess_with_key("29000001")
USP_FINESS = finess_with_key("29000002")
# The smallest file the content check accepts as a PDF.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
MISSION_COUNT = 13


def money(text):
    """A regex for an amount as the `eur` filter shows it ("52 000,50 €", any space)."""
    return re.compile(re.escape(text).replace(r"\ ", r"\s"))


def snap(page, name):
    """JOURNEY_SCREENSHOTS=1: a full-page screenshot of this step in test-results/journey/
    (for a human look at the pages; nothing is compared)."""
    if os.environ.get("JOURNEY_SCREENSHOTS"):
        folder = RESULTS_DIR / "journey"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=folder / f"{name}.png", full_page=True)


def main(page):
    return page.locator("main")


def expect_message(page, text):
    expect(main(page).get_by_role("status").filter(has_text=text)).to_be_visible()


def choose(scope, text):
    """Tick a DSFR radio button or checkbox by clicking its label, as a user does."""
    box = scope.get_by_label(text, exact=isinstance(text, str))
    scope.page.locator(f'label[for="{box.get_attribute("id")}"]').click()
    expect(box).to_be_checked()


def switch_to(page, user):
    logout(page)
    login(page, user)


# --------------------------------------------------------------------------- lead


def lead_creates_the_dossier(page, filiere):
    expect(main(page)).to_contain_text(filiere.name)
    main(page).get_by_role("button", name="Créer le dossier").click()
    expect_message(page, "Le dossier est créé")
    expect(page).to_have_url(re.compile(r"/dossiers/\d+/rediger/$"))
    return int(re.search(r"/dossiers/(\d+)/", page.url).group(1))


def lead_fills_the_identity_sheet(page):
    main(page).get_by_role("link", name="Fiche d'identité").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fiche d'identité")
    form = page.locator("#section-form")
    form.get_by_label("Nom de la filière").fill("Filière territoriale de soins palliatifs Léon")
    form.get_by_label("Nom de la structure porteuse").fill("CHU de Brest")
    form.get_by_label("Numéro FINESS de la structure porteuse").fill(LEAD_FINESS)
    form.get_by_label("Statut juridique").select_option(label="Établissement public")
    form.get_by_label("Nom et prénom du coordonnateur").fill("Dr Anne Le Goff")
    form.get_by_label("Adresse électronique du coordonnateur").fill("coordination@example.fr")
    form.get_by_label("Téléphone du coordonnateur").fill("02 98 22 33 33")

    rows = form.locator("fieldset.app-member")
    expect(rows).to_have_count(1)  # one empty row to start with
    first = rows.nth(0)
    first.get_by_label("Type de structure").select_option("USP")
    first.get_by_label("Nom de la structure").fill("USP du CHU de Brest")
    first.get_by_label("Rôle dans la filière").select_option("expert")
    first.get_by_label(re.compile("^FINESS")).fill(USP_FINESS)
    url = page.url
    form.get_by_role("button", name="Ajouter une structure").click()  # JavaScript, no reload
    expect(rows).to_have_count(2)
    assert page.url == url
    second = rows.nth(1)
    expect(second.locator("legend")).to_have_text("Structure membre n° 2")
    second.get_by_label("Type de structure").select_option("HAD")
    second.get_by_label("Nom de la structure").fill("HAD du Ponant")
    second.get_by_label("Rôle dans la filière").select_option("requérant")

    form.get_by_role("textbox", name="Gouvernance").fill("Comité de pilotage trimestriel.")
    choose(form, "Oui")
    snap(page, "01-identite")
    form.get_by_role("button", name="Enregistrer le brouillon").last.click()
    expect_message(page, "Brouillon enregistré.")
    expect(rows).to_have_count(3)  # the two structures and a new empty row
    expect(rows.nth(1).get_by_label("Nom de la structure")).to_have_value("HAD du Ponant")

    # The signed convention, as a PDF attached to the identity sheet.
    upload = main(page).locator("#pj-identity, .app-attachments").first
    upload.get_by_label("Ajouter une pièce jointe").set_input_files(
        {"name": "convention-signee.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    upload.get_by_role("button", name="Envoyer le fichier").click()
    expect_message(page, "Pièce jointe « convention-signee.pdf » ajoutée.")
    expect(main(page).locator(".app-attachments").first).to_contain_text("convention-signee.pdf")
    form.get_by_role("button", name="Enregistrer et continuer").click()


def lead_fills_the_diagnostic(page):
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diagnostic territorial")
    form = page.locator("#section-form")
    form.get_by_label("Population du territoire (habitants)").fill("545000")
    form.get_by_label("Dont mineurs").fill("114450")
    form.get_by_label("Dont personnes de 75 ans et plus").fill("62675")
    form.get_by_label("Superficie (km²)").fill("3900,5")
    form.get_by_label("Lits d'unités de soins palliatifs (USP)").fill("12")
    missions = form.locator("fieldset.app-mission")
    expect(missions).to_have_count(MISSION_COUNT)
    for index in range(MISSION_COUNT):
        status = "Partielle" if index % 4 == 0 else "Couverte"
        choose(missions.nth(index), status)
    missions.nth(0).get_by_label(re.compile("^Commentaire sur la mission")).fill(
        "Niveau 3 à Brest seulement."
    )
    form.get_by_role("button", name="Enregistrer et continuer").click()
    expect_message(page, "Brouillon enregistré.")


def lead_fills_the_swot(page):
    expect(page.get_by_role("heading", level=1)).to_contain_text("Analyse AFOM")
    form = page.locator("#section-form")
    form.get_by_role("textbox", name=re.compile("^Forces")).fill(
        "Équipe mobile expérimentée\nCulture de coopération"
    )
    form.get_by_role("textbox", name=re.compile("^Faiblesses")).fill("Pas de ligne d'appui le soir")
    form.get_by_role("textbox", name=re.compile("^Opportunités")).fill("Stratégie décennale")
    form.get_by_role("textbox", name=re.compile("^Menaces")).fill(
        "Difficultés de recrutement médical"
    )
    form.get_by_role("button", name="Enregistrer et continuer").click()
    expect_message(page, "Brouillon enregistré.")


def lead_adds_a_project(page, *, priority, title, line):
    expect(page.get_by_role("heading", level=1)).to_contain_text("Projet territorial")
    main(page).get_by_role("link", name="Ajouter une fiche projet").click()
    form = main(page).locator("form.app-form")
    form.get_by_label("Rang de priorité").fill(str(priority))
    form.get_by_label("Intitulé de la fiche").fill(title)
    form.get_by_label("Objectifs").fill("Couvrir tous les lieux de vie du territoire.")
    form.get_by_label("Actions prévues").fill("Recrutements et conventions avec les EHPAD.")
    form.get_by_label("Début").fill("2025-09-01")
    form.get_by_label("Fin").fill("2027-12-31")
    form.get_by_label("Structure pilote").fill("CHU de Brest")
    form.get_by_role("button", name="Créer la fiche").click()
    expect_message(page, f"Fiche projet « {title} » créée.")

    lines = main(page).locator("form.app-form").last
    lines.get_by_label("Libellé").fill(line["label"])
    choose(lines, line["nature"])
    lines.get_by_label("Catégorie de dépense").select_option(label=line["category"])
    if line.get("etp"):
        lines.get_by_label("ETP (personnel)").fill(line["etp"])
    lines.get_by_label("Montant demandé (euros)").fill(line["amount"])
    if line.get("first_year"):
        lines.get_by_label("Première année").fill(line["first_year"])
    lines.get_by_label("FINESS de la structure bénéficiaire").fill(LEAD_FINESS)
    lines.get_by_role("button", name="Ajouter la ligne").click()
    expect_message(page, "Ligne de financement ajoutée.")
    table = main(page).locator("#lignes + .fr-table")
    expect(table).to_contain_text(line["label"])
    expect(table).to_contain_text(money(line["shown"]))
    snap(page, f"02-fiche-{priority}")
    main(page).get_by_role("link", name="Retour aux fiches projet").click()


def lead_checks_and_submits(page):
    projects = main(page).locator("#fiches")
    expect(projects.locator("tbody tr")).to_have_count(2)
    expect(main(page).locator("#total-reconductible")).to_have_text(money("52 000,50 €"))
    expect(main(page).locator("#total-ponctuel")).to_have_text(money("18 000,00 €"))
    main(page).get_by_role("link", name="Vérifier le dossier avant dépôt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérification du dossier")
    expect(main(page).get_by_role("heading", name="Le dossier est complet")).to_be_visible()
    snap(page, "03-verification")
    main(page).get_by_role("link", name="Déposer le dossier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Déposer le dossier")
    expect(main(page)).to_contain_text("ne sera plus modifiable")
    snap(page, "04-confirmation-depot")
    main(page).get_by_role("button", name="Confirmer : Déposer le dossier").click()
    expect_message(page, "Le dossier est déposé.")
    # The receipt: number, date and time, what was deposited, fingerprint (issue 11).
    expect(page.get_by_role("heading", level=1)).to_have_text("Récépissé de dépôt")
    expect(main(page)).to_contain_text("Empreinte SHA-256 du contenu déposé")
    expect(main(page).locator(".fr-badge").first).to_have_text(re.compile("^Déposé$", re.I))


# --------------------------------------------------------------------------- staff


def open_workspace_from_dashboard(page, dossier_name):
    page.locator("#navigation").get_by_role("link", name="Instruction").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Instruction des dossiers")
    main(page).get_by_role("link", name=dossier_name).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(dossier_name)


def fire_transition(page, label, *, fields=None, message):
    main(page).get_by_role("link", name=label, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(label)
    for field_label, value in (fields or {}).items():
        main(page).get_by_label(field_label).fill(value)
    main(page).get_by_role("button", name=f"Confirmer : {label}").click()
    expect_message(page, message)


def instructor_sends_to_caresp(page, dossier_name, filiere, caresp):
    # The list of dossiers shows it, then the instruction dashboard.
    page.locator("#navigation").get_by_role("link", name="Dossiers").click()
    row = main(page).locator("tbody tr").filter(has_text=filiere.name)
    expect(row).to_contain_text(re.compile("Déposé", re.I))
    expect(row).to_contain_text(money("52 000,50 €"))
    open_workspace_from_dashboard(page, dossier_name)
    fire_transition(page, "Passer en revue CARESP", message="Le dossier est passé en revue CARESP.")
    # Back on the dossier page, whose instruction panels are on the same page.
    main(page).get_by_label("Relecteur à désigner").select_option(
        label=f"{caresp.get_full_name()} (caresp)"
    )
    main(page).get_by_role("button", name="Attribuer le dossier").click()
    expect_message(page, "Le dossier est attribué à")
    expect(main(page).locator("#relecteurs + .fr-table")).to_contain_text(caresp.get_full_name())


def caresp_scores_and_submits(page, dossier_name):
    expect(main(page)).to_contain_text("Mes dossiers attribués")
    main(page).get_by_role("link", name=dossier_name).first.click()
    form = (
        main(page)
        .locator("form")
        .filter(has=page.get_by_role("button", name="Soumettre l'évaluation"))
    )
    criteria = form.locator(".app-criterion select[name^='score_']")
    count = criteria.count()
    assert count == 9  # the default grid: 4 analysis bases and 5 guiding principles
    for index in range(count):
        criteria.nth(index).select_option(str(3 if index % 2 else 4))
    form.get_by_label("Avis global sur le dossier").select_option(label="Favorable")
    form.get_by_label("Commentaire général").fill("Diagnostic solide ; calendrier à préciser.")
    snap(page, "05-evaluation")
    form.get_by_role("button", name="Soumettre l'évaluation").click()
    # The DSFR confirmation modal, not the browser's confirm().
    page.locator("#app-confirm-modal").get_by_role(
        "button", name="Soumettre définitivement"
    ).click()
    expect_message(page, "Votre évaluation est soumise.")
    expect(main(page).locator("#mon-evaluation ~ p").first).to_contain_text("Évaluation soumise le")


def instructor_asks_for_completion(page, dossier_name, due):
    open_workspace_from_dashboard(page, dossier_name)
    expect(main(page).locator("#evaluations ~ .fr-table").first).to_contain_text("Favorable")
    fire_transition(
        page,
        "Demander des compléments",
        fields={
            "Message au porteur": "Merci de préciser la composition du comité de pilotage.",
            "Date limite de réponse": due.isoformat(),
        },
        message="La demande de compléments a été envoyée au porteur.",
    )
    expect(main(page).locator(".fr-badge").first).to_have_text(re.compile("À compléter", re.I))


def lead_completes_and_resubmits(page, due):
    card = main(page).locator(".fr-card")
    expect(card).to_contain_text("Compléments demandés par l'ARS")
    card.get_by_role("link", name="Continuer la rédaction").click()
    request = main(page).locator("#demande-de-complements")
    expect(request).to_contain_text("Merci de préciser la composition du comité de pilotage.")
    expect(request).to_contain_text(f"{due.year}")
    main(page).get_by_role("link", name="Fiche d'identité").click()
    form = page.locator("#section-form")
    form.get_by_role("textbox", name="Gouvernance").fill(
        "Comité de pilotage trimestriel : CHU, HAD, DAC, CPTS et associations de bénévoles."
    )
    form.get_by_role("button", name="Enregistrer le brouillon").last.click()
    expect_message(page, "Brouillon enregistré.")
    page.get_by_role("navigation", name="vous êtes ici :").get_by_role(
        "link", name="Rédaction du dossier"
    ).click()
    main(page).get_by_role("link", name="Redéposer le dossier complété").first.click()
    main(page).get_by_role("button", name="Confirmer : Redéposer le dossier complété").click()
    expect_message(page, "Le dossier complété est redéposé")
    expect(main(page).locator(".fr-badge").first).to_have_text(re.compile("Revue CARESP", re.I))


def instructor_analyses_and_proposes(page, dossier_name):
    open_workspace_from_dashboard(page, dossier_name)
    fire_transition(page, "Passer en analyse ARS", message="Le dossier est passé en analyse ARS.")
    # What changed between the first and the second submission (the review panel).
    main(page).locator("#evaluation").get_by_role(
        "link", name="Voir les changements du dépôt n° 1 au dépôt n° 2"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Changements entre les dépôts n° 1 et n° 2"
    )
    snap(page, "06-changements")
    change = main(page).locator("tr").filter(has_text="Gouvernance")
    expect(change).to_contain_text("Comité de pilotage trimestriel.")
    expect(change).to_contain_text("CHU, HAD, DAC, CPTS et associations de bénévoles")
    expect(main(page)).to_contain_text("Fiches projet")
    main(page).get_by_role("link", name="Retour au dossier").click()

    main(page).get_by_role("link", name="Proposition de financement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposition de financement")
    form = main(page).locator("form[data-budget-form]")
    form.get_by_label("Montant proposé — « Infirmier de l'équipe mobile »").fill("52 000,50")
    form.get_by_label("Avis — « Infirmier de l'équipe mobile »").select_option(label="Favorable")
    form.get_by_label("Montant proposé — « Véhicule de service »").fill("9 000")
    form.get_by_label("Avis — « Véhicule de service »").select_option(label="Réservé")
    snap(page, "07-proposition")
    form.get_by_role("button", name="Enregistrer la proposition").click()
    expect_message(page, "La proposition a été enregistrée.")
    expect(
        main(page)
        .locator("form[data-budget-form]")
        .get_by_label("Montant proposé — « Véhicule de service »")
    ).to_have_value(re.compile(r"^9\s?000(,00)?$"))


def decider_records_a_partial_decision(page, dossier_name):
    open_workspace_from_dashboard(page, dossier_name)
    main(page).get_by_role("link", name="Décision", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Décision")
    form = main(page).locator("form[data-budget-form]")
    form.get_by_label("Montant accordé — « Infirmier de l'équipe mobile »").fill("52 000,50")
    form.locator("input[type=month]").first.fill("2025-09")
    form.get_by_label("Montant accordé — « Véhicule de service »").fill("9 000")
    choose(form, "Partiellement accepté")
    form.get_by_label("Motivation de la décision").fill(
        "Infirmier financé en totalité ; véhicule financé à moitié."
    )
    snap(page, "08-decision")
    form.get_by_role("button", name="Enregistrer la décision").click()
    expect_message(page, "La décision a été enregistrée")
    expect(main(page)).to_contain_text("Décidé — Partiellement accepté")


def lead_downloads_the_letter(page, tmp_path, filiere):
    card = main(page).locator(".fr-card")
    expect(card.locator(".fr-badge").first).to_have_text(
        re.compile("Décidé — Partiellement accepté", re.I)
    )
    expect(card.locator(".fr-badge").nth(1)).to_have_text(re.compile("Filière reconnue depuis le"))
    card.get_by_role("link", name="Voir le dossier").click()
    decision = main(page).locator(".fr-alert--success")
    expect(decision).to_contain_text("Décision : Partiellement accepté")
    expect(decision).to_contain_text("véhicule financé à moitié")
    snap(page, "09-dossier-decide")
    with page.expect_download() as info:
        main(page).get_by_role("link", name="Courrier de décision (.docx)").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(cell.text for t in document.tables for row in t.rows for cell in row.cells)
    assert filiere.name in text
    assert "52 000,50" in text.replace("\u202f", " ").replace("\xa0", " ")


def instructor_exports_decisions(page, tmp_path, filiere):
    page.locator("#navigation").get_by_role("link", name="Exports, courriers et couverture").click()
    main(page).get_by_role("link", name="Export des décisions").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export des décisions")
    with page.expect_download() as info:
        main(page).get_by_role("button", name="Excel (.xlsx)").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    workbook = openpyxl.load_workbook(path)
    assert "Décisions" in workbook.sheetnames
    sheet = workbook["Décisions"]
    header = [cell.value for cell in next(sheet.iter_rows(min_row=1, max_row=1))]
    rows = [
        dict(zip(header, row, strict=False)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    ours = {row["Fiche projet"]: row for row in rows if row["Filière"] == filiere.name}
    assert set(ours) == {"Renforcer l'équipe mobile", "Équiper l'équipe mobile"}, rows
    staff, vehicle = ours["Renforcer l'équipe mobile"], ours["Équiper l'équipe mobile"]
    # Numbers stay numbers, dates stay dates.
    assert staff["Demandé reconductible (€)"] == pytest.approx(52000.50)
    assert staff["Accordé reconductible (€)"] == pytest.approx(52000.50)
    assert vehicle["Demandé ponctuel (€)"] == pytest.approx(18000)
    assert vehicle["Proposé ponctuel (€)"] == pytest.approx(9000)
    assert vehicle["Accordé ponctuel (€)"] == pytest.approx(9000)
    assert isinstance(staff["Déposé le"], dt.datetime | dt.date)
    assert staff["Décision"] == "Partiellement accepté"
    assert zipfile.is_zipfile(io.BytesIO(path.read_bytes()))


# --------------------------------------------------------------------------- journey


def test_full_journey(page, page_problems, tmp_path, filiere, lead, instructor, caresp, decider):
    due = dt.date.today() + dt.timedelta(days=21)
    dossier_name = "Filière territoriale de soins palliatifs Léon"

    login(page, lead)
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
    page_problems.assert_clean()

    switch_to(page, instructor)
    instructor_sends_to_caresp(page, dossier_name, filiere, caresp)

    switch_to(page, caresp)
    caresp_scores_and_submits(page, dossier_name)

    switch_to(page, instructor)
    instructor_asks_for_completion(page, dossier_name, due)

    switch_to(page, lead)
    lead_completes_and_resubmits(page, due)

    switch_to(page, instructor)
    instructor_analyses_and_proposes(page, dossier_name)

    switch_to(page, decider)
    decider_records_a_partial_decision(page, dossier_name)

    switch_to(page, lead)
    lead_downloads_the_letter(page, tmp_path, filiere)

    switch_to(page, instructor)
    instructor_exports_decisions(page, tmp_path, filiere)
    page_problems.assert_clean()


def test_error_pages_are_french_and_keep_the_frame(page, lead, filiere):
    """404 and 403 as a user meets them (DEBUG off): DSFR frame, one h1, a way back."""
    login(page, lead)
    response = page.goto("/nexiste/pas/")
    assert response.status == 404
    expect(page).to_have_title(re.compile("^Page introuvable — "))
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect(main(page).get_by_role("link", name="Page d'accueil")).to_be_visible()
    expect(page.locator("header.fr-header")).to_contain_text(str(lead))
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / "404-lead.png", full_page=True)

    response = page.goto(f"/campagnes/{filiere.campaigns.get().slug}/budget/")
    assert response.status == 403
    expect(page).to_have_title(re.compile("^Accès refusé — "))
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès refusé")
    expect(main(page)).to_contain_text("Réservé aux agents de l'ARS.")
    page.screenshot(path=RESULTS_DIR / "403-lead.png", full_page=True)
