"""The call's documents: the region's ARS instructors publish and remove them (files
checked by content and size), the leads download them from their home page, another
region's staff do not know them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from campaign.domain.documents import add_document, delete_document
from campaign.enums import CampaignState
from campaign.models import CampaignDocument
from common.errors import Forbidden, NotFound
from common.files import FileTooLarge, UnsupportedFileType
from tests.factories import NORMANDIE, CampaignFactory, UserFactory, region

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="cahier-des-charges.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def page(campaign):
    return reverse("campaign:documents", args=[campaign.slug])


def publish(client, campaign, **fields):
    data = {"kind": "specifications", "title": "Cahier des charges 2025", "file": pdf(), **fields}
    return client.post(page(campaign), data)


def test_an_instructor_publishes_and_a_lead_downloads(client, campaign, instructor, lead):
    client.force_login(instructor)
    assert client.get(page(campaign)).status_code == 200
    response = publish(client, campaign)
    assert response.status_code == 302
    document = CampaignDocument.objects.get()
    assert (document.kind, document.title, document.uploaded_by) == (
        "specifications",
        "Cahier des charges 2025",
        instructor,
    )
    assert (document.name, document.content_type, document.size) == (
        "cahier-des-charges.pdf",
        "application/pdf",
        len(PDF),
    )
    listing = client.get(page(campaign)).content.decode()
    assert "Cahier des charges 2025" in listing and instructor.get_full_name() in listing
    # The lead sees it on its home page and downloads it.
    client.force_login(lead)
    home = client.get(reverse("home")).content.decode()
    url = reverse("campaign:document_download", args=[campaign.slug, document.pk])
    assert f'href="{url}"' in home and "Cahier des charges 2025" in home
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="cahier-des-charges.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_file_is_checked_by_content_and_size(client, campaign, instructor, settings):
    client.force_login(instructor)
    response = publish(client, campaign, file=pdf("diagnostic.pdf", b"<html>pas un PDF</html>"))
    assert response.status_code == 415
    html = response.content.decode()
    assert "un type accepté (PDF, DOCX, XLSX, ODT, ODS, PNG ou JPG)" in html
    assert 'value="Cahier des charges 2025"' in html  # what was typed is kept
    settings.ATTACHMENT_MAX_BYTES = 10
    response = publish(client, campaign)
    assert response.status_code == 413 and "dépasse la taille maximale" in response.content.decode()
    settings.ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
    response = publish(client, campaign, title="  ", kind="")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Indiquez le titre du document." in html and "Choisissez la nature du document." in html
    response = publish(client, campaign, file=pdf("vide.pdf", b""))
    assert response.status_code == 400 and "Le fichier est vide." in response.content.decode()
    assert not CampaignDocument.objects.exists()
    with pytest.raises(UnsupportedFileType):
        add_document(instructor, campaign, kind="other", title="X", upload=pdf("x.pdf", b"MZ\x90"))
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(FileTooLarge):
        add_document(instructor, campaign, kind="other", title="X", upload=pdf())


def test_only_the_regions_instructors_publish_and_remove(
    client, campaign, instructor, caresp, decider, lead
):
    document = add_document(instructor, campaign, kind="other", title="Annexe", upload=pdf())
    delete_url = reverse("campaign:document_delete", args=[campaign.slug, document.pk])
    for user in (caresp, decider, lead):
        client.force_login(user)
        assert client.get(page(campaign)).status_code == 403
        assert publish(client, campaign).status_code == 403
        assert client.post(delete_url).status_code == 403
        with pytest.raises(Forbidden):
            delete_document(user, campaign, document.pk)
    assert CampaignDocument.objects.count() == 1
    # Another region's instructor: the campaign does not exist for them.
    normand = UserFactory(roles=[(Role.ARS_INSTRUCTOR, region(NORMANDIE))])
    client.force_login(normand)
    assert client.get(page(campaign)).status_code == 404
    download = reverse("campaign:document_download", args=[campaign.slug, document.pk])
    assert client.get(download).status_code == 404
    with pytest.raises(Forbidden):
        add_document(normand, campaign, kind="other", title="X", upload=pdf())


def test_removing_a_document_deletes_its_file(
    client, campaign, instructor, lead, django_capture_on_commit_callbacks
):
    document = add_document(
        instructor, campaign, kind="regional_diagnostic", title="D", upload=pdf()
    )
    storage, name = document.file.storage, document.file.name
    assert storage.exists(name)
    client.force_login(instructor)
    url = reverse("campaign:document_delete", args=[campaign.slug, document.pk])
    with pytest.raises(NotFound):
        delete_document(instructor, CampaignFactory(slug="autre-appel"), document.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "Document retiré." in response.content.decode()
    assert not CampaignDocument.objects.exists() and not storage.exists(name)
    assert client.post(url).status_code == 404
    client.force_login(lead)
    download = reverse("campaign:document_download", args=[campaign.slug, document.pk])
    assert client.get(download).status_code == 404


def test_a_document_is_found_only_under_its_own_campaign(client, campaign, instructor, lead):
    other = CampaignFactory(slug="bretagne-2026")
    document = add_document(instructor, other, kind="other", title="Autre", upload=pdf())
    client.force_login(lead)
    url = reverse("campaign:document_download", args=[campaign.slug, document.pk])
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(reverse("campaign:document_download", args=[other.slug, document.pk]))
    assert response.status_code == 302 and "/comptes/connexion/" in response["Location"]


def test_the_regions_administrator_publishes_them_from_the_set_up(client, campaign):
    admin = UserFactory(roles=[(Role.REGION_ADMIN, campaign.region)])
    client.force_login(admin)
    set_up = client.get(reverse("setup:campaign", args=[campaign.slug])).content.decode()
    assert f'href="{page(campaign)}"' in set_up and "Aucun document publié" in set_up
    assert publish(client, campaign).status_code == 302
    document = CampaignDocument.objects.get()
    set_up = client.get(reverse("setup:campaign", args=[campaign.slug])).content.decode()
    assert "Cahier des charges 2025" in set_up and "Aucun document publié" not in set_up
    assert document.uploaded_by == admin


def test_anyone_reads_a_published_calls_documents_on_its_public_page(client, campaign, instructor):
    document = add_document(
        instructor, campaign, kind="specifications", title="Cahier des charges", upload=pdf()
    )
    url = reverse("public:document", args=[campaign.slug, document.pk])
    public = client.get(reverse("public:call", args=[campaign.slug])).content.decode()
    assert f'href="{url}"' in public and "Cahier des charges" in public
    response = client.get(url)  # no sign-in
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    # Another call's document under this call, or a call in preparation: not found.
    draft = CampaignFactory(slug="bretagne-2027", state=CampaignState.DRAFT)
    hidden = add_document(instructor, draft, kind="other", title="Brouillon", upload=pdf())
    assert (
        client.get(reverse("public:document", args=[campaign.slug, hidden.pk])).status_code == 404
    )
    assert client.get(reverse("public:document", args=[draft.slug, hidden.pk])).status_code == 404
    assert "Brouillon" not in client.get(reverse("public:calls")).content.decode()
