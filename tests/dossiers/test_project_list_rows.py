"""The rows of the lead's list of project sheets rendered in Python
(project_list.project_list_rows) are exactly what the loop of projects.html it replaced
gave: rank (or —) and its duplicate badge, title link (or the untitled label), line
count, requested sums, edit and delete buttons, what the lead typed escaped."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from tests.factories import FundingLineFactory, ProjectFactory

# The loop the tag replaced (projects.html until December 2026), verbatim.
OLD = (
    "{% load i18n money %}"
    """      {% for project in projects %}
        <tr>
          <td class="app-nowrap">
            {{ project.priority|default:"—" }}
            {% if project.duplicate_rank %}<p class="fr-badge fr-badge--sm fr-badge--warning">{% translate "Rang en double" %}</p>{% endif %}
          </td>
          <td><a href="{% url 'dossiers:project_edit' dossier.pk project.pk %}">{{ project.title|default:_("Fiche sans intitulé") }}</a></td>
          <td>{{ project.line_count }}</td>
          <td class="app-money">{{ project.requested_recurring|eur }}</td>
          <td class="app-money">{{ project.requested_one_off|eur }}</td>
          <td>
            <ul class="fr-btns-group fr-btns-group--inline fr-btns-group--sm fr-btns-group--icon-left">
              <li><a class="fr-btn fr-btn--secondary fr-icon-edit-line fr-btn--icon-left" href="{% url 'dossiers:project_edit' dossier.pk project.pk %}">{% translate "Modifier" %}<span class="fr-sr-only"> {{ project.title }}</span></a></li>
              <li>
                <form method="post" action="{% url 'dossiers:project_delete' dossier.pk project.pk %}">
                  {% csrf_token %}
                  <button type="submit" class="fr-btn fr-btn--tertiary fr-icon-delete-line fr-btn--icon-left" data-confirm="{% blocktranslate with title=project.title %}Supprimer la fiche « {{ title }} » et ses lignes de financement ?{% endblocktranslate %}">{% translate "Supprimer" %}<span class="fr-sr-only"> {{ project.title }}</span></button>
                </form>
              </li>
            </ul>
          </td>
        </tr>
      {% endfor %}"""
)
NEW = "{% load project_list %}      {% project_list_rows dossier projects %}"
HOSTILE = "<script>alert(\"x\")</script> & 'quotes' « » %s %(title)s"


@pytest.mark.django_db
def test_rows_same_markup_as_the_template_loop(complete):
    first = complete.projects.get()
    hostile = ProjectFactory(dossier=complete, priority=None, title=HOSTILE)
    FundingLineFactory(project=hostile, nature="one_off", amount=Decimal("1234.5"))
    ProjectFactory(dossier=complete, priority=first.priority, title="")
    projects = list(complete.projects.order_by("priority", "id"))
    for project, (recurring, one_off, count, duplicate) in zip(
        projects,
        [
            (Decimal("52000"), None, 1, True),
            (None, Decimal("0"), 0, True),
            (Decimal("0.1"), Decimal("1234.5"), 1, False),
        ],
        strict=True,
    ):
        project.requested_recurring, project.requested_one_off = recurring, one_off
        project.line_count, project.duplicate_rank = count, duplicate
    context = {"dossier": complete, "projects": projects, "csrf_token": "jeton"}

    new = Template(NEW).render(Context(context))

    assert new == Template(OLD).render(Context(context))
    assert "<script>" not in new
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quotes&#x27;" in new
    assert "Fiche sans intitulé" in new and "Rang en double" in new
    assert new.count('name="csrfmiddlewaretoken" value="jeton"') == 3


@pytest.mark.django_db
def test_no_rows_without_sheets(complete):
    context = Context({"dossier": complete, "projects": [], "csrf_token": "jeton"})
    assert Template(NEW).render(context) == Template(OLD).render(context) == "      "
