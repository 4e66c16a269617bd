"""The ARS creates and publishes a follow-up campaign in the set-up pages (/gestion/)."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from campaign.enums import CampaignKind, CampaignState
from campaign.models import Campaign
from followup.models import Report
from tests.factories import UserFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def region_admin(db):
    return UserFactory(roles=[(Role.REGION_ADMIN, region())])


def test_region_admin_creates_then_publishes_a_followup(client, region_admin, recognised):
    client.force_login(region_admin)
    assert client.get("/gestion/campagnes/nouveau-suivi/").status_code == 200
    today = timezone.localdate()
    response = client.post(
        "/gestion/campagnes/nouveau-suivi/",
        {
            "region": region().pk,
            "name": "Suivi annuel 2026",
            "year": "2026",
            "slug": "bretagne-suivi-2026",
            "opens_on": today.isoformat(),
            "deadline_on": (today + dt.timedelta(days=60)).isoformat(),
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get(slug="bretagne-suivi-2026")
    assert campaign.kind == CampaignKind.FOLLOWUP and campaign.year == 2026
    assert campaign.state == CampaignState.DRAFT
    page = client.get("/gestion/campagnes/bretagne-suivi-2026/").content.decode()
    assert "Publier la campagne de suivi" in page
    page = client.get("/gestion/campagnes/bretagne-suivi-2026/publier/").content.decode()
    assert "rapport annuel prérempli" in page
    assert client.post("/gestion/campagnes/bretagne-suivi-2026/publier/").status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.PUBLISHED
    assert Report.objects.filter(campaign=campaign, filiere=recognised.filiere).exists()
    # A follow-up is not a call: not on the public pages.
    assert client.get("/appels/campagne/bretagne-suivi-2026/").status_code == 404
    assert "Suivi annuel 2026" not in client.get("/appels/").content.decode()


def test_missing_year_is_refused_with_what_was_typed(client, region_admin):
    client.force_login(region_admin)
    response = client.post(
        "/gestion/campagnes/nouveau-suivi/",
        {
            "region": region().pk,
            "name": "Suivi sans année",
            "opens_on": "2026-01-05",
            "deadline_on": "2026-04-30",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Indiquez l&#x27;année suivie." in html and "Suivi sans année" in html


def test_a_lead_cannot_create_a_dossier_in_a_followup(api, followup, recognised):
    response = api.post("dossiers", {"campaign": followup.slug, "filiere": recognised.filiere.slug})
    assert response.status_code == 409
