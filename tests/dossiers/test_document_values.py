"""The dossier page reads the sheets and lines of its document as plain values
(serialize.project_documents): the same document as the one built from model instances
(dossier_document, what the API and the snapshots use), for every reader; and the sheets'
sums of the page (totals.dossier_line_totals) are those of their lines."""

import datetime as dt
from decimal import Decimal

import pytest

from dossiers.domain.access import with_document_relations
from dossiers.domain.serialize import dossier_document, project_documents
from dossiers.domain.totals import ZERO, dossier_line_totals
from dossiers.models import Dossier
from tests.factories import DossierFactory, FundingLineFactory, ProjectFactory

HOSTILE = "<script>alert(\"x\")</script> & 'quotes'\r\nligne 2"


@pytest.fixture
def varied(filiere):
    """Sheets out of id order (priorities 2, 1, none), one without lines, lines of both
    natures with every column empty or filled, hostile texts."""
    dossier = DossierFactory(filiere=filiere)
    second = ProjectFactory(
        dossier=dossier,
        priority=2,
        title=HOSTILE,
        objectives="",
        start=None,
        end=dt.date(2028, 2, 29),
        swot_items=[HOSTILE, "Force"],
        missions=["expertise", "<inconnue>"],
    )
    first = ProjectFactory(dossier=dossier, priority=1, partners=HOSTILE)
    ProjectFactory(dossier=dossier, priority=None, title="", pilot="", start=None, end=None)
    FundingLineFactory(
        project=second,
        label=HOSTILE,
        staff_profile=HOSTILE,
        etp=Decimal("0.60"),
        amount=Decimal("52000.50"),
        proposed=Decimal("50000.00"),
        proposal_opinion="partial",
        granted=Decimal("48000.00"),
        start_month=dt.date(2026, 9, 1),
    )
    FundingLineFactory(
        project=second,
        label="",
        nature="one_off",
        category="equipment",
        etp=None,
        amount=None,
        first_year=None,
        beneficiary_finess="",
    )
    FundingLineFactory(project=first, amount=Decimal("1600000"), proposed=Decimal("0"))
    FundingLineFactory(project=first, nature="one_off", amount=Decimal("12.30"), granted=ZERO)
    return dossier


@pytest.mark.parametrize("show_proposal", [False, True])
@pytest.mark.parametrize("show_grant", [False, True])
def test_values_give_the_document_of_the_instances(varied, show_proposal, show_grant):
    flags = {"show_proposal": show_proposal, "show_grant": show_grant}
    instances = with_document_relations(Dossier.objects.filter(pk=varied.pk)).get()
    expected = dossier_document(instances, **flags)

    document = dossier_document(Dossier.objects.get(pk=varied.pk), **flags, read_values=True)

    assert document == expected  # the sheets in the same order too (priority, id)
    assert {p["priority"] for p in document["projects"]} == {None, 1, 2}
    assert HOSTILE in {p["title"] for p in document["projects"]}


def test_a_dossier_without_sheets(filiere):
    dossier = DossierFactory(filiere=filiere)

    projects, totals = project_documents(dossier, show_proposal=True, show_grant=True)

    assert projects == []
    assert totals == dossier_document(dossier, show_grant=True)["totals"]


def test_the_sheets_sums_are_their_lines(varied):
    overall, per_project = dossier_line_totals(varied)

    sheets = {p.priority: p for p in varied.projects.all()}
    assert per_project[sheets[2].pk] == {
        "requested_recurring": Decimal("52000.50"),
        "requested_one_off": ZERO,
        "proposed_recurring": Decimal("50000.00"),
        "proposed_one_off": ZERO,
        "granted_recurring": Decimal("48000.00"),
        "granted_one_off": ZERO,
    }
    assert per_project[sheets[1].pk]["requested_recurring"] == Decimal("1600000.00")
    assert per_project[sheets[1].pk]["requested_one_off"] == Decimal("12.30")
    assert sheets[None].pk not in per_project  # no line: the page shows 0,00 €
    assert overall["requested_recurring"] == Decimal("1652000.50")
    assert overall["requested_one_off"] == Decimal("12.30")


@pytest.mark.parametrize("show", [False, True])
def test_the_sheets_sums_read_with_the_lines_are_the_databases(varied, show):
    """project_documents' sheet_sums (the dossier page's) are the sums the database gives,
    to the cent and with two decimals, whatever the reader may see."""
    _overall, expected = dossier_line_totals(varied)
    sheet_sums = {}

    project_documents(varied, show_proposal=show, show_grant=show, sheet_sums=sheet_sums)

    assert sheet_sums == expected
    assert sheet_sums  # the varied dossier's sheets have lines
    for sums in sheet_sums.values():
        assert all(value.as_tuple().exponent == -2 for value in sums.values())
