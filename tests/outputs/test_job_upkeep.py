"""Upkeep of the background generations (outputs.domain.maintenance, ADR 0027): the
worker's heartbeat, a dead worker's job queued again, files pruned after the retention
period, the command and the periodic task."""

import datetime as dt
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from outputs.domain import jobs, maintenance
from outputs.domain.generation import run_job, run_output_job
from outputs.models import OutputJob


def stale_running(campaign, user, *, minutes=10, attempts=1, kind=OutputJob.Kind.LETTERS_ZIP):
    """A job a worker started, then died: its heartbeat stopped `minutes` ago."""
    then = timezone.now() - dt.timedelta(minutes=minutes)
    return OutputJob.objects.create(
        campaign=campaign,
        kind=kind,
        requested_by=user,
        status=OutputJob.Status.RUNNING,
        started_at=then,
        heartbeat_at=then,
        attempts=attempts,
        done=1,
        total=2,
    )


def test_the_worker_writes_its_heartbeat(scenario, campaign, instructor):
    before = timezone.now()
    job = jobs.start_job(instructor, campaign, OutputJob.Kind.LETTERS_ZIP)
    job.refresh_from_db()
    assert job.status == OutputJob.Status.DONE
    assert job.heartbeat_at >= before and job.attempts == 1


def test_a_dead_workers_job_is_queued_again_instead_of_blocking(
    settings, scenario, campaign, instructor
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    dead = stale_running(campaign, instructor)
    job = jobs.start_job(instructor, campaign, OutputJob.Kind.LETTERS_ZIP)
    assert job.pk == dead.pk  # the same job, queued again for the next worker
    assert job.status == OutputJob.Status.PENDING and job.done == 0
    queued = DBTaskResult.objects.get(task_path=run_output_job.module_path)
    assert queued.args_kwargs["args"] == [dead.pk]
    run_job(dead.pk)  # what the next worker does
    job.refresh_from_db()
    assert job.status == OutputJob.Status.DONE and job.file and job.attempts == 2
    assert OutputJob.objects.count() == 1


def test_a_job_with_a_recent_heartbeat_is_left_alone(scenario, campaign, instructor):
    alive = stale_running(campaign, instructor, minutes=1)
    assert maintenance.requeue_stale_jobs() == (0, 0)
    assert jobs.start_job(instructor, campaign, OutputJob.Kind.LETTERS_ZIP).pk == alive.pk
    alive.refresh_from_db()
    assert alive.status == OutputJob.Status.RUNNING and alive.attempts == 1


def test_a_job_whose_worker_died_three_times_fails_with_a_message(campaign, instructor):
    job = stale_running(campaign, instructor, attempts=maintenance.MAX_ATTEMPTS)
    assert maintenance.requeue_stale_jobs() == (0, 1)
    job.refresh_from_db()
    assert job.status == OutputJob.Status.FAILED
    assert "interrompue 3 fois" in job.error and job.finished_at is not None


def test_the_command_requeues_and_says_so(scenario, campaign, instructor, capsys):
    dead = stale_running(campaign, instructor)
    call_command("maintain_outputs")
    assert "1 génération(s) relancée(s)" in capsys.readouterr().out
    dead.refresh_from_db()
    assert dead.status == OutputJob.Status.DONE


def age(name, days):
    path = default_storage.path(name)
    when = (timezone.now() - dt.timedelta(days=days)).timestamp()
    os.utime(path, (when, when))


def finished_job(campaign, user, days_ago, name):
    job = OutputJob.objects.create(
        campaign=campaign,
        kind=OutputJob.Kind.DECISIONS_CSV,
        requested_by=user,
        status=OutputJob.Status.DONE,
        finished_at=timezone.now() - dt.timedelta(days=days_ago),
        filename=name,
    )
    job.file.save(name, ContentFile(b"a;b\n"), save=True)
    age(job.file.name, days_ago)
    return job


def test_files_are_pruned_after_the_retention_period(settings, campaign, instructor):
    settings.OUTPUT_RETENTION_DAYS = 7
    old = finished_job(campaign, instructor, 8, "ancien.csv")
    recent = finished_job(campaign, instructor, 2, "recent.csv")
    orphan_old = default_storage.save(f"outputs/{campaign.pk}/perdu/vieux.csv", ContentFile(b"x"))
    age(orphan_old, 30)
    orphan_new = default_storage.save(f"outputs/{campaign.pk}/encours/neuf.csv", ContentFile(b"x"))
    old_name = old.file.name
    result = maintenance.maintain()
    assert result["pruned"] == 2
    assert not default_storage.exists(old_name) and not OutputJob.objects.filter(pk=old.pk).exists()
    assert not default_storage.exists(orphan_old)
    assert default_storage.exists(recent.file.name) and default_storage.exists(orphan_new)
    recent.refresh_from_db()
    assert recent.status == OutputJob.Status.DONE


def test_the_periodic_task_is_scheduled_once(settings, db):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.OUTPUT_MAINTENANCE_EVERY_MINUTES = 15
    before = timezone.now()
    call_command("maintain_outputs", "--schedule")
    call_command("maintain_outputs", "--schedule")
    queued = DBTaskResult.objects.get(task_path=maintenance.maintain_outputs_task.module_path)
    assert queued.run_after >= before + dt.timedelta(minutes=14)
    # A run (by the worker) schedules the next one: still one waiting, never a pile.
    queued.delete()
    assert maintenance.maintain_outputs_task.call() == {"requeued": 0, "failed": 0, "pruned": 0}
    assert DBTaskResult.objects.filter(task_path=queued.task_path).count() == 1


@pytest.mark.parametrize("backend", ["django_tasks.backends.immediate.ImmediateBackend"])
def test_no_schedule_without_a_queue_that_can_wait(settings, db, backend):
    settings.TASKS = {"default": {"BACKEND": backend}}
    assert maintenance.schedule_maintenance() is False
