"""Once-only creation on the campaign pages (issue 11, item 4): a deadline extension and
a document of the call, sent twice with the same form, are recorded once."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaign.models import CampaignDocument, DeadlineExtension
from tests.once_only import key_on, posted_twice

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_an_extension_granted_twice_is_one(client, campaign, filiere, instructor):
    url = reverse("campaign:extensions", args=[campaign.slug])
    client.force_login(instructor)
    key = key_on(client.get(url))
    until = (campaign.deadline + dt.timedelta(days=10)).date().isoformat()
    data = {"filiere": filiere.pk, "until": until, "reason": "Hospitalisation"}
    first, second = posted_twice(client, url, data, DeadlineExtension.objects.count, key=key)
    page = client.get(second.url).content.decode()
    assert "Cette prolongation était déjà accordée." in page


def test_a_document_published_twice_is_one(client, campaign, instructor):
    url = reverse("campaign:documents", args=[campaign.slug])
    client.force_login(instructor)
    key = key_on(client.get(url))

    def data():
        upload = SimpleUploadedFile("cdc.pdf", PDF, content_type="application/pdf")
        return {"kind": "specifications", "title": "Cahier des charges", "file": upload}

    posted_twice(client, url, data, CampaignDocument.objects.count, key=key)


def test_a_refused_form_keeps_its_key_and_can_be_sent_again(client, campaign, filiere, instructor):
    url = reverse("campaign:extensions", args=[campaign.slug])
    client.force_login(instructor)
    key = key_on(client.get(url))
    refused = client.post(url, {"filiere": filiere.pk, "until": "", "reason": "x", "once": key})
    assert refused.status_code == 400 and key_on(refused) == key
    until = (campaign.deadline + dt.timedelta(days=10)).date().isoformat()
    done = client.post(url, {"filiere": filiere.pk, "until": until, "reason": "x", "once": key})
    assert done.status_code == 302 and DeadlineExtension.objects.count() == 1
