"""A campaign's filière leads, named by the ARS (one by one or by the spreadsheet import)
and invited by e-mail: at once when the campaign is published, at its publication when it
is still in preparation (nothing of a draft reaches anyone). The ARS also manages the
editors (leads and co-editors) of a filière: it removes one, or invites another."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, RoleGrant, User
from campaign.domain.invitations import cancel_invitation, resend_invitation
from campaign.domain.setup import check_can_set_up
from campaign.models import LeadNomination
from common.errors import Conflict, InvalidInput, NotFound
from setup.domain.invitations import send_lead_invitation


def clean_lead(email, name, *, errors=None, prefix=""):
    """(normalised e-mail, name); problems go into `errors` (raised when not given)."""
    own = errors is None
    errors = {} if own else errors
    email = str(email or "").strip()
    name = " ".join(str(name or "").split())
    if not email:
        errors.setdefault(f"{prefix}email", []).append(
            _("Indiquez l'adresse électronique du porteur.")
        )
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors.setdefault(f"{prefix}email", []).append(
                _("« %(email)s » n'est pas une adresse électronique.") % {"email": email}
            )
    if len(name) > 150:
        errors.setdefault(f"{prefix}name", []).append(
            _("Ce texte dépasse %(n)d caractères.") % {"n": 150}
        )
    if own and errors:
        raise InvalidInput(_("Le porteur ne peut pas être désigné."), errors)
    return User.objects.normalize_email(email), name


def nominate_lead(campaign, filiere, user, *, email, name="", now=None):
    """Name `email` a lead of `filiere` (taking part in `campaign`); invited now if the
    campaign is published, else at its publication. Returns the LeadNomination."""
    check_can_set_up(user, campaign)
    email, name = clean_lead(email, name)
    if not campaign.filieres.filter(pk=filiere.pk).exists():
        raise NotFound(_("Filière introuvable."))
    now = now or timezone.now()
    with transaction.atomic():
        if LeadNomination.objects.filter(
            campaign=campaign, filiere=filiere, email__iexact=email
        ).exists():
            message = _("%(email)s est déjà désigné porteur de cette filière.") % {"email": email}
            raise Conflict(message, {"email": [message]})
        try:
            with transaction.atomic():
                nomination = LeadNomination.objects.create(
                    campaign=campaign,
                    filiere=filiere,
                    email=email,
                    name=name,
                    nominated_by=user,
                    created_at=now,
                )
        except IntegrityError:
            raise Conflict(_("Ce porteur vient d'être désigné : rechargez la page.")) from None
        if campaign.is_public:
            send_lead_invitation(nomination, user, now=now)
    return nomination


def invite_nominated_leads(campaign, user, *, now=None):
    """At publication: invite every lead named while the campaign was in preparation."""
    now = now or timezone.now()
    sent = 0
    for nomination in campaign.lead_nominations.filter(invited_at__isnull=True).select_related(
        "filiere", "filiere__region"
    ):
        send_lead_invitation(nomination, user, now=now)
        sent += 1
    return sent


def _nomination(campaign, nomination_id):
    nomination = (
        campaign.lead_nominations.select_related("filiere", "filiere__region", "invitation")
        .filter(pk=nomination_id)
        .first()
    )
    if nomination is None:
        raise NotFound(_("Porteur introuvable."))
    return nomination


def resend_lead_invitation(campaign, nomination_id, user, *, now=None):
    """Send a lead's invitation again (a new link, a new expiry; rate-limited)."""
    check_can_set_up(user, campaign)
    nomination = _nomination(campaign, nomination_id)
    if not campaign.is_public:
        raise Conflict(_("Les invitations partiront à la publication de la campagne."))
    if nomination.invitation_id is None:
        return send_lead_invitation(nomination, user, now=now)
    resend_invitation(nomination.invitation_id, user, now=now)
    return nomination


def cancel_nomination(campaign, nomination_id, user, *, now=None):
    """Withdraw a named lead: before publication the name goes; after, the invitation is
    cancelled (its link stops working) unless it was accepted."""
    check_can_set_up(user, campaign)
    nomination = _nomination(campaign, nomination_id)
    with transaction.atomic():
        if nomination.invitation_id is not None:
            cancel_invitation(nomination.invitation_id, user, now=now)
        nomination.delete()


def remove_editor(campaign, filiere, editor_id, user):
    """The ARS removes a lead or co-editor from the filière's editors (they keep their
    account; their lead role goes when they write for no other filière)."""
    check_can_set_up(user, campaign)
    if not campaign.filieres.filter(pk=filiere.pk).exists():
        raise NotFound(_("Filière introuvable."))
    with transaction.atomic():
        editor = filiere.editors.filter(pk=editor_id).first()
        if editor is None:
            raise NotFound(_("Rédacteur introuvable."))
        filiere.editors.remove(editor)
        if not editor.filieres.exists():
            RoleGrant.objects.filter(user=editor, role=Role.FILIERE_LEAD).delete()
        editor.forget_cached_access()
    return editor
