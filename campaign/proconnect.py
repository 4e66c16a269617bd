"""ProConnect sign-in of someone invited who has no account yet (docs/decisions/0041):
the pending invitations sent to the address ProConnect vouches for are accepted, and the
account is created with that address, linked to the ProConnect identity. Without a
pending invitation, the address is refused (accounts.proconnect)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role, User
from accounts.proconnect import REFUSED_KEY
from accounts.proconnect import ProConnectBackend as BaseBackend
from campaign.domain.invitations import _free_username, _grant
from campaign.models import Invitation


def pending_invitations(email, now):
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("filiere", "region")
        .filter(
            email__iexact=email,
            accepted_at__isnull=True,
            cancelled_at__isnull=True,
            expires_at__gt=now,
        )
    )


def accept_with_proconnect(claims, *, now=None):
    """The account created for an invited address signing in with ProConnect, or None
    when no pending invitation awaits that address."""
    now = now or timezone.now()
    email = claims["email"].strip()
    with transaction.atomic():
        invitations = list(pending_invitations(email, now))
        if not invitations:
            return None
        user = User(
            username=_free_username(email),
            email=User.objects.normalize_email(email).lower(),
            first_name=str(claims.get("given_name") or "")[:150],
            last_name=str(claims.get("usual_name") or claims.get("family_name") or "")[:150],
            proconnect_sub=claims["sub"],
        )
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            return None
        for invitation in invitations:
            if invitation.role == Role.FILIERE_LEAD and user.is_agency_staff:
                continue
            _grant(invitation, user)
            invitation.accepted_at = now
            invitation.accepted_by = user
            invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


class ProConnectBackend(BaseBackend):
    def filter_users_by_claims(self, claims):
        users = super().filter_users_by_claims(claims)
        if users.exists():
            return users
        user = accept_with_proconnect(claims)
        if user is None:
            return users
        if self.request is not None:
            self.request.session.pop(REFUSED_KEY, None)
        return User.objects.filter(pk=user.pk)
