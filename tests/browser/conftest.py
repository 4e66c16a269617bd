"""Browser tests: Playwright (Python) driving Debian's chromium against pytest-django's live_server.

How to write a journey (see test_smoke.py):

    pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

    def test_lead_edits_identity(page, lead, filiere):
        login(page, lead)     # from tests.browser.helpers: through the real login form
        page.goto("/dossiers/...")               # relative to live_server.url
        page.get_by_label("Nom de la filière").fill("...")
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.get_by_role("alert")).to_contain_text("...")

Every page opened through the `page` fixture collects Content-Security-Policy
violations, JavaScript errors and failed static files; the test fails if any
happened. A failing test leaves a screenshot and the page's HTML in test-results/.
"""

import os
import re
from pathlib import Path

import pytest
from django.db import connections
from django.test.utils import override_settings
from playwright.sync_api import sync_playwright

from tests.browser.helpers import RESULTS_DIR

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
TIMEOUT_MS = 15_000

# Reported on the console by chromium itself, and by our init script below.
CSP_MARKERS = ("Content Security Policy", "Content-Security-Policy")
# The init script runs through the DevTools protocol: the page's CSP does not apply to it.
VIOLATION_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    "Content Security Policy violation: " + event.violatedDirective +
    " blocked " + (event.blockedURI || "inline") +
    " in " + event.sourceFile + ":" + event.lineNumber
  );
});
"""


def pytest_collection_modifyitems(config, items):
    """Everything in tests/browser is a browser test, even if a module forgets its mark."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, for the screenshot-on-failure teardown."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium est introuvable ({CHROMIUM}) : installez-le (`apt-get install chromium` "
            "ou `make browser`) pour lancer les tests navigateur. / Chromium not found at "
            f"{CHROMIUM}: install it (`apt-get install chromium` or `make browser`) to run the "
            "browser tests (or set CHROMIUM_PATH). Never run `playwright install`.",
            pytrace=False,
        )

    # Playwright's sync API keeps an asyncio loop running in this thread for the
    # whole session; Django would then refuse every ORM call made by the tests
    # (fixtures, assertions) as "async-unsafe". No code of ours runs async.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # While that loop runs, Django's connections are context-local instead of
    # thread-local: close them on both sides so that none is orphaned (an open
    # orphan stops PostgreSQL from dropping the test database at the end).
    close_database_connections()
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    except Exception as exc:
        playwright.stop()
        pytest.fail(
            f"Chromium ({CHROMIUM}) n'a pas démarré / failed to start: {exc}", pytrace=False
        )
    yield chromium
    chromium.close()
    close_database_connections()
    playwright.stop()


def close_database_connections():
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


@pytest.fixture(scope="session")
def _media_url_for_live_server():
    """Django's live server wraps the site in a media-file handler built from MEDIA_URL,
    which crashes on our MEDIA_URL = None (uploads are never served by URL). A URL with a
    host is never matched by that handler: the live server serves no upload either."""

    override = override_settings(MEDIA_URL="https://media.invalid/")
    override.enable()
    yield
    override.disable()


@pytest.fixture(scope="session")
def live_server(_media_url_for_live_server, live_server):
    """pytest-django's live server (it serves static files through the staticfiles finders,
    whatever DEBUG is), started once MEDIA_URL is safe for it."""
    return live_server


class PageProblems:
    """CSP violations, uncaught JavaScript errors and broken static files seen by one page."""

    def __init__(self):
        self.csp = []
        self.errors = []
        self.static = []

    def on_console(self, message):
        if any(marker in message.text for marker in CSP_MARKERS):
            self.csp.append(message.text)

    def on_page_error(self, error):
        self.errors.append(str(error))

    def on_response(self, response):
        if "/static/" in response.url and response.status >= 400:
            self.static.append(f"{response.status} {response.url}")

    def on_request_failed(self, request):
        # ERR_ABORTED: the page navigated away before the file arrived (not a fault).
        if "/static/" in request.url and "ERR_ABORTED" not in (request.failure or ""):
            self.static.append(f"{request.failure} {request.url}")

    def summary(self):
        lines = []
        for title, items in (
            ("Violations de la CSP", self.csp),
            ("Erreurs JavaScript", self.errors),
            ("Fichiers statiques en erreur", self.static),
        ):
            lines += [f"{title} :"] + [f"  - {item}" for item in items] if items else []
        return "\n".join(lines)

    def assert_clean(self):
        __tracebackhide__ = True
        if self.csp or self.errors or self.static:
            pytest.fail(self.summary(), pytrace=False)


@pytest.fixture
def page_problems():
    return PageProblems()


@pytest.fixture
def page(request, browser, live_server, page_problems):
    """A fresh browser context (no cookies) whose relative URLs go to the live server."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(VIOLATION_LISTENER)
    page = context.new_page()
    page.on("console", page_problems.on_console)
    page.on("pageerror", page_problems.on_page_error)
    page.on("response", page_problems.on_response)
    page.on("requestfailed", page_problems.on_request_failed)
    yield page
    report = getattr(request.node, "rep_call", None)
    try:
        if report is not None and report.failed:
            save_failure_artifacts(request.node, page)
    finally:
        context.close()
    if report is not None and report.passed:
        page_problems.assert_clean()


def artifact_name(nodeid):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[:180]


def save_failure_artifacts(item, page):
    RESULTS_DIR.mkdir(exist_ok=True)
    base = RESULTS_DIR / artifact_name(item.nodeid)
    try:
        page.screenshot(path=f"{base}.png", full_page=True)
        Path(f"{base}.html").write_text(page.content(), encoding="utf-8")
    except Exception as exc:  # the page may be gone: never hide the real failure
        print(f"Capture d'écran impossible : {exc}")
    else:
        print(f"Capture d'écran : {base}.png")
