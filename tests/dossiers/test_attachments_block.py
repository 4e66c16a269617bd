"""The attachments block rendered in Python (dossier_display.attachments_html) shows
exactly what the template it replaced showed: the files with their links, the delete
buttons and the upload form for an editor, nothing of them for the staff, what the lead
named a file escaped everywhere."""

import datetime as dt
import re

import pytest
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.utils import timezone

from dossiers.models import Attachment
from tests.factories import dossier_in_state

# The template the tag replaced (dossiers/_attachments.html until December 2026), verbatim.
OLD = """{% load i18n dossier_display %}
{% comment %}
Attachments of one part of a dossier. Include with: dossier, section (identity, diagnostic,
swot, projects) and optionally project (a Project, a project dict or its id).
Editors see the upload form and delete buttons while the dossier is editable.
level: 2 for the page's own heading level under its h1 (parts' pages), else 3.
host_form: the id of the page's form the file is sent with when JavaScript is off (its
draft saved first); with JavaScript, static/js/inline.js sends the file alone and
refreshes this block in place (data-inline-region). A block, not a landmark: a page
holds several (axe landmark-unique).
{% endcomment %}
{% attachments_block dossier section project host_form as att %}
<div class="fr-mt-4w app-attachments" id="{{ att.anchor }}" data-inline-region>
  {% if level == 2 %}<h2 class="fr-h6">{% else %}<h3 class="fr-h6">{% endif %}{% translate "Pièces jointes" %}{% if not project %} — {{ att.label }}{% endif %}{% if level == 2 %}</h2>{% else %}</h3>{% endif %}
  {% if att.items %}
    <div class="fr-table fr-table--sm fr-table--no-caption app-table--cards">
      <table>
        <caption>{% translate "Pièces jointes" %} — {{ att.label }}</caption>
        <thead>
          <tr>
            <th scope="col">{% translate "Fichier" %}</th>
            <th scope="col">{% translate "Taille" %}</th>
            <th scope="col">{% translate "Ajouté le" %}</th>
            <th scope="col">{% translate "Actions" %}</th>
          </tr>
        </thead>
        <tbody>
          {% for attachment in att.items %}
            <tr>
              <td>{{ attachment.name }}</td>
              <td class="app-nowrap">{{ attachment.size|filesize_fr }}</td>
              <td class="app-nowrap">{{ attachment.uploaded_at|date:"d/m/Y H:i" }}</td>
              <td>
                <ul class="fr-btns-group fr-btns-group--inline fr-btns-group--sm fr-btns-group--icon-left">
                  <li><a class="fr-btn fr-btn--tertiary fr-icon-download-line fr-btn--icon-left" href="{% url 'dossiers:attachment_download' dossier.pk attachment.pk %}">{% translate "Télécharger" %}<span class="fr-sr-only"> {{ attachment.name }}</span></a></li>
                  {% if att.can_edit %}
                    <li>
                      <form method="post" action="{% url 'dossiers:attachment_delete' dossier.pk attachment.pk %}" data-inline>
                        {% csrf_token %}
                        <input type="hidden" name="next" value="{{ att.next }}">
                        <button type="submit" class="fr-btn fr-btn--tertiary fr-icon-delete-line fr-btn--icon-left" data-confirm="{% blocktranslate with name=attachment.name %}Supprimer la pièce jointe « {{ name }} » ?{% endblocktranslate %}">{% translate "Supprimer" %}<span class="fr-sr-only"> {{ attachment.name }}</span></button>
                      </form>
                    </li>
                  {% endif %}
                </ul>
              </td>
            </tr>
          {% endfor %}
        </tbody>
      </table>
    </div>
  {% else %}
    <p class="fr-text--sm">{% translate "Aucune pièce jointe." %}</p>
  {% endif %}
  {% if att.can_edit %}
    {% if att.host_form %}
      <div class="app-no-print">
        {{ att.form_html }}
        <button type="submit" form="{{ att.host_form }}" name="upload_attachment" value="1" data-inline-action="{% url 'dossiers:attachment_upload' dossier.pk %}" class="fr-btn fr-btn--secondary fr-icon-upload-line fr-btn--icon-left">{% translate "Envoyer le fichier" %}</button>
        <p class="fr-hint-text fr-mt-1w">{% translate "Ce que vous avez saisi ci-dessus est conservé." %}</p>
      </div>
    {% else %}
      <form method="post" action="{% url 'dossiers:attachment_upload' dossier.pk %}" enctype="multipart/form-data" class="app-no-print" data-inline>
        {% csrf_token %}
        {{ att.form_html }}
        <button type="submit" class="fr-btn fr-btn--secondary fr-icon-upload-line fr-btn--icon-left">{% translate "Envoyer le fichier" %}</button>
      </form>
    {% endif %}
  {% endif %}
</div>
"""
NEW = "{% load dossier_display %}{% attachments_html dossier section project host_form level %}"
INCLUDE = (
    '{% include "dossiers/_attachments.html" with dossier=dossier section=section '
    "project=project host_form=host_form level=level %}"
)
HOSTILE = "<script>alert(\"x\")</script> & 'quotes' « » %s.pdf"


@pytest.fixture
def files(complete, lead):
    draft = complete
    project = draft.projects.first()
    when = timezone.make_aware(dt.datetime(2026, 3, 1, 23, 30), dt.UTC)

    def attach(name, section, project=None, removed=False):
        return Attachment.objects.create(
            dossier=draft,
            section=section,
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

    attach(HOSTILE, "identity")
    attach("Convention.pdf", "identity")
    attach("Retirée.pdf", "identity", removed=True)
    attach("Budget " + HOSTILE, "projects", project)
    return draft, project


def normalized(html):
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "CSRF", str(html))
    html = re.sub(r'name="once" value="[^"]*"', "ONCE", html)
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def render(source, user, dossier, **values):
    request = RequestFactory().get(f"/dossiers/{dossier.pk}/?retour=<x>&y=1")
    request.user = user
    context = {"dossier": dossier, "section": "identity", "project": None, "host_form": ""}
    return Template(source).render(RequestContext(request, {"level": None, **context, **values}))


CASES = [
    {},
    {"host_form": "section-form", "level": 2},
    {"section": "diagnostic"},
    {"section": "projects", "project": "PROJECT"},
    {"section": "projects", "project": "PROJECT", "host_form": "fiche"},
    {"section": "projects"},
]


@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("who", ["lead", "instructor"])
def test_python_block_equals_the_template(files, lead, instructor, who, case):
    dossier, project = files
    if who == "instructor":
        dossier = dossier_in_state("submitted", dossier=dossier)
    user = lead if who == "lead" else instructor
    values = dict(CASES[case])
    if values.get("project") == "PROJECT":
        values["project"] = project

    expected = render(OLD, user, dossier, **values)

    assert normalized(render(NEW, user, dossier, **values)) == normalized(expected)
    assert normalized(render(INCLUDE, user, dossier, **values)) == normalized(expected)


def test_the_block_shows_files_and_escapes_their_names(files, lead):
    dossier, _ = files

    html = render(NEW, lead, dossier)

    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quotes&#x27;" in html
    assert "Convention.pdf" in html and "Retirée.pdf" not in html
    assert "02/03/2026 00:30" in html  # Paris time
    assert "120,6 Ko" in html
    assert html.count("Supprimer la pièce jointe") == 2
    assert (
        'name="next" value="/dossiers/' in html
        and "retour=%3Cx%3E&amp;y=1#pieces-jointes-identity" in html
    )


def test_staff_see_files_without_delete_or_upload(files, instructor):
    dossier = dossier_in_state("submitted", dossier=files[0])

    html = render(NEW, instructor, dossier)

    assert "Convention.pdf" in html and "Télécharger" in html
    assert "Supprimer" not in html and "Envoyer le fichier" not in html
