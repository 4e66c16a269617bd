"""Attachments: type recognised from the content (never the name), size-limited, hashed."""

import hashlib
import zipfile
import zlib

from django.conf import settings
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import DomainError, InvalidInput, NotFound
from common.text import clean_line
from dossiers.domain.editing import _lock_for_edit, _touch
from dossiers.enums import Section
from dossiers.models import Attachment

# The "mimetype" member of an OpenDocument file is a few dozen bytes.
MIMETYPE_MAX_BYTES = 100
# What a malformed, encrypted or exotic archive may raise while it is read.
UNREADABLE_ZIP = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    OSError,
    ValueError,
    EOFError,
    KeyError,
    RuntimeError,  # encrypted member
    NotImplementedError,  # unsupported compression method
)
ALLOWED_LABEL = "PDF, DOCX, XLSX, ODT, ODS, PNG ou JPG"
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}


class FileTooLarge(DomainError):
    status = 413


class UnsupportedFileType(DomainError):
    status = 415


def sniff_content_type(fileobj):
    """The MIME type the bytes really are, among the accepted ones, or None."""
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                # Read at most a few bytes: a crafted archive may declare a "mimetype"
                # member of gigabytes (ZIP bomb); never decompress it whole.
                with archive.open("mimetype") as member:
                    mimetype = member.read(MIMETYPE_MAX_BYTES).decode("ascii", "replace").strip()
                if mimetype in (
                    "application/vnd.oasis.opendocument.text",
                    "application/vnd.oasis.opendocument.spreadsheet",
                ):
                    return mimetype
                return None
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                if "xl/workbook.xml" in names:
                    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    except UNREADABLE_ZIP:
        return None
    finally:
        fileobj.seek(0)
    return None


def _safe_name(name, content_type):
    base = clean_line(name or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or "document"
    base = "".join(ch for ch in base if ch.isprintable())[:200]
    extension = EXTENSIONS[content_type]
    if not base.lower().endswith("." + extension) and not (
        extension == "jpg" and base.lower().endswith(".jpeg")
    ):
        base = f"{base}.{extension}"
    return base


def add_attachment(dossier, user, upload, section, project_id=None):
    """Store an uploaded file on the dossier; raise 413/415/400-style errors in French."""

    if section not in Section.values:
        raise InvalidInput(
            _("Partie du dossier inconnue."), {"section": [_("Partie du dossier inconnue.")]}
        )
    if upload is None:
        raise InvalidInput(_("Aucun fichier reçu."), {"file": [_("Choisissez un fichier.")]})
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise FileTooLarge(
            _("Le fichier « %(name)s » dépasse la taille maximale de %(max)d Mo.")
            % {"name": upload.name, "max": limit // (1024 * 1024)}
        )
    if upload.size == 0:
        raise InvalidInput(_("Le fichier est vide."), {"file": [_("Le fichier est vide.")]})
    content_type = sniff_content_type(upload)
    if content_type is None:
        raise UnsupportedFileType(
            _(
                "Le fichier « %(name)s » n'est pas d'un type accepté (%(types)s). Le type est vérifié d'après le contenu du fichier, pas son nom."
            )
            % {"name": upload.name, "types": ALLOWED_LABEL}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
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
            sha256=digest.hexdigest(),
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

    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise NotFound(_("Le fichier de cette pièce jointe est introuvable.")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
