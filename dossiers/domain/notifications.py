"""E-mails sent after a transition commits (French templates in templates/emails/)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import Role, User

logger = logging.getLogger(__name__)

# Who hears about each transition, besides the filière's editors.
STAFF_RECIPIENTS = {
    "submit": {Role.ARS_INSTRUCTOR},
    "resubmit": {Role.ARS_INSTRUCTOR, Role.CARESP_REVIEWER},
    "start_caresp_review": {Role.CARESP_REVIEWER},
    "start_ars_analysis": {Role.ARS_INSTRUCTOR},
    "return_for_completion": set(),
    "withdraw": {Role.ARS_INSTRUCTOR},
    "decide": {Role.ARS_INSTRUCTOR, Role.ARS_DECIDER},
}
NOTIFY_ARS_MAILBOX = {"submit", "resubmit", "withdraw"}


def editor_emails(filiere):
    return [u.email for u in filiere.editors.filter(is_active=True) if u.email]


def staff_emails(roles):
    if not roles:
        return []
    return list(
        User.objects.filter(is_active=True, role_grants__role__in=roles)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def dossier_url(dossier):
    return settings.SITE_URL.rstrip("/") + reverse("dossiers:detail", args=[dossier.pk])


def send(template, context, recipients):
    recipients = sorted(set(recipients))
    if not recipients:
        return 0
    text = render_to_string(template, context)
    subject, _sep, body = text.strip().partition("\n")
    # One message per recipient: addresses of others are never disclosed.
    sent = 0
    for address in recipients:
        sent += send_mail(subject.strip(), body.strip() + "\n", None, [address])
    return sent


def notify_transition(dossier_id, name, from_state, user_id):
    from dossiers.models import Dossier

    dossier = Dossier.objects.select_related("campaign", "filiere").get(pk=dossier_id)
    recipients = editor_emails(dossier.filiere) + staff_emails(STAFF_RECIPIENTS.get(name))
    if name in NOTIFY_ARS_MAILBOX:
        recipients += settings.ARS_NOTIFICATION_EMAILS
    context = {
        "dossier": dossier,
        "transition": name,
        "url": dossier_url(dossier),
        "actor": User.objects.filter(pk=user_id).first(),
    }
    try:
        send("emails/dossier_transition.txt", context, recipients)
    except Exception:  # noqa: BLE001 - a mail server outage must not undo a committed transition
        logger.exception("Envoi des notifications impossible pour le dossier %s", dossier_id)
