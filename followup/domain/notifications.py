"""E-mails about the reports, after the transaction commits (templates/emails/report_*.txt):
the writers hear about every change of their report (with the completion request's
message and due date), the region's ARS instructors and mailboxes about remittances;
never the person who acted. Built on the dossiers' mail helpers."""

import logging

from django.urls import reverse

from accounts.models import Role, User
from dossiers.domain.notifications import absolute, editor_emails, send, staff_emails
from followup.enums import ReportKind
from followup.models import Report

logger = logging.getLogger(__name__)
TEMPLATE = "emails/report_transition.txt"


def report_url(report):
    return absolute(reverse("followup:report", args=[report.pk]))


def writer_emails(report):
    """Who writes the report: the filière's editors, or for the survey the region's
    CARESP reviewers (the ARS writes it too, and hears as staff)."""
    if report.kind == ReportKind.CARSP:
        return staff_emails({Role.CARESP_REVIEWER}, report.region_id)
    return editor_emails(report.filiere)


def notify_transition(report_id, name, user_id, comment=""):
    try:
        report = Report.objects.select_related("campaign", "region", "filiere").get(pk=report_id)
        actor = User.objects.filter(pk=user_id).first()
        context = {"report": report, "transition": name, "actor": actor, "comment": comment}
        writers = set(writer_emails(report))
        staff = set()
        if name in {"submit", "resubmit"}:
            staff = set(staff_emails({Role.ARS_INSTRUCTOR}, report.region_id))
            staff.update(report.region.notification_emails or [])
        if actor is not None and actor.email:
            writers.discard(actor.email)
            staff.discard(actor.email)
        url = report_url(report)
        send(TEMPLATE, {**context, "audience": "writer", "url": url}, writers)
        send(TEMPLATE, {**context, "audience": "staff", "url": url}, staff - writers)
    except Exception:  # noqa: BLE001 - a mail outage must not undo a committed transition
        logger.exception("Envoi des notifications impossible pour le rapport %s", report_id)
