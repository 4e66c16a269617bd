"""Files on S3-compatible object storage (django-storages) when a bucket is named:
uploads and generated outputs go to the bucket, never to the local folder, and come
back through the same permission-checked views."""

import io
import zipfile

import pytest

from config.settings import default_storage_settings
from dossiers.models import Attachment
from outputs.domain import jobs
from outputs.models import OutputJob
from tests.api_client import PDF
from tests.deploy.conftest import bucket_keys
from tests.factories import DossierFactory, decided_dossier


def test_local_folder_without_a_bucket():
    assert default_storage_settings({}) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }


def test_bucket_and_endpoint_from_the_environment():
    storage = default_storage_settings(
        {
            "AWS_STORAGE_BUCKET_NAME": "filieres-prod",
            "S3_ENDPOINT_URL": "https://s3.fr-par.example",
            "AWS_S3_REGION_NAME": "fr-par",
            "AWS_LOCATION": "medias",
        }
    )
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "filieres-prod"
    assert options["endpoint_url"] == "https://s3.fr-par.example"
    assert options["region_name"] == "fr-par" and options["location"] == "medias"
    # Private objects, names never overwritten, no credentials in the settings.
    assert options["default_acl"] is None and options["file_overwrite"] is False
    assert not {"access_key", "secret_key"} & set(options)


def test_an_endpoint_without_a_bucket_is_refused():
    with pytest.raises(RuntimeError, match="AWS_STORAGE_BUCKET_NAME"):
        default_storage_settings({"S3_ENDPOINT_URL": "http://127.0.0.1:9000"})


def test_attachment_goes_to_the_bucket_and_comes_back(
    s3_bucket, s3_client, settings, api, filiere, lead
):
    dossier = DossierFactory(filiere=filiere)
    response = api.upload(f"dossiers/{dossier.id}/attachments", PDF, name="convention.pdf")
    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get(pk=response.json()["id"])
    # In the bucket, under the name the application chose; nothing on the local disk.
    assert bucket_keys(s3_client, s3_bucket) == [attachment.file.name]
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*.pdf"))
    download = api.get(f"dossiers/{dossier.id}/attachments/{attachment.pk}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")


def test_a_generated_output_is_stored_in_the_bucket(
    s3_bucket, s3_client, api_as, decider, campaign, filiere, lead
):
    campaign.signatory_name = "Élise Kervella"
    campaign.save()
    decided_dossier(filiere=filiere, lead=lead, decider=decider)
    job = jobs.start_job(decider, campaign, OutputJob.Kind.LETTERS_ZIP)  # immediate tasks
    job.refresh_from_db()
    assert job.status == OutputJob.Status.DONE, job.error
    assert job.file.name in bucket_keys(s3_client, s3_bucket)
    response = api_as(decider).get(f"campaigns/{campaign.slug}/jobs/{job.pk}")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert [name for name in archive.namelist() if name.endswith(".docx")]
