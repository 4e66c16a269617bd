"""The rows of the dossier page's deposits and history tables rendered in Python
(dossier_display: snapshot_rows, history_rows) show exactly what the loops of
detail.html they replaced showed (kept below verbatim): dates in Paris time, authors,
links, state labels (unknown ones as they are), internal entries for the staff only,
comments escaped with their line breaks."""

import datetime as dt

import pytest
from django.template import Context, Template

from dossiers.models import HistoryEntry, Snapshot
from tests.factories import DossierFactory, UserFactory

HOSTILE = "<script>alert(\"x\")</script> & 'quotes' « » %s {{ x }}\r\nligne 2\rligne 3"

# detail.html's loops until December 2026 (decision 0064), verbatim.
OLD_SNAPSHOTS = """{% load i18n dossier_display %}          {% for snapshot in snapshots %}
            <tr>
              <td>{{ snapshot.number }}</td>
              <td class="app-nowrap">{{ snapshot.created_at|date:"j F Y à H:i" }}</td>
              <td>{{ snapshot.created_by|default:"—" }}</td>
              <td><a class="fr-link" href="{% url 'dossiers:snapshot' dossier.pk snapshot.number %}">{% blocktranslate with number=snapshot.number %}Voir le dépôt n° {{ number }}{% endblocktranslate %}</a><br><a class="fr-link" href="{% url 'dossiers:receipt' dossier.pk snapshot.number %}">{% blocktranslate with number=snapshot.number %}Récépissé du dépôt n° {{ number }}{% endblocktranslate %}</a><br><a class="fr-link fr-link--download" href="{% url 'outputs:receipt_docx' dossier.pk snapshot.number %}" download>{% blocktranslate with number=snapshot.number %}Télécharger le récépissé n° {{ number }}{% endblocktranslate %} <span class="fr-link__detail">{% translate "Word, .docx" %}</span></a></td>
            </tr>
          {% endfor %}
"""
NEW_SNAPSHOTS = "{% load dossier_display %}          {% snapshot_rows dossier snapshots %}\n"
OLD_HISTORY = """{% load i18n dossier_display %}          {% for entry in history %}
            <tr>
              <td class="app-nowrap">{{ entry.at|date:"j F Y à H:i" }}</td>
              <td>{{ entry.by_label }}</td>
              <td>{{ entry.from_state|choice_label:"state" }}</td>
              <td>{{ entry.to_state|choice_label:"state" }}{% if staff_view and not entry.is_public %} <p class="fr-badge fr-badge--sm">{% translate "interne" %}</p>{% endif %}</td>
              <td>{{ entry.comment|linebreaksbr }}</td>
            </tr>
          {% endfor %}
"""
NEW_HISTORY = "{% load dossier_display %}          {% history_rows history staff_view %}\n"

WHEN = [
    dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC),
    dt.datetime(2026, 7, 14, 0, 5, tzinfo=dt.UTC),
    dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.UTC),
]


def render(source, **context):
    return Template(source).render(Context(context))


@pytest.mark.django_db
def test_deposits_rows_equal_the_template(filiere):
    dossier = DossierFactory(filiere=filiere)
    author = UserFactory.build(first_name=HOSTILE, last_name="Lé", username="x<y")
    snapshots = [
        Snapshot(dossier=dossier, number=number, created_at=when, created_by=by)
        for number, when, by in ((1, WHEN[0], author), (2, WHEN[1], None), (1234, WHEN[2], author))
    ]
    for rows in (snapshots, []):
        context = {"dossier": dossier, "snapshots": rows}
        expected = render(OLD_SNAPSHOTS, **context)

        assert render(NEW_SNAPSHOTS, **context) == expected
        if rows:
            assert "2 mars 2026 à 00:30" in expected and "Voir le dépôt n° 1234" in expected
            assert "<script>" not in expected and "&lt;script&gt;" in expected


@pytest.mark.django_db
@pytest.mark.parametrize("staff_view", [True, False])
def test_history_rows_equal_the_template(filiere, staff_view):
    dossier = DossierFactory(filiere=filiere)
    history = []
    for when, from_state, to_state, comment, public, label in (
        (WHEN[0], "draft", "submitted", "", True, "l'ARS"),
        (WHEN[1], "submitted", "returned", HOSTILE, True, HOSTILE),
        (WHEN[2], "returned", "<inconnu>", "interne\nsuite", False, "—"),
        (WHEN[0], "", "decided", None, False, "la CARESP"),
    ):
        entry = HistoryEntry(
            dossier=dossier,
            at=when,
            from_state=from_state,
            to_state=to_state,
            comment=comment,
            is_public=public,
        )
        entry.by_label = label
        history.append(entry)
    for rows in (history, []):
        context = {"history": rows, "staff_view": staff_view}
        expected = render(OLD_HISTORY, **context)

        assert render(NEW_HISTORY, **context) == expected
        if rows:
            assert "&lt;inconnu&gt;" in expected and "ligne 2<br>ligne 3" in expected
            assert "<script>" not in expected
            assert ("interne</p>" in expected) == staff_view
