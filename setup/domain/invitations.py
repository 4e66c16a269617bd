"""The e-mail that invites a campaign's filière lead.

Interim mechanism until the general pending invitations (campaign.Invitation, issue 12)
land: the invitee's account is created without a usable password and the e-mail carries
a link to choose one (Django's token, valid PASSWORD_RESET_TIMEOUT), or the ProConnect
sign-in when it is on; an existing account is added to the filière. A re-send is
refused within RESEND_MINUTES of the previous one."""

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, RoleGrant, User
from campaign.domain.filieres import _free_username, set_password_url
from campaign.models import LeadNomination
from common.errors import Conflict

RESEND_MINUTES = 10


def _account(nomination):
    matches = list(User.objects.select_for_update().filter(email__iexact=nomination.email)[:2])
    if matches:
        return matches[0]
    first, _sep, last = nomination.name.partition(" ")
    user = User(
        username=_free_username(nomination.email),
        email=nomination.email,
        first_name=first[:150],
        last_name=last[:150],
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise Conflict(_("Ce compte vient d'être créé par ailleurs : réessayez.")) from None
    return user


def _send(nomination_id, user_id, with_link):
    nomination = LeadNomination.objects.select_related(
        "campaign", "filiere", "filiere__region"
    ).get(pk=nomination_id)
    user = User.objects.get(pk=user_id)
    site = settings.SITE_URL.rstrip("/")
    context = {
        "nomination": nomination,
        "campaign": nomination.campaign,
        "filiere": nomination.filiere,
        "region": nomination.filiere.region,
        "user": user,
        "set_password_url": set_password_url(user) if with_link else None,
        "login_url": site + reverse("accounts:login"),
        "call_url": site + reverse("public:call", args=[nomination.campaign.slug]),
        "link_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "proconnect": bool(getattr(settings, "OIDC_ENABLED", False)),
    }
    text = render_to_string("emails/lead_invitation.txt", context)
    subject, _sep, body = text.strip().partition("\n")
    send_mail(subject.strip(), body.strip() + "\n", None, [nomination.email])


def send_lead_invitation(nomination, by_user, *, now=None, again=False):
    """Invite the named lead now: the account, the filière, the e-mail (after commit)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = LeadNomination.objects.select_for_update().get(pk=nomination.pk)
        if (
            again
            and locked.invited_at
            and now - locked.invited_at < dt.timedelta(minutes=RESEND_MINUTES)
        ):
            raise Conflict(
                _(
                    "L'invitation vient d'être envoyée : patientez %(n)d minutes avant de la renvoyer."
                )
                % {"n": RESEND_MINUTES}
            )
        user = _account(locked)
        RoleGrant.objects.get_or_create(user=user, role=Role.FILIERE_LEAD)
        locked.filiere.editors.add(user)
        locked.invited_at = now
        locked.save(update_fields=["invited_at"])
        with_link = not user.has_usable_password()
        nomination_id, user_id = locked.pk, user.pk
        transaction.on_commit(lambda: _send(nomination_id, user_id, with_link))
    user.forget_cached_access()
    nomination.invited_at = now
    return nomination
