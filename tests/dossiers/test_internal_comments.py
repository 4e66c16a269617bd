"""A staff comment on an internal step never reaches the applicant."""

from django.core import mail
from django.urls import reverse

from accounts.models import ApiToken
from dossiers.domain.transitions import transition
from tests.factories import complete_dossier

SECRET = "Note interne : budget à vérifier avec la DG"


def test_internal_step_comment_stays_with_staff(
    client, django_capture_on_commit_callbacks, filiere, lead, instructor, caresp
):
    dossier = transition(complete_dossier(filiere=filiere), "submit", lead)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        transition(dossier, "start_caresp_review", instructor, comment=SECRET)
    to_lead = [m for m in mail.outbox if lead.email in m.to]
    to_caresp = [m for m in mail.outbox if caresp.email in m.to]
    assert to_lead and all(SECRET not in m.body for m in to_lead)
    assert to_caresp and SECRET in to_caresp[0].body

    _token, raw = ApiToken.issue(lead)
    history = client.get(
        f"/api/v1/dossiers/{dossier.pk}/history", headers={"Authorization": f"Bearer {raw}"}
    ).json()
    assert all(SECRET not in (entry["comment"] or "") for entry in history)
    client.force_login(lead)
    assert SECRET not in client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    client.force_login(instructor)
    assert SECRET in client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()


def test_action_page_says_the_comment_is_internal(client, filiere, lead, instructor):
    dossier = transition(complete_dossier(filiere=filiere), "submit", lead)
    client.force_login(instructor)
    page = client.get(reverse("dossiers:transition", args=[dossier.pk, "start_caresp_review"]))
    assert "Commentaire interne" in page.content.decode()
