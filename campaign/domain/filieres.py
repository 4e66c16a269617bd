"""Filière membership: a lead invites co-editors of its dossier."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.models import Role, RoleGrant, User
from campaign.models import Filiere
from campaign.rules import can_invite_editor
from common.errors import Conflict, Forbidden, InvalidInput


@dataclass(frozen=True)
class Invitation:
    user: User
    created: bool  # a new account was created (it must set its password)
    link_sent: bool  # the e-mail carries a link to set a password


def set_password_url(user):
    """Absolute link to choose a password (Django's password reset token)."""
    path = reverse(
        "accounts:password_set",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def _clean(email, first_name, last_name):
    errors = {}
    email = (email or "").strip()
    first_name = (first_name or "").strip()
    last_name = (last_name or "").strip()
    if not email:
        errors["email"] = [_("Indiquez l'adresse électronique de la personne à inviter.")]
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Adresse électronique invalide.")]
    if len(first_name) > 150:
        errors["first_name"] = [_("Ce texte dépasse %(n)d caractères.") % {"n": 150}]
    if len(last_name) > 150:
        errors["last_name"] = [_("Ce texte dépasse %(n)d caractères.") % {"n": 150}]
    if errors:
        raise InvalidInput(_("Certaines informations sont invalides."), errors)
    return User.objects.normalize_email(email), first_name, last_name


def _free_username(email):
    base = email.lower()[:140]
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _send_invitation(user_id, filiere_id, by_user_id, with_link):
    user = User.objects.get(pk=user_id)
    filiere = Filiere.objects.select_related("region").get(pk=filiere_id)
    context = {
        "user": user,
        "filiere": filiere,
        "by": User.objects.filter(pk=by_user_id).first(),
        "set_password_url": set_password_url(user) if with_link else None,
        "login_url": settings.SITE_URL.rstrip("/") + reverse("accounts:login"),
        "link_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    text = render_to_string("emails/invitation.txt", context)
    subject, _sep, body = text.strip().partition("\n")
    send_mail(subject.strip(), body.strip() + "\n", None, [user.email])


def invite_editor(filiere, by_user, email, first_name="", last_name=""):
    """Make the person with this e-mail a co-editor of the filière's dossier.

    An existing account is added to the filière; an unknown address gets a new
    account without a usable password and an e-mail with a link to choose one.
    Staff accounts (CARESP, ARS) cannot become co-editors: they review the
    dossiers. Returns an Invitation."""
    if not can_invite_editor.test(by_user, filiere):
        raise Forbidden(_("Seuls les porteurs de la filière peuvent inviter des co-rédacteurs."))
    email, first_name, last_name = _clean(email, first_name, last_name)
    with transaction.atomic():
        matches = list(User.objects.select_for_update().filter(email__iexact=email)[:2])
        if len(matches) > 1:
            raise Conflict(
                _(
                    "Plusieurs comptes utilisent l'adresse %(email)s : demandez à l'ARS de l'ajouter à la filière."
                )
                % {"email": email}
            )
        if matches:
            user, created = matches[0], False
            if user.is_agency_staff:
                raise Conflict(
                    _(
                        "L'adresse %(email)s appartient à un membre de l'ARS ou de la CARESP, qui ne peut pas rédiger un dossier."
                    )
                    % {"email": email}
                )
            if filiere.editors.filter(pk=user.pk).exists():
                raise Conflict(
                    _("%(name)s fait déjà partie des rédacteurs de la filière.") % {"name": user}
                )
        else:
            user = User(
                username=_free_username(email),
                email=email,
                first_name=first_name,
                last_name=last_name,
            )
            user.set_unusable_password()
            try:
                with transaction.atomic():
                    user.save()
            except IntegrityError:
                raise Conflict(_("Ce compte vient d'être créé par ailleurs : réessayez.")) from None
            created = True
        RoleGrant.objects.get_or_create(user=user, role=Role.FILIERE_LEAD)
        filiere.editors.add(user)
        # Never activated yet (invited before): the new e-mail carries a fresh link.
        with_link = not user.has_usable_password()
        user_id, filiere_id, by_id = user.pk, filiere.pk, by_user.pk
        transaction.on_commit(lambda: _send_invitation(user_id, filiere_id, by_id, with_link))
    user.forget_cached_access()
    return Invitation(user=user, created=created, link_sent=with_link)
