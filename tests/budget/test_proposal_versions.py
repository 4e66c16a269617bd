"""Two ARS instructors saving the same proposal: the second gets 409 and, on the page,
keeps what they typed (issue 12). Nothing of the stale proposal is written."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from budget.domain.proposals import propose
from common.errors import Conflict
from dossiers.models import Dossier
from tests.budget.conftest import lines_of
from tests.factories import UserFactory


@pytest.fixture
def instructor2(campaign):
    return UserFactory(roles=[(Role.ARS_INSTRUCTOR, campaign.region)])


def lines_body(dossier, amount):
    return [
        {"line": line.pk, "proposed": amount, "opinion": "reserved"} for line in lines_of(dossier)
    ]


def test_each_saved_proposal_bumps_its_version_and_a_stale_one_is_refused(
    analysed, instructor, instructor2
):
    assert analysed.proposal_version == 0
    propose(analysed, instructor, lines_body(analysed, "1000.00"), version=0)
    assert Dossier.objects.get(pk=analysed.pk).proposal_version == 1
    with pytest.raises(Conflict, match="modifiée par une autre personne"):
        propose(analysed, instructor2, lines_body(analysed, "2000.00"), version=0)
    assert [line.proposed for line in lines_of(analysed)] == [Decimal("1000.00")] * 2
    assert Dossier.objects.get(pk=analysed.pk).proposal_version == 1
    # Without a version (older clients), the last write wins, as before.
    propose(analysed, instructor2, lines_body(analysed, "3000.00"))
    assert Dossier.objects.get(pk=analysed.pk).proposal_version == 2


def test_api_stale_proposal_version_is_409(api_as, analysed, instructor, instructor2):
    url = f"dossiers/{analysed.pk}/proposal"
    read = api_as(instructor).get(f"dossiers/{analysed.pk}").json()
    assert read["proposal_version"] == 0
    first = api_as(instructor).request(
        "put", url, {"lines": lines_body(analysed, "1000.00"), "version": 0}
    )
    assert first.status_code == 200, first.json()
    assert first.json()["proposal_version"] == 1
    stale = api_as(instructor2).request(
        "put", url, {"lines": lines_body(analysed, "2000.00"), "version": 0}
    )
    assert stale.status_code == 409
    assert "modifiée par une autre personne" in stale.json()["detail"]
    assert [line.proposed for line in lines_of(analysed)] == [Decimal("1000.00")] * 2
    fresh = api_as(instructor2).request(
        "put", url, {"lines": lines_body(analysed, "2000.00"), "version": 1}
    )
    assert fresh.status_code == 200 and fresh.json()["proposal_version"] == 2


def test_the_lead_never_sees_the_proposal_version(api_as, analysed, lead):
    body = api_as(lead).get(f"dossiers/{analysed.pk}").json()
    assert body.get("proposal_version") is None


def test_page_stale_proposal_is_409_and_keeps_the_input(client, analysed, instructor, instructor2):
    url = reverse("budget:proposal", args=[analysed.pk])
    client.force_login(instructor)
    page = client.get(url).content.decode()
    assert 'name="version" value="0"' in page
    # Meanwhile another instructor saves the proposal.
    propose(analysed, instructor2, lines_body(analysed, "2000.00"), version=0)
    data = {"version": "0"}
    for line in lines_of(analysed):
        data[f"proposed_{line.pk}"] = "12 345,67"
        data[f"opinion_{line.pk}"] = "favourable"
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 409
    assert "modifiée par une autre personne" in html
    assert html.count('value="12 345,67"') == 2
    assert [line.proposed for line in lines_of(analysed)] == [Decimal("2000.00")] * 2
    # Reloaded, the page carries the new version and saving works.
    assert 'name="version" value="1"' in client.get(url).content.decode()
    data["version"] = "1"
    assert client.post(url, data).status_code == 302
    assert [line.proposed for line in lines_of(analysed)] == [Decimal("12345.67")] * 2
