"""The background task of the outputs: produce the file of an OutputJob, with its
progress, and record the outcome (django-tasks; `python manage.py db_worker` runs
`run_output_job`, enqueued by outputs.domain.jobs.start_job)."""

import logging
import tempfile
import time

from django.core.files import File
from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from outputs.domain import exports, letters
from outputs.models import OutputJob

logger = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 0.5


class _Progress:
    """Writes done/total to the job row, at most every PROGRESS_EVERY_SECONDS."""

    def __init__(self, job):
        self.job = job
        self.last = 0.0

    def __call__(self, done, total):
        now = time.monotonic()
        if done in (0, total) or now - self.last >= PROGRESS_EVERY_SECONDS:
            # Progress is also the worker's heartbeat (outputs.domain.maintenance).
            OutputJob.objects.filter(pk=self.job.pk).update(
                done=done, total=total, heartbeat_at=timezone.now()
            )
            self.job.done, self.job.total = done, total
            self.last = now


def run_job(job_id):
    """The task body: generate the file of job `job_id` and record the outcome."""

    now = timezone.now()
    # Claimed by one worker only, even when a job queued again meets its first task.
    claimed = OutputJob.objects.filter(pk=job_id, status=OutputJob.Status.PENDING).update(
        status=OutputJob.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return
    job = OutputJob.objects.select_related("campaign", "requested_by").get(pk=job_id)
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
                job.campaign, fmt, progress=progress, reader=_reader(job)
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


def _reader(job):
    """An export job shows what the person who asked for it may see (decision 0021);
    without that person any more, only what every staff member may."""
    if job.requested_by is None:
        return exports.ExportReader(all_proposals=False, budget=False, scored=frozenset())
    return exports.reader_for(job.requested_by, job.campaign)


@task()
def run_output_job(job_id: int):
    run_job(job_id)
