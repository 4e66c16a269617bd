"""Attachments through the API: types checked by content, 20 MB limit, downloads."""

import io
import zipfile

import pytest

from dossiers.models import Attachment
from tests.api_client import PDF, PNG, docx_bytes
from tests.factories import DossierFactory, ProjectFactory

MB = 1024 * 1024


def zip_bytes(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
XLSX = zip_bytes({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
ODT = zip_bytes({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"})
ODS = zip_bytes(
    {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}
)


@pytest.fixture
def dossier(filiere, lead):
    return DossierFactory(filiere=filiere)


@pytest.mark.parametrize(
    "name, content, content_type, stored_name",
    [
        ("convention.pdf", PDF, "application/pdf", "convention.pdf"),
        ("carte.png", PNG, "image/png", "carte.png"),
        ("photo.jpeg", JPEG, "image/jpeg", "photo.jpeg"),
        ("budget.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "budget.xlsx"),
        ("lettre.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "lettre.docx"),
        ("note.odt", ODT, "application/vnd.oasis.opendocument.text", "note.odt"),
        ("tableau.ods", ODS, "application/vnd.oasis.opendocument.spreadsheet", "tableau.ods"),
        # Named wrongly but really a PDF: accepted, the name gets the right extension.
        ("script.exe", PDF, "application/pdf", "script.exe.pdf"),
        ("sans-extension", PNG, "image/png", "sans-extension.png"),
    ],
)  # fmt: skip
def test_accepted_types_by_content(api, dossier, name, content, content_type, stored_name):
    response = api.upload(f"dossiers/{dossier.id}/attachments", content, name=name)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "name", "size", "content_type"}
    assert body["name"] == stored_name
    assert body["size"] == len(content)
    assert body["content_type"] == content_type
    download = api.get(f"dossiers/{dossier.id}/attachments/{body['id']}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Type"] == content_type
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "name, content",
    [
        ("rapport.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100),  # a Windows executable
        ("page.pdf", b"<html><script>alert(1)</script></html>"),
        ("image.png", b"GIF89a\x01\x00\x01\x00"),
        ("lettre.docx", zip_bytes({"[Content_Types].xml": "<Types/>", "evil.sh": "rm -rf /"})),
        ("archive.odt", zip_bytes({"mimetype": "application/zip", "content.xml": "<x/>"})),
        ("faux.docx", b"PK\x03\x04" + b"\x00" * 50),  # truncated zip
        ("texte.pdf", b"Ceci n'est pas un PDF"),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>'),
    ],
)
def test_disguised_files_are_415(api, dossier, name, content):
    response = api.upload(f"dossiers/{dossier.id}/attachments", content, name=name)
    assert response.status_code == 415, response.json()
    assert "d'après le contenu" in response.json()["detail"]
    assert not Attachment.objects.exists()


def test_oversize_upload_is_413_json(api, dossier):
    content = b"%PDF-1.4\n" + b"0" * (21 * MB)
    response = api.upload(f"dossiers/{dossier.id}/attachments", content, name="gros.pdf")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "20 Mo" in response.json()["detail"]
    assert not Attachment.objects.exists()


def test_one_byte_over_20_mb_is_413_and_20_mb_is_accepted(api, dossier):
    limit = 20 * MB
    over = api.upload(
        f"dossiers/{dossier.id}/attachments", b"%PDF-" + b"0" * (limit - 4), name="a.pdf"
    )
    assert over.status_code == 413
    exact = api.upload(
        f"dossiers/{dossier.id}/attachments", b"%PDF-" + b"0" * (limit - 5), name="b.pdf"
    )
    assert exact.status_code == 201
    assert exact.json()["size"] == limit


def test_json_body_over_the_request_limit_is_413(api, dossier):
    raw = b'{"title": "' + b"x" * (26 * MB) + b'"}'
    response = api.post(f"dossiers/{dossier.id}/projects", raw=raw)
    assert response.status_code == 413
    assert set(response.json()) == {"detail", "errors"}


def test_missing_file_unknown_section_and_empty_file_are_400(api, dossier):
    url = f"dossiers/{dossier.id}/attachments"
    missing = api.upload(url, None)
    assert missing.status_code == 400
    assert "file" in missing.json()["errors"]
    unknown = api.upload(url, PDF, section="annexes")
    assert unknown.status_code == 400
    assert "section" in unknown.json()["errors"]
    no_section = api.client.post(api.url(url), {"file": io.BytesIO(PDF)}, headers=api.headers)
    assert no_section.status_code == 400
    assert "section" in no_section.json()["errors"]
    empty = api.upload(url, b"")
    assert empty.status_code == 400
    assert not Attachment.objects.exists()


def test_attachment_on_a_project(api, dossier):
    project = ProjectFactory(dossier=dossier)
    url = f"dossiers/{dossier.id}/attachments"
    response = api.upload(url, PDF, section="identity", project=str(project.id))
    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert (attachment.project, attachment.section) == (project, "projects")
    foreign = ProjectFactory()
    assert api.upload(url, PDF, section="projects", project=str(foreign.id)).status_code == 404
    assert api.upload(url, PDF, section="projects", project="abc").status_code == 400
    document = api.get(f"dossiers/{dossier.id}").json()
    assert document["attachments"][0]["project"] == project.id


def test_download_of_another_dossiers_attachment_is_404(api, api_as, dossier, other_lead):
    other = DossierFactory(filiere=dossier.campaign.filieres.get(slug="cornouaille"))
    response = api_as(other_lead).upload(f"dossiers/{other.id}/attachments", PDF)
    assert response.status_code == 201
    aid = response.json()["id"]
    # Through the lead's own dossier URL, or directly: both unknown to the lead.
    assert api.get(f"dossiers/{dossier.id}/attachments/{aid}").status_code == 404
    assert api.get(f"dossiers/{other.id}/attachments/{aid}").status_code == 404
    assert api_as(other_lead).get(f"dossiers/{other.id}/attachments/{aid}").status_code == 200


def test_missing_stored_file_is_404_not_500(api, dossier):
    response = api.upload(f"dossiers/{dossier.id}/attachments", PDF)
    attachment = Attachment.objects.get(pk=response.json()["id"])
    attachment.file.storage.delete(attachment.file.name)
    download = api.get(f"dossiers/{dossier.id}/attachments/{attachment.id}")
    assert download.status_code == 404
