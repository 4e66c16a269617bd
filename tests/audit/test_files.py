"""Uploads and downloads: content sniffing that never unpacks a ZIP bomb, letter templates
checked by size once unpacked and rendered in a sandbox, safe file names, files served
only through permission-checked views as attachments with nosniff, output job files only
for who may."""

import io
import struct
import tracemalloc
import zipfile

import docx
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import ApiToken
from budget.domain import decisions
from common.errors import Conflict, InvalidInput
from dossiers.domain.attachments import sniff_content_type
from dossiers.models import Attachment
from outputs.domain import letters
from outputs.models import OutputJob
from tests.factories import CampaignFactory, complete_dossier, dossier_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def zip_bytes(members, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def patch_headers(data, *, flags=None, method=None):
    """Set the general-purpose flags / compression method of every member, in the local
    and the central headers (to fake an encrypted member or an unknown compression)."""
    data = bytearray(data)
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (index := data.find(signature, start)) != -1:
            if flags is not None:
                struct.pack_into("<H", data, index + flag_offset, flags)
            if method is not None:
                struct.pack_into("<H", data, index + flag_offset + 2, method)
            start = index + 4
    return bytes(data)


def bomb_odt(size=60 * 1024 * 1024):
    """An "OpenDocument" whose mimetype member unpacks to `size` bytes (60 KB packed)."""
    return zip_bytes([("mimetype", b"\0" * size), ("content.xml", b"<x/>")])


def make_docx(*paragraphs):
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ----------------------------------------------------------------------------- sniffing


def test_sniffing_never_unpacks_a_zip_bomb():
    upload = SimpleUploadedFile("bombe.odt", bomb_odt())
    tracemalloc.start()
    try:
        result = sniff_content_type(upload)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result is None
    assert peak < 5 * 1024 * 1024, f"{peak} octets alloués pour reconnaître le fichier"


@pytest.mark.parametrize(
    "data",
    [
        patch_headers(
            zip_bytes([("mimetype", b"application/vnd.oasis.opendocument.text")]), flags=1
        ),
        patch_headers(
            zip_bytes([("mimetype", b"application/vnd.oasis.opendocument.text")]), method=99
        ),
        zip_bytes([("mimetype", b"x")])[:-30],  # truncated central directory
        b"PK\x03\x04" + b"\xff" * 200,
    ],
    ids=["encrypted", "unknown-compression", "truncated", "garbage"],
)
def test_odd_archives_are_refused_as_415_not_500(client, filiere, lead, data):
    dossier = complete_dossier(filiere=filiere)
    _token, raw = ApiToken.issue(lead)
    response = client.post(
        f"/api/v1/dossiers/{dossier.pk}/attachments",
        {"file": SimpleUploadedFile("piece.odt", data), "section": "identity"},
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 415, response.content
    assert set(response.json()) == {"detail", "errors"}
    assert not Attachment.objects.exists()


def test_zip_bomb_upload_is_refused_quickly_through_the_page(client, filiere, lead):
    dossier = complete_dossier(filiere=filiere)
    client.force_login(lead)
    response = client.post(
        reverse("dossiers:attachment_upload", args=[dossier.pk]),
        {"file": SimpleUploadedFile("bombe.odt", bomb_odt()), "section": "identity"},
        follow=True,
    )
    assert response.status_code == 200
    assert "n'est pas d'un type accepté" in response.content.decode().replace("&#x27;", "'")
    assert not Attachment.objects.exists()


# ----------------------------------------------------------------------------- names, headers


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "..\\..\\windows\\win.ini",
        "/absolu/chemin/convention.pdf",
        'a"b\r\nSet-Cookie: x=1.pdf',
        "....",
        "\u202econvention\u202dfdp.exe",
    ],
)
def test_names_cannot_traverse_nor_inject_headers(client, filiere, lead, name):
    dossier = complete_dossier(filiere=filiere)
    client.force_login(lead)
    client.post(
        reverse("dossiers:attachment_upload", args=[dossier.pk]),
        {"file": SimpleUploadedFile(name, PDF), "section": "identity"},
    )
    attachment = Attachment.objects.get()
    assert attachment.name.endswith(".pdf")
    assert not set(attachment.name) & {"/", "\\", "\r", "\n", "\x00", "\u202e"}
    # The stored path never comes from the user.
    assert attachment.file.name.startswith(f"attachments/{dossier.pk}/")
    assert ".." not in attachment.file.name and "passwd" not in attachment.file.name
    response = client.get(reverse("dossiers:attachment_download", args=[dossier.pk, attachment.pk]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename")
    assert "\r" not in disposition and "\n" not in disposition and "/" not in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize(
    "next_url",
    [
        "0",
        "NaN",
        "javascript:alert(1)",
        "//evil.example/x",
        "https://evil.example/",
        "/ok\x00",
        "\x00",
    ],
)
def test_upload_return_address_is_checked(client, filiere, lead, next_url):
    """A bare word used to reach redirect() as a view name: 500 (audit)."""
    dossier = complete_dossier(filiere=filiere)
    client.force_login(lead)
    response = client.post(
        reverse("dossiers:attachment_upload", args=[dossier.pk]),
        {"file": SimpleUploadedFile("a.pdf", PDF), "section": "identity", "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:detail", args=[dossier.pk])


def test_upload_return_address_of_this_site_is_kept(client, filiere, lead):
    dossier = complete_dossier(filiere=filiere)
    client.force_login(lead)
    back = reverse("dossiers:section", args=[dossier.pk, "identity"])
    response = client.post(
        reverse("dossiers:attachment_upload", args=[dossier.pk]),
        {"file": SimpleUploadedFile("a.pdf", PDF), "section": "identity", "next": back},
    )
    assert response["Location"] == back


# ----------------------------------------------------------------------------- letter templates


def test_letter_template_that_unpacks_too_big_is_refused():
    buffer = io.BytesIO(make_docx("Décision pour {{ filiere_name }}."))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/image1.bin", b"\0" * (60 * 1024 * 1024))
    bomb = buffer.getvalue()
    assert len(bomb) < letters.MAX_TEMPLATE_BYTES
    tracemalloc.start()
    try:
        with pytest.raises(InvalidInput) as exc:
            letters.validate_template(bomb)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "trop volumineux une fois décompressé" in exc.value.message
    assert peak < 20 * 1024 * 1024


@pytest.mark.parametrize(
    "paragraphs",
    [
        ["{{ ''.__class__.__mro__[1].__subclasses__() }}"],
        ["{{ filiere_name.__class__.__init__.__globals__ }}"],
        ["{%p if rejected %}", "{{ ''.__class__.__mro__ }}", "{%p endif %}"],
        ["{% for p in projects %}{{ p.__class__.__base__ }}{% endfor %}"],
    ],
    ids=["mro", "globals", "rejected-branch", "loop"],
)
def test_letter_templates_cannot_reach_python_internals(paragraphs):
    with pytest.raises(InvalidInput) as exc:
        letters.validate_template(make_docx(*paragraphs))
    assert "ne peut pas être utilisé" in exc.value.message or "inconnue" in exc.value.message


def test_a_stored_template_that_fails_on_a_real_dossier_is_a_409_not_a_500(
    client, campaign, filiere, lead, instructor, decider
):
    # Bypasses validation, as an old template stored before this check would.
    dossier, dossier_lead = dossier_in(campaign, "ars_analysis", instructor=instructor)
    line = dossier.projects.get().lines.get()
    decisions.decide(
        dossier, decider, "rejected", [{"line": line.pk, "granted": "0"}], "Non retenu."
    )
    campaign.letter_template.save(
        "modele.docx", ContentFile(make_docx("{{ ''.__class__.__mro__ }}")), save=True
    )
    with pytest.raises(Conflict) as exc:
        letters.letter_for(decider, dossier.pk)
    assert "ne peut pas être appliqué" in exc.value.message
    client.force_login(dossier_lead)
    response = client.get(reverse("outputs:dossier_letter", args=[dossier.pk]))
    assert response.status_code == 409
    assert "__mro__" not in response.content.decode() or "object" not in response.content.decode()


# ----------------------------------------------------------------------------- job files


@pytest.fixture
def jobs(campaign, instructor):
    other = CampaignFactory(slug="autre-2024")
    made = {}
    for key, owner in (("own", campaign), ("other", other)):
        job = OutputJob.objects.create(
            campaign=owner,
            kind=OutputJob.Kind.DECISIONS_CSV,
            requested_by=instructor,
            status=OutputJob.Status.DONE,
            filename="decisions.csv",
        )
        job.file.save("decisions.csv", ContentFile(b"dossier;montant\n1;100\n"), save=True)
        made[key] = job
    return made


def test_job_files_only_for_who_may(client, campaign, jobs, lead, caresp, instructor, outsider):
    own = reverse("outputs:job_download", args=[campaign.slug, jobs["own"].pk])
    other = reverse("outputs:job_download", args=[campaign.slug, jobs["other"].pk])
    assert client.get(own).status_code == 302  # anonymous: to the login page
    for user, status in ((lead, 403), (outsider, 403)):
        client.force_login(user)
        assert client.get(own).status_code == status
        api = client.get(
            f"/api/v1/campaigns/{campaign.slug}/jobs/{jobs['own'].pk}",
            headers={"Authorization": f"Bearer {ApiToken.issue(user)[1]}"},
        )
        assert api.status_code == status
    # An export job is its requester's (decision 0021): another staff member's is 404.
    client.force_login(caresp)
    assert client.get(own).status_code == 404
    for user in (instructor,):
        client.force_login(user)
        response = client.get(own)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"dossier;")
        # A job of another campaign is not reachable through this campaign's address.
        assert client.get(other).status_code == 404
