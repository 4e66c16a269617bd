"""Content-Security-Policy and the other protective headers, and templates that respect them.

The CSP forbids inline scripts, inline styles and event-handler attributes: a template
that uses one would silently break in the browser. These tests scan every template of
the project (no allow-list) and check the headers of the HTML pages for every role."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from dossiers.enums import DossierState
from tests.factories import DossierFactory

PROJECT_DIR = Path(settings.BASE_DIR)
SKIPPED_DIRS = {".venv", "node_modules", ".git", "var", "test-results"}


def project_templates():
    """templates/ and every app's templates/ directory of this project (not third-party)."""
    roots = [PROJECT_DIR / "templates"] + [
        path
        for path in PROJECT_DIR.glob("*/templates")
        if path.is_dir() and path.parent.name not in SKIPPED_DIRS
    ]
    files = []
    for root in roots:
        files += [p for p in root.rglob("*") if p.is_file() and p.suffix in {".html", ".txt"}]
    return sorted(files)


TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
STYLE_ATTRIBUTE = re.compile(r"(?:^|\s)style\s*=", re.I)
EVENT_HANDLER = re.compile(r"(?:^|\s)(on[a-z]+)\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"=\s*[\"']?\s*javascript:", re.I)
SRC_ATTRIBUTE = re.compile(r"(?:^|\s)src\s*=", re.I)


def csp_problems(text):
    """[(line, problem)] for markup the Content-Security-Policy would block."""
    problems = []

    def line_of(position):
        return text.count("\n", 0, position) + 1

    for match in TAG.finditer(text):
        name, attributes = match.group(1).lower(), match.group(2)
        line = line_of(match.start())
        if name == "script" and not SRC_ATTRIBUTE.search(attributes):
            problems.append((line, "<script> en ligne (sans src) : mettez le code dans static/js/"))
        if name == "style":
            problems.append((line, "<style> en ligne : mettez les règles dans static/css/"))
        if STYLE_ATTRIBUTE.search(attributes):
            problems.append((line, "attribut style= : utilisez une classe de static/css/app.css"))
        for handler in EVENT_HANDLER.findall(attributes):
            problems.append((line, f"attribut {handler}= : écouteur à placer dans static/js/"))
        if JAVASCRIPT_URL.search(attributes):
            problems.append((line, "URL javascript: interdite"))
    return problems


@pytest.mark.parametrize(
    "markup, expected",
    [
        ("<script>alert(1)</script>", 1),
        ('<script type="module">import "x";</script>', 1),
        ('<script type="module" src="{% static \'js/app.js\' %}"></script>', 0),
        ('<p style="color: red">x</p>', 1),
        ("<div\n  class='a'\n  STYLE='x'>", 1),
        ('<button onclick="go()">', 1),
        ('<body onload="init()">', 1),
        ('<a href="javascript:void(0)">', 1),
        ("<style>p { color: red }</style>", 1),
        ('<form method="post" action="/x">', 0),
        ('<a class="fr-link" data-fr-opened="false" href="#content">', 0),
        ('<input value="onclick=x" aria-label="style=">', 0),
    ],
)
def test_scanner_recognises_what_the_csp_blocks(markup, expected):
    assert len(csp_problems(markup)) == expected


def test_project_has_templates_to_scan():
    names = {p.relative_to(PROJECT_DIR).as_posix() for p in project_templates()}
    assert "templates/base.html" in names
    assert "templates/accounts/login.html" in names


def test_no_template_uses_inline_script_style_or_event_handler():
    found = []
    for path in project_templates():
        for line, problem in csp_problems(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(PROJECT_DIR)}:{line}: {problem}")
    assert not found, "Incompatible avec la Content-Security-Policy :\n" + "\n".join(found)


def parse_csp(header):
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def assert_protective_headers(response):
    __tracebackhide__ = True
    header = response.headers.get("Content-Security-Policy")
    assert header, "en-tête Content-Security-Policy absent"
    csp = parse_csp(header)
    scripts = csp.get("script-src", csp.get("default-src"))
    styles = csp.get("style-src", csp.get("default-src"))
    assert scripts, "ni script-src ni default-src"
    assert styles, "ni style-src ni default-src"
    for sources in (scripts, styles):
        assert "'unsafe-inline'" not in sources
        assert "'unsafe-eval'" not in sources
        assert "*" not in sources and "data:" not in sources
    assert "'unsafe-inline'" not in csp.get("script-src-elem", [])
    assert "'unsafe-inline'" not in csp.get("script-src-attr", [])
    assert "'unsafe-inline'" not in csp.get("style-src-attr", [])
    assert csp.get("object-src") == ["'none'"]
    assert csp.get("frame-ancestors") == ["'none'"]
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "same-origin"


def assert_no_inline_markup(response):
    __tracebackhide__ = True
    assert response["Content-Type"].startswith("text/html")
    problems = csp_problems(response.content.decode())
    assert not problems, problems


def test_login_page_has_protective_headers(client, db):
    response = client.get("/comptes/connexion/")
    assert response.status_code == 200
    assert_protective_headers(response)
    assert_no_inline_markup(response)


def test_anonymous_redirect_has_protective_headers(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert_protective_headers(response)


@pytest.mark.parametrize(
    "who", ["lead", "other_lead", "caresp", "instructor", "decider", "admin_user", "outsider"]
)
def test_home_page_has_protective_headers_for_every_role(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert_protective_headers(response)
    assert_no_inline_markup(response)


@pytest.mark.parametrize("who", ["caresp", "instructor", "decider", "admin_user"])
def test_staff_pages_have_protective_headers(client, request, filiere, who):
    dossier = DossierFactory(filiere=filiere, state=DossierState.SUBMITTED)
    client.force_login(request.getfixturevalue(who))
    for url in ("/dossiers/", f"/dossiers/{dossier.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_protective_headers(response)
        assert_no_inline_markup(response)


def test_lead_pages_and_not_found_pages_have_protective_headers(client, lead, other_lead, filiere):
    own = DossierFactory(filiere=filiere)
    client.force_login(lead)
    response = client.get(f"/dossiers/{own.pk}/")
    assert response.status_code == 200
    assert_protective_headers(response)
    assert_no_inline_markup(response)
    # Another filière's dossier: 404, with the same headers.
    other = DossierFactory(filiere=other_lead.filieres.get())
    response = client.get(f"/dossiers/{other.pk}/")
    assert response.status_code == 404
    assert_protective_headers(response)


def test_api_responses_have_protective_headers(client, lead):
    client.force_login(lead)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert "Content-Security-Policy" in response.headers
