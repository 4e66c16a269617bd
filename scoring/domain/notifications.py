"""E-mails of the review process, sent once the change is committed."""

import logging

from accounts.models import Role
from dossiers.domain.notifications import send, staff_emails, workspace_url
from scoring.models import ConflictOfInterest, Review, ReviewerAssignment

logger = logging.getLogger(__name__)


def notify_assignment(assignment_id):
    """Tell a reviewer that a dossier was assigned to them."""

    try:
        assignment = ReviewerAssignment.objects.select_related(
            "dossier__campaign", "dossier__filiere", "reviewer", "assigned_by"
        ).get(pk=assignment_id)
        if not assignment.reviewer.email:
            return
        dossier = assignment.dossier
        send(
            "emails/reviewer_assigned.txt",
            {"assignment": assignment, "dossier": dossier, "url": workspace_url(dossier)},
            [assignment.reviewer.email],
        )
    except Exception:  # noqa: BLE001 - a mail server outage must not undo the assignment
        logger.exception("Envoi de l'avis d'attribution %s impossible", assignment_id)


def notify_conflict(conflict_id):
    """Tell the ARS instructors (but the declarer) that a conflict was declared."""

    try:
        conflict = ConflictOfInterest.objects.select_related(
            "dossier__campaign", "dossier__filiere", "reviewer"
        ).get(pk=conflict_id)
        dossier = conflict.dossier
        excluded = Review.objects.filter(
            dossier=dossier, reviewer=conflict.reviewer, excluded_at__isnull=False
        ).exists()
        recipients = set(
            staff_emails({Role.ARS_INSTRUCTOR}, conflict.dossier.campaign.region_id)
        ) - {conflict.reviewer.email}
        send(
            "emails/conflict_declared.txt",
            {
                "conflict": conflict,
                "dossier": dossier,
                "excluded": excluded,
                "url": workspace_url(dossier),
            },
            recipients,
        )
    except Exception:  # noqa: BLE001
        logger.exception("Envoi de l'avis de conflit d'intérêts %s impossible", conflict_id)
