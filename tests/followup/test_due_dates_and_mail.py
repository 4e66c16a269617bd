"""A returned report's due date is enforced, and the ARS may extend it; who is e-mailed."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from common.errors import Conflict, Forbidden, InvalidInput
from followup.domain import transitions
from followup.domain.editing import extend_due_date, update_report
from followup.domain.notifications import notify_transition
from followup.enums import ReportState
from followup.models import ReportHistory
from tests.followup.conftest import complete_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(report, lead, instructor):
    complete_report(report, lead)
    transitions.transition(report, "submit", lead)
    due = timezone.localdate() + dt.timedelta(days=2)
    return transitions.transition(
        report, "return_for_completion", instructor, comment="Précisez la ligne 1.", due_date=due
    )


def test_after_the_due_date_nothing_changes_until_extended(returned, lead, instructor):
    after = timezone.now() + dt.timedelta(days=4)
    with pytest.raises(Conflict) as exc:
        update_report(returned, lead, content={"governance_meetings": 1}, now=after)
    assert "date limite de réponse" in exc.value.message
    with pytest.raises(Conflict):
        transitions.transition(returned, "resubmit", lead, now=after)
    with pytest.raises(Forbidden):
        extend_due_date(returned, lead, timezone.localdate() + dt.timedelta(days=9), "x")
    with pytest.raises(InvalidInput) as exc:
        extend_due_date(returned, instructor, timezone.localdate() + dt.timedelta(days=9), "")
    assert "reason" in exc.value.errors
    extend_due_date(returned, instructor, timezone.localdate() + dt.timedelta(days=9), "Congés.")
    entry = ReportHistory.objects.filter(report=returned).last()
    assert entry.transition == "extend_due_date" and "Congés." in entry.comment
    transitions.transition(returned, "resubmit", lead, now=after)
    assert returned.state == ReportState.SUBMITTED


def test_extension_page(client, returned, instructor):
    client.force_login(instructor)
    assert (
        "Prolonger le délai de réponse"
        in client.get(f"/suivi/rapports/{returned.pk}/").content.decode()
    )
    response = client.post(
        f"/suivi/rapports/{returned.pk}/delai-de-reponse/",
        {"due_date": "2000-01-01", "reason": "x"},
    )
    assert response.status_code == 400
    assert "ne peut pas être passée" in response.content.decode()
    due = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    response = client.post(
        f"/suivi/rapports/{returned.pk}/delai-de-reponse/", {"due_date": due, "reason": "Congés."}
    )
    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.return_due_date.isoformat() == due


def test_who_is_emailed(report, lead, co_editor, instructor):
    complete_report(report, lead)
    mail.outbox = []
    transitions.transition(report, "submit", lead)
    # on_commit callbacks do not run inside the test transaction: call them as committed.
    notify_transition(report.pk, "submit", lead.pk)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    # The co-editor and the region's instructor; never the lead who acted.
    assert recipients == sorted([co_editor.email, instructor.email])
    mail.outbox = []
    report.refresh_from_db()
    transitions.transition(
        report,
        "return_for_completion",
        instructor,
        comment="Précisez la ligne 1.",
        due_date=timezone.localdate() + dt.timedelta(days=3),
    )
    notify_transition(report.pk, "return_for_completion", instructor.pk, "Précisez la ligne 1.")
    to_lead = [m for m in mail.outbox if lead.email in m.to]
    assert to_lead and "Précisez la ligne 1." in to_lead[0].body
    assert "/suivi/rapports/" in to_lead[0].body
