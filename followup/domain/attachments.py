"""A report's attachments (the CAR'sp survey's organisation chart, governance papers,
programmes…): type recognised from the content, size-limited and hashed by
common.files, as for the dossier's."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import InvalidInput, NotFound
from common.files import check_upload, download_response, safe_name
from followup.domain.editing import lock_for_edit
from followup.domain.types import report_type
from followup.models import ReportAttachment

MAX_ATTACHMENTS = 50


def add_attachment(report, user, upload, section):
    rtype = report_type(report.kind)
    target = rtype.section(section)
    if target is None or not target.attachments:
        message = _("Cette étape du rapport ne reçoit pas de pièce jointe.")
        raise InvalidInput(message, {"section": [message]})
    content_type, sha256 = check_upload(upload, settings.ATTACHMENT_MAX_BYTES)
    with transaction.atomic():
        locked = lock_for_edit(report, user)
        if locked.attachments.filter(removed_at__isnull=True).count() >= MAX_ATTACHMENTS:
            message = _("Au plus %(n)d pièces jointes par rapport.") % {"n": MAX_ATTACHMENTS}
            raise InvalidInput(message, {"file": [message]})
        attachment = ReportAttachment(
            report=locked,
            section=section,
            name=safe_name(upload.name, content_type),
            size=upload.size,
            content_type=content_type,
            sha256=sha256,
            uploaded_by=user,
        )
        attachment.file.save("upload", upload, save=False)
        attachment.save()
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=["version", "updated_at"])
    return attachment


def delete_attachment(report, user, attachment_id):
    """Removed from the report; kept stored once a remittance's snapshot lists it."""
    with transaction.atomic():
        locked = lock_for_edit(report, user)
        attachment = locked.attachments.filter(pk=attachment_id, removed_at__isnull=True).first()
        if attachment is None:
            raise NotFound(_("Pièce jointe introuvable."))
        if locked.snapshots.exists():
            attachment.removed_at = timezone.now()
            attachment.save(update_fields=["removed_at"])
        else:
            stored, storage = attachment.file.name, attachment.file.storage
            attachment.delete()
            transaction.on_commit(lambda: storage.delete(stored))
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=["version", "updated_at"])


def file_response(attachment):
    return download_response(
        attachment.file,
        attachment.name,
        attachment.content_type,
        _("Le fichier de cette pièce jointe est introuvable."),
    )
