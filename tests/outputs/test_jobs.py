"""Background generations: progress, download, failure, reuse, and the real database worker."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from accounts.models import ApiToken
from outputs.domain import jobs
from outputs.models import OutputJob
from tests.factories import CampaignFactory


def bearer(user):
    _token, raw = ApiToken.issue(user)
    return {"Authorization": f"Bearer {raw}"}


def test_letters_zip_job_records_progress_and_file(scenario, campaign, instructor):
    job = jobs.start_job(instructor, campaign, OutputJob.Kind.LETTERS_ZIP)
    job.refresh_from_db()
    assert job.status == OutputJob.Status.DONE
    assert (job.done, job.total) == (2, 2)
    assert job.percent == 100
    assert job.filename.startswith("courriers-bretagne-2025-") and job.filename.endswith(".zip")
    assert job.requested_by == instructor and job.finished_at is not None
    assert job.file.name.startswith(f"outputs/{campaign.pk}/")
    with job.file.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as archive:
        assert len(archive.namelist()) == 2


def test_jobs_page_shows_progress_and_download_link(client, scenario, campaign, decider):
    client.force_login(decider)
    response = client.post(f"/campagnes/{campaign.slug}/courriers/zip/")
    job = OutputJob.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/campagnes/{campaign.slug}/courriers/#job-{job.pk}")
    html = client.get(f"/campagnes/{campaign.slug}/courriers/").content.decode()
    assert f'id="job-{job.pk}"' in html
    assert f'data-job-status-url="/campagnes/{campaign.slug}/generations/{job.pk}/"' in html
    assert "2/2" in html and "Terminé" in html
    assert f'href="/campagnes/{campaign.slug}/generations/{job.pk}/fichier/"' in html
    assert 'src="/static/js/jobs.js"' in html
    assert "<script>" not in html and " style=" not in html
    status = client.get(f"/campagnes/{campaign.slug}/generations/{job.pk}/").json()
    assert status["status"] == "done" and (status["done"], status["total"]) == (2, 2)
    assert status["download_url"] == f"/campagnes/{campaign.slug}/generations/{job.pk}/fichier/"
    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert 'attachment; filename="courriers-bretagne-2025-' in download["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert len(archive.namelist()) == 2


def test_pending_job_is_polled_then_reused(client, scenario, campaign, instructor):
    pending = OutputJob.objects.create(
        campaign=campaign, kind=OutputJob.Kind.LETTERS_ZIP, requested_by=instructor, total=2
    )
    client.force_login(instructor)
    status = client.get(f"/campagnes/{campaign.slug}/generations/{pending.pk}/").json()
    assert status["status"] == "pending" and status["download_url"] is None
    assert (
        client.get(f"/campagnes/{campaign.slug}/generations/{pending.pk}/fichier/").status_code
        == 409
    )
    api = client.get(
        f"/api/v1/campaigns/{campaign.slug}/jobs/{pending.pk}", headers=bearer(instructor)
    )
    assert api.status_code == 202 and api.json()["status"] == "pending"
    # Asking again while one runs does not start a second generation.
    assert jobs.start_job(instructor, campaign, OutputJob.Kind.LETTERS_ZIP) == pending
    assert OutputJob.objects.count() == 1


def test_failed_job_reports_a_french_error(client, scenario, campaign, instructor):
    # A template file damaged on the storage after its validation.
    campaign.letter_template.save("modele.docx", ContentFile(b"pas un docx"))
    job = jobs.start_job(instructor, campaign, OutputJob.Kind.LETTERS_ZIP)
    job.refresh_from_db()
    assert job.status == OutputJob.Status.FAILED
    assert job.error.startswith("La génération a échoué")
    response = client.get(
        f"/api/v1/campaigns/{campaign.slug}/jobs/{job.pk}", headers=bearer(instructor)
    )
    assert response.status_code == 409
    assert response.json()["detail"].startswith("La génération a échoué")
    client.force_login(instructor)
    html = client.get(f"/campagnes/{campaign.slug}/courriers/").content.decode()
    assert "Échec" in html and "La génération a échoué" in html


def test_large_export_runs_in_the_background(client, scenario, campaign, instructor, settings):
    settings.OUTPUTS_EXPORT_SYNC_MAX_ROWS = 3  # the scenario has 4 project sheets
    client.force_login(instructor)
    response = client.post(f"/campagnes/{campaign.slug}/exports/", {"format": "xlsx"})
    job = OutputJob.objects.get()
    assert response.status_code == 302 and job.kind == OutputJob.Kind.DECISIONS_XLSX
    assert job.status == OutputJob.Status.DONE and (job.done, job.total) == (2, 2)
    download = client.get(f"/campagnes/{campaign.slug}/generations/{job.pk}/fichier/")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert book["Décisions"].max_row == 6  # header, 4 project sheets, totals


def test_api_export_above_threshold_answers_202_then_the_file(
    client, scenario, campaign, decider, settings
):
    settings.OUTPUTS_EXPORT_SYNC_MAX_ROWS = 3
    headers = bearer(decider)
    response = client.get(
        f"/api/v1/campaigns/{campaign.slug}/exports/decisions.ods", headers=headers
    )
    assert response.status_code == 202
    location = response["Location"]
    job = OutputJob.objects.get()
    assert location == f"http://testserver/api/v1/campaigns/{campaign.slug}/jobs/{job.pk}"
    assert response.json()["kind"] == "decisions_ods"
    ready = client.get(location, headers=headers)
    assert ready.status_code == 200
    assert ready["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert b"".join(ready.streaming_content)[:2] == b"PK"


def test_api_letters_zip_answers_202_then_200_with_the_zip(client, scenario, campaign, caresp):
    headers = bearer(caresp)
    response = client.get(f"/api/v1/campaigns/{campaign.slug}/letters.zip", headers=headers)
    assert response.status_code == 202
    body = response.json()
    assert body["kind"] == "letters_zip" and body["total"] == 2
    ready = client.get(response["Location"], headers=headers)
    assert ready.status_code == 200 and ready["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(ready.streaming_content)))
    assert len(archive.namelist()) == 2


def test_letters_zip_without_decided_dossier_is_a_conflict(client, campaign, instructor):
    response = client.get(
        f"/api/v1/campaigns/{campaign.slug}/letters.zip", headers=bearer(instructor)
    )
    assert response.status_code == 409
    assert (
        response.json()["detail"] == "Aucun dossier n'est encore décidé : aucun courrier à générer."
    )


def test_job_of_another_campaign_is_not_found(client, scenario, campaign, instructor):
    other = CampaignFactory(slug="pays-de-la-loire-2025")
    job = jobs.start_job(instructor, campaign, OutputJob.Kind.DECISIONS_CSV)
    response = client.get(
        f"/api/v1/campaigns/{other.slug}/jobs/{job.pk}", headers=bearer(instructor)
    )
    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_db_worker_processes_a_queued_job(settings, scenario, campaign, instructor):
    """The real django-tasks-db backend: the job waits in the queue until `db_worker` runs."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = jobs.start_job(instructor, campaign, OutputJob.Kind.LETTERS_ZIP)
    assert job.status == OutputJob.Status.PENDING
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay")
    job.refresh_from_db()
    assert job.status == OutputJob.Status.DONE and job.total == 2
