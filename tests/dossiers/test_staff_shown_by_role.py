"""Applicants see the staff by role (« l'ARS », « la CARESP »), never by name or login:
history page and API, e-mails (issue 12)."""

from django.core import mail
from django.urls import reverse

from accounts.display import shown_to_applicants
from dossiers.domain.transitions import transition
from tests.factories import UserFactory, dossier_in_state


def staff_names(*users):
    return [text for user in users for text in (user.username, user.get_full_name()) if text]


def test_history_page_and_api_name_the_staff_by_role(
    client, api, api_as, lead, instructor, returned
):
    instructor.first_name, instructor.last_name = "Yvonne", "Le Goff"
    instructor.save()
    client.force_login(lead)
    page = client.get(reverse("dossiers:detail", args=[returned.pk])).content.decode()
    assert "l&#x27;ARS" in page
    for name in staff_names(instructor):
        assert f"<td>{name}</td>" not in page and name not in page
    history = api.request("GET", f"dossiers/{returned.pk}/history").json()
    assert {entry["by"] for entry in history} == {lead.get_full_name(), "l'ARS"}
    # The staff read logins.
    staff_view = api_as(instructor).request("GET", f"dossiers/{returned.pk}/history").json()
    assert "instructeur" in {entry["by"] for entry in staff_view}


def test_a_caresp_reviewer_is_la_caresp(api, lead, filiere, instructor):
    dossier = dossier_in_state("caresp_review", filiere=filiere, lead=lead, instructor=instructor)
    reviewer = UserFactory(username="relectrice", roles=["caresp_reviewer"])
    assert shown_to_applicants(reviewer, dossier.region_id) == "la CARESP"
    assert shown_to_applicants(instructor, dossier.region_id) == "l'ARS"
    assert shown_to_applicants(lead, dossier.region_id) == lead.get_full_name()


def test_applicant_emails_never_name_the_staff(
    lead, instructor, decider, in_analysis, django_capture_on_commit_callbacks
):
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        transition(
            in_analysis,
            "return_for_completion",
            instructor,
            comment="Précisez.",
            due_date="2099-01-01",
        )
    to_lead = [m for m in mail.outbox if lead.email in m.to]
    assert to_lead
    for message in to_lead:
        for name in staff_names(instructor, decider):
            assert name not in message.body and name not in message.subject
