"""Attachments: upload checked by content and size, download only for who may see the
dossier, bytes unchanged, removal; the include on the pages."""

import io
import struct
import zipfile
import zlib

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dossiers.domain.attachments import add_attachment
from dossiers.enums import DossierState
from dossiers.models import Attachment
from tests.dossiers.conftest import ROLES, STAFF
from tests.factories import DossierFactory, ProjectFactory

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def png_bytes():
    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def docx_bytes():
    document = docx.Document()
    document.add_paragraph("Convention de partenariat de la filière")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes():
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Budget prévisionnel"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def odt_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    return buffer.getvalue()


def upload(client, dossier, name, content, section="identity", project=None, next_url=None):
    data = {"file": SimpleUploadedFile(name, content), "section": section}
    if project is not None:
        data["project"] = project.pk
    data["next"] = next_url or reverse("dossiers:detail", args=[dossier.pk]) + "#pj"
    return client.post(reverse("dossiers:attachment_upload", args=[dossier.pk]), data)


@pytest.mark.parametrize(
    "name,content,content_type",
    [
        ("convention.pdf", PDF, "application/pdf"),
        ("carte.png", png_bytes(), "image/png"),
        (
            "convention.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "budget.xlsx",
            xlsx_bytes(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("compte-rendu.odt", odt_bytes(), "application/vnd.oasis.opendocument.text"),
    ],
)
def test_real_files_are_accepted_and_downloaded_unchanged(
    dossier, as_role, name, content, content_type
):
    client = as_role("lead")
    response = upload(client, dossier, name, content)
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:detail", args=[dossier.pk]) + "#pj"
    attachment = Attachment.objects.get(dossier=dossier)
    assert (attachment.name, attachment.content_type, attachment.size) == (
        name,
        content_type,
        len(content),
    )
    page = client.get(response["Location"]).content.decode()
    assert f"Pièce jointe « {name} » ajoutée." in page
    download = client.get(reverse("dossiers:attachment_download", args=[dossier.pk, attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Type"] == content_type
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"] == f'attachment; filename="{name}"'


def error_after_upload(client, response):
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def test_executable_renamed_pdf_is_refused(dossier, as_role):
    client = as_role("lead")
    response = upload(client, dossier, "devis.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200)
    page = error_after_upload(client, response)
    assert "n&#x27;est pas d&#x27;un type accepté" in page
    assert "d&#x27;après le contenu du fichier, pas son nom" in page
    assert not Attachment.objects.exists()


def test_file_over_20_mb_is_refused(dossier, as_role):
    client = as_role("lead")
    content = PDF + b"0" * (20 * 1024 * 1024 + 1 - len(PDF))
    assert len(content) == 20 * 1024 * 1024 + 1
    response = upload(client, dossier, "annexes.pdf", content)
    page = error_after_upload(client, response)
    assert "dépasse la taille maximale de 20 Mo" in page
    assert not Attachment.objects.exists()


def test_file_of_exactly_20_mb_is_accepted(dossier, lead):
    content = PDF + b"0" * (20 * 1024 * 1024 - len(PDF))
    attachment = add_attachment(
        dossier, lead, SimpleUploadedFile("limite.pdf", content), "identity"
    )
    assert attachment.size == 20 * 1024 * 1024


def test_empty_or_missing_file_is_refused(dossier, as_role):
    client = as_role("lead")
    page = error_after_upload(client, upload(client, dossier, "vide.pdf", b""))
    assert "Le fichier est vide." in page
    response = client.post(
        reverse("dossiers:attachment_upload", args=[dossier.pk]), {"section": "identity"}
    )
    assert "Aucun fichier reçu." in error_after_upload(client, response)
    assert not Attachment.objects.exists()


def test_upload_never_redirects_off_site(dossier, as_role):
    client = as_role("lead")
    response = upload(client, dossier, "a.pdf", PDF, next_url="https://ailleurs.example/")
    assert response["Location"] == reverse("dossiers:detail", args=[dossier.pk])


def test_upload_to_a_project_sheet_shows_on_its_page(dossier, as_role):
    project = dossier.projects.get()
    client = as_role("lead")
    sheet = reverse("dossiers:project_edit", args=[dossier.pk, project.pk])
    response = upload(
        client, dossier, "devis.pdf", PDF, section="projects", project=project, next_url=sheet
    )
    assert response["Location"] == sheet
    attachment = Attachment.objects.get()
    assert (attachment.section, attachment.project_id) == ("projects", project.pk)
    page = client.get(sheet).content.decode()
    assert "devis.pdf" in page
    assert "fr-upload-group" in page
    assert "Taille maximale : 20 Mo" in page and "PDF, DOCX, XLSX, ODT, ODS, PNG ou JPG" in page
    # The general projects part does not list the sheet's file.
    listing = client.get(reverse("dossiers:projects", args=[dossier.pk])).content.decode()
    assert "devis.pdf" not in listing


UPLOAD_EXPECTED_DRAFT = {
    "lead": 302,
    "co_editor": 302,
    "other_lead": 404,
    **dict.fromkeys(STAFF, 404),
    "outsider": 404,
}


@pytest.mark.parametrize("role", ROLES)
def test_upload_by_role_on_a_draft(role, dossier, as_role, co_editor):
    response = upload(as_role(role), dossier, "a.pdf", PDF)
    assert response.status_code == UPLOAD_EXPECTED_DRAFT[role]
    assert Attachment.objects.exists() == (response.status_code == 302)


@pytest.mark.parametrize("role", ROLES)
def test_upload_by_role_on_a_submitted_dossier(role, in_state, as_role, co_editor):
    dossier = in_state(DossierState.SUBMITTED)
    response = upload(as_role(role), dossier, "a.pdf", PDF)
    page = response.content.decode()
    if role in ("lead", "co_editor"):
        assert response.status_code == 409
        assert "il ne peut plus être modifié" in page
    elif role in STAFF:
        assert response.status_code == 403
        assert "Seuls les porteurs de la filière" in page
    else:
        assert response.status_code == 404
    assert not Attachment.objects.exists()


def test_anonymous_upload_goes_to_login(dossier, client):
    response = upload(client, dossier, "a.pdf", PDF)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("state", [DossierState.DRAFT, DossierState.SUBMITTED])
@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_download_by_role(role, state, dossier, lead, in_state, as_role, co_editor):
    attachment = add_attachment(dossier, lead, SimpleUploadedFile("c.pdf", PDF), "diagnostic")
    dossier = in_state(state)
    response = as_role(role).get(
        reverse("dossiers:attachment_download", args=[dossier.pk, attachment.pk])
    )
    if role in ("lead", "co_editor") or (role in STAFF and state != DossierState.DRAFT):
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
    elif role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 404


def test_download_through_another_dossier_is_404(dossier, lead, other_lead, as_role):
    attachment = add_attachment(dossier, lead, SimpleUploadedFile("c.pdf", PDF), "identity")
    own = DossierFactory(filiere=other_lead.filieres.get())
    response = as_role("other_lead").get(
        reverse("dossiers:attachment_download", args=[own.pk, attachment.pk])
    )
    assert response.status_code == 404


def test_delete_while_draft_removes_the_file(dossier, lead, as_role):
    attachment = add_attachment(dossier, lead, SimpleUploadedFile("c.pdf", PDF), "identity")
    client = as_role("lead")
    url = reverse("dossiers:attachment_delete", args=[dossier.pk, attachment.pk])
    assert "Confirmer la suppression" in client.get(url).content.decode()
    response = client.post(url, {"next": reverse("dossiers:projects", args=[dossier.pk])})
    assert response["Location"] == reverse("dossiers:projects", args=[dossier.pk])
    assert not Attachment.objects.exists()


def test_delete_after_a_submission_keeps_the_file_for_the_snapshot(
    dossier, lead, in_state, as_role
):
    attachment = add_attachment(dossier, lead, SimpleUploadedFile("c.pdf", PDF), "identity")
    dossier = in_state(DossierState.RETURNED)
    client = as_role("lead")
    client.post(reverse("dossiers:attachment_delete", args=[dossier.pk, attachment.pk]))
    attachment.refresh_from_db()
    assert attachment.removed_at is not None
    download_url = reverse("dossiers:attachment_download", args=[dossier.pk, attachment.pk])
    detail = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Pièce jointe « c.pdf » supprimée." in detail
    assert download_url not in detail
    snapshot = client.get(reverse("dossiers:snapshot", args=[dossier.pk, 1])).content.decode()
    assert download_url in snapshot and "c.pdf" in snapshot
    download = client.get(download_url)
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize("role", ["instructor", "other_lead", "outsider"])
def test_delete_refused_to_others(role, dossier, lead, in_state, as_role):
    attachment = add_attachment(dossier, lead, SimpleUploadedFile("c.pdf", PDF), "identity")
    dossier = in_state(DossierState.SUBMITTED)
    response = as_role(role).post(
        reverse("dossiers:attachment_delete", args=[dossier.pk, attachment.pk])
    )
    assert response.status_code == (403 if role == "instructor" else 404)
    assert Attachment.objects.filter(removed_at__isnull=True).count() == 1


def test_delete_by_lead_after_submission_is_refused(dossier, lead, in_state, as_role):
    attachment = add_attachment(dossier, lead, SimpleUploadedFile("c.pdf", PDF), "identity")
    dossier = in_state(DossierState.SUBMITTED)
    response = as_role("lead").post(
        reverse("dossiers:attachment_delete", args=[dossier.pk, attachment.pk])
    )
    assert response.status_code == 409
    assert Attachment.objects.filter(removed_at__isnull=True).count() == 1


def test_include_is_read_only_for_staff_and_frozen_dossiers(dossier, lead, in_state, as_role):
    add_attachment(
        dossier, lead, SimpleUploadedFile("<img src=x onerror=alert(1)>.pdf", PDF), "swot"
    )
    client = as_role("lead")
    draft_page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    # identity, diagnostic, SWOT, the one project sheet, the projects part as a whole
    assert draft_page.count("fr-upload-group") == 5
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in draft_page and "<img src=x" not in draft_page
    dossier = in_state(DossierState.SUBMITTED)
    for role in ("lead", "instructor"):
        page = as_role(role).get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
        assert "fr-upload-group" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in page
        assert "Télécharger" in page and "Supprimer la pièce jointe" not in page


def test_each_upload_form_carries_its_own_part(dossier, as_role):
    """The upload form is rendered once per page and filled in for each part
    (dossier_display._upload_form_html): ids, section, project and return URL are each
    part's, the URL escaped."""
    first = dossier.projects.get()
    second = ProjectFactory(dossier=dossier, priority=2)
    client = as_role("lead")
    url = reverse("dossiers:detail", args=[dossier.pk])
    page = client.get(url + "?a=1&b=<x>").content.decode()
    for project in (first, second):
        anchor = f"pieces_jointes_projects_{project.pk}"
        assert '<input type="file" name="file"' in page
        assert f'id="id_{anchor}_file"' in page and f'for="id_{anchor}_file"' in page
        assert (
            f'<input type="hidden" name="project" value="{project.pk}" id="id_{anchor}_project">'
            in page
        )
        assert (
            f'value="{url}?a=1&amp;b=%3Cx%3E#pieces-jointes-projects-{project.pk}"' in page
            or f'value="{url}?a=1&amp;b=&lt;x&gt;#pieces-jointes-projects-{project.pk}"' in page
        )
    assert (
        '<input type="hidden" name="section" value="swot" id="id_pieces_jointes_swot_section">'
        in page
    )
    # A part without a project sheet has no project value at all.
    assert '<input type="hidden" name="project" id="id_pieces_jointes_swot_project">' in page
    assert "appform" not in page  # no placeholder left
