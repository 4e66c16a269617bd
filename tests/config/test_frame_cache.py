"""The page frame's footer and confirmation dialog are rendered once per process and
language and agency (templates/base.html, {% cache %}): every reader still reads their
own agency in the footer, and the cached frame is the one rendered without the cache."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from campaign.context_processors import agency_label
from tests.factories import NORMANDIE, UserFactory, region

pytestmark = pytest.mark.django_db

FOOTER = re.compile(r'<footer class="fr-footer".*?</footer>', re.S)
DIALOG = re.compile(r'<dialog id="app-confirm-modal".*?</dialog>', re.S)


def _frame(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    html = client.get(reverse("legal:sitemap")).content.decode()
    return FOOTER.search(html).group(0), DIALOG.search(html).group(0)


def test_each_reader_reads_their_own_agency_in_the_cached_footer():
    cache.clear()
    breton = UserFactory(roles=[Role.ARS_INSTRUCTOR])
    norman = UserFactory(roles=[(Role.ARS_INSTRUCTOR, region(NORMANDIE))])
    visitor_footer, _ = _frame()
    breton_footer, _ = _frame(breton)
    norman_footer, _ = _frame(norman)
    assert "Agences régionales de santé." in visitor_footer
    assert "Agence régionale de santé Bretagne." in breton_footer
    assert f"{agency_label(region(NORMANDIE))}." in norman_footer
    assert "Bretagne" not in norman_footer
    # Read again from the cache: the same.
    assert _frame(breton)[0] == breton_footer
    assert _frame()[0] == visitor_footer


def test_the_cached_frame_is_the_frame_rendered_without_cache(settings):
    cache.clear()
    user = UserFactory(roles=[Role.ARS_INSTRUCTOR])
    first = _frame(user)  # rendered, then stored
    cached = _frame(user)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    uncached = _frame(user)
    assert first == cached == uncached
    footer, dialog = uncached
    for link in ("Plan du site", "Mentions légales", "Données personnelles"):
        assert link in footer
    assert "data-confirm-yes" in dialog
