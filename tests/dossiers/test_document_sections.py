"""The identity, diagnostic, SWOT and totals of a dossier's content rendered in Python
(dossier_display: identity_tables, diagnostic_tables, swot_lists, totals_table) show
exactly what detail_document.html showed before (kept below verbatim): on the dossier
page and a deposit's page, for the lead and the staff, with what the lead typed escaped
and with missing, empty, unknown or odd values read as the template read them."""

import copy
import re
from decimal import Decimal

import pytest
from django.template import Context, RequestContext, Template
from django.template.loader import get_template
from django.test import RequestFactory

from dossiers.domain.participation import participation
from dossiers.domain.serialize import dossier_document
from dossiers.enums import DIAGNOSTIC_ANALYSES, DIAGNOSTIC_FIGURES, Mission
from dossiers.templatetags.dossier_display import deposited_files
from dossiers.views.staff import _present
from tests.factories import DossierFactory, dossier_in_state

HOSTILE = "<script>alert(\"x\")</script> & 'quotes' « » %s {{ x }}\r\nligne 2\rligne 3"

# detail_document.html until December 2026 (decision 0064), verbatim.
OLD = """{% load i18n money dossier_display %}
{% comment %}
The content of a dossier, read-only. Used by the dossier page (live=True: attachments
through _attachments.html) and by a snapshot page (live=False: the files it lists).
Context: dossier, doc (a dossier document, see dossiers.domain.serialize, with display
lists added by the view), totals, show_proposal, show_grant.
{% endcomment %}
{% with identity=doc.identity diagnostic=doc.diagnostic %}

<section class="fr-mt-6w" id="identite" aria-labelledby="identite-titre">
  <h2 id="identite-titre">{% translate "Fiche d'identité" %}</h2>
  <div class="fr-table fr-table--no-caption">
    <table>
      <caption>{% translate "Fiche d'identité" %}</caption>
      <tbody>
        <tr><th scope="row">{% translate "Nom de la filière" %}</th><td>{{ identity.name|default:"—" }}</td></tr>
        {% if identity.communes %}<tr><th scope="row">{% translate "Communes ou EPCI" %}</th><td>{{ identity.communes|linebreaksbr }}</td></tr>{% endif %}
        {% if identity.territory_notes %}<tr><th scope="row">{% translate "Territoire couvert" %}</th><td>{{ identity.territory_notes|linebreaksbr }}</td></tr>{% endif %}
        <tr><th scope="row">{% translate "Structure porteuse" %}</th><td>{{ identity.lead_structure.name|default:"—" }}{% if identity.lead_structure.legal_status %} ({{ identity.lead_structure.legal_status|choice_label:"legal_status" }}){% endif %}</td></tr>
        <tr><th scope="row">{% translate "FINESS de la structure porteuse" %}</th><td>{{ identity.lead_structure.finess|default:"—" }}</td></tr>
        <tr><th scope="row">{% translate "Adresse postale de la structure porteuse" %}</th><td>{{ identity.lead_structure.address|default:"—"|linebreaksbr }}</td></tr>
        <tr><th scope="row">{% translate "Représentant légal" %}</th><td>{{ identity.lead_structure.representative_name|default:"—" }}{% if identity.lead_structure.representative_title %}, {{ identity.lead_structure.representative_title }}{% endif %}</td></tr>
        <tr><th scope="row">{% translate "Coordonnateur" %}</th><td>{{ identity.coordinator.name|default:"—" }}{% if identity.coordinator.email %}<br>{{ identity.coordinator.email }}{% endif %}{% if identity.coordinator.phone %}<br>{{ identity.coordinator.phone }}{% endif %}</td></tr>
        <tr><th scope="row">{% translate "Gouvernance" %}</th><td>{{ identity.governance|default:"—"|linebreaksbr }}</td></tr>
        <tr><th scope="row">{% translate "Convention de partenariat signée" %}</th><td>{{ identity.convention_signed|yes_no }}</td></tr>
      </tbody>
    </table>
  </div>
  <div class="fr-table app-table--cards">
    <table>
      <caption>{% translate "Structures membres" %}</caption>
      <thead>
        <tr>
          <th scope="col">{% translate "Type" %}</th>
          <th scope="col">{% translate "Nom" %}</th>
          <th scope="col">{% translate "FINESS" %}</th>
          <th scope="col">{% translate "SIRET" %}</th>
          <th scope="col">{% translate "Rôle" %}</th>
        </tr>
      </thead>
      <tbody>
        {% for member in identity.members %}
          <tr>
            <td>{{ member.type|choice_label:"member_type" }}</td>
            <td>{{ member.name }}</td>
            <td>{{ member.finess|default:"—" }}</td>
            <td>{{ member.siret|default:"—" }}</td>
            <td>{{ member.role|choice_label:"member_role"|default:"—" }}</td>
          </tr>
        {% empty %}
          <tr><td colspan="5">{% translate "Aucune structure membre." %}</td></tr>
        {% endfor %}
      </tbody>
    </table>
  </div>
  <h3 class="fr-h6">{% translate "Acteurs que l’appel demande d’associer" %}</h3>
  {% include "dossiers/_actors.html" with actors=doc.actors %}
  {% if doc.actors.missing %}<p><strong>{% translate "Justification de leur absence :" %}</strong> {{ doc.actors.justification|default:_("non renseignée")|linebreaksbr }}</p>{% endif %}
  {% if live %}{% attachments_html dossier "identity" None %}{% else %}{% include "dossiers/detail_files.html" with files=doc.attachment_lists.identity %}{% endif %}
</section>

<section class="fr-mt-6w" id="diagnostic" aria-labelledby="diagnostic-titre">
  <h2 id="diagnostic-titre">{% translate "Diagnostic territorial" %}</h2>
  <div class="fr-table fr-table--no-caption">
    <table>
      <caption>{% translate "Chiffres clés du territoire" %}</caption>
      <tbody>
        {% for label, value in doc.figures %}
          <tr><th scope="row">{{ label }}</th><td class="app-money">{{ value|number_fr }}</td></tr>
        {% endfor %}
      </tbody>
    </table>
  </div>
  {% if diagnostic.access_notes %}<p><strong>{% translate "Accès et temps de trajet :" %}</strong> {{ diagnostic.access_notes|linebreaksbr }}</p>{% endif %}
  {% for label, text in doc.analyses %}<p><strong>{{ label }} :</strong> {{ text|linebreaksbr }}</p>{% endfor %}
  <div class="fr-table app-table--cards">
    <table>
      <caption>{% translate "Couverture des missions (instruction du 21 juin 2023)" %}</caption>
      <thead>
        <tr><th scope="col">{% translate "Mission" %}</th><th scope="col">{% translate "Couverture" %}</th><th scope="col">{% translate "Commentaire" %}</th></tr>
      </thead>
      <tbody>
        {% for mission in doc.mission_rows %}
          <tr><td>{{ mission.label }}</td><td>{% mission_badge mission.status %}</td><td>{{ mission.comment|default:""|linebreaksbr }}</td></tr>
        {% endfor %}
      </tbody>
    </table>
  </div>
  {% if live %}{% attachments_html dossier "diagnostic" None %}{% else %}{% include "dossiers/detail_files.html" with files=doc.attachment_lists.diagnostic %}{% endif %}
</section>

<section class="fr-mt-6w" id="afom" aria-labelledby="afom-titre">
  <h2 id="afom-titre">{% translate "Analyse AFOM (SWOT)" %}</h2>
  <div class="fr-grid-row fr-grid-row--gutters">
    {% for title, items in doc.swot_lists %}
      <div class="fr-col-12 fr-col-md-6">
        <h3 class="fr-h6">{{ title }}</h3>
        {% if items %}<ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul>{% else %}<p class="fr-text--sm">—</p>{% endif %}
      </div>
    {% endfor %}
  </div>
  {% if live %}{% attachments_html dossier "swot" None %}{% else %}{% include "dossiers/detail_files.html" with files=doc.attachment_lists.swot %}{% endif %}
</section>

<section class="fr-mt-6w" id="projet" aria-labelledby="projet-titre">
  <h2 id="projet-titre">{% translate "Projet territorial" %}</h2>
  {% project_sheets dossier doc.projects show_proposal show_grant live %}
  {% if live %}{% attachments_html dossier "projects" None %}{% else %}{% include "dossiers/detail_files.html" with files=doc.attachment_lists.projects %}{% endif %}

  <div class="fr-table fr-mt-4w app-table--cards" id="totaux">
    <table>
      <caption>{% translate "Totaux du dossier" %}</caption>
      <thead>
        <tr>
          <th scope="col">{% translate "Crédits" %}</th>
          <th scope="col" class="app-money">{% translate "Demandé" %}</th>
          {% if show_proposal %}<th scope="col" class="app-money">{% translate "Proposé" %}</th>{% endif %}
          {% if show_grant %}<th scope="col" class="app-money">{% translate "Accordé" %}</th>{% endif %}
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">{% translate "Reconductibles (année pleine)" %}</th>
          <td class="app-money">{{ totals.requested_recurring|eur }}</td>
          {% if show_proposal %}<td class="app-money">{{ totals.proposed_recurring|eur }}</td>{% endif %}
          {% if show_grant %}<td class="app-money">{{ totals.granted_recurring|eur }}</td>{% endif %}
        </tr>
        <tr>
          <th scope="row">{% translate "Ponctuels non reconductibles" %}</th>
          <td class="app-money">{{ totals.requested_one_off|eur }}</td>
          {% if show_proposal %}<td class="app-money">{{ totals.proposed_one_off|eur }}</td>{% endif %}
          {% if show_grant %}<td class="app-money">{{ totals.granted_one_off|eur }}</td>{% endif %}
        </tr>
      </tbody>
    </table>
  </div>
</section>
{% endwith %}
"""

# detail_files.html until December 2026 (decision 0064), verbatim.
OLD_FILES = """{% load i18n dossier_display %}
{# Attachments as listed in a snapshot (read-only). Include with: dossier, files. #}
<div class="fr-mt-2w">
  <h3 class="fr-h6">{% translate "Pièces jointes déposées" %}</h3>
  {% if files %}
    <ul>
      {% for file in files %}
        <li><a href="{% url 'dossiers:attachment_download' dossier.pk file.id %}">{{ file.name }}</a> <span class="fr-text--xs">({{ file.size|filesize_fr }})</span></li>
      {% endfor %}
    </ul>
  {% else %}
    <p class="fr-text--sm">{% translate "Aucune pièce jointe." %}</p>
  {% endif %}
</div>
"""

SWOT_TITLES = [("strengths", "Forces"), ("weaknesses", "Faiblesses")] + [
    ("opportunities", "Opportunités"),
    ("threats", "Menaces"),
]


def old_lists(doc):
    """What the view's _present added for the former template (verbatim but the titles)."""
    diagnostic = doc.get("diagnostic") or {}
    doc["figures"] = [(label, diagnostic.get(key)) for key, label in DIAGNOSTIC_FIGURES]
    doc["analyses"] = [
        (label, diagnostic.get(key)) for key, label in DIAGNOSTIC_ANALYSES if diagnostic.get(key)
    ]
    statuses = {m.get("code"): m for m in diagnostic.get("missions") or []}
    doc["mission_rows"] = [
        {
            "code": code,
            "label": label,
            "status": (statuses.get(code) or {}).get("status", ""),
            "comment": (statuses.get(code) or {}).get("comment", ""),
        }
        for code, label in Mission.choices
    ]
    swot = doc.get("swot") or {}
    doc["swot_lists"] = [(title, swot.get(key) or []) for key, title in SWOT_TITLES]
    doc["actors"] = participation(doc.get("identity") or {})
    return doc


def normalized(html):
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "CSRF", str(html))
    return re.sub(r'name="once" value="[^"]*"', "ONCE", html)


def both(user, dossier, *, live, show, totals=None, **parts):
    """(former template, current template) on the dossier's document, its parts
    replaced by `parts` (identity, diagnostic, swot: anything, as a snapshot may hold)."""
    request = RequestFactory().get(f"/dossiers/{dossier.pk}/")
    request.user = user
    document = dossier_document(dossier, show_proposal=show, show_grant=show)
    document.update(parts)
    if totals is None:
        totals = {
            key: Decimal("1234567.5") if "recurring" in key else "52000.50"
            for key in (
                "requested_recurring",
                "requested_one_off",
                "proposed_recurring",
                "proposed_one_off",
                "granted_recurring",
                "granted_one_off",
            )
        }
    rendered = []
    for source, doc in (
        (Template(OLD), old_lists(_present(copy.deepcopy(document)))),
        (get_template("dossiers/detail_document.html").template, _present(document)),
    ):
        doc["attachment_lists"] = {  # a deposit's files (live=False)
            "identity": [{"id": 3, "name": HOSTILE, "size": 2048}],
            "projects": [{"id": 4, "name": "Annexe.pdf", "size": 12}],
        }
        context = {
            "dossier": dossier,
            "doc": doc,
            "live": live,
            "show_proposal": show,
            "show_grant": show,
            "totals": totals,
        }
        rendered.append(normalized(source.render(RequestContext(request, context))))
    return rendered


def hostile_identity():
    return {
        "name": HOSTILE,
        "communes": HOSTILE,
        "territory_notes": "",
        "lead_structure": {
            "name": HOSTILE,
            "finess": "<b>",
            "legal_status": "<inconnu>",
            "address": HOSTILE,
            "representative_name": "",
            "representative_title": HOSTILE,
        },
        "coordinator": {"name": None, "email": "a&b@example.fr", "phone": 33},
        "members": [
            {"type": "USP", "name": HOSTILE, "finess": "", "siret": None, "role": "expert"},
            {"type": "<x>", "name": None, "role": "<y>"},
            {"type": "", "finess": 1.5},
            "pas un objet",
            {},
        ],
        "governance": None,
        "convention_signed": False,
        "actors_justification": HOSTILE,
    }


def hostile_diagnostic():
    return {
        "population": 560000,
        "minors": "<12>",
        "over_75": None,
        "area_km2": "3500.25",
        "lisp_beds": 0,
        "usp_beds": "",
        "emsp_count": 1.5,
        "had_count": True,
        "access_notes": HOSTILE,
        "needs": HOSTILE,
        "levers": "",
        "prospective": 12,
        "missions": [
            {"code": "expertise", "status": "covered", "comment": HOSTILE},
            {"code": Mission.values[1], "status": "<inconnu>", "comment": 0},
            {"code": Mission.values[2], "status": "partial"},
            {"code": "<autre>", "status": "missing"},
            {"status": "missing"},
        ],
    }


def hostile_swot():
    return {
        "strengths": [HOSTILE, "", None, 12],
        "weaknesses": [],
        "opportunities": "ab<",
    }


@pytest.mark.parametrize("live", [True, False])
@pytest.mark.parametrize("who", ["lead", "instructor"])
def test_sections_equal_the_former_template(complete, lead, instructor, who, live):
    dossier = complete if who == "lead" else dossier_in_state("submitted", dossier=complete)
    user = lead if who == "lead" else instructor
    show = who == "instructor"

    expected, rendered = both(user, dossier, live=live, show=show)

    assert rendered == expected
    assert "<caption>Fiche d'identité</caption>" in rendered and "USP du CHU de Brest" in rendered
    assert ("Proposé" in rendered) == show


@pytest.mark.parametrize("show", [True, False])
def test_hostile_and_odd_values_read_as_the_template_read_them(complete, instructor, show):
    dossier = dossier_in_state("submitted", dossier=complete)
    expected, rendered = both(
        instructor,
        dossier,
        live=True,
        show=show,
        identity=hostile_identity(),
        diagnostic=hostile_diagnostic(),
        swot=hostile_swot(),
    )

    assert rendered == expected
    assert "<script>" not in rendered
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quotes&#x27;" in rendered
    assert "ligne 2<br>ligne 3" in rendered


@pytest.mark.parametrize(
    "parts",
    [
        {"identity": {}, "diagnostic": {}, "swot": {}},
        {"identity": None, "diagnostic": None, "swot": None},
        {"identity": {"members": [{"type": t} for t in ("LISP", "USP", "EMSP", "HAD")]}},
        {
            "identity": {
                "members": [
                    {"type": t} for t in ("LISP", "USP", "EMSP", "HAD", "ERRSPP", "DAC", "CPTS")
                ],
                "lead_structure": None,
                "coordinator": "texte",
                "convention_signed": True,
            }
        },
        {"identity": {"members": [{"type": "DAC"}], "actors_justification": "  "}},
        {"diagnostic": {"missions": []}, "swot": {"threats": ["<i>"]}},
    ],
)
def test_empty_and_partial_parts(filiere, lead, parts):
    dossier = DossierFactory(filiere=filiere)
    for live in (True, False):
        expected, rendered = both(lead, dossier, live=live, show=False, **parts)

        assert rendered == expected


def test_totals_of_a_snapshot(complete, lead):
    """A deposit's totals: money strings of the document, None where nothing was summed."""
    totals = {
        "requested_recurring": "1600000.00",
        "requested_one_off": "0.00",
        "granted_recurring": None,
        "granted_one_off": None,
    }
    expected, rendered = both(lead, complete, live=False, show=False, totals=totals)

    assert rendered == expected
    assert "1\u202f600\u202f000,00\u00a0€" in rendered


def test_deposited_files_equal_the_former_template(filiere):
    """A deposit's files of one part: dossier_display.deposited_files, called by
    detail_files.html and by the sheets' loop, shows what detail_files.html showed."""
    dossier = DossierFactory(filiere=filiere)
    files = [
        {"id": 7, "name": HOSTILE + ".pdf", "size": 123_456},
        {"id": 8, "name": "a.pdf", "size": 0},
        {"id": 9, "name": None, "size": 1023},
        {"id": 10, "size": 5 * 1024 * 1024 + 1},
        {"id": 11, "name": "x", "size": "pas un nombre"},
        {"id": 12, "name": 12, "size": None},
    ]
    for listed in (files, [], None):
        context = Context({"dossier": dossier, "files": listed})
        expected = Template(OLD_FILES).render(context)

        assert Template('{% include "dossiers/detail_files.html" %}').render(context) == expected
        assert str(deposited_files(dossier, listed)) == expected
        if listed:
            assert "<script>" not in expected and "120,6 Ko" in expected
