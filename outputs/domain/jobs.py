"""Long generations (all letters as a ZIP, large exports) run in the background.

`start_job` records an OutputJob and enqueues `generation.run_output_job`
(django-tasks: the database backend and `manage.py db_worker` in production,
the immediate backend in tests), which writes its progress (done/total) as it goes; the file is stored privately and downloaded through a permission-checked
view. A job of the same kind still pending or running is reused rather than
duplicated."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import Forbidden, NotFound
from outputs.domain import exports
from outputs.domain.generation import run_output_job
from outputs.domain.maintenance import requeue_stale_jobs
from outputs.models import OutputJob
from outputs.rules import can_export_campaign

JOB_CONTENT_TYPES = {
    OutputJob.Kind.LETTERS_ZIP: "application/zip",
    OutputJob.Kind.DECISIONS_XLSX: exports.FORMATS["xlsx"],
    OutputJob.Kind.DECISIONS_ODS: exports.FORMATS["ods"],
    OutputJob.Kind.DECISIONS_CSV: exports.FORMATS["csv"],
}
EXPORT_JOB_KINDS = [
    OutputJob.Kind.DECISIONS_XLSX,
    OutputJob.Kind.DECISIONS_ODS,
    OutputJob.Kind.DECISIONS_CSV,
]
# A pending/running job older than this is considered lost (worker stopped): not reused.
REUSE_WINDOW = dt.timedelta(minutes=30)


def kind_for_format(fmt):
    return {
        "xlsx": OutputJob.Kind.DECISIONS_XLSX,
        "ods": OutputJob.Kind.DECISIONS_ODS,
        "csv": OutputJob.Kind.DECISIONS_CSV,
    }[fmt]


def check_can_export(user, campaign):
    if not can_export_campaign.test(user, campaign):
        raise Forbidden(_("Les exports et les courriers sont réservés à l'ARS et à la CARESP."))


def start_job(user, campaign, kind):
    """Record and enqueue a generation; return the OutputJob (possibly an existing one)."""

    check_can_export(user, campaign)
    if kind not in OutputJob.Kind.values:
        raise NotFound(_("Génération inconnue."))
    # A job left running by a dead worker is queued again (and then reused) rather than
    # blocking this request until the reuse window ends.
    requeue_stale_jobs(campaign=campaign)
    running = (
        _own(OutputJob.objects.all(), user)
        .filter(
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


def _own(queryset, user):
    """An export's content depends on who asked for it (decision 0021): its job is
    reused, listed and downloaded by that person only. A ZIP of letters (decided
    dossiers, the same for every staff member) is shared by the campaign's staff."""
    return queryset.filter(~Q(kind__in=EXPORT_JOB_KINDS) | Q(requested_by_id=user.pk))


def get_job(user, campaign, job_id):
    check_can_export(user, campaign)
    job = (
        _own(OutputJob.objects.select_related("campaign", "requested_by"), user)
        .filter(campaign=campaign, pk=job_id)
        .first()
    )
    if job is None:
        raise NotFound(_("Génération introuvable."))
    return job


def recent_jobs(campaign, kinds=None, limit=20, *, user):
    jobs = _own(OutputJob.objects.filter(campaign=campaign), user).select_related("requested_by")
    if kinds:
        jobs = jobs.filter(kind__in=kinds)
    return list(jobs.order_by("-created_at", "-id")[:limit])


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
