"""Budget fixtures: dossiers brought to `ars_analysis` through the real workflow."""

from decimal import Decimal

import pytest

from accounts.models import Role
from dossiers.enums import LineNature
from dossiers.models import FundingLine
from tests.factories import (
    DossierFactory,
    FiliereFactory,
    FundingLineFactory,
    ProjectFactory,
    TerritoryFactory,
    UserFactory,
    dossier_in_state,
)

REC, ONE_OFF = LineNature.RECURRING, LineNature.ONE_OFF


def make_dossier(
    campaign, instructor, lines, *, filiere=None, territories=(), state="ars_analysis"
):
    """A dossier with one project sheet per entry of `lines`.

    `lines`: [(nature, "amount") or (nature, "amount", first_year)] or a list of such lists
    (one per project sheet). `state`: draft, submitted or ars_analysis."""
    if filiere is None:
        filiere = FiliereFactory(campaign=campaign, territories=list(territories))
    leads = list(filiere.editors.all())
    if not leads:
        lead = UserFactory(roles=[Role.FILIERE_LEAD])
        filiere.editors.add(lead)
        lead.__dict__.pop("filiere_ids", None)
        leads = [lead]
    dossier = DossierFactory(filiere=filiere)
    sheets = lines if lines and isinstance(lines[0], list) else [lines]
    for priority, sheet in enumerate(sheets, start=1):
        project = ProjectFactory(dossier=dossier, priority=priority)
        for spec in sheet:
            nature, amount, *rest = spec
            FundingLineFactory(
                project=project,
                nature=nature,
                amount=Decimal(amount),
                first_year=rest[0] if rest else 2025,
                label=f"{'Poste' if nature == REC else 'Équipement'} {amount}",
            )
    return dossier_in_state(
        state, dossier=dossier, lead=leads[0], instructor=instructor, caresp_review=False
    )


def lines_of(dossier):
    return list(
        FundingLine.objects.filter(project__dossier=dossier).order_by(
            "project__priority", "project_id", "pk"
        )
    )


def grant_all(dossier, amounts=None, start_month="2025-07-01"):
    """Decision lines granting `amounts` (default: the requested amounts)."""
    lines = lines_of(dossier)
    amounts = amounts or [str(line.amount) for line in lines]
    return [
        {"line": line.pk, "granted": amount, "start_month": start_month}
        for line, amount in zip(lines, amounts, strict=True)
    ]


@pytest.fixture
def territories(campaign):
    return [
        TerritoryFactory(campaign=campaign, code=f"T{n}", name=name)
        for n, name in enumerate(["Brest", "Quimper", "Lorient", "Vannes"], start=1)
    ]


@pytest.fixture
def analysed(campaign, instructor, filiere, lead):
    """The lead's own dossier, in ars_analysis: 52 000 € recurring + 10 000 € one-off."""
    return make_dossier(
        campaign, instructor, [(REC, "52000.00"), (ONE_OFF, "10000.00")], filiere=filiere
    )
