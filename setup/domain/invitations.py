"""The invitation of a campaign's filière lead: a pending invitation of the general
mechanism (campaign.domain.invitations) for the role `filiere_lead` of that filière,
sent by the ARS agent who named the lead (or published the call). Re-sending and
cancelling are that mechanism's too (rate limits, new link, new expiry)."""

from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from campaign.domain.invitations import issue_invitation
from campaign.models import LeadNomination


def send_lead_invitation(nomination, by_user, *, now=None):
    """Invite the named lead now (the e-mail leaves after commit); returns the
    nomination, linked to its Invitation."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            LeadNomination.objects.select_for_update()
            .select_related("filiere")
            .get(pk=nomination.pk)
        )
        inviter = by_user or locked.nominated_by
        invitation = issue_invitation(
            inviter,
            locked.email,
            role=Role.FILIERE_LEAD,
            filiere=locked.filiere,
            now=now,
            agency=True,
        )
        locked.invitation = invitation
        locked.invited_at = now
        locked.save(update_fields=["invitation", "invited_at"])
    nomination.invitation, nomination.invited_at = invitation, now
    return nomination
