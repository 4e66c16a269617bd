"""The rows of the decision letters page rendered in Python (letter_rows.letter_rows)
are exactly what the loop of letters.html it replaced gave, from the model instances it
read: number, filière, outcome badge and label, decision date in Paris time, link to
the letter; what a lead typed (the filière's name) escaped."""

import datetime as dt

import pytest
from django.template import Context, Template

from dossiers.enums import DossierState, Outcome
from dossiers.models import Dossier
from tests.factories import DossierFactory, FiliereFactory

# The loop the tag replaced (letters.html until December 2026), verbatim.
OLD = """{% load i18n %}        {% for dossier in dossiers %}
          <tr>
            <td>{{ dossier.pk }}</td>
            <td>{{ dossier.filiere.name }}</td>
            <td><p class="fr-badge fr-badge--sm {% if dossier.outcome == 'rejected' %}fr-badge--error{% elif dossier.outcome == 'partially_accepted' %}fr-badge--warning{% else %}fr-badge--success{% endif %}">{{ dossier.get_outcome_display }}</p></td>
            <td class="app-nowrap">{{ dossier.decided_at|date:"d/m/Y" }}</td>
            <td><a class="fr-link fr-icon-download-line fr-link--icon-left" href="{% url 'outputs:dossier_letter' dossier.pk %}">{% translate "Télécharger (.docx)" %}</a></td>
          </tr>
        {% endfor %}"""
NEW = "{% load letter_rows %}        {% letter_rows dossiers %}"
HOSTILE = "<script>alert(\"x\")</script> & 'quotes' « » %s"


@pytest.mark.django_db
def test_rows_same_markup_as_the_template_loop(campaign):
    # 23:30 UTC on 31 December is already 1 January in Paris.
    new_year = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)
    for name, outcome, decided_at in (
        (HOSTILE, Outcome.ACCEPTED, new_year),
        ("Partielle", Outcome.PARTIALLY_ACCEPTED, dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC)),
        ("Rejetée", Outcome.REJECTED, None),
    ):
        DossierFactory(
            filiere=FiliereFactory(campaign=campaign, name=name),
            campaign=campaign,
            state=DossierState.DECIDED,
            outcome=outcome,
            decided_at=decided_at,
        )
    decided = Dossier.objects.filter(campaign=campaign).order_by("filiere__name", "id")
    values = decided.values_list("id", "filiere__name", "outcome", "decided_at")

    new = Template(NEW).render(Context({"dossiers": values}))

    assert new == Template(OLD).render(Context({"dossiers": decided.select_related("filiere")}))
    assert "<script>" not in new and "&lt;script&gt;" in new
    assert "01/01/2027" in new
    assert "fr-badge--error" in new and "fr-badge--warning" in new
