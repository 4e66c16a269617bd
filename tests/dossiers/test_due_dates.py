"""V5: the due date of a completion request is enforced.

After it (end of that day, Paris time), a returned dossier can be neither edited nor
resubmitted, with a clear French message, until an ARS instructor extends it (new date,
reason, public history, e-mail to the filière)."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from common.errors import Conflict, Forbidden, InvalidInput
from dossiers.domain.due_dates import extend_due_date
from dossiers.domain.transitions import transition
from dossiers.models import Dossier
from tests.api_client import PDF
from tests.factories import dossier_in

OVERDUE = "La date limite de réponse à la demande de compléments"


def set_due(dossier, days):
    """Due date `days` from today (Paris): 0 = today, -1 = yesterday."""
    due = timezone.localdate() + dt.timedelta(days=days)
    Dossier.objects.filter(pk=dossier.pk).update(return_due_date=due)
    dossier.refresh_from_db()
    return dossier


def patch_swot(api, dossier):
    dossier.refresh_from_db()
    swot = {**dossier.swot, "threats": ["Nouvelle menace"]}
    return api.request(
        "PATCH", f"dossiers/{dossier.pk}", {"version": dossier.version, "swot": swot}
    )


def test_on_the_due_date_editing_and_resubmitting_still_work(api, returned):
    returned = set_due(returned, 0)
    assert patch_swot(api, returned).status_code == 200
    response = api.request("POST", f"dossiers/{returned.pk}/transitions/resubmit")
    assert response.status_code == 200


def test_after_the_due_date_the_api_refuses_with_a_clear_message(api, returned, lead):
    returned = set_due(returned, -1)
    response = patch_swot(api, returned)
    assert response.status_code == 409
    assert response.json()["detail"].startswith(OVERDUE)
    assert "Demandez à l'ARS de prolonger ce délai." in response.json()["detail"]
    response = api.request("POST", f"dossiers/{returned.pk}/transitions/resubmit")
    assert response.status_code == 409 and OVERDUE in response.json()["detail"]
    project = returned.projects.first()
    response = api.request(
        "PATCH", f"dossiers/{returned.pk}/projects/{project.pk}", {"title": "Après le délai"}
    )
    assert response.status_code == 409
    with pytest.raises(Conflict, match=OVERDUE):
        transition(returned, "resubmit", lead)


def test_after_the_due_date_the_pages_refuse_too(client, lead, returned):
    returned = set_due(returned, -1)
    client.force_login(lead)
    response = client.get(reverse("dossiers:edit", args=[returned.pk]), follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("dossiers:detail", args=[returned.pk])
    assert "Le délai de réponse est dépassé" in page
    response = client.post(
        reverse("dossiers:attachment_upload", args=[returned.pk]),
        {"section": "identity", "file": _pdf()},
    )
    assert response.status_code == 409
    assert returned.attachments.count() == 0
    page = client.get(reverse("dossiers:transition", args=[returned.pk, "resubmit"]))
    assert OVERDUE in page.content.decode()


def _pdf():
    return SimpleUploadedFile("piece.pdf", PDF, content_type="application/pdf")


def test_the_instructor_extends_then_the_lead_completes(
    api, api_as, instructor, returned, django_capture_on_commit_callbacks
):
    returned = set_due(returned, -3)
    new_date = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(instructor).request(
            "POST",
            f"dossiers/{returned.pk}/due_date",
            {"due_date": new_date, "reason": "Attente de la signature de la convention."},
        )
    assert response.status_code == 200
    assert response.json()["completion_request"]["due_date"] == new_date
    entry = returned.history.order_by("-at", "-id").first()
    assert entry.transition == "extend_due_date" and entry.is_public
    assert "Attente de la signature de la convention." in entry.comment
    assert len(mail.outbox) == 1 and "Délai de réponse prolongé" in mail.outbox[0].subject
    history = api.request("GET", f"dossiers/{returned.pk}/history").json()
    assert "Délai de réponse prolongé" in history[-1]["comment"]
    assert patch_swot(api, returned).status_code == 200
    response = api.request("POST", f"dossiers/{returned.pk}/transitions/resubmit")
    assert response.status_code == 200


def test_extension_from_the_page(client, instructor, returned):
    returned = set_due(returned, -1)
    client.force_login(instructor)
    workspace = client.get(reverse("dossiers:detail", args=[returned.pk])).content.decode()
    url = reverse("dossiers:due_date", args=[returned.pk])
    assert url in workspace and "Le délai est dépassé" in workspace
    response = client.post(url, {"due_date": "2000-01-01", "reason": "Congés."})
    assert response.status_code == 400
    page = response.content.decode()
    assert "La nouvelle date limite ne peut pas être passée." in page and "Congés." in page
    response = client.post(url, {"due_date": "2099-01-01", "reason": ""})
    assert "Indiquez le motif de la prolongation." in response.content.decode()
    new_date = timezone.localdate() + dt.timedelta(days=7)
    response = client.post(url, {"due_date": new_date.isoformat(), "reason": "Congés."})
    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.return_due_date == new_date and not returned.completion_overdue()


def test_who_may_extend_and_when(lead, caresp, instructor, campaign, returned):
    later = timezone.localdate() + dt.timedelta(days=30)
    in_review, _lead = dossier_in(campaign, "caresp_review", instructor=instructor)
    for user in (lead, caresp):
        with pytest.raises(Forbidden):
            extend_due_date(returned, user, later, "Motif")
    with pytest.raises(Conflict):
        extend_due_date(in_review, instructor, later, "Motif")
    with pytest.raises(InvalidInput) as error:
        extend_due_date(returned, instructor, returned.return_due_date, "Motif")
    assert "postérieure" in error.value.errors["due_date"][0]
