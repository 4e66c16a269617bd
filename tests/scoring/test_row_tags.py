"""The table rows the review pages build in Python (scoring.templatetags.review_tags:
ranking_rows, assignment_rows, missing_review_rows, dashboard_dossier_rows, returned_rows,
territory_rows) give the markup of the template loops they replaced, byte for byte,
escaping included."""

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace as NS

import pytest
from django.template import Context, Template
from django.utils import translation

from dossiers.enums import DossierState as S

NASTY = 'Réseau <b>"l\'Armor"</b> & Argoat'

LOAD = "{% load i18n review_tags money %}"

# The loops as the templates had them (scoring/ranking.html, scoring/dashboard.html).
RANKING_LOOP = """  {% for row in rows %}
    <tr>
      <td class="app-money">{{ row.rank|default:"—" }}</td>
      <td class="app-col-title"><a href="{% url 'dossiers:detail' row.dossier.pk %}">{{ row.dossier.display_name }}</a></td>
      <td>{% for code in row.territory_codes %}{{ code }}{% if not forloop.last %}, {% endif %}{% empty %}—{% endfor %}</td>
      <td>{% state_badge row.dossier.state %}</td>
      <td class="app-money"><strong>{{ row.stats.mean|dec }}</strong></td>
      <td class="app-money">{% if row.stats.count %}{{ row.stats.low|dec }} – {{ row.stats.high|dec }}{% else %}—{% endif %}</td>
      <td class="app-money">{{ row.stats.stddev|dec }}</td>
      <td class="app-money">{{ row.stats.count }}</td>
      <td class="app-money">{{ row.requested_recurring|eur }}</td>
      <td class="app-money">{{ row.requested_one_off|eur }}</td>
    </tr>
  {% empty %}
    <tr><td colspan="10">{% translate "Aucun dossier à classer." %}</td></tr>
  {% endfor %}
"""
RANKING_TAG = """  {% if rows %}{% ranking_rows rows %}{% else %}
    <tr><td colspan="10">{% translate "Aucun dossier à classer." %}</td></tr>
  {% endif %}
"""

ASSIGNMENT_LOOP = """      {% for assignment, review in my_assignments %}
        <tr>
          <td><a href="{% workspace_url assignment.dossier.pk %}">{{ assignment.dossier.display_name }}</a></td>
          <td>{% state_badge assignment.dossier.state %}</td>
          <td>{% own_review_status review %}</td>
        </tr>
      {% endfor %}
"""
ASSIGNMENT_TAG = "      {% assignment_rows my_assignments %}\n"

MISSING_LOOP = """        {% for dossier, pending, n_assigned, n_done in missing_reviews %}
          <tr>
            <td><a href="{% workspace_url dossier.pk %}">{{ dossier.display_name }}</a></td>
            <td>{% state_badge dossier.state %}</td>
            <td class="app-money">{{ n_done }} / {{ n_assigned }}</td>
            <td>{% if not n_assigned %}<span class="fr-badge fr-badge--warning fr-badge--sm">{% translate "Aucun relecteur désigné" %}</span>{% else %}{{ pending|join:", " }}{% endif %}</td>
          </tr>
        {% endfor %}
"""
MISSING_TAG = "        {% missing_review_rows missing_reviews %}\n"

DOSSIER_LOOP = """    {% for dossier in page %}
      <tr>
        <td><a href="{% workspace_url dossier.pk %}">{{ dossier.display_name }}</a></td>
        <td>{% for t in dossier.territory_codes %}{{ t }}{% if not forloop.last %}, {% endif %}{% empty %}—{% endfor %}</td>
        <td>{% state_badge dossier.state %}</td>
        <td class="app-money">{{ dossier.n_submitted }} / {{ dossier.n_assigned }}</td>
      </tr>
    {% empty %}
      <tr><td colspan="4">{% translate "Aucun dossier." %}</td></tr>
    {% endfor %}
"""
DOSSIER_TAG = """    {% if page %}{% dashboard_dossier_rows page %}{% else %}
      <tr><td colspan="4">{% translate "Aucun dossier." %}</td></tr>
    {% endif %}
"""


def render(source, **context):
    with translation.override("fr"):
        return Template(LOAD + source).render(Context(context))


def stats(count, mean=None, low=None, high=None, stddev=None):
    return NS(count=count, mean=mean, low=low, high=high, stddev=stddev)


RANKING_ROWS = [
    NS(
        rank=1,
        dossier=NS(pk=12, display_name=NASTY, state=S.CARESP_REVIEW),
        territory_codes=["T<1>", "T&2"],
        stats=stats(3, Decimal("2.284615"), Decimal("1.5"), Decimal("3.125"), Decimal("0.705")),
        requested_recurring=Decimal("1600000.5"),
        requested_one_off=Decimal("0.00"),
    ),
    NS(
        rank=None,
        dossier=NS(pk=7, display_name="Sans note", state=S.SUBMITTED),
        territory_codes=[],
        stats=stats(0),
        requested_recurring=Decimal("0.00"),
        requested_one_off=Decimal("52000.00"),
    ),
]


@pytest.mark.parametrize("rows", [RANKING_ROWS, []])
def test_ranking_rows_are_the_loop(rows):
    assert render(RANKING_TAG, rows=rows) == render(RANKING_LOOP, rows=rows)


def test_rows_escape_what_users_type():
    html = render(RANKING_TAG, rows=RANKING_ROWS)
    assert "<b>" not in html and "&lt;b&gt;&quot;l&#x27;Armor&quot;&lt;/b&gt; &amp; Argoat" in html
    assert "T&lt;1&gt;, T&amp;2" in html


def review(submitted=None, excluded=None):
    return NS(submitted_at=submitted, excluded_at=excluded)


ASSIGNMENTS = [
    (NS(dossier=NS(pk=1, display_name=NASTY, state=S.CARESP_REVIEW)), None),
    (NS(dossier=NS(pk=2, display_name="B", state=S.CARESP_REVIEW)), review()),
    (
        NS(dossier=NS(pk=3, display_name="C", state=S.ARS_ANALYSIS)),
        review(datetime(2025, 3, 31, 23, 30, tzinfo=UTC)),
    ),
    (
        NS(dossier=NS(pk=4, display_name="D", state=S.ARS_ANALYSIS)),
        review(datetime(2025, 3, 31, 23, 30, tzinfo=UTC), datetime(2025, 4, 2, tzinfo=UTC)),
    ),
    (
        NS(dossier=NS(pk=5, display_name="E", state=S.DECIDED)),
        review(datetime(2025, 1, 2, 8, 0, tzinfo=UTC)),
    ),
]


def test_assignment_rows_are_the_loop():
    html = render(ASSIGNMENT_TAG, my_assignments=ASSIGNMENTS)
    assert html == render(ASSIGNMENT_LOOP, my_assignments=ASSIGNMENTS)
    # Paris time: submitted on 1 April.
    assert "Soumise le 1 avril 2025" in html and "conflit d&#x27;intérêts" in html


MISSING = [
    (NS(pk=1, display_name=NASTY, state=S.CARESP_REVIEW), [], 0, 0),
    (NS(pk=2, display_name="B", state=S.ARS_ANALYSIS), ["Jean <Dupont>", "caresp2"], 3, 1),
    (NS(pk=3, display_name="C", state=S.ARS_ANALYSIS), [], 2, 2),
]


def test_missing_review_rows_are_the_loop():
    html = render(MISSING_TAG, missing_reviews=MISSING)
    assert html == render(MISSING_LOOP, missing_reviews=MISSING)
    assert "Jean &lt;Dupont&gt;, caresp2" in html


LISTED = [
    NS(
        pk=1,
        display_name=NASTY,
        state=S.RETURNED,
        territory_codes=["A<", "B"],
        n_submitted=1,
        n_assigned=2,
    ),
    NS(pk=2, display_name="B", state=S.SUBMITTED, territory_codes=[], n_submitted=0, n_assigned=0),
]


@pytest.mark.parametrize("page", [LISTED, []])
def test_dashboard_dossier_rows_are_the_loop(page):
    assert render(DOSSIER_TAG, page=page) == render(DOSSIER_LOOP, page=page)


def test_own_review_status_formats_each_day_once_per_page():
    template = "{% for r in reviews %}{% own_review_status r %}|{% endfor %}"
    reviews = [review(datetime(2025, 6, day % 3 + 1, 12, tzinfo=UTC)) for day in range(6)]
    assert render(template, reviews=reviews) == "".join(
        f"Soumise le {date(2025, 6, day % 3 + 1).day} juin 2025|" for day in range(6)
    )


RETURNED_LOOP = """        {% for dossier, late in returned %}
          <tr>
            <td><a href="{% workspace_url dossier.pk %}">{{ dossier.display_name }}</a></td>
            <td>{% if dossier.returned_from %}{% state_badge dossier.returned_from %}{% endif %}</td>
            <td class="app-nowrap">{{ dossier.return_due_date|date:"j F Y" }}{% if late %} <span class="fr-badge fr-badge--error fr-badge--sm">{% translate "En retard" %}</span>{% endif %}</td>
            <td>{{ dossier.return_message|truncatewords:25 }}</td>
          </tr>
        {% endfor %}
"""
RETURNED_TAG = "        {% returned_rows returned %}\n"


def returned(pk, name, returned_from, due, message):
    return NS(
        pk=pk,
        display_name=name,
        returned_from=returned_from,
        return_due_date=due,
        return_message=message,
    )


RETURNED = [
    (returned(1, NASTY, S.CARESP_REVIEW, date(2025, 3, 1), "Merci de <compléter> & " * 20), True),
    (returned(2, "B", S.ARS_ANALYSIS, date(2025, 3, 1), "Court."), False),
    (returned(3, "C", "", None, ""), False),
    (returned(4, "D", S.SUBMITTED, date(2026, 12, 31), "l'annexe"), True),
]


def test_returned_rows_are_the_loop():
    html = render(RETURNED_TAG, returned=RETURNED)
    assert html == render(RETURNED_LOOP, returned=RETURNED)
    assert "1 mars 2025 <span" in html and "&lt;compléter&gt; &amp;" in html and "…" in html


TERRITORY_LOOP = """      {% for territory, cells, row_total in territory_rows %}
        <tr>
          <th scope="row">{% if territory %}{{ territory.code }} — {{ territory.name }}{% else %}{% translate "Sans territoire renseigné" %}{% endif %}</th>
          {% for n in cells %}<td class="app-money">{% if n %}{{ n }}{% else %}<span class="fr-text--light">0</span>{% endif %}</td>{% endfor %}
          <td class="app-money"><strong>{{ row_total }}</strong></td>
        </tr>
      {% empty %}
        <tr><td colspan="{{ states|length|add:2 }}">{% translate "Aucun territoire n'est défini pour cette campagne." %}</td></tr>
      {% endfor %}
"""
TERRITORY_TAG = "      {% territory_rows territory_rows states %}\n"
STATES = [(s, s.label) for s in (S.SUBMITTED, S.CARESP_REVIEW, S.RETURNED)]
TERRITORY_ROWS = [
    (NS(code="T<1>", name=NASTY), [0, 12, 999], 1011),
    (NS(code="29", name="Finistère"), [0, 0, 0], 0),
    (None, [1, 0, 2], 3),
]


@pytest.mark.parametrize("rows", [TERRITORY_ROWS, []])
def test_territory_rows_are_the_loop(rows):
    html = render(TERRITORY_TAG, territory_rows=rows, states=STATES)
    assert html == render(TERRITORY_LOOP, territory_rows=rows, states=STATES)
    if rows:
        assert "T&lt;1&gt; — Réseau &lt;b&gt;" in html and "Sans territoire renseigné" in html
        assert '<td class="app-money">999</td>' in html
    else:
        assert 'colspan="5"' in html
