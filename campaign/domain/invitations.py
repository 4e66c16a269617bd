"""Invitations: someone is invited to take a role, and gets it only by accepting.

The general mechanism (a filière's co-editors here; the ARS inviting a filière's lead,
a staff role in a region, reuse it): an Invitation names the role, the filière and
the region it grants, who invited and the address invited. The address receives a
fixed e-mail (no text typed by the inviter, only the platform's words and the names
of the filière and the region) with a link holding a random token, valid
INVITATION_DAYS days; only its hash is stored. The invitee accepts:
- signed in with an existing account (`accept`), or
- without an account, by choosing a name and a password (`accept_with_new_account`);
  the account gets the invited address.
Until then nothing is granted. The inviter never learns whether the address has an
account, nor its name, nor whether it belongs to the staff: the answer is the same
in every case. Sending is rate-limited per inviter and per address (429).

Callers check who may invite before `issue_invitation` (`invite_editor` does for
co-editors); `can_manage_invitation` (campaign.rules) says who may re-send or
cancel one."""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import ratelimit
from accounts.models import AGENCY_ROLES, REGIONAL_ROLES, Role, RoleGrant, User
from campaign.models import Invitation
from campaign.rules import can_invite_editor, can_manage_invitation
from common.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests
from common.text import clean_text

DAY = dt.timedelta(days=1)


def invitation_days():
    return getattr(settings, "INVITATION_DAYS", 7)


def per_inviter_limit():
    """Invitations (and re-sends) one person may send in 24 hours."""
    return getattr(settings, "INVITATIONS_PER_INVITER_PER_DAY", 20)


def per_address_limit():
    """Invitation e-mails one address may receive in 24 hours, whoever sends them."""
    return getattr(settings, "INVITATIONS_PER_ADDRESS_PER_DAY", 3)


def hash_token(raw):
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def invitation_url(raw):
    return settings.SITE_URL.rstrip("/") + reverse("invitations:accept", args=[raw])


def clean_email(email):
    email = clean_text(email if isinstance(email, str) else "").strip()
    if not email:
        message = _("Indiquez l'adresse électronique de la personne à inviter.")
        raise InvalidInput(message, {"email": [message]})
    try:
        validate_email(email)
    except ValidationError:
        message = _("Adresse électronique invalide.")
        raise InvalidInput(message, {"email": [message]}) from None
    return User.objects.normalize_email(email).lower()


# ----------------------------------------------------------------------------- sending


def per_agency_limit():
    """Invitations an ARS agent setting up a call may send in 24 hours (every lead)."""
    return getattr(settings, "INVITATIONS_PER_AGENCY_PER_DAY", 500)


def _check_rate(by_user, email, now, *, agency=False):
    limit = per_agency_limit() if agency else per_inviter_limit()
    if not ratelimit.allowed("invite_by", by_user.pk, limit=limit, window=DAY, now=now):
        raise TooManyRequests(
            _(
                "Vous avez envoyé %(n)d invitations en 24 heures : réessayez demain, ou "
                "demandez à l'ARS."
            )
            % {"n": limit}
        )
    if not ratelimit.allowed("invite_to", email, limit=per_address_limit(), window=DAY, now=now):
        message = _(
            "Cette adresse a déjà reçu plusieurs invitations ces dernières 24 heures : "
            "réessayez demain."
        )
        raise TooManyRequests(message, {"email": [message]})
    ratelimit.record("invite_by", by_user.pk, now)
    ratelimit.record("invite_to", email, now)


def _new_token(invitation, now):
    raw = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(raw)
    invitation.sent_at = now
    invitation.expires_at = now + dt.timedelta(days=invitation_days())
    return raw


def _owned_by_staff(email):
    return any(
        user.is_agency_staff for user in User.objects.filter(email__iexact=email, is_active=True)
    )


def describe(invitation):
    """What the invitation offers, in the platform's own words (e-mail and pages)."""
    region = invitation.region.name if invitation.region_id else ""
    if invitation.filiere_id:
        name = invitation.filiere.name
        if invitation.role == Role.FILIERE_LEAD:
            return _("rédiger les dossiers de la filière « %(filiere)s » (%(region)s)") % {
                "filiere": name,
                "region": region,
            }
        return _("tenir le rôle « %(role)s » pour la filière « %(filiere)s » (%(region)s)") % {
            "role": Role(invitation.role).label,
            "filiere": name,
            "region": region,
        }
    if region:
        return _("tenir le rôle « %(role)s » en région %(region)s") % {
            "role": Role(invitation.role).label,
            "region": region,
        }
    return _("tenir le rôle « %(role)s »") % {"role": Role(invitation.role).label}


def inviter_label(invitation):
    """Who invites, by role: never the inviter's own name (which they typed)."""
    inviter = invitation.invited_by
    region = invitation.region
    agency = (
        (region.agency_name or _("L'ARS %(region)s") % {"region": region.name}) if region else ""
    )
    if inviter is not None and region is not None and inviter.has_role_in(region.pk, *AGENCY_ROLES):
        if inviter.has_role_in(
            region.pk, Role.ARS_INSTRUCTOR, Role.ARS_DECIDER, Role.ADMIN, Role.REGION_ADMIN
        ):
            return agency
        return _("La CARESP")
    if invitation.filiere_id:
        return _("Un porteur de la filière")
    return agency or _("L'administrateur de la plateforme")


def _send(invitation_id, raw):
    invitation = Invitation.objects.select_related("filiere", "region", "invited_by").get(
        pk=invitation_id
    )
    region = invitation.region
    context = {
        "agency": (region.agency_name or region.name) if region else "",
        "inviter": inviter_label(invitation),
        "offer": describe(invitation),
        "url": invitation_url(raw),
        "expires_at": timezone.localtime(invitation.expires_at),
        "days": invitation_days(),
    }
    text = render_to_string("emails/invitation.txt", context)
    subject, _sep, body = text.strip().partition("\n")
    send_mail(subject.strip(), body.strip() + "\n", None, [invitation.email])


def _schedule_send(invitation, raw):
    if invitation.role == Role.FILIERE_LEAD and _owned_by_staff(invitation.email):
        # A staff account cannot write a dossier (separation of duties): nothing is sent,
        # and the inviter is told the same as for any address.
        return
    invitation_id = invitation.pk
    transaction.on_commit(lambda: _send(invitation_id, raw))


def issue_invitation(by_user, email, *, role, filiere=None, region=None, now=None, agency=False):
    """Invite `email` to take `role` (for `filiere`, or in `region`); return the Invitation.

    The caller has checked that `by_user` may invite. A pending invitation to the same
    address for the same role and place is sent again (with a new link) rather than
    duplicated. `agency`: the ARS setting up a call (its own, higher, limit per inviter).
    Raises InvalidInput (address), TooManyRequests (rate limits)."""
    if role not in Role.values:
        raise InvalidInput(_("Rôle inconnu."), {"role": [_("Rôle inconnu.")]})
    email = clean_email(email)
    now = now or timezone.now()
    if filiere is not None:
        region = filiere.region
    if role not in REGIONAL_ROLES and filiere is None:
        region = None if role == Role.ADMIN else region
    with transaction.atomic():
        _check_rate(by_user, email, now, agency=agency)
        invitation = (
            Invitation.objects.select_for_update()
            .filter(
                email=email,
                role=role,
                filiere=filiere,
                region=region,
                accepted_at__isnull=True,
                cancelled_at__isnull=True,
            )
            .order_by("-created_at")
            .first()
        )
        if invitation is None:
            invitation = Invitation(
                email=email,
                role=role,
                filiere=filiere,
                region=region,
                invited_by=by_user,
                created_at=now,
                send_count=1,
            )
        else:
            invitation.invited_by = by_user
            invitation.send_count += 1
        raw = _new_token(invitation, now)
        invitation.save()
        _schedule_send(invitation, raw)
    return invitation


def invite_editor(filiere, by_user, email, *, now=None):
    """A filière's editor invites a co-editor: a pending invitation (see module)."""
    if not can_invite_editor.test(by_user, filiere):
        raise Forbidden(_("Seuls les porteurs de la filière peuvent inviter des co-rédacteurs."))
    email = clean_email(email)
    if filiere.editors.filter(email__iexact=email).exists():
        message = _("Cette adresse est déjà celle d'un rédacteur de la filière.")
        raise Conflict(message, {"email": [message]})
    return issue_invitation(by_user, email, role=Role.FILIERE_LEAD, filiere=filiere, now=now)


def _managed(invitation_id, user, filiere=None):
    # Only the invitation's row: its filière and region are outer joins (PostgreSQL
    # refuses FOR UPDATE on the nullable side of one).
    queryset = Invitation.objects.select_for_update(of=("self",)).select_related(
        "filiere", "region"
    )
    if filiere is not None:
        queryset = queryset.filter(filiere=filiere)
    invitation = queryset.filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound(_("Invitation introuvable."))
    if not can_manage_invitation.test(user, invitation):
        raise Forbidden(_("Vous ne pouvez pas gérer cette invitation."))
    return invitation


def resend_invitation(invitation_id, by_user, *, filiere=None, now=None):
    """Send a pending (or expired) invitation again, with a new link and a new expiry."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = _managed(invitation_id, by_user, filiere)
        if invitation.accepted_at or invitation.cancelled_at:
            raise Conflict(
                _("Cette invitation est %(status)s : elle ne peut plus être renvoyée.")
                % {"status": invitation.get_status_display()}
            )
        _check_rate(by_user, invitation.email, now)
        raw = _new_token(invitation, now)
        invitation.send_count += 1
        invitation.save()
        _schedule_send(invitation, raw)
    return invitation


def cancel_invitation(invitation_id, by_user, *, filiere=None, now=None):
    """Cancel an invitation not yet accepted: its link stops working."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = _managed(invitation_id, by_user, filiere)
        if invitation.accepted_at:
            raise Conflict(_("Cette invitation a déjà été acceptée."))
        if invitation.cancelled_at is None:
            invitation.cancelled_at = now
            invitation.save(update_fields=["cancelled_at"])
    return invitation


# ----------------------------------------------------------------------------- accepting


def find_invitation(raw):
    """The invitation of a link's token (any status), or None."""
    if not isinstance(raw, str) or not 20 <= len(raw) <= 100:
        return None
    return (
        Invitation.objects.select_related("filiere", "region", "invited_by")
        .filter(token_hash=hash_token(raw))
        .first()
    )


def _usable(raw, now, *, lock=False):
    queryset = Invitation.objects.select_related("filiere", "region")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    invitation = (
        queryset.filter(token_hash=hash_token(raw)).first() if isinstance(raw, str) else None
    )
    if invitation is None:
        raise NotFound(_("Cette invitation n'existe pas ou n'est plus valable."))
    status = invitation.status_at(now)
    if status != Invitation.Status.PENDING:
        raise Conflict(
            _(
                "Cette invitation est %(status)s. Demandez à la personne qui vous a invité(e) "
                "de vous l'envoyer à nouveau."
            )
            % {"status": invitation.Status(status).label}
        )
    return invitation


def _grant(invitation, user):
    region = invitation.region if invitation.role in REGIONAL_ROLES else None
    RoleGrant.objects.get_or_create(user=user, role=invitation.role, region=region)
    if invitation.filiere_id and invitation.role == Role.FILIERE_LEAD:
        invitation.filiere.editors.add(user)
    user.forget_cached_access()


def accept(raw, user, *, now=None):
    """The signed-in `user` accepts the invitation of token `raw`: gets its role."""
    now = now or timezone.now()
    if not (user and user.is_authenticated):
        raise Forbidden(_("Connectez-vous pour accepter l'invitation."))
    with transaction.atomic():
        invitation = _usable(raw, now, lock=True)
        if invitation.role == Role.FILIERE_LEAD and user.is_agency_staff:
            raise Conflict(
                _(
                    "Un compte de l'ARS ou de la CARESP ne peut pas rédiger le dossier d'une "
                    "filière : acceptez l'invitation avec un autre compte."
                )
            )
        _grant(invitation, user)
        invitation.accepted_at = now
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return invitation


def _free_username(email):
    base = email.lower()[:140]
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def accept_with_new_account(raw, first_name, last_name, password, *, now=None):
    """Someone without an account accepts: an account with the invited address, this name
    and this password is created and gets the role. Returns (invitation, user).

    The visitor holds the link sent to that address, so telling them that it already
    has an account discloses nothing to anyone else."""
    now = now or timezone.now()
    errors = {}
    names = {}
    for key, value in (("first_name", first_name), ("last_name", last_name)):
        value = clean_text(value if isinstance(value, str) else "").strip()
        if not value:
            errors[key] = [_("Ce champ est obligatoire.")]
        elif len(value) > 150:
            errors[key] = [_("Ce texte dépasse %(n)d caractères.") % {"n": 150}]
        names[key] = value
    with transaction.atomic():
        invitation = _usable(raw, now, lock=True)
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise Conflict(
                _(
                    "Un compte utilise déjà l'adresse %(email)s : connectez-vous avec lui pour "
                    "accepter l'invitation (ou utilisez « Mot de passe oublié »)."
                )
                % {"email": invitation.email}
            )
        user = User(username=_free_username(invitation.email), email=invitation.email, **names)
        try:
            password_validation.validate_password(password or "", user)
        except ValidationError as exc:
            errors["password1"] = list(exc.messages)
        if errors:
            raise InvalidInput(_("Certaines informations sont invalides."), errors)
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            raise Conflict(_("Ce compte vient d'être créé par ailleurs : réessayez.")) from None
        _grant(invitation, user)
        invitation.accepted_at = now
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return invitation, user
