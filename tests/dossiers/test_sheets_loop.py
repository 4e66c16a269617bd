"""The loop over the project sheets rendered in Python (dossier_display.project_sheets)
shows exactly what the loop of detail_document.html it replaced showed: each sheet's
heading, tables and attachments (live: the current files, with delete buttons and upload
forms for an editor; a snapshot: its listed files), what the lead typed escaped."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.template import Context, RequestContext, Template
from django.test import RequestFactory
from django.utils import timezone

from dossiers.domain.serialize import dossier_document
from dossiers.models import Attachment
from dossiers.templatetags.dossier_display import _money
from dossiers.views.staff import _present
from tests.factories import DossierFactory, ProjectFactory, dossier_in_state

# The loop the tag replaced (detail_document.html until December 2026), verbatim.
OLD = """{% load i18n dossier_display %}{% for project in doc.projects %}
    <article class="fr-mt-4w app-project" id="fiche-{{ project.id }}">
      <h3>{% translate "Fiche" %} {% if project.priority %}n° {{ project.priority }}{% endif %} — {{ project.title|default:_("sans intitulé") }}</h3>
      {% project_tables project show_proposal show_grant %}
      {% if live %}{% attachments_html dossier "projects" project %}{% else %}{% include "dossiers/detail_files.html" with files=project.attachment_list %}{% endif %}
    </article>
  {% empty %}
    <p>{% translate "Aucune fiche projet." %}</p>
  {% endfor %}"""
NEW = (
    "{% load dossier_display %}"
    "{% project_sheets dossier doc.projects show_proposal show_grant live %}"
)
HOSTILE = "<script>alert(\"x\")</script> & 'quotes' « » %s"


@pytest.fixture
def sheets(complete, lead):
    """make(state): the lead's dossier in `state`, then: its sheet (priority 1) with two
    files (one removed), a hostile sheet without priority nor lines, an untitled one; a
    file of the dossier's projects part."""

    def make(state):
        dossier = dossier_in_state(state, dossier=complete) if state != "draft" else complete
        add_sheets_and_files(dossier, lead)
        return dossier

    return make


def add_sheets_and_files(draft, lead):
    first = draft.projects.get()
    ProjectFactory(dossier=draft, priority=None, title=HOSTILE, pilot=HOSTILE)
    ProjectFactory(dossier=draft, priority=3, title="")
    when = timezone.make_aware(dt.datetime(2026, 3, 1, 23, 30), dt.UTC)
    for name, project, removed in (
        (HOSTILE + ".pdf", first, False),
        ("Retirée.pdf", first, True),
        ("Annexe.pdf", None, False),
    ):
        Attachment.objects.create(
            dossier=draft,
            section="projects",
            project=project,
            file=f"pj/{name[:20]}",
            name=name,
            size=123_456,
            content_type="application/pdf",
            sha256="0" * 64,
            uploaded_by=lead,
            uploaded_at=when,
            removed_at=when if removed else None,
        )


def normalized(html):
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "CSRF", str(html))
    return re.sub(r'name="once" value="[^"]*"', "ONCE", html)


def render(source, user, dossier, *, live, show):
    request = RequestFactory().get(f"/dossiers/{dossier.pk}/?retour=<x>&y=1")
    request.user = user
    doc = _present(dossier_document(dossier, show_proposal=show, show_grant=show))
    for project in doc["projects"]:  # a snapshot's files, as the snapshot page lists them
        project["attachment_list"] = [
            a for a in doc["attachments"] if a["project"] == project["id"]
        ]
    context = {
        "dossier": dossier,
        "doc": doc,
        "live": live,
        "show_proposal": show,
        "show_grant": show,
    }
    return Template(source).render(RequestContext(request, context))


@pytest.mark.parametrize("live", [True, False])
@pytest.mark.parametrize("who", ["lead", "instructor"])
def test_python_sheets_equal_the_template(sheets, lead, instructor, who, live):
    dossier = sheets("submitted" if who == "instructor" else "draft")
    user = lead if who == "lead" else instructor
    show = who == "instructor"

    expected = render(OLD, user, dossier, live=live, show=show)
    rendered = render(NEW, user, dossier, live=live, show=show)

    # Byte for byte, but for the random keys of the forms (common.once, CSRF).
    assert normalized(rendered) == normalized(expected)
    assert "<script>" not in rendered
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quotes&#x27;" in rendered
    assert "Retirée.pdf" not in rendered
    assert "Fiche n° 1 — " in rendered and "Fiche n° 3 — sans intitulé" in rendered
    assert ("Supprimer la pièce jointe" in rendered) == (who == "lead" and live)


def test_no_sheet(filiere, lead):
    dossier = DossierFactory(filiere=filiere)
    for live in (True, False):
        expected = render(OLD, lead, dossier, live=live, show=False)

        assert render(NEW, lead, dossier, live=live, show=False) == expected
        assert "Aucune fiche projet." in expected


@pytest.mark.parametrize(
    "amount",
    [
        "0.00",
        "12.30",
        "999.99",
        "1000.00",
        "52000.50",
        "1600000.00",
        "999999999999.99",
        "007.00",
        "-5.00",
        "1.005",
        None,
        Decimal("0.00"),
        Decimal("0"),
        Decimal("1234567.80"),
        Decimal("1.5"),
        Decimal("-3.00"),
        Decimal("-0.00"),
        Decimal("-1234.56"),
        Decimal("1E+3"),
    ],
)
def test_amounts_are_shown_as_the_eur_filter_shows_them(amount):
    expected = Template('{% load money %}<td class="app-money">{{ amount|eur }}</td>').render(
        Context({"amount": amount})
    )

    assert _money(amount) == expected
