"""Once-only creation on the budget pages (issue 11, item 4): an envelope amendment and a
delegation, sent twice with the same form, are recorded once."""

import pytest
from django.urls import reverse

from budget.models import Delegation, EnvelopeAmendment
from tests.budget.test_pages import (  # noqa: F401 (fixture)
    amend_url,
    amendment_data,
    delegation_data,
    granted_line,
)
from tests.once_only import key_on, posted_twice

pytestmark = pytest.mark.django_db


def test_an_amendment_sent_twice_is_one(client, campaign, decider):
    client.force_login(decider)
    key = key_on(client.get(reverse("budget:dashboard", args=[campaign.slug])), "recurring-once")
    first, second = posted_twice(
        client,
        amend_url(),
        amendment_data(),
        EnvelopeAmendment.objects.count,
        key=key,
        field="recurring-once",
    )
    assert first.url.endswith("#enveloppes")


def test_a_delegation_sent_twice_is_one(client, granted_line, decider):  # noqa: F811
    url = reverse("budget:delegations", args=["bretagne-2025"])
    client.force_login(decider)
    key = key_on(client.get(url))
    posted_twice(client, url, delegation_data(granted_line), Delegation.objects.count, key=key)
