"""budget_rows: the funding-line rows of the proposal and decision pages, built in
Python, give the markup of the template loops they replace, byte for byte (values
escaped and localized, errors on their fields)."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from budget.forms import DecisionForm, ProposalForm
from budget.views.pages import ArsDossierMixin
from dossiers.models import FundingLine

PROPOSAL_LOOP = (
    "{% load i18n money dsfr_fields %}"
    "{% for project, project_opinion, rows in form.rows %}"
    "{% for line, proposed, opinion in rows %}\n"
    "              <tr>\n"
    '                <th scope="row">{{ line.label }}{% if line.etp %} <span class="fr-text--xs">'
    "({{ line.etp }} ETP)</span>{% endif %}</th>\n"
    "                <td>{{ line.get_nature_display }}</td>\n"
    '                <td>{{ line.first_year|default:"—" }}</td>\n'
    '                <td class="app-money">{{ line.amount|eur }}</td>\n'
    '                <td class="app-cell-field">{{ proposed|dsfr_field }}</td>\n'
    '                <td class="app-cell-field">{{ opinion|dsfr_field }}</td>\n'
    "              </tr>\n"
    "            {% endfor %}|{% endfor %}"
)
PROPOSAL_TAG = (
    "{% load budget_rows %}{% for project, project_opinion, rows in form.rows %}"
    "{% proposal_rows rows %}|{% endfor %}"
)
DECISION_LOOP = (
    "{% load i18n money dsfr_fields %}"
    "{% for project, rows in form.rows %}"
    "{% for line, granted, start_month, justification in rows %}\n"
    "              <tr>\n"
    '                <th scope="row">{{ line.label }}<br><span class="fr-text--xs">'
    '{{ line.get_nature_display }}{% if line.first_year %} — {% translate "dès" %} '
    "{{ line.first_year }}{% endif %}</span></th>\n"
    '                <td class="app-money">{{ line.amount|eur }}</td>\n'
    '                <td class="app-money">{{ line.proposed|eur }}{% if line.proposal_opinion %}'
    '<br><span class="fr-text--xs">{{ line.get_proposal_opinion_display }}</span>{% endif %}</td>\n'
    '                <td class="app-cell-field">{{ granted|dsfr_field }}</td>\n'
    '                <td class="app-cell-field">{{ start_month|dsfr_field }}</td>\n'
    '                <td class="app-cell-field">{{ justification|dsfr_field }}</td>\n'
    "              </tr>\n"
    "            {% endfor %}|{% endfor %}"
)
DECISION_TAG = (
    "{% load budget_rows %}{% for project, rows in form.rows %}"
    "{% decision_rows rows %}|{% endfor %}"
)


@pytest.fixture
def projects(analysed):
    lines = list(FundingLine.objects.filter(project__dossier=analysed).order_by("pk"))
    lines[0].label = "<script>alert('x')</script> & « Poste »"
    lines[0].etp = Decimal("1.50")
    lines[0].proposed = Decimal("1234567.89")
    lines[0].proposal_opinion = "favourable"
    lines[1].first_year = None
    lines[1].amount = None
    for line in lines:
        line.save()
    view = ArsDossierMixin()
    view.dossier = analysed
    return view.projects()


def render(source, form):
    return Template(source).render(Context({"form": form}))


@pytest.mark.parametrize("editable", [True, False])
def test_proposal_rows_are_the_template_loop(projects, editable):
    with translation.override("fr"):
        form = ProposalForm(projects=projects, editable=editable)
        html = render(PROPOSAL_TAG, form)
        assert html == render(PROPOSAL_LOOP, form)
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "1,50 ETP" in html


def test_proposal_rows_with_errors(projects):
    line = projects[0].lines.all()[0]
    with translation.override("fr"):
        form = ProposalForm({f"proposed_{line.pk}": "abc<b>"}, projects=projects)
        assert not form.is_valid()
        html = render(PROPOSAL_TAG, form)
        assert html == render(PROPOSAL_LOOP, form)
    assert "fr-input--error" in html and "abc&lt;b&gt;" in html


def test_decision_rows_are_the_template_loop(projects):
    line = projects[0].lines.all()[0]
    with translation.override("fr"):
        form = DecisionForm(projects=projects)
        assert render(DECISION_TAG, form) == render(DECISION_LOOP, form)
        form = DecisionForm(
            {f"granted_{line.pk}": "x<i>", f"start_month_{line.pk}": "13/2025"}, projects=projects
        )
        assert not form.is_valid()
        html = render(DECISION_TAG, form)
        assert html == render(DECISION_LOOP, form)
    assert "dès 2025" in html and "Favorable" in html and "x&lt;i&gt;" in html
