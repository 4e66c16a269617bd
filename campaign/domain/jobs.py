"""Long generations (all letters as a ZIP, large exports) run in the background.

`start_job` records an OutputJob and enqueues `campaign.tasks.run_output_job`
(django-tasks: the database backend and `manage.py db_worker` in production,
the immediate backend in tests). The task writes its progress (done/total) as it
goes; the file is stored privately and downloaded through a permission-checked
view. A job of the same kind still pending or running is reused rather than
duplicated."""

import datetime as dt
import logging
import tempfile
import time

from django.core.files import File
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.rules import can_export_campaign
from common.errors import NotFound, PermissionDenied

logger = logging.getLogger(__name__)

# A pending/running job older than this is considered lost (worker stopped): not reused.
REUSE_WINDOW = dt.timedelta(minutes=30)
PROGRESS_EVERY_SECONDS = 0.5


def _kinds():
    from campaign.models import OutputJob

    return OutputJob.Kind


def kind_for_format(fmt):
    return {
        "xlsx": _kinds().DECISIONS_XLSX,
        "ods": _kinds().DECISIONS_ODS,
        "csv": _kinds().DECISIONS_CSV,
    }[fmt]


def check_can_export(user, campaign):
    if not can_export_campaign.test(user, campaign):
        raise PermissionDenied(
            _("Les exports et les courriers sont réservés à l'ARS et à la CARESP.")
        )


def start_job(user, campaign, kind):
    """Record and enqueue a generation; return the OutputJob (possibly an existing one)."""
    from campaign.models import OutputJob
    from campaign.tasks import run_output_job

    check_can_export(user, campaign)
    if kind not in OutputJob.Kind.values:
        raise NotFound(_("Génération inconnue."))
    running = (
        OutputJob.objects.filter(
            campaign=campaign,
            kind=kind,
            status__in=[OutputJob.Status.PENDING, OutputJob.Status.RUNNING],
            created_at__gte=timezone.now() - REUSE_WINDOW,
        )
        .order_by("-created_at")
        .first()
    )
    if running is not None:
        return running
    job = OutputJob.objects.create(campaign=campaign, kind=kind, requested_by=user)
    run_output_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


def get_job(user, campaign, job_id):
    from campaign.models import OutputJob

    check_can_export(user, campaign)
    job = (
        OutputJob.objects.select_related("campaign", "requested_by")
        .filter(campaign=campaign, pk=job_id)
        .first()
    )
    if job is None:
        raise NotFound(_("Génération introuvable."))
    return job


def recent_jobs(campaign, kinds=None, limit=20):
    from campaign.models import OutputJob

    jobs = OutputJob.objects.filter(campaign=campaign).select_related("requested_by")
    if kinds:
        jobs = jobs.filter(kind__in=kinds)
    return list(jobs.order_by("-created_at", "-id")[:limit])


class _Progress:
    """Writes done/total to the job row, at most every PROGRESS_EVERY_SECONDS."""

    def __init__(self, job):
        self.job = job
        self.last = 0.0

    def __call__(self, done, total):
        from campaign.models import OutputJob

        now = time.monotonic()
        if done in (0, total) or now - self.last >= PROGRESS_EVERY_SECONDS:
            OutputJob.objects.filter(pk=self.job.pk).update(done=done, total=total)
            self.job.done, self.job.total = done, total
            self.last = now


def run_job(job_id):
    """The task body: generate the file of job `job_id` and record the outcome."""
    from campaign.domain import exports, letters
    from campaign.models import OutputJob

    job = OutputJob.objects.select_related("campaign").filter(pk=job_id).first()
    if job is None or job.status != OutputJob.Status.PENDING:
        return
    job.status = OutputJob.Status.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])
    progress = _Progress(job)
    try:
        if job.kind == OutputJob.Kind.LETTERS_ZIP:
            with tempfile.TemporaryFile() as handle:
                letters.write_letters_zip(job.campaign, handle, progress)
                handle.seek(0)
                job.filename = letters.zip_filename(job.campaign)
                job.file.save(job.filename, File(handle), save=False)
        else:
            fmt = job.kind.removeprefix("decisions_")
            filename, _content_type, data = exports.export_decisions(
                job.campaign, fmt, progress=progress
            )
            job.filename = filename
            job.file.save(filename, ContentFile(data), save=False)
        job.status = OutputJob.Status.DONE
        job.done = job.total = max(job.total, job.done, 1)
    except Exception as exc:
        logger.exception("Génération %s en échec", job.pk)
        job.status = OutputJob.Status.FAILED
        job.error = _("La génération a échoué : %(detail)s") % {"detail": exc}
    job.finished_at = timezone.now()
    job.save()


def job_status(job, download_url=None):
    """What the interface and the API show while polling."""
    return {
        "id": job.pk,
        "kind": job.kind,
        "kind_label": str(job.get_kind_display()),
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "error": job.error or None,
        "filename": job.filename or None,
        "download_url": download_url if job.status == job.Status.DONE else None,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }
