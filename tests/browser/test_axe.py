"""axe-core on every page type, for every role of the demo, at 1280 and 390 px wide
(issue 11): 0 violations of any impact; at 390 px, no page scrolls sideways and no amount,
cell or button is hidden (tests/browser/layout.py). The pages are found by following links from each
person's home (tests/browser/axe.py), so a new page is checked as soon as it is linked.

About 5 minutes on two cores: `pytest tests/browser/test_axe.py`."""

import io
import re

import pytest
from django.core.management import call_command

from setup.demo import ACCOUNTS
from tests.browser.axe import axe_violations, crawl
from tests.browser.helpers import login
from tests.browser.layout import layout_problems

# `axe`: HTML only, the same on either database; CI runs it once, on SQLite (.ci/run).
pytestmark = [pytest.mark.browser, pytest.mark.axe, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 390)
# One account per role and per kind of dossier a lead may hold (draft, returned, decided).
PEOPLE = [
    None,  # a visitor: login, public calls and regions, legal pages
    "porteur.nord-finistere",  # draft
    "porteur.cornouaille",  # returned for completion
    "porteur.broceliande-atlantique",  # decided, partially accepted
    "caresp",
    "instructeur",
    "decideur",
    "admin-bretagne",
]
PASSWORDS = {account.username: account.password for account in ACCOUNTS}
# Pages whose content is the same for everyone (legal pages, public calls and regions):
# checked with the visitor; a signed-in person's header is checked on every other page.
SAME_FOR_EVERYONE = re.compile(
    r"^/(accessibilite|mentions-legales|donnees-personnelles|gestion-des-cookies)/$|^/appels/"
)


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=io.StringIO())


class Person:
    def __init__(self, username):
        self.username = username


def visit_all(page, username, live_server):
    found, pages = [], []
    if username:
        login(page, Person(username), PASSWORDS[username])
    start = "/" if username else "/comptes/connexion/"
    origin = live_server.url.split("//", 1)[1]
    shared = SAME_FOR_EVERYONE if username else None
    for path, status in crawl(page, start, origin=origin, also_skipped=shared):
        pages.append(path)
        if status >= 500:
            found.append(f"{path} : erreur {status}")
        for width in WIDTHS:
            if width != WIDTHS[0]:  # the page was loaded at the first width
                page.set_viewport_size({"width": width, "height": 900})
                page.wait_for_timeout(250)  # the scripts' resize handlers (app.js)
            found += [f"{path} à {width} px : {line}" for line in axe_violations(page)]
            if width < 576:
                found += [f"{path} à {width} px : {line}" for line in layout_problems(page)]
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    return pages, found


@pytest.mark.parametrize("username", PEOPLE, ids=lambda name: name or "visiteur")
def test_no_axe_violation_on_any_page(page, live_server, demo, username):
    pages, found = visit_all(page, username, live_server)
    assert len(pages) >= 10, pages  # the crawl really went through the site
    assert not found, "\n".join([f"{len(found)} violation(s) axe :"] + found)
