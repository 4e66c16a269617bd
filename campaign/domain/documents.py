"""The call's documents the ARS publishes for the applicants (specifications, regional
diagnostic…): the region's instructors add and remove them; the file is checked by its
content and size as the dossiers' attachments (common.files); who added it is kept.
History-free: a removed document is gone (file included), its removal logged."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from campaign.models import CampaignDocument
from campaign.rules import can_manage_documents
from common.errors import Forbidden, InvalidInput, NotFound
from common.files import check_upload, download_response, safe_name
from common.text import clean_line

logger = logging.getLogger(__name__)

TITLE_MAX = 200
MAX_DOCUMENTS = 30  # per campaign


def _check(user, campaign):
    if not can_manage_documents.test(user, campaign):
        raise Forbidden(
            _("Les documents de l'appel sont publiés par les instructeurs de l'ARS de la région.")
        )


def add_document(user, campaign, *, kind, title, upload):
    """Publish a document of the call; raises InvalidInput (400), FileTooLarge (413),
    UnsupportedFileType (415) with French messages."""
    _check(user, campaign)
    errors = {}
    if kind not in CampaignDocument.Kind.values:
        errors["kind"] = [_("Choisissez la nature du document.")]
    title = clean_line(title or "").strip()
    if not title:
        errors["title"] = [_("Indiquez le titre du document.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("Le titre dépasse %(n)d caractères.") % {"n": TITLE_MAX}]
    if errors:
        raise InvalidInput(_("Certaines informations sont invalides."), errors)
    content_type, sha256 = check_upload(upload, settings.ATTACHMENT_MAX_BYTES)
    with transaction.atomic():
        if campaign.documents.count() >= MAX_DOCUMENTS:
            message = _("Une campagne publie au plus %(n)d documents.") % {"n": MAX_DOCUMENTS}
            raise InvalidInput(message, {"file": [message]})
        document = CampaignDocument(
            campaign=campaign,
            kind=kind,
            title=title,
            name=safe_name(upload.name, content_type),
            size=upload.size,
            content_type=content_type,
            sha256=sha256,
            uploaded_by=user,
        )
        document.file.save("document", upload, save=False)
        document.save()
    return document


def delete_document(user, campaign, document_id):
    """Remove a document of the call (and its file, once the removal is committed)."""
    _check(user, campaign)
    with transaction.atomic():
        document = campaign.documents.select_for_update().filter(pk=document_id).first()
        if document is None:
            raise NotFound(_("Document introuvable."))
        stored, storage = document.file.name, document.file.storage
        logger.info(
            "Document %s (« %s ») de la campagne %s retiré par %s",
            document.pk,
            document.title,
            campaign.slug,
            user.username,
        )
        document.delete()
        transaction.on_commit(lambda: storage.delete(stored))


def document_response(campaign, document_id):
    """The download of a document of a campaign the caller may see (the view found it
    among the visible campaigns): NotFound for a document of another campaign."""
    document = campaign.documents.filter(pk=document_id).first()
    if document is None:
        raise NotFound(_("Document introuvable."))
    return download_response(
        document.file,
        document.name,
        document.content_type,
        _("Le fichier de ce document est introuvable."),
    )
