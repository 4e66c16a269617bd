"""Submitting, withdrawing, resubmitting and the staff actions through the generic action page."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import dateformat, timezone, translation

from dossiers.enums import DossierState
from dossiers.models import HistoryEntry, Snapshot
from tests.factories import DossierFactory


def action(dossier, name):
    return reverse("dossiers:transition", args=[dossier.pk, name])


def detail(dossier):
    return reverse("dossiers:detail", args=[dossier.pk])


def test_submit_page_explains_what_will_happen(client, lead, complete):
    client.force_login(lead)
    page = client.get(action(complete, "submit")).content.decode()
    assert "<h1>Déposer le dossier</h1>" in page
    assert "ne sera plus modifiable" in page
    assert 'name="comment"' in page and 'name="due_date"' not in page
    assert "Confirmer : Déposer le dossier" in page


def test_lead_submits(client, lead, instructor, complete, django_capture_on_commit_callbacks):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action(complete, "submit"), {"comment": "Dossier complet."})
    # Then the receipt of the deposit (issue 11).
    assert response.status_code == 302
    assert response.url == reverse("dossiers:receipt", args=[complete.pk, 1])
    complete.refresh_from_db()
    assert complete.state == DossierState.SUBMITTED
    entry = HistoryEntry.objects.get(dossier=complete)
    assert (entry.transition, entry.by, entry.comment) == ("submit", lead, "Dossier complet.")
    assert Snapshot.objects.filter(dossier=complete).count() == 1
    assert {m.to[0] for m in mail.outbox} >= {lead.email, instructor.email}
    page = client.get(response.url).content.decode()
    assert "Le dossier est déposé." in page


def test_co_editor_may_submit(client, co_editor, complete):
    client.force_login(co_editor)
    assert client.post(action(complete, "submit")).status_code == 302
    complete.refresh_from_db()
    assert complete.state == DossierState.SUBMITTED


def test_incomplete_dossier_lists_the_problems_with_links(client, lead, filiere):
    dossier = DossierFactory(filiere=filiere, swot={})
    client.force_login(lead)
    response = client.post(action(dossier, "submit"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Le dossier est incomplet : corrigez les points signalés." in page
    swot = reverse("dossiers:section", args=[dossier.pk, "swot"])
    assert (
        f'<a class="fr-link" href="{swot}#id_threats">AFOM : indiquez au moins un élément dans « menaces ».</a>'
        in page
    )
    assert "Projet territorial : ajoutez au moins une fiche projet." in page
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DRAFT
    assert not HistoryEntry.objects.filter(dossier=dossier).exists()


def test_incomplete_dossier_get_shows_problems_instead_of_the_button(client, lead, draft):
    client.force_login(lead)
    page = client.get(action(draft, "submit")).content.decode()
    assert "Projet territorial : ajoutez au moins une fiche projet." in page
    assert "Confirmer : Déposer le dossier" not in page


def test_submit_after_the_deadline_is_refused(client, lead, complete, campaign):
    campaign.deadline = timezone.now() - dt.timedelta(seconds=2)
    campaign.save()
    client.force_login(lead)
    message = "La date limite de dépôt est dépassée : le dossier ne peut plus être déposé."
    page = client.get(action(complete, "submit")).content.decode()
    assert message in page and "Confirmer : Déposer le dossier" not in page
    response = client.post(action(complete, "submit"))
    assert response.status_code == 409
    assert message in response.content.decode()
    complete.refresh_from_db()
    assert complete.state == DossierState.DRAFT


def test_submit_in_the_last_second_is_accepted(client, lead, complete, campaign):
    # The view reads the real clock: the deadline is the current (or next) second.
    campaign.deadline = (timezone.now() + dt.timedelta(seconds=1)).replace(microsecond=0)
    campaign.save()
    client.force_login(lead)
    assert client.post(action(complete, "submit")).status_code == 302
    complete.refresh_from_db()
    assert complete.state == DossierState.SUBMITTED


def test_extension_allows_a_late_submission(client, lead, complete, campaign, filiere, instructor):
    campaign.deadline = timezone.now() - dt.timedelta(days=1)
    campaign.save()
    campaign.extensions.create(
        filiere=filiere,
        until=timezone.now() + dt.timedelta(days=2),
        reason="Crue de l'Aulne",
        granted_by=instructor,
    )
    client.force_login(lead)
    assert client.post(action(complete, "submit")).status_code == 302
    complete.refresh_from_db()
    assert complete.state == DossierState.SUBMITTED


def test_submitting_twice_shows_the_conflict(client, lead, submitted):
    client.force_login(lead)
    message = "Action « Déposer le dossier » impossible : le dossier est « Déposé »."
    assert message in client.get(action(submitted, "submit")).content.decode()
    response = client.post(action(submitted, "submit"))
    assert response.status_code == 409
    assert message in response.content.decode()
    assert Snapshot.objects.filter(dossier=submitted).count() == 1


def test_lead_withdraws(client, lead, submitted):
    client.force_login(lead)
    page = client.get(action(submitted, "withdraw")).content.decode()
    assert "Cette action est définitive." in page
    assert 'data-confirm="Retirer définitivement ce dossier ?"' in page
    response = client.post(
        action(submitted, "withdraw"), {"comment": "Fusion avec une autre filière."}
    )
    assert response.url == detail(submitted)
    submitted.refresh_from_db()
    assert submitted.state == DossierState.WITHDRAWN
    entry = HistoryEntry.objects.filter(dossier=submitted).latest("id")
    assert entry.comment == "Fusion avec une autre filière."


def test_draft_cannot_be_withdrawn(client, lead, draft):
    client.force_login(lead)
    response = client.post(action(draft, "withdraw"))
    assert "Action « Retirer le dossier » impossible : le dossier est « Brouillon »." in (
        response.content.decode()
    )


def test_instructor_moves_the_dossier_on(client, instructor, submitted):
    client.force_login(instructor)
    response = client.post(action(submitted, "start_caresp_review"), {"comment": "Revue lancée"})
    assert response.url == detail(submitted)
    submitted.refresh_from_db()
    assert submitted.state == DossierState.CARESP_REVIEW


def test_return_for_completion_needs_a_message_and_a_due_date(client, instructor, submitted):
    client.force_login(instructor)
    client.post(action(submitted, "start_caresp_review"))
    page = client.get(action(submitted, "return_for_completion")).content.decode()
    assert 'type="date" name="due_date"' in page
    response = client.post(action(submitted, "return_for_completion"), {"comment": " "})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Indiquez le message destiné au porteur." in page
    assert "Indiquez la date limite de réponse." in page
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        action(submitted, "return_for_completion"),
        {"comment": "Préciser la convention", "due_date": yesterday.isoformat()},
    )
    page = response.content.decode()
    assert "La date limite de réponse ne peut pas être passée." in page
    assert "Préciser la convention</textarea>" in page
    submitted.refresh_from_db()
    assert submitted.state == DossierState.CARESP_REVIEW
    due = timezone.localdate() + dt.timedelta(days=10)
    response = client.post(
        action(submitted, "return_for_completion"),
        {"comment": "Préciser la convention", "due_date": due.isoformat()},
    )
    assert response.url == detail(submitted)
    submitted.refresh_from_db()
    assert submitted.state == DossierState.RETURNED
    assert (submitted.return_message, submitted.return_due_date) == ("Préciser la convention", due)


@pytest.mark.parametrize("value", ["31/02/2031", "demain"])
def test_invalid_due_date(client, instructor, submitted, value):
    client.force_login(instructor)
    client.post(action(submitted, "start_caresp_review"))
    response = client.post(
        action(submitted, "return_for_completion"), {"comment": "Message", "due_date": value}
    )
    assert "Saisissez une date valide, par exemple 28/02/2025." in response.content.decode()


def test_returned_dossier_shows_the_request_and_resubmit(client, lead, returned):
    client.force_login(lead)
    page = client.get(reverse("dossiers:edit", args=[returned.pk])).content.decode()
    assert "Compléments demandés par l'ARS" in page
    assert "Merci de préciser la convention." in page
    with translation.override("fr"):
        due = dateformat.format(returned.return_due_date, "l j F Y")
    assert f"À compléter et redéposer au plus tard le {due}." in page
    # One way to resubmit (issue 11, item 6), no late notice before the due date.
    assert page.count(f'href="{action(returned, "resubmit")}"') == 1
    assert "En retard" not in page


def test_resubmit_from_returned(client, lead, returned):
    client.force_login(lead)
    response = client.post(action(returned, "resubmit"))
    assert response.url == reverse("dossiers:receipt", args=[returned.pk, 2])
    returned.refresh_from_db()
    assert returned.state == DossierState.CARESP_REVIEW
    assert Snapshot.objects.filter(dossier=returned).count() == 2


def test_resubmit_of_an_incomplete_returned_dossier_lists_problems(client, lead, returned):
    returned.swot = {**returned.swot, "threats": []}
    returned.save()
    client.force_login(lead)
    response = client.post(action(returned, "resubmit"))
    assert "AFOM : indiquez au moins un élément dans « menaces »." in response.content.decode()
    returned.refresh_from_db()
    assert returned.state == DossierState.RETURNED


def test_confirmation_of_a_page_shown_before_another_change_is_refused(
    client, instructor, submitted
):
    """Two instructors open the same action page; the second confirmation is stale."""
    client.force_login(instructor)
    page = client.get(action(submitted, "start_caresp_review")).content.decode()
    assert f'name="version" value="{submitted.version}"' in page
    first = client.post(action(submitted, "start_caresp_review"), {"version": submitted.version})
    assert first.url == detail(submitted)
    stale = client.post(action(submitted, "start_ars_analysis"), {"version": submitted.version})
    assert stale.status_code == 409
    assert "modifié" in stale.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == DossierState.CARESP_REVIEW
