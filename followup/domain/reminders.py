"""Reminders before a report's deadline (`manage.py send_report_reminders`, hourly by
cron, as `send_deadline_reminders` for the dossiers): when a report is still a draft and
its deadline — the campaign's, or the filière's extension — is at most 48 hours away,
its writers are e-mailed once for that deadline (`Report.reminder_sent_at`: a reminder
sent inside the current deadline's window counts; an extension granted later gets its
own)."""

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from campaign.enums import CampaignKind, CampaignState
from dossiers.domain.notifications import send
from followup.domain.notifications import report_url, writer_emails
from followup.enums import ReportState
from followup.models import Report

REMINDER_WINDOW = dt.timedelta(hours=48)
TEMPLATE = "emails/report_reminder.txt"
logger = logging.getLogger(__name__)


def due_reminders(now=None, window=REMINDER_WINDOW):
    """[(report, deadline, extended)] to remind now."""
    now = now or timezone.now()
    reports = list(
        Report.objects.filter(
            state=ReportState.DRAFT,
            campaign__kind=CampaignKind.FOLLOWUP,
            campaign__state=CampaignState.PUBLISHED,
            campaign__opens_at__lte=now,
        ).select_related("campaign", "filiere", "region")
    )
    extensions = {}
    for report in reports:
        if report.filiere_id and report.campaign_id not in extensions:
            extensions[report.campaign_id] = {
                row["filiere_id"]: row["until"]
                for row in report.campaign.extensions.values("filiere_id")
                .annotate(until=Max("until"))
                .order_by()
            }
    due = []
    for report in reports:
        until = extensions.get(report.campaign_id, {}).get(report.filiere_id)
        extended = bool(until and until > report.campaign.deadline)
        deadline = until if extended else report.campaign.deadline
        if not (now <= deadline <= now + window):
            continue
        if report.reminder_sent_at and report.reminder_sent_at >= deadline - window:
            continue
        due.append((report, deadline, extended))
    return due


def send_report_reminders(now=None, *, dry_run=False, window=REMINDER_WINDOW):
    """Send the reminders due now; returns [(report, deadline, recipients count)]."""
    now = now or timezone.now()
    sent = []
    for report, deadline, extended in due_reminders(now, window):
        recipients = writer_emails(report)
        if dry_run:
            sent.append((report, deadline, len(recipients)))
            continue
        with transaction.atomic():
            locked = Report.objects.select_for_update().get(pk=report.pk)
            if locked.reminder_sent_at and locked.reminder_sent_at >= deadline - window:
                continue
            try:
                count = send(
                    TEMPLATE,
                    {
                        "report": report,
                        "deadline": timezone.localtime(deadline),
                        "extended": extended,
                        "url": report_url(report),
                    },
                    recipients,
                )
            except Exception:  # noqa: BLE001 - one mail failure must not stop the others
                logger.exception("Rappel impossible pour le rapport %s", report.pk)
                continue
            Report.objects.filter(pk=report.pk).update(reminder_sent_at=now)
        sent.append((report, deadline, count))
    return sent
