"""The receipt of a submission (issue 11): a page and an e-mail with the dossier's number,
the date and time, the list of what was submitted and the snapshot's SHA-256; the same
list shown before confirming."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dossiers.domain.attachments import add_attachment
from dossiers.domain.serialize import content_hash

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def with_file(complete, lead):
    upload = SimpleUploadedFile("convention.pdf", PDF, content_type="application/pdf")
    add_attachment(complete, lead, upload, "identity")
    return complete


def submit(client, dossier, capture):
    url = reverse("dossiers:transition", args=[dossier.pk, "submit"])
    with capture(execute=True):  # the e-mails leave once the transition is committed
        return client.post(url)


def test_the_submit_page_lists_what_will_be_deposited(client, lead, with_file):
    client.force_login(lead)
    page = client.get(reverse("dossiers:transition", args=[with_file.pk, "submit"]))
    text = page.content.decode()
    project = with_file.projects.get()
    assert "Vous allez déposer" in text
    assert f"« {project.title} »" in text.replace("&#x27;", "'")
    assert "1 pièce jointe" in text


def test_submitting_shows_and_sends_the_receipt(
    client, lead, with_file, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    response = submit(client, with_file, django_capture_on_commit_callbacks)
    snapshot = with_file.snapshots.get()
    receipt_url = reverse("dossiers:receipt", args=[with_file.pk, snapshot.number])
    assert response.status_code == 302 and response.url == receipt_url
    page = client.get(receipt_url).content.decode()
    reference = f"BRETAGNE-2025-{with_file.pk:04d}"
    assert reference in page
    assert snapshot.content_sha256 == content_hash(snapshot.content)
    assert snapshot.content_sha256 in page
    assert "convention.pdf" in page
    assert "(heure de Paris)" in page
    assert "52\u202f000,00\u00a0€" in page  # the sheet's line, as requested
    # The e-mail to the lead carries the same receipt.
    to_lead = [m for m in mail.outbox if lead.email in m.to]
    assert len(to_lead) == 1
    body = to_lead[0].body
    assert "RÉCÉPISSÉ DE DÉPÔT" in body
    assert f"Numéro du dossier : {reference} — dépôt n° 1" in body
    assert f"Empreinte SHA-256 du contenu déposé : {snapshot.content_sha256}" in body
    assert re.search(r"Déposé le \d+ \w+ 20\d\d à \d\d:\d\d:\d\d", body)
    assert "convention.pdf" in body
    assert receipt_url in body


def test_staff_mail_has_no_receipt_and_strangers_never_see_it(
    client, lead, other_lead, instructor, with_file, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    submit(client, with_file, django_capture_on_commit_callbacks)
    assert all("RÉCÉPISSÉ" not in m.body for m in mail.outbox if lead.email not in m.to)
    url = reverse("dossiers:receipt", args=[with_file.pk, 1])
    client.force_login(other_lead)
    assert client.get(url).status_code == 404
    client.force_login(instructor)
    assert client.get(url).status_code == 200
    assert client.get(reverse("dossiers:receipt", args=[with_file.pk, 2])).status_code == 404
