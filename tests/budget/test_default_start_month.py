"""A granted recurring line without a start month starts at the later of its project
sheet's start and its first year (api.md: `start_month` is optional)."""

import datetime as dt

import pytest

from budget.domain.decisions import decide
from common.errors import InvalidInput
from tests.budget.conftest import grant_all, lines_of

pytestmark = pytest.mark.django_db


def _without_start(dossier):
    lines = grant_all(dossier)
    for line in lines:
        del line["start_month"]
    return lines


@pytest.mark.parametrize(
    ("sheet_start", "first_year", "expected"),
    [
        (dt.date(2025, 9, 15), 2025, dt.date(2025, 9, 1)),  # the sheet starts later
        (dt.date(2025, 9, 15), 2026, dt.date(2026, 1, 1)),  # the first year is later
        (None, 2026, dt.date(2026, 1, 1)),
        (dt.date(2027, 3, 1), None, dt.date(2027, 3, 1)),
    ],
)
def test_the_start_month_defaults_to_the_later_of_sheet_start_and_first_year(
    analysed, decider, sheet_start, first_year, expected
):
    recurring, one_off = lines_of(analysed)
    recurring.project.start = sheet_start
    recurring.project.save()
    recurring.first_year = first_year
    recurring.save()
    decide(analysed, decider, "accepted", _without_start(analysed), "Accord.")
    recurring, one_off = lines_of(analysed)
    assert recurring.start_month == expected
    assert one_off.start_month is None  # a one-off line keeps its optional month


def test_without_sheet_start_nor_first_year_the_month_is_asked(analysed, decider):
    recurring, _one_off = lines_of(analysed)
    recurring.project.start = None
    recurring.project.save()
    recurring.first_year = None
    recurring.save()
    with pytest.raises(InvalidInput) as exc:
        decide(analysed, decider, "accepted", _without_start(analysed), "Accord.")
    assert exc.value.errors == {
        "lines.0.start_month": [
            "Indiquez le mois de démarrage de cette ligne reconductible (la fiche projet "
            "n'a pas de date de début ni la ligne de première année)."
        ]
    }
    assert lines_of(analysed)[0].start_month is None


def test_the_api_decides_without_start_month(client, analysed, decider):
    client.force_login(decider)
    body = {"outcome": "accepted", "comment": "Accord.", "lines": _without_start(analysed)}
    response = client.post(
        f"/api/v1/dossiers/{analysed.pk}/decision", body, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    lines = response.json()["projects"][0]["lines"]
    assert lines[0]["start_month"] == "2025-09-01"  # ProjectFactory's sheet starts 2025-09-01
    assert lines[1]["start_month"] is None  # the one-off line keeps no month
