"""Upkeep of the background generations (docs/decisions/0027): a job whose worker died
is queued again, generated files are deleted after a retention period.

Run by `python manage.py maintain_outputs` (cron, or once to start the periodic task
`maintain_outputs_task`, which runs it again every OUTPUT_MAINTENANCE_EVERY), and for a
campaign's jobs whenever someone asks for a generation (outputs.domain.jobs.start_job),
so that a dead worker never blocks a request for long."""

import datetime as dt
import logging

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from outputs.domain.generation import run_output_job
from outputs.models import OutputJob

logger = logging.getLogger(__name__)

# The worker writes its heartbeat at every step (at most every 0.5 s); a single step
# (a letter: 10 s at most; an export) never takes this long.
HEARTBEAT_TIMEOUT = dt.timedelta(minutes=5)
# A job whose worker died this many times is failed rather than tried again.
MAX_ATTEMPTS = 3
OUTPUTS_DIR = "outputs"


def retention():
    return dt.timedelta(days=settings.OUTPUT_RETENTION_DAYS)


def stale_jobs(now=None, campaign=None):
    """Running jobs whose heartbeat stopped more than HEARTBEAT_TIMEOUT ago."""
    limit = (now or timezone.now()) - HEARTBEAT_TIMEOUT
    jobs = OutputJob.objects.filter(status=OutputJob.Status.RUNNING, heartbeat_at__lt=limit)
    return jobs.filter(campaign=campaign) if campaign is not None else jobs


def requeue_stale_jobs(now=None, campaign=None):
    """Queue again each job left running by a dead worker (or fail it after
    MAX_ATTEMPTS); return (requeued, failed) counts."""
    now = now or timezone.now()
    requeued = failed = 0
    for job_id in list(stale_jobs(now, campaign).values_list("pk", flat=True)):
        with transaction.atomic():
            job = stale_jobs(now, campaign).select_for_update().filter(pk=job_id).first()
            if job is None:  # finished or taken meanwhile
                continue
            if job.attempts >= MAX_ATTEMPTS:
                job.status = OutputJob.Status.FAILED
                job.error = _(
                    "La génération a été interrompue %(n)d fois (processus arrêté) : "
                    "relancez-la ou prévenez l'administrateur."
                ) % {"n": job.attempts}
                job.finished_at = now
                job.save(update_fields=["status", "error", "finished_at"])
                failed += 1
                continue
            job.status = OutputJob.Status.PENDING
            job.done = 0
            job.save(update_fields=["status", "done"])
            # Same transaction as the job's row: the worker sees both or neither.
            run_output_job.enqueue(job.pk)
            requeued += 1
            logger.warning("Génération %s relancée : plus de signe de vie du processus", job.pk)
    return requeued, failed


def prune_outputs(now=None):
    """Delete the generations finished before the retention period, their files, and
    any file left under outputs/ by a generation that never finished; return the
    number of files deleted."""
    now = now or timezone.now()
    limit = now - retention()
    deleted = 0
    old = OutputJob.objects.filter(finished_at__lt=limit).exclude(
        status__in=[OutputJob.Status.PENDING, OutputJob.Status.RUNNING]
    )
    for job in old:
        if job.file:
            job.file.delete(save=False)
            deleted += 1
        job.delete()
    kept = set(OutputJob.objects.exclude(file="").values_list("file", flat=True))
    for name in _stored_files(default_storage, OUTPUTS_DIR):
        if name in kept:
            continue
        try:
            modified = default_storage.get_modified_time(name)
        except (OSError, NotImplementedError):
            continue
        if modified < limit:
            default_storage.delete(name)
            deleted += 1
    return deleted


def _stored_files(storage, folder):
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _stored_files(storage, f"{folder}/{sub}")


def maintain(now=None):
    """Both at once: {"requeued", "failed", "pruned"}."""
    requeued, failed = requeue_stale_jobs(now)
    return {"requeued": requeued, "failed": failed, "pruned": prune_outputs(now)}


@task()
def maintain_outputs_task():
    """The periodic task: maintain, then schedule the next run (backends that can defer
    a task, i.e. the database one; `manage.py maintain_outputs --schedule` starts it)."""
    try:
        return maintain()
    finally:
        # Even after a failure: the chain of runs must not stop.
        schedule_maintenance()


def schedule_maintenance(now=None):
    """Queue the next run of maintain_outputs_task, unless one is already queued.
    Returns True when one was queued."""
    if not maintain_outputs_task.get_backend().supports_defer:
        return False
    if _maintenance_already_queued():
        return False
    every = dt.timedelta(minutes=settings.OUTPUT_MAINTENANCE_EVERY_MINUTES)
    maintain_outputs_task.using(run_after=(now or timezone.now()) + every).enqueue()
    return True


def _maintenance_already_queued():
    """A run of the task still waiting in the database queue (django-tasks-db)."""
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=maintain_outputs_task.module_path
    ).exists()
