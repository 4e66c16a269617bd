"""The receipt of a deposit as a .docx (issue 11): the receipt page's content, read from
the snapshot, in Paris time, that no typed text can break, for the receipt's readers only."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from dossiers.domain.attachments import add_attachment
from dossiers.domain.serialize import content_hash
from dossiers.domain.transitions import transition
from dossiers.models import Project
from outputs.domain.letters import french_date
from tests.factories import NORMANDIE, UserFactory, region

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_text(data):
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    texts.extend(p.text for p in document.sections[0].header.paragraphs)
    return "\n".join(texts)


def url(dossier, number=1):
    return reverse("outputs:receipt_docx", args=[dossier.pk, number])


@pytest.fixture
def deposited(complete, lead):
    """Submitted at 23:30:15 UTC yesterday: already the next day in Paris."""
    upload = SimpleUploadedFile("convention.pdf", PDF, content_type="application/pdf")
    add_attachment(complete, lead, upload, "identity")
    at = (timezone.now() - dt.timedelta(days=1)).replace(
        hour=23, minute=30, second=15, microsecond=0, tzinfo=dt.UTC
    )
    return transition(complete, "submit", lead, now=at)


def test_the_docx_is_the_receipt_of_the_snapshot(client, lead, deposited):
    snapshot = deposited.snapshots.get()
    # A change after the deposit is not what the receipt lists.
    Project.objects.filter(dossier=deposited).update(title="Titre modifié après le dépôt")
    client.force_login(lead)
    response = client.get(url(deposited))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        f"recepisse-bretagne-2025-{deposited.pk:04d}-depot-1.docx"
        in (response["Content-Disposition"])
    )
    text = docx_text(response.content)
    assert f"BRETAGNE-2025-{deposited.pk:04d}" in text
    assert snapshot.content_sha256 == content_hash(snapshot.content)
    assert snapshot.content_sha256 in text
    paris = snapshot.created_at.astimezone(ZoneInfo("Europe/Paris"))
    assert paris.date() != snapshot.created_at.date()  # the next day in Paris
    assert f"{french_date(paris.date())} à {paris:%H:%M:%S} (heure de Paris)" in text
    assert "Renforcer l\u2019équipe mobile" in text or "Renforcer l'équipe mobile" in text
    assert "Titre modifié après le dépôt" not in text
    assert "52\u202f000,00\u00a0€" in text
    assert "convention.pdf" in text
    assert "Fiche d\u2019identité\u00a0: " in text  # French typography
    assert "Diagnostic territorial" in text and "Analyse AFOM" in text


def test_typed_text_cannot_break_it(client, lead, complete):
    project = complete.projects.get()
    # Stored around the domain's cleaning, as a text typed before it, as long as the
    # column holds (PostgreSQL stores no NUL byte at all: SQLite does).
    nul = "\x00" if connection.vendor == "sqlite" else ""
    title = f"Titre{nul} avec\x07 des\x1b contrôles "
    project.title = title + "é" * (Project._meta.get_field("title").max_length - len(title))
    project.save()
    dossier = transition(complete, "submit", lead)
    client.force_login(lead)
    response = client.get(url(dossier))
    assert response.status_code == 200
    text = docx_text(response.content)
    assert "Titre avec des contrôles éééé" in text
    assert "\x00" not in text and "\x07" not in text


def test_same_readers_as_the_receipt_page(
    client, lead, co_editor, other_lead, instructor, deposited
):
    stranger = UserFactory(roles=[(Role.ARS_INSTRUCTOR, region(NORMANDIE))])
    for user, status in (
        (lead, 200),
        (co_editor, 200),
        (instructor, 200),
        (other_lead, 404),
        (stranger, 404),
    ):
        client.force_login(user)
        assert client.get(url(deposited)).status_code == status, user
        page = client.get(reverse("dossiers:receipt", args=[deposited.pk, 1]))
        assert page.status_code == status, user
        if status == 200:
            assert url(deposited) in page.content.decode()
    client.force_login(lead)
    assert client.get(url(deposited, 2)).status_code == 404
    assert (
        url(deposited)
        in client.get(reverse("dossiers:detail", args=[deposited.pk])).content.decode()
    )
    client.logout()
    assert client.get(url(deposited)).status_code == 302
