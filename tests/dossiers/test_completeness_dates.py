"""The completeness of the project sheets: a sheet's dates and its lines' first year must
agree (the call), and every problem of the sheets and lines, in order."""

import datetime as dt
from decimal import Decimal

import pytest

from dossiers.domain.completeness import check_dossier
from dossiers.enums import LineNature
from tests.factories import FundingLineFactory, ProjectFactory, complete_dossier

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


def test_every_problem_of_the_sheets_in_order(filiere):
    """Each sheet's and line's problems, sheets by rank then creation, lines by
    creation (the order the lead reads them in): the fields the lead's pages link to, with their messages."""
    dossier = complete_dossier(filiere=filiere)
    first = dossier.projects.get()
    twin = ProjectFactory(dossier=dossier, priority=1, title="Jumelle", objectives="")
    untitled = ProjectFactory(dossier=dossier, priority=None, title="")
    free = FundingLineFactory(project=twin, label="", amount=Decimal("0"), first_year=None)
    one_off = FundingLineFactory(
        project=twin, nature=LineNature.ONE_OFF, amount=None, first_year=None
    )
    fields = [
        (p.field, p.message, p.project_id)
        for p in check_dossier(dossier)
        if p.section == "projects"
    ]
    # A sheet without rank comes first on SQLite, last on PostgreSQL (NULL ordering).
    assert [f for f in fields if f[2] != untitled.id] == [
        (
            f"projects.{first.id}.priority",
            f"Fiche « {first.title} » : le rang de priorité 1 est utilisé par plusieurs fiches.",
            first.id,
        ),
        (
            f"projects.{twin.id}.priority",
            "Fiche « Jumelle » : le rang de priorité 1 est utilisé par plusieurs fiches.",
            twin.id,
        ),
        (
            f"projects.{twin.id}.objectives",
            "Fiche « Jumelle » : les objectifs manquent.",
            twin.id,
        ),
        (
            f"projects.{twin.id}.lines.{free.id}.amount",
            "Fiche « Jumelle », ligne « ligne sans libellé » : le montant doit être"
            " strictement positif.",
            twin.id,
        ),
        (
            f"projects.{twin.id}.lines.{free.id}.first_year",
            "Fiche « Jumelle », ligne « ligne sans libellé » : indiquez la première année du"
            " financement reconductible.",
            twin.id,
        ),
        (
            f"projects.{twin.id}.lines.{one_off.id}.amount",
            f"Fiche « Jumelle », ligne « {one_off.label} » : le montant doit être strictement"
            " positif.",
            twin.id,
        ),
    ]
    assert [f for f in fields if f[2] == untitled.id] == [
        (
            f"projects.{untitled.id}.priority",
            "Fiche « fiche sans titre » : le rang de priorité manque.",
            untitled.id,
        ),
        (f"projects.{untitled.id}.title", "Une fiche projet n'a pas d'intitulé.", untitled.id),
        (
            f"projects.{untitled.id}.lines",
            "Fiche « fiche sans titre » : ajoutez au moins une ligne de financement.",
            untitled.id,
        ),
    ]
