"""Once-only creation on the set-up pages (issue 11, item 4): a call, a follow-up
campaign, a filière, a lead named and a spreadsheet import, sent twice with the same
form, are done once."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from campaign.models import Campaign, Filiere, LeadNomination
from tests.factories import region
from tests.once_only import key_on, posted_twice
from tests.setup.test_setup_pages import (  # noqa: F401 (fixtures)
    create_call,
    eight_rows,
    region_admin,
    rows_csv,
    territories,
)

pytestmark = pytest.mark.django_db


def call_data():
    today = timezone.localdate()
    return {
        "region": region().pk,
        "name": "Reconnaissance des filières 2027",
        "opens_on": (today - dt.timedelta(days=1)).isoformat(),
        "deadline_on": (today + dt.timedelta(days=60)).isoformat(),
        "decision_date": (today + dt.timedelta(days=150)).isoformat(),
        "first_delegation_date": (today + dt.timedelta(days=170)).isoformat(),
        "recurring": "1 600 000",
        "one_off": "400 000,00",
        "signatory_name": "Dr Anne Martin",
        "appeal_court": "tribunal administratif de Rennes",
    }


@pytest.fixture
def call(client, region_admin, territories):  # noqa: F811
    client.force_login(region_admin)
    create_call(client)
    campaign = Campaign.objects.get()
    client.post(
        reverse("setup:territories", args=[campaign.slug]),
        {"territories": [t.pk for t in territories]},
    )
    return campaign


def test_a_call_created_twice_is_one(client, region_admin):  # noqa: F811
    client.force_login(region_admin)
    url = reverse("setup:campaign_create")
    key = key_on(client.get(url))
    first, _second = posted_twice(client, url, call_data(), Campaign.objects.count, key=key)
    assert first.url == reverse("setup:territories", args=[Campaign.objects.get().slug])


def test_a_followup_campaign_created_twice_is_one(client, region_admin):  # noqa: F811
    client.force_login(region_admin)
    url = reverse("setup:followup_create")
    key = key_on(client.get(url))
    today = timezone.localdate()
    data = {
        "region": region().pk,
        "name": "Suivi annuel 2026",
        "year": "2026",
        "opens_on": today.isoformat(),
        "deadline_on": (today + dt.timedelta(days=60)).isoformat(),
    }
    posted_twice(client, url, data, Campaign.objects.count, key=key)


def test_a_filiere_added_twice_is_one(client, call, territories):  # noqa: F811
    url = reverse("setup:filieres", args=[call.slug])
    key = key_on(client.get(url))
    data = {
        "name": "Nord Finistère",
        "territories": [territories[0].pk],
        "lead_name": "Anne Le Goff",
        "lead_email": "anne@example.fr",
    }
    posted_twice(client, url, data, LeadNomination.objects.count, key=key)
    assert call.filieres.count() == 1


def test_a_lead_named_twice_is_one(client, call, territories):  # noqa: F811
    client.post(
        reverse("setup:filieres", args=[call.slug]),
        {"name": "Nord Finistère", "territories": [territories[0].pk]},
    )
    filiere = call.filieres.get()
    url = reverse("setup:filiere", args=[call.slug, filiere.pk])
    key = key_on(client.get(url))
    data = {"action": "lead", "name": "Anne Le Goff", "email": "anne@example.fr"}
    posted_twice(client, url, data, LeadNomination.objects.count, key=key)


def test_an_import_confirmed_twice_is_done_once(client, call):
    url = reverse("setup:filieres_import", args=[call.slug])
    preview = client.post(url, {"file": SimpleUploadedFile("f.csv", rows_csv(eight_rows()))})
    key = key_on(preview)
    data = {"payload": preview.context["payload"]}
    posted_twice(client, url, data, Filiere.objects.count, key=key, created=8)
    assert call.filieres.count() == 8
