"""Campaign endpoints: campaigns, territories, filières, deadline extensions."""

import datetime as dt

import pytest

from budget.models import Envelope
from campaign.models import DeadlineExtension
from tests.api_client import ROLES
from tests.factories import CampaignFactory, FiliereFactory, TerritoryFactory

PARIS = dt.timezone(dt.timedelta(hours=1))


@pytest.fixture
def territories(campaign, filiere, other_lead):
    t1 = TerritoryFactory(campaign=campaign, code="T1", name="Brest", departements=["29"])
    t2 = TerritoryFactory(campaign=campaign, code="T2", name="Quimper", departements=["29"])
    filiere.territories.set([t1])
    campaign.filieres.get(slug="cornouaille").territories.set([t2])
    return t1, t2


@pytest.fixture
def fixed_campaign(campaign, filiere):
    campaign.opens_at = dt.datetime(2024, 11, 15, tzinfo=PARIS)
    campaign.deadline = dt.datetime(2025, 2, 14, 23, 59, 59, tzinfo=PARIS)
    campaign.save()
    return campaign


@pytest.mark.parametrize("role", ROLES)
def test_campaign_list_and_detail_for_every_role(role, people, api_as, fixed_campaign):
    client = api_as(people[role])
    listing = client.get("campaigns")
    detail = client.get("campaigns/bretagne-2025")
    if role == "anonymous":
        assert listing.status_code == detail.status_code == 401
        assert set(listing.json()) == {"detail", "errors"}
        return
    assert listing.status_code == detail.status_code == 200
    assert listing.json() == [detail.json()]
    assert detail.json() == {
        "slug": "bretagne-2025",
        "name": fixed_campaign.name,
        "region": "Bretagne",
        "opens_at": "2024-11-15T00:00:00+01:00",
        "deadline": "2025-02-14T23:59:59+01:00",
        "decision_date": "2025-06-30",
        "first_delegation_date": "2025-07-15",
        "is_open": False,
        "envelopes": {"recurring": "1600000.00", "one_off": "400000.00"},
        "kind": "call",
        "year": None,
    }


def test_campaign_shows_current_envelope_amount_and_is_open(api, campaign):
    Envelope.objects.filter(campaign=campaign, kind="recurring").update(amount="1750000.5")
    body = api.get("campaigns/bretagne-2025").json()
    assert body["envelopes"] == {"recurring": "1750000.50", "one_off": "400000.00"}
    assert body["is_open"] is True


def test_unknown_or_malformed_campaign_is_404(api, campaign):
    for slug in ["inconnue", "%00", "a" * 300, "..", "été"]:
        for suffix in ["", "/territories", "/filieres"]:
            response = api.get(f"campaigns/{slug}{suffix}")
            assert response.status_code == 404, (slug, suffix)
            assert response.json()["detail"] == "Campagne introuvable."


def test_campaign_list_has_fixed_query_count(api, django_assert_max_num_queries, db):
    for _ in range(5):
        CampaignFactory()
    # Throttle, token, its use, the roles (which regions), the count (X-Total-Count),
    # campaigns, envelopes.
    with django_assert_max_num_queries(7):
        assert len(api.get("campaigns").json()) == 6  # with bretagne-2025


@pytest.mark.parametrize("role", ROLES)
def test_territories_for_every_role(role, people, api_as, territories):
    response = api_as(people[role]).get("campaigns/bretagne-2025/territories")
    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    assert response.json() == [
        {"code": "T1", "name": "Brest", "departements": ["29"]},
        {"code": "T2", "name": "Quimper", "departements": ["29"]},
    ]


FILIERES_SEEN = {
    "lead": ["nord-finistere"],
    "co_editor": ["nord-finistere"],
    "other_lead": ["cornouaille"],
    "caresp": ["cornouaille", "nord-finistere"],
    "instructor": ["cornouaille", "nord-finistere"],
    "decider": ["cornouaille", "nord-finistere"],
    "admin": ["cornouaille", "nord-finistere"],
    "outsider": [],
}


@pytest.mark.parametrize("role", ROLES)
def test_filieres_a_lead_sees_only_its_own(role, people, api_as, territories):
    response = api_as(people[role]).get("campaigns/bretagne-2025/filieres")
    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    body = response.json()
    assert [f["slug"] for f in body] == FILIERES_SEEN[role]
    if "nord-finistere" in FILIERES_SEEN[role]:
        mine = next(f for f in body if f["slug"] == "nord-finistere")
        assert mine == {"slug": "nord-finistere", "name": "Nord Finistère", "territories": ["T1"]}


def test_filieres_of_another_campaign_are_not_listed(api_as, instructor, territories):
    FiliereFactory(slug="ailleurs")
    slugs = [f["slug"] for f in api_as(instructor).get("campaigns/bretagne-2025/filieres").json()]
    assert "ailleurs" not in slugs


# --- Extensions -------------------------------------------------------------------

EXTENSION_STATUS = {
    "lead": 403,
    "co_editor": 403,
    "other_lead": 403,
    "caresp": 403,
    "instructor": 201,
    "decider": 403,
    "admin": 201,
    "outsider": 403,
    "anonymous": 401,
}


@pytest.mark.parametrize("role", ROLES)
def test_extension_only_for_ars_instructor_or_admin(role, people, api_as, fixed_campaign, filiere):
    response = api_as(people[role]).post(
        "campaigns/bretagne-2025/extensions",
        {"filiere": "nord-finistere", "until": "2025-02-28", "reason": "Panne du SI du porteur"},
    )
    assert response.status_code == EXTENSION_STATUS[role], response.json()
    if response.status_code == 201:
        body = response.json()
        assert body["filiere"] == "nord-finistere"
        assert body["until"] == "2025-02-28T23:59:59+01:00"
        assert body["reason"] == "Panne du SI du porteur"
        assert body["granted_by"] == people[role].username
        assert dt.datetime.fromisoformat(body["created_at"]).utcoffset() is not None
        extension = DeadlineExtension.objects.get()
        assert extension.granted_by == people[role]
        assert fixed_campaign.deadline_for(filiere) == dt.datetime(
            2025, 2, 28, 23, 59, 59, tzinfo=PARIS
        )
    elif response.status_code == 403:
        assert "instructeurs" in response.json()["detail"]
        assert not DeadlineExtension.objects.exists()


def test_extension_accepts_datetime_with_offset_and_summer_time(api_as, instructor, fixed_campaign):
    client = api_as(instructor)
    response = client.post(
        "campaigns/bretagne-2025/extensions",
        {"filiere": "nord-finistere", "until": "2025-03-01T12:00:00Z", "reason": "Motif"},
    )
    assert response.status_code == 201
    assert response.json()["until"] == "2025-03-01T13:00:00+01:00"
    # A date in summer: end of that day, Paris summer time.
    response = client.post(
        "campaigns/bretagne-2025/extensions",
        {"filiere": "nord-finistere", "until": "2025-07-01", "reason": "Motif"},
    )
    assert response.json()["until"] == "2025-07-01T23:59:59+02:00"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"filiere": "nord-finistere", "until": "2025-02-14", "reason": "x"}, "until"),
        ({"filiere": "nord-finistere", "until": "2025-02-01", "reason": "x"}, "until"),
        (
            {"filiere": "nord-finistere", "until": "2025-02-14T23:59:59+01:00", "reason": "x"},
            "until",
        ),
        ({"filiere": "nord-finistere", "until": "2025-03-01T12:00:00", "reason": "x"}, "until"),
        ({"filiere": "nord-finistere", "until": "demain", "reason": "x"}, "until"),
        ({"filiere": "nord-finistere", "until": "2025-02-30", "reason": "x"}, "until"),
        (
            {"filiere": "nord-finistere", "until": "9999-12-31T23:59:59-12:00", "reason": "x"},
            "until",
        ),
        (
            {"filiere": "nord-finistere", "until": "0001-01-01T00:00:00+14:00", "reason": "x"},
            "until",
        ),
        ({"filiere": "nord-finistere", "until": "2025-02-28", "reason": "   "}, "reason"),
        ({"filiere": "nord-finistere", "until": "2025-02-28"}, "reason"),
        ({"filiere": "inconnue", "until": "2025-02-28", "reason": "x"}, "filiere"),
        ({"filiere": "ailleurs", "until": "2025-02-28", "reason": "x"}, "filiere"),
        ({"until": "2025-02-28", "reason": "x"}, "filiere"),
        ({"filiere": "nord-finistere", "until": 20250228, "reason": "x"}, "until"),
    ],
)
def test_extension_invalid_input_is_400_with_field(api_as, instructor, fixed_campaign, body, field):
    FiliereFactory(slug="ailleurs")  # another campaign's filière
    response = api_as(instructor).post("campaigns/bretagne-2025/extensions", body)
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert not DeadlineExtension.objects.exists()


def test_extension_one_second_after_deadline_is_accepted(api_as, instructor, fixed_campaign):
    response = api_as(instructor).post(
        "campaigns/bretagne-2025/extensions",
        {"filiere": "nord-finistere", "until": "2025-02-15T00:00:00+01:00", "reason": "Motif"},
    )
    assert response.status_code == 201


def test_extension_on_unknown_campaign_is_404(api_as, instructor, fixed_campaign):
    response = api_as(instructor).post(
        "campaigns/inconnue/extensions",
        {"filiere": "nord-finistere", "until": "2025-02-28", "reason": "Motif"},
    )
    assert response.status_code == 404
