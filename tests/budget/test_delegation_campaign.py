"""Delegation.campaign: written by a database trigger on insert (migration 0005,
decision 0059), whatever writes the row; the campaign's pages and API read it."""

import datetime as dt
from decimal import Decimal as D

import pytest

from budget import queries
from budget.domain.decisions import decide
from budget.domain.delegations import record_delegation
from budget.models import Delegation
from common.identifiers import finess_with_key
from tests.budget.conftest import ONE_OFF, REC, grant_all, lines_of, make_dossier
from tests.factories import CampaignFactory

FINESS = finess_with_key("29000001")


def decided_lines(campaign, instructor, decider):
    dossier = make_dossier(campaign, instructor, [(REC, "52000.00"), (ONE_OFF, "10000.00")])
    decide(dossier, decider, "accepted", grant_all(dossier), "Accord.")
    return lines_of(dossier)


def stored_campaigns():
    return dict(Delegation.objects.values_list("pk", "campaign_id"))


@pytest.fixture
def other_campaign(campaign):
    return CampaignFactory(slug="bretagne-2026", region=campaign.region)


def test_the_campaign_is_written_by_the_database(campaign, other_campaign, instructor, decider):
    line = decided_lines(campaign, instructor, decider)[0]
    other_line = decided_lines(other_campaign, instructor, decider)[1]
    # Through the domain (the code never sets it) …
    first = record_delegation(decider, line.pk, "100", "2025-07-15", "fir_arrete", FINESS)
    second = record_delegation(decider, other_line.pk, "10", "2025-08-01", "convention", FINESS)
    # … and written without it (bulk, as the bench data), even with a wrong campaign.
    bulk = Delegation.objects.bulk_create(
        [
            Delegation(line=line, date=dt.date(2025, 9, 1), amount=D("1"), instrument="convention"),
            Delegation(
                line=other_line,
                date=dt.date(2025, 9, 2),
                amount=D("2"),
                instrument="convention",
                campaign=campaign,
            ),
        ]
    )
    assert stored_campaigns() == {
        first.pk: campaign.pk,
        second.pk: other_campaign.pk,
        bulk[0].pk: campaign.pk,
        bulk[1].pk: other_campaign.pk,
    }
    assert list(queries.campaign_delegation_set(campaign).order_by("date", "pk")) == [
        first,
        bulk[0],
    ]
    assert [row["amount"] for row in queries.delegation_rows(other_campaign)] == [
        D("10.00"),
        D("2.00"),
    ]
    assert [row["id"] for row in queries.campaign_delegations(campaign)] == [first.pk, bulk[0].pk]


def test_pages_and_api_list_the_campaigns_own_delegations(
    client, campaign, other_campaign, instructor, decider
):
    line = decided_lines(campaign, instructor, decider)[0]
    other_line = decided_lines(other_campaign, instructor, decider)[0]
    record_delegation(decider, line.pk, "1234.50", "2025-07-15", "fir_arrete", FINESS)
    record_delegation(decider, other_line.pk, "99.00", "2025-07-16", "convention", FINESS)
    client.force_login(decider)
    page = client.get(f"/campagnes/{campaign.slug}/delegations/").content.decode()
    assert "1\u202f234,50\u00a0€" in page
    assert "99,00\u00a0€" not in page
    response = client.get(f"/api/v1/campaigns/{other_campaign.slug}/delegations")
    assert response.headers["X-Total-Count"] == "1"
    assert [(d["line"], d["amount"]) for d in response.json()] == [(other_line.pk, "99.00")]
