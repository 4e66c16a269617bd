"""Uploads capped before they are spooled (common.uploads, ADR 0026): past the limit
nothing more is written to disk, the temporary file is removed, and the user gets the
usual 413 / French message (API and pages)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.urls import reverse

from common.uploads import CappedTemporaryFileUploadHandler, RefusedUpload
from dossiers.models import Attachment
from tests.factories import DossierFactory

KB = 1024


@pytest.fixture
def spooled(monkeypatch, settings):
    """Bytes written to temporary upload files during the request, and files left open."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every file goes through the temporary handler
    settings.FILE_UPLOAD_MAX_BYTES = settings.ATTACHMENT_MAX_BYTES = 256 * KB
    written = {"bytes": 0, "files": []}
    original_init = TemporaryUploadedFile.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        written["files"].append(self)
        raw_write = self.file.write

        def write(data):
            written["bytes"] += len(data)
            return raw_write(data)

        self.file.write = write

    monkeypatch.setattr(TemporaryUploadedFile, "__init__", init)
    return written


@pytest.fixture
def dossier(filiere, lead):
    return DossierFactory(filiere=filiere)


def big_pdf(size):
    return b"%PDF-1.4\n" + b"0" * (size - 9)


def test_api_upload_past_the_limit_is_413_and_never_spooled_whole(api, dossier, spooled):
    response = api.upload(f"dossiers/{dossier.id}/attachments", big_pdf(4096 * KB), name="g.pdf")
    assert response.status_code == 413
    assert "g.pdf" in response.json()["detail"] and "Mo" in response.json()["detail"]
    # At most the limit was written, then the temporary file was closed (deleted).
    assert spooled["bytes"] <= 256 * KB
    assert all(f.closed for f in spooled["files"])
    assert not Attachment.objects.exists()


def test_api_upload_at_the_limit_is_accepted(api, dossier, spooled):
    response = api.upload(f"dossiers/{dossier.id}/attachments", big_pdf(256 * KB), name="a.pdf")
    assert response.status_code == 201, response.json()
    assert response.json()["size"] == 256 * KB
    assert spooled["bytes"] == 256 * KB


def test_page_upload_past_the_limit_is_refused_with_the_message(client, lead, dossier, spooled):
    client.force_login(lead)
    back = reverse("dossiers:detail", args=[dossier.pk]) + "#pj"
    response = client.post(
        reverse("dossiers:attachment_upload", args=[dossier.pk]),
        {
            "file": SimpleUploadedFile("enorme.pdf", big_pdf(2048 * KB)),
            "section": "identity",
            "next": back,
        },
        follow=True,
    )
    assert "dépasse la taille maximale" in response.content.decode()
    assert spooled["bytes"] <= 256 * KB
    assert not Attachment.objects.exists()


def test_the_cap_covers_the_request_not_each_file(rf, settings):
    """Two files of a request share the cap: a form takes one file, never a pile of them."""
    settings.FILE_UPLOAD_MAX_BYTES = 100
    handler = CappedTemporaryFileUploadHandler(rf.post("/"))
    results = []
    for name in ("a.pdf", "b.pdf"):
        handler.new_file("file", name, "application/pdf", 60)
        handler.receive_data_chunk(b"x" * 60, 0)
        results.append(handler.file_complete(60))
    assert results[0].size == 60 and not isinstance(results[0], RefusedUpload)
    assert isinstance(results[1], RefusedUpload) and results[1].size == 60
    assert results[1].read() == b""
