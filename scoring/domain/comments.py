"""Internal comments between staff about a dossier: never shown to the applicant.

A comment marked "réservé à l'ARS" is hidden from CARESP reviewers."""

from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import Forbidden, InvalidInput, NotFound
from common.text import clean_text
from dossiers.enums import DossierState
from scoring.models import InternalComment
from scoring.rules import can_comment_internally, can_read_ars_only_comments

TEXT_MAX = 10000


def visible_comments(dossier, user):
    if not can_comment_internally.test(user, dossier):
        return []
    comments = InternalComment.objects.filter(dossier_id=dossier.pk).select_related("author")
    if not can_read_ars_only_comments.test(user, dossier):
        comments = comments.filter(ars_only=False)
    return list(comments.order_by("at", "id"))


def add_comment(dossier, user, text, *, ars_only=False):
    if not can_comment_internally.test(user, dossier):
        raise Forbidden(_("Seules les équipes de l'ARS et de la CARESP commentent un dossier."))
    if dossier.state == DossierState.DRAFT:
        raise NotFound(_("Dossier introuvable."))
    if ars_only and not can_read_ars_only_comments.test(user, dossier):
        raise Forbidden(_("Seule l'ARS peut écrire un commentaire réservé à l'ARS."))
    text = clean_text(text).strip() if isinstance(text, str) else ""
    if not text:
        raise InvalidInput(
            _("Le commentaire est vide."), {"text": [_("Ce champ est obligatoire.")]}
        )
    if len(text) > TEXT_MAX:
        raise InvalidInput(
            _("Le commentaire est trop long."),
            {"text": [_("Au plus %(n)d caractères.") % {"n": TEXT_MAX}]},
        )
    return InternalComment.objects.create(
        dossier_id=dossier.pk, author=user, text=text, ars_only=bool(ars_only), at=timezone.now()
    )
