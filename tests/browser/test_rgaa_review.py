"""Issue 11, item 5: submitting a review asks in a DSFR modal (not confirm()), a refused
review says so first in the form with the focus, and the dossier is on the page (the
review panel is on the dossier page: decision 0054)."""

import re

import pytest
from playwright.sync_api import expect

from scoring.domain.assignments import assign_reviewer
from tests.browser.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def assigned(in_review, instructor, caresp):
    assign_reviewer(in_review, instructor, caresp)
    return in_review


def test_review_submission_uses_a_dsfr_modal_and_focuses_errors(page, caresp, assigned):
    native = []
    page.on("dialog", lambda dialog: (native.append(dialog.type), dialog.dismiss()))
    login(page, caresp)
    page.goto(f"/dossiers/{assigned.pk}/")
    # The dossier itself is on the review page.
    content = page.locator("main")
    expect(content.get_by_role("heading", name="Le dossier déposé")).to_be_visible()
    expect(content.get_by_role("heading", name="Fiche d'identité", exact=True)).to_be_visible()
    expect(content).to_contain_text(assigned.identity["name"])

    form = page.locator("#review-form")
    expect(form.get_by_role("checkbox")).to_have_count(0)  # no confirmation box any more
    form.get_by_label("Commentaire général").fill("Diagnostic solide.")
    form.get_by_role("button", name="Soumettre l'évaluation").click()
    modal = page.locator("#app-confirm-modal")
    expect(modal).to_be_visible()
    expect(modal.get_by_role("heading")).to_have_text("Soumettre votre évaluation ?")
    # Cancelling keeps everything.
    modal.get_by_role("button", name="Annuler").click()
    expect(modal).to_be_hidden()
    expect(form.get_by_label("Commentaire général")).to_have_value("Diagnostic solide.")
    # Confirmed without the scores: refused, the summary first in the form, focused.
    form.get_by_role("button", name="Soumettre l'évaluation").click()
    modal.get_by_role("button", name="Soumettre définitivement").click()
    summary = page.locator("#review-form [data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(page).to_have_title(re.compile("^Erreur : "))
    form = page.locator("#review-form")
    expect(form.get_by_label("Commentaire général")).to_have_value("Diagnostic solide.")

    scores = form.locator(".app-criterion select[name^='score_']")
    for index in range(scores.count()):
        scores.nth(index).select_option("3")
    form.get_by_label("Avis global sur le dossier").select_option(label="Favorable")
    form.get_by_role("button", name="Soumettre l'évaluation").click()
    modal.get_by_role("button", name="Soumettre définitivement").click()
    expect(page.locator("main").get_by_role("status").first).to_contain_text(
        "Votre évaluation est soumise."
    )
    assert native == []  # never the browser's own confirm()
    assert assigned.reviews.get(reviewer=caresp).submitted_at is not None
