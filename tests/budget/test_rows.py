"""budget_rows: the funding-line rows of the proposal and decision pages, built in
Python, give the markup of the template loops they replace, byte for byte (values
escaped and localized, errors on their fields)."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from budget.domain.decisions import decide
from budget.forms import DecisionForm, ProposalForm
from budget.queries import budget_summary, counted_dossiers, dossier_amounts, sheets_with_lines
from budget.views.pages import ArsDossierMixin
from dossiers.models import FundingLine
from tests.budget.conftest import ONE_OFF, REC, grant_all, make_dossier
from tests.factories import ProjectFactory

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
def sheets(analysed):
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
    return view.sheets()


def render(source, form):
    return Template(source).render(Context({"form": form}))


@pytest.mark.parametrize("editable", [True, False])
def test_proposal_rows_are_the_template_loop(sheets, editable):
    with translation.override("fr"):
        form = ProposalForm(sheets=sheets, editable=editable)
        html = render(PROPOSAL_TAG, form)
        assert html == render(PROPOSAL_LOOP, form)
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "1,50 ETP" in html


def test_proposal_rows_with_errors(sheets):
    line = sheets[0][1][0]
    with translation.override("fr"):
        form = ProposalForm({f"proposed_{line.pk}": "abc<b>"}, sheets=sheets)
        assert not form.is_valid()
        html = render(PROPOSAL_TAG, form)
        assert html == render(PROPOSAL_LOOP, form)
    assert "fr-input--error" in html and "abc&lt;b&gt;" in html


def test_decision_rows_are_the_template_loop(sheets):
    line = sheets[0][1][0]
    with translation.override("fr"):
        form = DecisionForm(sheets=sheets)
        assert render(DECISION_TAG, form) == render(DECISION_LOOP, form)
        form = DecisionForm(
            {f"granted_{line.pk}": "x<i>", f"start_month_{line.pk}": "13/2025"}, sheets=sheets
        )
        assert not form.is_valid()
        html = render(DECISION_TAG, form)
        assert html == render(DECISION_LOOP, form)
    assert "dès 2025" in html and "Favorable" in html and "x&lt;i&gt;" in html


PROPOSAL_SHEETS_TAG = "{% load budget_rows %}{% proposal_sheets form %}"
DECISION_SHEETS_TAG = "{% load budget_rows %}{% decision_sheets form %}"

# The sheet loops of templates/budget/proposal.html and decision.html before
# proposal_sheets and decision_sheets replaced them.
PROPOSAL_SHEETS_LOOP = (
    "{% load i18n dsfr_fields budget_rows %}"
    + '{% translate "Lignes de financement" as t_caption %}{% translate "Ligne" as t_line %}{% translate "Nature" as t_nature %}{% translate "Première année" as t_first_year %}{% translate "Demandé" as t_requested %}{% translate "Montant proposé (€)" as t_proposed %}{% translate "Avis" as t_opinion %}{% translate "Sous-total de la fiche — reconductible" as t_subtotal_recurring %}{% translate "Sous-total de la fiche — ponctuel" as t_subtotal_one_off %}{% translate "Ce dossier n\'a aucune fiche projet." as t_no_sheet %}{% for project, project_opinion, rows in form.rows %}\n      <section class="fr-mb-6w" data-budget-sheet>\n        <h2 class="fr-h4">{% blocktranslate with rank=project.priority|default:"?" title=project.title %}Fiche {{ rank }} — {{ title }}{% endblocktranslate %}</h2>\n        <div class="fr-table fr-table--bordered app-table--cards">\n          <table>\n            <caption>{{ t_caption }}</caption>\n            <thead><tr>\n              <th scope="col">{{ t_line }}</th>\n              <th scope="col">{{ t_nature }}</th>\n              <th scope="col">{{ t_first_year }}</th>\n              <th scope="col" class="app-money">{{ t_requested }}</th>\n              <th scope="col">{{ t_proposed }}</th>\n              <th scope="col">{{ t_opinion }}</th>\n            </tr></thead>\n            <tbody>\n            {% proposal_rows rows %}\n            </tbody>\n            {# Filled and shown by static/js/budget.js while amounts are typed. #}\n            <tfoot data-budget-subtotals hidden>\n              <tr><th scope="row" colspan="4">{{ t_subtotal_recurring }}</th><td class="app-money" data-budget-subtotal="recurring"></td><td colspan="1"></td></tr>\n              <tr><th scope="row" colspan="4">{{ t_subtotal_one_off }}</th><td class="app-money" data-budget-subtotal="one_off"></td><td colspan="1"></td></tr>\n            </tfoot>\n          </table>\n        </div>\n        {{ project_opinion|dsfr_field }}\n      </section>\n    {% empty %}\n      <p>{{ t_no_sheet }}</p>\n    {% endfor %}'
)
DECISION_SHEETS_LOOP = (
    "{% load i18n dsfr_fields budget_rows %}"
    + '{% translate "Avis de l\'instructeur :" as t_opinion %}{% translate "Lignes de financement" as t_caption %}{% translate "Ligne" as t_line %}{% translate "Demandé" as t_requested %}{% translate "Proposé" as t_proposed %}{% translate "Montant accordé (€)" as t_granted %}{% translate "Démarrage" as t_start %}{% translate "Justification" as t_justification %}{% translate "Sous-total de la fiche — reconductible" as t_subtotal_recurring %}{% translate "Sous-total de la fiche — ponctuel" as t_subtotal_one_off %}{% for project, rows in form.rows %}\n      <section class="fr-mb-6w" data-budget-sheet>\n        <h2 class="fr-h4">{% blocktranslate with rank=project.priority|default:"?" title=project.title %}Fiche {{ rank }} — {{ title }}{% endblocktranslate %}\n          {% if project.proposal_opinion %}<span class="fr-badge fr-badge--sm fr-badge--no-icon">{{ t_opinion }} {{ project.get_proposal_opinion_display|lower }}</span>{% endif %}</h2>\n        <div class="fr-table fr-table--bordered app-table--cards">\n          <table>\n            <caption>{{ t_caption }}</caption>\n            <thead><tr>\n              <th scope="col">{{ t_line }}</th>\n              <th scope="col" class="app-money">{{ t_requested }}</th>\n              <th scope="col" class="app-money">{{ t_proposed }}</th>\n              <th scope="col">{{ t_granted }}</th>\n              <th scope="col">{{ t_start }}</th>\n              <th scope="col">{{ t_justification }}</th>\n            </tr></thead>\n            <tbody>\n            {% decision_rows rows %}\n            </tbody>\n            {# Filled and shown by static/js/budget.js while amounts are typed. #}\n            <tfoot data-budget-subtotals hidden>\n              <tr><th scope="row" colspan="3">{{ t_subtotal_recurring }}</th><td class="app-money" data-budget-subtotal="recurring"></td><td colspan="2"></td></tr>\n              <tr><th scope="row" colspan="3">{{ t_subtotal_one_off }}</th><td class="app-money" data-budget-subtotal="one_off"></td><td colspan="2"></td></tr>\n            </tfoot>\n          </table>\n        </div>\n      </section>\n    {% endfor %}'
)


@pytest.mark.parametrize("editable", [True, False])
def test_proposal_sheets_are_the_template_loop(sheets, editable):
    sheets[0][0].priority = None
    sheets[0][0].title = "<b>Équipe</b> & « mobile »"
    line = sheets[0][1][0]
    with translation.override("fr"):
        for form in (
            ProposalForm(sheets=sheets, editable=editable),
            ProposalForm({f"proposed_{line.pk}": "abc"}, sheets=sheets),
            ProposalForm(sheets=[], editable=editable),
        ):
            if form.is_bound:
                form.is_valid()
            html = render(PROPOSAL_SHEETS_TAG, form)
            assert html == render(PROPOSAL_SHEETS_LOOP, form)
        html = render(PROPOSAL_SHEETS_TAG, ProposalForm(sheets=sheets))
    assert "Fiche ? — &lt;b&gt;Équipe&lt;/b&gt; &amp; « mobile »" in html


def test_decision_sheets_are_the_template_loop(sheets):
    sheets[0][0].proposal_opinion = "favourable"
    sheets[0][0].title = "<i>x</i>"
    line = sheets[0][1][0]
    with translation.override("fr"):
        for form in (
            DecisionForm(sheets=sheets),
            DecisionForm({f"granted_{line.pk}": "x<i>"}, sheets=sheets),
        ):
            if form.is_bound:
                form.is_valid()
            html = render(DECISION_SHEETS_TAG, form)
            assert html == render(DECISION_SHEETS_LOOP, form)
    assert "Avis de l'instructeur : favorable" in html and "&lt;i&gt;x" in html


DASHBOARD_LOOPS = (
    "{% load i18n money dossier_display %}"
    "{% for row in summary.by_territory %}\n"
    "        <tr>\n"
    '          <th scope="row">{{ row.label }}</th>\n'
    '          <td class="app-money">{{ row.recurring.requested|eur }}</td>\n'
    '          <td class="app-money">{{ row.recurring.proposed|eur }}</td>\n'
    '          <td class="app-money">{{ row.recurring.granted|eur }}</td>\n'
    '          <td class="app-money">{{ row.recurring.delegated|eur }}</td>\n'
    '          <td class="app-money">{{ row.one_off.requested|eur }}</td>\n'
    '          <td class="app-money">{{ row.one_off.proposed|eur }}</td>\n'
    '          <td class="app-money">{{ row.one_off.granted|eur }}</td>\n'
    '          <td class="app-money">{{ row.one_off.delegated|eur }}</td>\n'
    "        </tr>\n"
    "      {% endfor %}|"
    "{% for row in summary.by_territory %}\n"
    "        <tr>\n"
    '          <th scope="row">{{ row.label }}</th>\n'
    '          {% for year in row.by_year %}<td class="app-money">{{ year.total|eur }}</td>'
    "{% endfor %}\n"
    "        </tr>\n"
    "      {% endfor %}|"
    "{% for dossier in dossiers %}\n"
    "        <tr>\n"
    '          <th scope="row">{{ dossier.filiere.name }}</th>\n'
    "          <td>{% state_badge dossier.state dossier.outcome %}</td>\n"
    '          <td class="app-money">{{ dossier.amount_recurring|eur }}</td>\n'
    '          <td class="app-money">{{ dossier.amount_one_off|eur }}</td>\n'
    '          <td class="app-money">{{ dossier.proposed_recurring|eur }}</td>\n'
    '          <td class="app-money">{{ dossier.proposed_one_off|eur }}</td>\n'
    '          <td class="app-money">{{ dossier.granted_recurring|eur }}</td>\n'
    '          <td class="app-money">{{ dossier.granted_one_off|eur }}</td>\n'
    "          <td>\n"
    "            {% if dossier.state == ars_analysis or dossier.state == decided %}\n"
    "              <a href=\"{% url 'budget:proposal' dossier.pk %}\">"
    '{% translate "Proposition" %}</a><br>\n'
    "              <a href=\"{% url 'budget:decision' dossier.pk %}\">"
    '{% translate "Décision" %}</a>\n'
    "            {% endif %}\n"
    "          </td>\n"
    "        </tr>\n"
    "      {% empty %}\n"
    '        <tr><td colspan="9">{% translate "Aucun dossier déposé." %}</td></tr>\n'
    "      {% endfor %}"
)
DASHBOARD_TAGS = (
    "{% load budget_rows %}{% territory_amount_rows summary.by_territory %}|"
    "{% territory_year_rows summary.by_territory %}|{% dossier_amount_rows dossiers %}"
)


def test_dashboard_rows_are_the_template_loops(
    campaign, instructor, decider, analysed, territories
):

    territories[0].name = "<b>Brest & « Iroise »</b>"
    territories[0].save()
    decided = make_dossier(
        campaign, instructor, [(REC, "1234.56"), (ONE_OFF, "10.00")], territories=territories[:2]
    )
    decide(decided, decider, "accepted", grant_all(decided), "Accord.")
    decided.filiere.name = "<script>alert('x')</script> \"Filière\" & co"
    decided.filiere.save()
    make_dossier(campaign, instructor, [(REC, "99.00")], state="submitted")
    summary = budget_summary(campaign)
    dossiers = dossier_amounts(campaign, counted_dossiers(campaign).values("pk"))
    with translation.override("fr"):
        for context in (
            {"summary": summary, "dossiers": dossiers},
            {"summary": {"by_territory": []}, "dossiers": []},
        ):
            context.update(ars_analysis="ars_analysis", decided="decided")
            html = Template(DASHBOARD_TAGS).render(Context(context))
            assert html == Template(DASHBOARD_LOOPS).render(Context(context))
    html = Template(DASHBOARD_TAGS).render(Context({"summary": summary, "dossiers": dossiers}))
    assert "&lt;b&gt;Brest" in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &quot;Filière&quot; &amp; co" in html


def test_sheets_with_lines_are_the_dossier_in_order(analysed, django_assert_num_queries):
    """Sheets by priority, their lines by creation, a sheet without lines kept, each
    line's sheet known without a query."""
    empty = ProjectFactory(dossier=analysed, priority=0, title="Sans ligne")
    with django_assert_num_queries(2):
        sheets = sheets_with_lines(analysed)
        assert [line.project.title for _project, lines in sheets for line in lines]
    expected = list(analysed.projects.order_by("priority", "pk"))
    assert [project for project, _lines in sheets] == expected
    assert sheets[0] == (empty, [])
    for project, lines in sheets:
        assert lines == list(project.lines.order_by("pk"))
        assert all(line.project is project for line in lines)
