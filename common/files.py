"""Uploaded files: type recognised from the content (never the name), size-limited,
hashed, and streamed back as downloads. Shared by the dossiers' attachments and the
campaign's documents (decision 0008)."""

import hashlib
import zipfile
import zlib

from django.http import FileResponse
from django.utils.translation import gettext as _

from common.errors import DomainError, InvalidInput, NotFound
from common.text import clean_line

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


def safe_name(name, content_type):
    base = clean_line(name or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or "document"
    base = "".join(ch for ch in base if ch.isprintable())[:200]
    extension = EXTENSIONS[content_type]
    if not base.lower().endswith("." + extension) and not (
        extension == "jpg" and base.lower().endswith(".jpeg")
    ):
        base = f"{base}.{extension}"
    return base


def check_upload(upload, limit):
    """(content type, SHA-256) of an upload, or the French refusal: none (400), larger
    than `limit` bytes (413), empty (400), of a type not accepted (415)."""
    if upload is None:
        raise InvalidInput(_("Aucun fichier reçu."), {"file": [_("Choisissez un fichier.")]})
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
                "Le fichier « %(name)s » n'est pas d'un type accepté (%(types)s). Le type est "
                "vérifié d'après le contenu du fichier, pas son nom."
            )
            % {"name": upload.name, "types": ALLOWED_LABEL}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return content_type, digest.hexdigest()


def download_response(stored_file, name, content_type, missing):
    """Stream a stored file as a download (never rendered inline by the browser);
    `missing`: the French message when the file is gone from the storage."""
    try:
        handle = stored_file.open("rb")
    except (FileNotFoundError, OSError):
        raise NotFound(missing) from None
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
