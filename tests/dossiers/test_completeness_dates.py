"""A project sheet's dates and its lines' first year must agree (the call)."""

import datetime as dt

import pytest

from dossiers.domain.completeness import check_dossier
from tests.factories import complete_dossier

pytestmark = pytest.mark.django_db

MESSAGE = "la première année ({year}) est hors de la période de la fiche (2025–2027)."


@pytest.mark.parametrize(
    ("first_year", "refused"), [(2024, True), (2025, False), (2027, False), (2028, True)]
)
def test_a_line_first_year_must_fall_within_its_sheet(filiere, first_year, refused):
    dossier = complete_dossier(filiere=filiere)
    project = dossier.projects.get()
    project.start, project.end = dt.date(2025, 9, 1), dt.date(2027, 12, 31)
    project.save()
    line = project.lines.get()
    line.first_year = first_year
    line.save()
    problems = [p for p in check_dossier(dossier) if p.field.endswith(".first_year")]
    if refused:
        assert [p.message for p in problems] == [
            f"Fiche « {project.title} », ligne « {line.label} » : "
            + MESSAGE.format(year=first_year)
        ]
        assert problems[0].field == f"projects.{project.id}.lines.{line.id}.first_year"
    else:
        assert problems == []
