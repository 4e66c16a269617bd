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


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def attach(scope, name="convention-signee.pdf"):
    scope.get_by_label("Ajouter une pièce jointe").set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": PDF}
    )
    scope.get_by_role("button", name="Envoyer le fichier").click()


def test_uploading_an_attachment_keeps_what_was_typed(page, lead, draft):
    """Item 1: the file is sent without leaving the page; the typed fields stay."""
    login(page, lead)
    page.goto(f"/dossiers/{draft.pk}/rediger/identity/")
    page.get_by_role("textbox", name=re.compile("^Gouvernance")).fill(
        "Comité de pilotage trimestriel, pas encore enregistré."
    )
    block = page.locator("#pieces-jointes-identity")
    attach(block)
    expect(block.get_by_role("status")).to_contain_text(
        "Pièce jointe « convention-signee.pdf » ajoutée."
    )
    expect(block.locator("table")).to_contain_text("convention-signee.pdf")
    expect(page.get_by_role("textbox", name=re.compile("^Gouvernance"))).to_have_value(
        "Comité de pilotage trimestriel, pas encore enregistré."
    )
    assert draft.attachments.filter(name="convention-signee.pdf").count() == 1


def test_without_javascript_the_upload_saves_the_draft_first(browser, live_server, lead, draft):
    """Item 1, no-JS path: the file travels with the part's form, whose draft is saved."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        login(page, lead)
        page.goto(f"/dossiers/{draft.pk}/rediger/identity/")
        page.get_by_role("textbox", name=re.compile("^Gouvernance")).fill("Comité mensuel.")
        attach(page.locator("#pieces-jointes-identity"))
        expect(page.locator("main")).to_contain_text(
            "Pièce jointe « convention-signee.pdf » ajoutée."
        )
        expect(page.get_by_role("textbox", name=re.compile("^Gouvernance"))).to_have_value(
            "Comité mensuel."
        )
    finally:
        context.close()
    draft.refresh_from_db()
    assert draft.identity["governance"] == "Comité mensuel."
    assert draft.attachments.filter(name="convention-signee.pdf").count() == 1


@pytest.fixture
def sheet(complete):
    return complete.projects.get()


def test_adding_a_funding_line_keeps_the_sheet_and_shows_errors_in_place(page, lead, sheet):
    """Item 2: the sheet's typed text stays; a refused line's errors take the focus,
    with an example written the French way, as the hint says."""
    login(page, lead)
    page.goto(f"/dossiers/{sheet.dossier_id}/projets/{sheet.pk}/")
    page.get_by_label("Actions prévues").fill("Texte tapé, pas encore enregistré.")
    lines = page.locator("#lignes-region form").last
    lines.get_by_label("Libellé").fill("Psychologue")
    lines.get_by_label("Montant demandé (euros)").fill("douze mille")
    lines.get_by_role("button", name="Ajouter la ligne").click()
    summary = page.locator("#lignes-region [data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("exemple : 52 000,50")
    expect(summary).not_to_contain_text("1600000.00")
    expect(page).to_have_title(re.compile("^Erreur : "))
    expect(page.get_by_label("Actions prévues")).to_have_value("Texte tapé, pas encore enregistré.")

    lines = page.locator("#lignes-region form").last
    expect(lines.get_by_label("Libellé")).to_have_value("Psychologue")
    lines.get_by_label("Montant demandé (euros)").fill("12 000,50")
    lines.get_by_label("Première année").fill("2025")
    lines.get_by_role("button", name="Ajouter la ligne").click()
    expect(page.locator("#lignes-region").get_by_role("status")).to_contain_text(
        "Ligne de financement ajoutée."
    )
    expect(page.locator("#lignes-region table")).to_contain_text("Psychologue")
    expect(page).not_to_have_title(re.compile("^Erreur"))
    expect(page.get_by_label("Actions prévues")).to_have_value("Texte tapé, pas encore enregistré.")
    assert sheet.lines.filter(label="Psychologue").count() == 1


def test_leaving_a_form_with_unsaved_changes_asks_first(page, lead, sheet):
    """Item 3: « Retour aux fiches projet » is a link, and the browser warns."""
    login(page, lead)
    url = f"/dossiers/{sheet.dossier_id}/projets/{sheet.pk}/"
    page.goto(url)
    back = page.locator("main").get_by_role("link", name="Retour aux fiches projet")
    expect(back).not_to_have_class(re.compile(r"\bfr-btn\b"))
    # Untouched: leaving asks nothing.
    back.click()
    page.wait_for_url(re.compile(r"/projets/$"))
    page.goto(url)
    page.get_by_label("Actions prévues").click()
    page.keyboard.type(" Ajout.")
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.locator("main").get_by_role("link", name="Retour aux fiches projet").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(url)
    expect(page.get_by_label("Actions prévues")).to_have_value(re.compile("Ajout.$"))
    # Saving is not leaving: no question.
    page.get_by_role("button", name="Enregistrer la fiche").click()
    expect(page.locator("main").get_by_role("status").first).to_contain_text(
        "Fiche projet enregistrée."
    )
    assert dialogs == ["beforeunload"]


def test_a_create_form_sent_twice_makes_one_sheet(page, lead, draft):
    """Item 4: a double click, or the same form sent again (slow network, « renvoyer le
    formulaire ? »), creates one sheet: the form's once-only key (common.once)."""
    login(page, lead)
    page.goto(f"/dossiers/{draft.pk}/projets/nouvelle/")
    form = page.locator("main form.app-form")
    form.get_by_label("Intitulé de la fiche").fill("Équipe mobile de nuit")
    fields = form.evaluate("f => Object.fromEntries(new FormData(f))")
    action = page.url
    # The same submission twice, as the browser sends it again.
    answers = [page.request.post(action, form=fields, max_redirects=0) for _n in range(2)]
    assert [answer.status for answer in answers] == [302, 302]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    form.get_by_role("button", name="Créer la fiche").dblclick()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Équipe mobile de nuit")
    page.wait_for_load_state("networkidle")
    assert draft.projects.filter(title="Équipe mobile de nuit").count() == 1
