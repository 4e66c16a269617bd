"""Reminders before a report's deadline: once per deadline, to its writers."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from campaign.domain.extensions import grant_extension
from followup.domain import transitions
from followup.domain.reminders import send_report_reminders
from followup.models import Report
from tests.followup.conftest import complete_report, followup_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def soon(recognised):
    campaign = followup_campaign(deadline=timezone.now() + dt.timedelta(hours=30))
    return Report.objects.get(campaign=campaign)


def test_reminded_once_within_48_hours(soon, lead):
    far = timezone.now() - dt.timedelta(days=2)
    assert send_report_reminders(far) == []
    sent = send_report_reminders()
    assert [report.pk for report, *_ in sent] == [soon.pk]
    assert [m.to for m in mail.outbox] == [[lead.email]]
    assert "Rappel : rapport annuel" in mail.outbox[0].subject
    assert send_report_reminders() == []


def test_an_extension_gets_its_own_reminder(soon, lead, instructor):
    send_report_reminders()
    until = timezone.now() + dt.timedelta(days=10)
    grant_extension(soon.campaign, instructor, soon.filiere, until.isoformat(), "Congés")
    assert send_report_reminders() == []
    later = until - dt.timedelta(hours=20)
    assert [r.pk for r, *_ in send_report_reminders(later)] == [soon.pk]


def test_remitted_reports_are_not_reminded(soon, lead):
    complete_report(soon, lead)
    transitions.transition(soon, "submit", lead)
    assert send_report_reminders() == []
