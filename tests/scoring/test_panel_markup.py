"""The review panel of the dossier page renders its repeated parts in Python (decision
0065: scoring.templatetags.review_tags review_detail, review_sections, score_matrix_rows;
the reviewers and conflicts read as plain values, scoring.queries.panel_assignments and
panel_conflicts): the panel's markup is the one the former template gave
(tests/scoring/reference/panel_0064.html, which includes scoring/_review.html), byte for
byte, escaping included, for every state of the panel and every reader."""

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace as NS

import pytest
from django.template import Context, Template, engines
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from dossiers.domain.transitions import transition
from scoring.domain.assignments import assign_reviewer, declare_conflict
from scoring.domain.comments import add_comment, visible_comments
from scoring.domain.reviews import save_review
from scoring.models import Criterion
from scoring.queries import panel_comments
from scoring.templatetags.review_tags import (
    review_detail,
    review_sections,
    score_matrix_rows,
)
from scoring.views.workspace import panel_context
from tests.factories import ProjectFactory
from tests.scoring.helpers import full_scores, new_reviewer

NASTY = 'Réseau <b>"l\'Armor"</b> & Argoat'
REFERENCE = Path(__file__).parent / "reference" / "panel_0064.html"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _named(user, first, last=""):
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture
def reviewed(in_review, instructor, caresp, caresp2):
    """Every state of the panel at once: a submitted review (comments on several lines,
    hostile text everywhere), one set aside after a conflict, a draft with missing scores,
    an assigned reviewer with nothing yet, a reviewer who declared a conflict without
    being assigned; sheets with a hostile title and none; internal comments."""
    dossier = in_review
    _named(instructor, NASTY, "<script>alert(1)</script>")
    _named(caresp, "Anne & <Co>")
    _named(caresp2, "", "")  # shown by username
    Criterion.objects.filter(grid__campaign_id=dossier.campaign_id, position=1).update(
        label=f"{NASTY} <script>", description="d'« après »"
    )
    first = dossier.projects.get()
    first.title = NASTY
    first.save(update_fields=["title"])
    second = ProjectFactory(dossier=dossier, priority=2, title="")
    caresp3 = _named(new_reviewer("caresp3"), "Zoé", "O'Brien")
    caresp4 = new_reviewer('caresp4<"&>')
    caresp5 = _named(new_reviewer("caresp5"), "Jean", "<Conflit>")
    for user in (caresp, caresp2, caresp3, caresp4):
        assign_reviewer(dossier, instructor, user)
    codes = list(full_scores(dossier.campaign, 1))
    save_review(
        dossier,
        caresp,
        {
            "scores": full_scores(dossier.campaign, 3),
            "opinion": "favourable",
            "comment": f"Ligne 1\nLigne 2 {NASTY}\r\nfin",
            "criterion_comments": {codes[0]: f"{NASTY}\nsuite", codes[2]: "bien"},
            "projects": [
                {"project": first.id, "opinion": "favourable", "comment": NASTY},
                {"project": second.id, "opinion": "reserved", "comment": ""},
            ],
        },
        submit=True,
    )
    save_review(
        dossier,
        caresp2,
        {
            "scores": full_scores(dossier.campaign, 1),
            "opinion": "unfavourable",
            "projects": [{"project": first.id, "opinion": "unfavourable"}],
        },
        submit=True,
    )
    declare_conflict(dossier, caresp2, f"Parent {NASTY}")
    declare_conflict(dossier, caresp5, "Lien & <intérêt>")
    save_review(
        dossier,
        caresp3,
        {"scores": {codes[0]: 2, codes[1]: None}, "opinion": "", "comment": ""},
        submit=False,
    )
    add_comment(dossier, instructor, f"{NASTY}\nà voir", ars_only=True)
    add_comment(dossier, caresp, "Vu <ok>")
    return dossier, {"caresp3": caresp3, "caresp4": caresp4, "caresp5": caresp5}


def _both(dossier, user):
    request = RequestFactory().get(f"/dossiers/{dossier.pk}/")
    request.user = user
    context = panel_context(request, dossier)
    context.setdefault("panel_key", "evaluation")
    new = render_to_string("scoring/_panel.html", context, request=request)
    old = engines["django"].from_string(REFERENCE.read_text()).render(context, request)
    return CSRF.sub("CSRF", new), CSRF.sub("CSRF", old)


WHO = ["instructor", "caresp", "caresp2", "caresp3", "caresp4", "caresp5", "decider", "admin_user"]


@pytest.mark.parametrize("who", WHO)
def test_the_panel_is_the_former_template(request, reviewed, who):
    dossier, others = reviewed
    user = others[who] if who in others else request.getfixturevalue(who)
    new, old = _both(dossier, user)
    assert new == old
    assert "<script>" not in new


@pytest.mark.parametrize("who", ["instructor", "caresp", "caresp3"])
def test_the_panel_is_the_former_template_in_analysis_and_in_english(
    request, reviewed, instructor, who
):
    dossier, others = reviewed
    dossier = transition(dossier, "start_ars_analysis", instructor)
    user = others[who] if who in others else request.getfixturevalue(who)
    new, old = _both(dossier, user)
    assert new == old
    with translation.override("en"):
        new, old = _both(dossier, user)
    assert new == old


def test_the_instructor_sees_every_part(reviewed, instructor):
    """The fixture does reach the parts built in Python (the comparison is not empty)."""
    dossier, _ = reviewed
    new, _ = _both(dossier, instructor)
    assert new.count('<section class="fr-mb-3w">') == 2
    assert "écartée : conflit d'intérêts" in new
    assert "Réseau &lt;b&gt;&quot;l&#x27;Armor&quot;&lt;/b&gt; &amp; Argoat" in new
    assert "Ligne 1<br>Ligne 2" in new


# ---------------------------------------------------------------- the tags alone


class _All(list):
    def all(self):
        return self


def _review(**kwargs):
    values = {
        "opinion": "",
        "comment": "",
        "scores": _All(),
        "project_opinions": _All(),
        "reviewer": NASTY,
        "submitted_at": datetime(2026, 1, 31, 23, 30, tzinfo=UTC),
        "excluded_at": None,
    }
    values.update(kwargs)
    return NS(**values)


def _score(label, score, comment=""):
    return NS(criterion=NS(label=label), score=score, comment=comment)


def _opinion(title, opinion, comment=""):
    return NS(project_title=title, opinion=opinion, comment=comment)


REVIEWS = [
    _review(),
    _review(
        opinion="reserved",
        comment=f"{NASTY}\r\nb",
        scores=_All([_score(NASTY, None, "x\ny"), _score("B", 0), _score("C", 12, NASTY)]),
        project_opinions=_All([_opinion("", "favourable", NASTY), _opinion(NASTY, "")]),
        excluded_at=datetime(2026, 2, 1, tzinfo=UTC),
    ),
]


@pytest.mark.parametrize("compact", [False, True])
@pytest.mark.parametrize("review", REVIEWS)
def test_review_detail_is_the_review_template(review, compact):
    expected = render_to_string("scoring/_review.html", {"review": review, "compact": compact})
    assert review_detail(review, compact) == expected


SECTIONS_LOOP = """{% load i18n review_tags %}  {% for review in other_reviews %}
    <section class="fr-mb-3w">
      <h4 class="fr-h6">{% blocktranslate with who=review.reviewer date=review.submitted_at|date:"j F Y" %}Évaluation de {{ who }} (soumise le {{ date }}){% endblocktranslate %}{% if review.excluded_at %} <span class="fr-badge fr-badge--sm fr-badge--error">{% translate "écartée : conflit d'intérêts" %}</span>{% endif %}</h4>
      {% include "scoring/_review.html" with compact=True %}
    </section>
  {% endfor %}
"""

MATRIX_LOOP = """{% load review_tags %}    {% for stats, cells in score_matrix %}
      <tr>
        <th scope="row">{{ stats.criterion.label }}</th>
        <td class="app-money">{{ stats.criterion.weight|dec }}</td>
        {% for cell in cells %}<td class="app-money">{% if cell.score is not None %}{{ cell.score }}{% else %}—{% endif %}</td>{% endfor %}
        <td class="app-money"><strong>{{ stats.mean|dec }}</strong></td>
        <td class="app-money">{% if stats.count %}{{ stats.low }} – {{ stats.high }}{% else %}—{% endif %}</td>
      </tr>
    {% endfor %}
"""


@pytest.mark.parametrize("language", ["fr", "en"])
def test_review_sections_are_the_loop(language):
    with translation.override(language):
        expected = Template(SECTIONS_LOOP).render(Context({"other_reviews": REVIEWS}))
        tag = Template("{% load review_tags %}  {% review_sections other_reviews %}\n")
        assert tag.render(Context({"other_reviews": REVIEWS})) == expected
    assert review_sections([]) == ""


def test_score_matrix_rows_are_the_loop():
    criterion = NS(label=NASTY, weight=Decimal("1.5"))
    matrix = [
        (
            NS(criterion=criterion, mean=Decimal("2.3333"), count=2, low=1, high=4),
            [NS(score=1), None, NS(score=None), NS(score=4)],
        ),
        (
            NS(criterion=NS(label="B", weight=Decimal(2)), mean=None, count=0, low=None, high=None),
            [],
        ),
    ]
    expected = Template(MATRIX_LOOP).render(Context({"score_matrix": matrix}))
    tag = Template("{% load review_tags %}    {% score_matrix_rows score_matrix %}\n")
    assert tag.render(Context({"score_matrix": matrix})) == expected
    assert score_matrix_rows([]) == ""


REVIEWERS_LOOP = """{% load i18n review_tags %}    {% for assignment, review in assignment_rows %}
      <tr>
        <td>{{ assignment.reviewer }}</td>
        <td>{{ assignment.assigned_by|default:"—" }}, {{ assignment.at|date:"j F Y" }}</td>
        <td>{% if review and review.submitted_at %}{% blocktranslate with date=review.submitted_at|date:"j F Y" %}Soumise le {{ date }}{% endblocktranslate %}{% elif review %}<span class="fr-badge fr-badge--sm fr-badge--info">{% translate "Brouillon" %}</span>{% else %}<span class="fr-badge fr-badge--sm fr-badge--warning">{% translate "À faire" %}</span>{% endif %}</td>
        {% if assign_form or is_ars %}<td>
          {% if assign_form and not review.submitted_at %}
            <form method="post" action="{% url 'scoring:unassign' dossier.pk assignment.reviewer_id %}">{% csrf_token %}
              <button type="submit" class="fr-btn fr-btn--tertiary fr-btn--sm" data-confirm="{% translate 'Retirer cette attribution ? Un brouillon éventuel sera supprimé.' %}">{% translate "Retirer" %}</button>
            </form>
          {% endif %}
        </td>{% endif %}
      </tr>
    {% endfor %}
"""
REVIEWERS_TAG = (
    "{% load review_tags %}    {% reviewer_rows assignment_rows dossier assign_form is_ars %}\n"
)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "assign_form,is_ars", [(object(), True), (None, True), (None, False), ("", False)]
)
def test_reviewer_rows_are_the_loop(language, assign_form, is_ars):
    at = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)  # 1 April in Paris
    rows = [
        (NS(reviewer=NASTY, assigned_by=None, at=at, reviewer_id=7), None),
        (
            NS(reviewer="a", assigned_by=NASTY, at=at, reviewer_id=8),
            NS(submitted_at=None),
        ),
        (NS(reviewer="b", assigned_by="c & d", at=at, reviewer_id=9), NS(submitted_at=at)),
    ]
    values = {
        "assignment_rows": rows,
        "dossier": NS(pk=12),
        "assign_form": assign_form,
        "is_ars": is_ars,
        "csrf_token": 'tok<"en>',
    }
    with translation.override(language):
        expected = Template(REVIEWERS_LOOP).render(Context(values))
        assert Template(REVIEWERS_TAG).render(Context(values)) == expected
    assert "1 " in expected


@pytest.mark.parametrize(
    "who", ["instructor", "caresp", "caresp2", "caresp5", "decider", "admin_user", "lead"]
)
def test_panel_comments_are_the_visible_comments(request, reviewed, who):
    dossier, others = reviewed
    user = others[who] if who in others else request.getfixturevalue(who)
    expected = [(str(c.author), c.at, c.ars_only, c.text) for c in visible_comments(dossier, user)]
    assert [(c.author, c.at, c.ars_only, c.text) for c in panel_comments(dossier, user)] == (
        expected
    )
    if who == "instructor":
        assert len(expected) == 2
    if who == "caresp":
        assert len(expected) == 1
