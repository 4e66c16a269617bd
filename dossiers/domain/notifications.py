"""E-mails sent after a transition commits (French templates in templates/emails/).

Who hears about what:
- the filière's editors (the applicant) about every change of their dossier,
  with the completion request's message and due date when it is sent back;
- the staff of the dossier's region by role (STAFF_RECIPIENTS), its region's ARS
  mailboxes (Region.notification_emails) and the reviewers ASSIGNED to the dossier
  (NOTIFY_ASSIGNED); while no reviewer is assigned yet, a dossier entering
  the CARESP review is announced to every CARESP reviewer;
- never the staff member who fired the transition (they know), and each
  address in its own message (nobody sees the others' addresses).
The applicant and staff get different wordings and links (the dossier page
for the applicant, the same page at its instruction panels for staff)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import Role, User
from dossiers.domain.receipts import build_receipt
from dossiers.enums import DossierState
from dossiers.models import Dossier
from dossiers.workflow import TRANSITIONS

logger = logging.getLogger(__name__)

# Staff roles told about each transition, besides the assigned reviewers.
STAFF_RECIPIENTS = {
    "submit": {Role.ARS_INSTRUCTOR},
    "resubmit": {Role.ARS_INSTRUCTOR},
    "start_caresp_review": set(),
    "start_ars_analysis": {Role.ARS_INSTRUCTOR},
    "return_for_completion": set(),
    "withdraw": {Role.ARS_INSTRUCTOR},
    "decide": {Role.ARS_INSTRUCTOR, Role.ARS_DECIDER},
}
# Transitions that concern the reviewers assigned to the dossier.
NOTIFY_ASSIGNED = {
    "start_caresp_review",
    "start_ars_analysis",
    "return_for_completion",
    "resubmit",
    "withdraw",
    "decide",
}
NOTIFY_ARS_MAILBOX = {"submit", "resubmit", "withdraw"}


def editor_emails(filiere):
    return [u.email for u in filiere.editors.filter(is_active=True) if u.email]


def staff_emails(roles, region_id):
    """The staff holding one of these roles in that region (never another region's)."""
    if not roles:
        return []
    return list(
        User.objects.filter(
            is_active=True, role_grants__role__in=roles, role_grants__region_id=region_id
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def assigned_reviewer_emails(dossier):
    return list(
        User.objects.filter(is_active=True, review_assignments__dossier_id=dossier.pk)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def staff_recipients(dossier, name, actor=None):
    region_id = dossier.campaign.region_id
    recipients = set(staff_emails(STAFF_RECIPIENTS.get(name), region_id))
    if name in NOTIFY_ASSIGNED:
        assigned = assigned_reviewer_emails(dossier)
        recipients.update(assigned)
        if (
            not assigned
            and name in {"start_caresp_review", "resubmit"}
            and dossier.state == DossierState.CARESP_REVIEW
        ):
            recipients.update(staff_emails({Role.CARESP_REVIEWER}, region_id))
    if actor is not None and actor.email:
        recipients.discard(actor.email)
    return recipients


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def dossier_url(dossier):
    return absolute(reverse("dossiers:detail", args=[dossier.pk]))


def workspace_url(dossier):
    """The dossier page at its instruction panels (decision 0054)."""
    return absolute(reverse("dossiers:detail", args=[dossier.pk]) + "#instruction")


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


def notify_transition(dossier_id, name, from_state, user_id, comment=""):
    try:
        dossier = Dossier.objects.select_related("campaign__region", "filiere").get(pk=dossier_id)
        actor = User.objects.filter(pk=user_id).first()
        context = {
            "dossier": dossier,
            "transition": name,
            "from_state": from_state,
            "actor": actor,
            "comment": comment,
        }
        applicants = editor_emails(dossier.filiere)

        # A staff comment on an internal step (entering a review) is not for the applicant.
        applicant_comment = comment if TRANSITIONS[name].is_public else ""
        receipt = None
        if name in {"submit", "resubmit"}:
            snapshot = dossier.snapshots.select_related("created_by").order_by("-number").first()
            if snapshot is not None:
                receipt = {
                    "receipt": build_receipt(dossier, snapshot),
                    "receipt_url": absolute(
                        reverse("dossiers:receipt", args=[dossier.pk, snapshot.number])
                    ),
                }
        send(
            "emails/dossier_transition.txt",
            {
                **context,
                **(receipt or {}),
                "comment": applicant_comment,
                "audience": "applicant",
                "url": dossier_url(dossier),
            },
            applicants,
        )
        staff = staff_recipients(dossier, name, actor) - set(applicants)
        if name in NOTIFY_ARS_MAILBOX:
            staff.update(dossier.campaign.region.notification_emails or [])
        send(
            "emails/dossier_transition.txt",
            {**context, "audience": "staff", "url": workspace_url(dossier)},
            staff,
        )
    except Exception:  # noqa: BLE001 - a mail server outage must not undo a committed transition
        logger.exception("Envoi des notifications impossible pour le dossier %s", dossier_id)
