"""The project sheet tables rendered in Python (dossier_display.project_tables) show
exactly what the template they replaced showed: same text, same escaping of what the
lead typed, same money, dates and numbers, for every combination of columns."""

import re
from decimal import Decimal

import pytest
from django.template import Context, Template

from dossiers.templatetags.dossier_display import project_tables

# The template the tag replaced (detail_document.html until December 2026), verbatim.
TEMPLATE = """{% load i18n money dossier_display %}
<div class="fr-table fr-table--no-caption">
  <table>
    <caption>{% translate "Fiche projet" %} {{ project.title }}</caption>
    <tbody>
      <tr><th scope="row">{% translate "Objectifs" %}</th><td>{{ project.objectives|default:"—"|linebreaksbr }}</td></tr>
      <tr><th scope="row">{% translate "Actions" %}</th><td>{{ project.actions|default:"—"|linebreaksbr }}</td></tr>
      <tr><th scope="row">{% translate "Calendrier" %}</th><td>{% if project.start %}{% translate "du" %} {{ project.start|as_date|date:"d/m/Y" }}{% endif %} {% if project.end %}{% translate "au" %} {{ project.end|as_date|date:"d/m/Y" }}{% endif %}{% if not project.start and not project.end %}—{% endif %}</td></tr>
      <tr><th scope="row">{% translate "Structure pilote" %}</th><td>{{ project.pilot|default:"—" }}</td></tr>
      <tr><th scope="row">{% translate "Partenaires" %}</th><td>{{ project.partners|default:"—"|linebreaksbr }}</td></tr>
      <tr><th scope="row">{% translate "Indicateurs" %}</th><td>{{ project.indicators|default:"—"|linebreaksbr }}</td></tr>
      <tr><th scope="row">{% translate "Missions concernées" %}</th><td>{% if project.mission_labels %}<ul>{% for label in project.mission_labels %}<li>{{ label }}</li>{% endfor %}</ul>{% else %}—{% endif %}</td></tr>
      <tr><th scope="row">{% translate "Éléments AFOM liés" %}</th><td>{% if project.swot_items %}<ul>{% for item in project.swot_items %}<li>{{ item }}</li>{% endfor %}</ul>{% else %}—{% endif %}</td></tr>
    </tbody>
  </table>
</div>
<div class="fr-table app-table--cards">
  <table>
    <caption>{% translate "Demande de financement" %}</caption>
    <thead>
      <tr>
        <th scope="col">{% translate "Libellé" %}</th>
        <th scope="col">{% translate "Nature" %}</th>
        <th scope="col">{% translate "Catégorie" %}</th>
        <th scope="col" class="app-money">{% translate "Demandé" %}</th>
        <th scope="col">{% translate "Première année" %}</th>
        <th scope="col">{% translate "FINESS bénéficiaire" %}</th>
        {% if show_proposal %}<th scope="col" class="app-money">{% translate "Proposé" %}</th><th scope="col">{% translate "Avis" %}</th>{% endif %}
        {% if show_grant %}<th scope="col" class="app-money">{% translate "Accordé" %}</th>{% endif %}
      </tr>
    </thead>
    <tbody>
      {% for line in project.lines %}
        <tr>
          <td>{{ line.label|default:"—" }}</td>
          <td>{{ line.nature|choice_label:"nature" }}</td>
          <td>{{ line.category|choice_label:"category" }}{% if line.category == "staff" %}{% if line.etp %}<br><span class="fr-text--xs">{{ line.etp|number_fr }} {% translate "ETP" %}</span>{% endif %}{% if line.staff_profile %}<br><span class="fr-text--xs">{{ line.staff_profile }}</span>{% endif %}{% endif %}</td>
          <td class="app-money">{{ line.amount|eur }}</td>
          <td>{{ line.first_year|default:"—" }}</td>
          <td>{{ line.beneficiary_finess|default:"—" }}</td>
          {% if show_proposal %}<td class="app-money">{{ line.proposed|eur }}</td><td>{{ line.proposal_opinion|choice_label:"opinion"|default:"—" }}</td>{% endif %}
          {% if show_grant %}<td class="app-money">{{ line.granted|eur }}</td>{% endif %}
        </tr>
      {% empty %}
        <tr><td colspan="9">{% translate "Aucune ligne de financement." %}</td></tr>
      {% endfor %}
    </tbody>
    <tfoot>
      <tr>
        <th scope="row" colspan="3">{% translate "Total reconductible" %}</th>
        <td class="app-money">{{ project.sums.requested_recurring|eur }}</td>
        <td colspan="2"></td>
        {% if show_proposal %}<td class="app-money">{{ project.sums.proposed_recurring|eur }}</td><td></td>{% endif %}
        {% if show_grant %}<td class="app-money">{{ project.sums.granted_recurring|eur }}</td>{% endif %}
      </tr>
      <tr>
        <th scope="row" colspan="3">{% translate "Total ponctuel" %}</th>
        <td class="app-money">{{ project.sums.requested_one_off|eur }}</td>
        <td colspan="2"></td>
        {% if show_proposal %}<td class="app-money">{{ project.sums.proposed_one_off|eur }}</td><td></td>{% endif %}
        {% if show_grant %}<td class="app-money">{{ project.sums.granted_one_off|eur }}</td>{% endif %}
      </tr>
    </tfoot>
  </table>
</div>
"""

HOSTILE = "<script>alert(\"x\")</script> & 'quotes' <b>"


def sheet(**overrides):
    project = {
        "id": 7,
        "title": "Coordination " + HOSTILE,
        "objectives": "Premier objectif\r\nSecond <objectif>",
        "actions": "Actions\nsur deux lignes",
        "start": "2026-01-01",
        "end": "2027-12-31",
        "pilot": "CH " + HOSTILE,
        "partners": "",
        "indicators": None,
        "mission_labels": ["Expertise pédiatrique (ERRSPP)", HOSTILE],
        "swot_items": [HOSTILE, "Force 2"],
        "lines": [
            {
                "label": "IDE " + HOSTILE,
                "nature": "recurring",
                "category": "staff",
                "etp": "0.60",
                "staff_profile": "IDE <coordinatrice>",
                "amount": "52000.50",
                "first_year": 2026,
                "beneficiary_finess": "350000014",
                "proposed": "50000.00",
                "proposal_opinion": "partial",
                "granted": "48000.00",
            },
            {
                "label": "",
                "nature": "one_off",
                "category": "equipment",
                "etp": None,
                "staff_profile": "",
                "amount": None,
                "first_year": None,
                "beneficiary_finess": "",
                "proposed": None,
                "proposal_opinion": "",
                "granted": None,
            },
            {
                "label": "Valeurs inconnues",
                "nature": "<unknown>",
                "category": "staff",
                "etp": "1",
                "staff_profile": "",
                "amount": "1600000",
                "first_year": 2027,
                "beneficiary_finess": None,
                "proposed": "0",
                "proposal_opinion": "<avis>",
                "granted": "0.00",
            },
        ],
        "sums": {
            "requested_recurring": Decimal("52000.50"),
            "requested_one_off": Decimal("0.00"),
            "proposed_recurring": Decimal("50000.00"),
            "proposed_one_off": None,
            "granted_recurring": Decimal("48000.00"),
            "granted_one_off": Decimal("0"),
        },
    }
    project.update(overrides)
    return project


SHEETS = [
    sheet(),
    sheet(
        lines=[],
        sums={key: Decimal("0.00") for key in sheet()["sums"]},
        mission_labels=[],
        swot_items=[],
        start=None,
        end=None,
    ),
    sheet(start="2026-03-01", end=None, objectives=None, actions="", title=""),
    sheet(start=None, end="2026-06-30"),
]


def normalized(html):
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", str(html))).strip()


@pytest.mark.parametrize("show_proposal", [False, True])
@pytest.mark.parametrize("show_grant", [False, True])
@pytest.mark.parametrize("index", range(len(SHEETS)))
def test_python_tables_equal_the_template(index, show_proposal, show_grant):
    project = SHEETS[index]
    context = {"project": project, "show_proposal": show_proposal, "show_grant": show_grant}
    expected = Template(TEMPLATE).render(Context(context))

    rendered = project_tables(project, show_proposal, show_grant)

    assert normalized(rendered) == normalized(expected)


def test_what_the_lead_typed_is_escaped():
    rendered = project_tables(sheet(), True, True)

    assert "<script>" not in rendered
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quotes&#x27;" in rendered
    assert "IDE &lt;coordinatrice&gt;" in rendered
    assert "Premier objectif<br>Second &lt;objectif&gt;" in rendered


def test_money_dates_and_figures_in_french():
    rendered = project_tables(sheet(), True, True)

    assert "du 01/01/2026 au 31/12/2027" in rendered
    assert '<td class="app-money">52\u202f000,50\u00a0€</td>' in rendered
    assert "0,60 ETP" in rendered
    assert "Reconductible" in rendered and "Ponctuel" in rendered
