"""Background work (django-tasks; `python manage.py db_worker` runs it)."""

from django_tasks import task


@task()
def run_output_job(job_id: int):
    from campaign.domain.jobs import run_job

    run_job(job_id)
