"""Once-only generations (issue 11, item 4): « Générer tous les courriers » and a
background export clicked twice start one generation."""

import pytest
from django.urls import reverse

from outputs.models import OutputJob
from tests.once_only import key_on, posted_twice

pytestmark = pytest.mark.django_db


def test_letters_asked_twice_are_generated_once(client, scenario, campaign, instructor):
    client.force_login(instructor)
    key = key_on(client.get(reverse("outputs:letters", args=[campaign.slug])))
    url = reverse("outputs:letters_zip", args=[campaign.slug])
    first, _second = posted_twice(client, url, {}, OutputJob.objects.count, key=key)
    assert first.url.endswith(f"#job-{OutputJob.objects.get().pk}")


def test_a_background_export_asked_twice_is_generated_once(
    client, scenario, campaign, instructor, settings
):
    settings.OUTPUTS_EXPORT_SYNC_MAX_ROWS = 0
    client.force_login(instructor)
    url = reverse("outputs:exports", args=[campaign.slug])
    key = key_on(client.get(url))
    posted_twice(client, url, {"format": "xlsx"}, OutputJob.objects.count, key=key)


def test_an_export_answered_at_once_needs_no_key(client, scenario, campaign, instructor):
    client.force_login(instructor)
    url = reverse("outputs:exports", args=[campaign.slug])
    key = key_on(client.get(url))
    for fmt in ("xlsx", "csv"):  # the same page, two formats: two files
        response = client.post(url, {"format": fmt, "once": key})
        assert response.status_code == 200 and response["Content-Disposition"]
    assert not OutputJob.objects.exists()


def test_a_key_that_cannot_be_one_is_no_key(client, scenario, campaign, instructor):
    # A hand-made request: a key longer than a key, empty, or with characters a key never
    # has (a NUL byte, which PostgreSQL cannot store) does the action, unguarded.
    client.force_login(instructor)
    url = reverse("outputs:letters_zip", args=[campaign.slug])
    for key in ("x" * 65, "", "\x00", "a\x00b", "clé avec espace"):
        assert client.post(url, {"once": key}).status_code == 302
    assert OutputJob.objects.count() >= 1
