"""Attachments: type recognised from the content (never the name), size-limited, hashed."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import InvalidInput, NotFound
from common.files import (  # noqa: F401 (names other modules import from here)
    ALLOWED_LABEL,
    EXTENSIONS,
    MIMETYPE_MAX_BYTES,
    UNREADABLE_ZIP,
    FileTooLarge,
    UnsupportedFileType,
    check_upload,
    download_response,
    safe_name,
    sniff_content_type,
)
from dossiers.domain.editing import _lock_for_edit, _touch
from dossiers.enums import Section
from dossiers.models import Attachment

# What used to be defined here lives in common.files (the campaign's documents use it
# too); the names stay importable from this module.
_safe_name = safe_name


def add_attachment(dossier, user, upload, section, project_id=None):
    """Store an uploaded file on the dossier; raise 413/415/400-style errors in French."""

    if section not in Section.values:
        raise InvalidInput(
            _("Partie du dossier inconnue."), {"section": [_("Partie du dossier inconnue.")]}
        )
    content_type, sha256 = check_upload(upload, settings.ATTACHMENT_MAX_BYTES)
    with transaction.atomic():
        locked = _lock_for_edit(dossier, user)
        project = None
        if project_id is not None:
            project = locked.projects.filter(pk=project_id).first()
            if project is None:
                raise NotFound(_("Fiche projet introuvable."))
            section = Section.PROJECTS
        attachment = Attachment(
            dossier=locked,
            section=section,
            project=project,
            name=_safe_name(upload.name, content_type),
            size=upload.size,
            content_type=content_type,
            sha256=sha256,
            uploaded_by=user,
        )
        attachment.file.save("upload", upload, save=False)
        attachment.save()
        _touch(locked)
    return attachment


def delete_attachment(dossier, user, attachment_id):
    """Remove an attachment from the dossier. Once the dossier has been submitted, the
    file stays stored (hidden) because a snapshot refers to it."""

    with transaction.atomic():
        locked = _lock_for_edit(dossier, user)
        attachment = locked.attachments.filter(pk=attachment_id, removed_at__isnull=True).first()
        if attachment is None:
            raise NotFound(_("Pièce jointe introuvable."))
        if locked.snapshots.exists():
            attachment.removed_at = timezone.now()
            attachment.save(update_fields=["removed_at"])
        else:
            stored = attachment.file.name
            storage = attachment.file.storage
            attachment.delete()
            transaction.on_commit(lambda: storage.delete(stored))
        _touch(locked)


def file_response(attachment):
    """Stream a stored attachment as a download (never rendered inline by the browser)."""
    return download_response(
        attachment.file,
        attachment.name,
        attachment.content_type,
        _("Le fichier de cette pièce jointe est introuvable."),
    )
