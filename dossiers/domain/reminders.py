"""Deadline reminders (`manage.py send_deadline_reminders`, run hourly by cron).

When a filière's deadline (the campaign's, or its individual extension) is at
most 48 hours away, the editors of that filière are e-mailed once if its dossier
is still a draft, or if the filière has not even started one. A reminder counts
for the current deadline when it was sent inside that deadline's window, so
running the job again sends nothing, and a filière whose deadline was extended
before its first reminder gets one before the new deadline."""

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone, translation

from campaign.enums import CampaignKind, CampaignState
from campaign.models import Campaign, DeadlineExtension, Filiere, ReminderLog
from dossiers.domain.notifications import dossier_url, send
from dossiers.enums import DossierState
from dossiers.models import Dossier

REMINDER_WINDOW = dt.timedelta(hours=48)
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TEMPLATE = "emails/deadline_reminder.txt"

logger = logging.getLogger(__name__)


@dataclass
class Reminder:
    campaign: Campaign
    filiere: Filiere
    dossier: object  # Dossier or None (the filière has not started its dossier)
    deadline: dt.datetime
    extended: bool
    recipients: list
    sent: bool = False
    error: str = ""

    @property
    def deadline_paris(self):
        return timezone.localtime(self.deadline, PARIS)


def _filiere_deadline(campaign, filiere):
    """Same rule as Campaign.deadline_for, from prefetched extensions (no query per filière)."""
    latest = max(
        (e.until for e in filiere.prefetched_extensions if e.campaign_id == campaign.pk),
        default=None,
    )
    if latest and latest > campaign.deadline:
        return latest, True
    return campaign.deadline, False


def _already_reminded(dossier, logs, deadline, window):
    since = deadline - window
    if dossier is not None and dossier.reminder_sent_at and dossier.reminder_sent_at >= since:
        return True
    return any(log.kind == ReminderLog.Kind.DEADLINE and log.sent_at >= since for log in logs)


def due_reminders(now=None, window=REMINDER_WINDOW):
    """The reminders to send now: one per filière still at the draft stage near its deadline."""

    now = now or timezone.now()
    campaigns = (
        Campaign.objects.filter(
            opens_at__lte=now, state=CampaignState.PUBLISHED, kind=CampaignKind.CALL
        )
        .filter(Q(deadline__gte=now) | Q(extensions__until__gte=now))
        .distinct()
        .prefetch_related(
            Prefetch(
                "filieres",
                queryset=Filiere.objects.order_by("name").prefetch_related(
                    Prefetch(
                        "extensions",
                        queryset=DeadlineExtension.objects.all(),
                        to_attr="prefetched_extensions",
                    ),
                    Prefetch("dossiers", queryset=Dossier.objects.all(), to_attr="all_dossiers"),
                    Prefetch(
                        "reminders",
                        queryset=ReminderLog.objects.filter(kind=ReminderLog.Kind.DEADLINE),
                        to_attr="deadline_reminders",
                    ),
                    "editors",
                ),
            )
        )
        .order_by("deadline", "slug")
    )
    reminders = []
    for campaign in campaigns:
        for filiere in campaign.filieres.all():
            deadline, extended = _filiere_deadline(campaign, filiere)
            if not now <= deadline <= now + window:
                continue
            dossier = next((d for d in filiere.all_dossiers if d.campaign_id == campaign.pk), None)
            if dossier is not None and dossier.state != DossierState.DRAFT:
                continue
            if _already_reminded(dossier, filiere.deadline_reminders, deadline, window):
                continue
            recipients = sorted({u.email for u in filiere.editors.all() if u.is_active and u.email})
            reminders.append(Reminder(campaign, filiere, dossier, deadline, extended, recipients))
    return reminders


def _context(reminder):
    if reminder.dossier is not None:
        url = dossier_url(reminder.dossier)
    else:
        url = settings.SITE_URL.rstrip("/") + reverse("home")
    return {
        "campaign": reminder.campaign,
        "filiere": reminder.filiere,
        "dossier": reminder.dossier,
        "deadline": reminder.deadline_paris,
        "extended": reminder.extended,
        "url": url,
    }


def _send_one(reminder, now, window):
    """Send and record one reminder; re-checked under a lock so two runs never both send."""

    with transaction.atomic():
        Filiere.objects.select_for_update().get(pk=reminder.filiere.pk)
        dossier = None
        if reminder.dossier is not None:
            dossier = Dossier.objects.select_for_update().get(pk=reminder.dossier.pk)
            if dossier.state != DossierState.DRAFT:
                return False
        logs = list(
            ReminderLog.objects.filter(filiere=reminder.filiere, kind=ReminderLog.Kind.DEADLINE)
        )
        if _already_reminded(dossier, logs, reminder.deadline, window):
            return False
        # Rendered in French and in Paris time, whatever the caller's settings.
        with translation.override("fr"), timezone.override(PARIS):
            send(TEMPLATE, _context(reminder), reminder.recipients)
        ReminderLog.objects.create(
            filiere=reminder.filiere,
            kind=ReminderLog.Kind.DEADLINE,
            deadline=reminder.deadline,
            sent_at=now,
            recipients=len(reminder.recipients),
        )
        if dossier is not None:
            Dossier.objects.filter(pk=dossier.pk).update(reminder_sent_at=now)
    return True


def send_deadline_reminders(now=None, *, dry_run=False, window=REMINDER_WINDOW):
    """Send the due reminders (or, with dry_run, only list them); return the Reminder list.

    A filière whose editors have no e-mail address is listed with no recipient and
    is not marked as reminded, so it is picked up once someone adds an address."""
    now = now or timezone.now()
    reminders = due_reminders(now, window)
    if dry_run:
        return reminders
    for reminder in reminders:
        if not reminder.recipients:
            continue
        try:
            reminder.sent = _send_one(reminder, now, window)
        except Exception as exc:  # noqa: BLE001 - one mail failure must not stop the others
            logger.exception("Rappel impossible pour la filière %s", reminder.filiere.pk)
            reminder.error = str(exc) or type(exc).__name__
    return reminders
