"""A small campaign with decided, analysed, rejected and draft dossiers."""

import datetime as dt
from decimal import Decimal

import pytest

from dossiers.enums import LineNature, Outcome
from tests.factories import (
    DossierFactory,
    FiliereFactory,
    FundingLineFactory,
    ProjectFactory,
    TerritoryFactory,
    UserFactory,
    decided_dossier,
    in_ars_analysis,
)

HYPERLINK = '=HYPERLINK("http://exemple.invalid","clic")'


def make_line(project, nature, amount, proposed=None, granted=None, start_month=None, **kw):
    return FundingLineFactory(
        project=project,
        nature=nature,
        amount=Decimal(amount),
        proposed=Decimal(proposed) if proposed is not None else None,
        granted=Decimal(granted) if granted is not None else None,
        start_month=start_month,
        **{"first_year": 2025 if nature == LineNature.RECURRING else None, **kw},
    )


@pytest.fixture
def territories(campaign):
    return {
        code: TerritoryFactory(campaign=campaign, code=code, name=name, departements=deps)
        for code, name, deps in [
            ("T1", "Brest – Carhaix – Morlaix", ["29"]),
            ("T2", "Quimper – Douarnenez – Pont-l'Abbé", ["29"]),
            ("T3", "Lorient – Quimperlé", ["56", "29"]),
            ("T4", "Vannes – Ploërmel – Malestroit", ["56"]),
        ]
    }


@pytest.fixture
def scenario(campaign, filiere, lead, other_lead, instructor, decider, territories):
    """
    - A (Nord Finistère, T1): decided, accepted; 2 project sheets.
    - B (Cornouaille, T2): in ARS analysis, proposals made, no decision.
    - C (Lorient, T2 + T3): decided, rejected.
    - D (Vannes, T4): draft (does not count anywhere).
    """
    campaign.signatory_name = "Élise Kervella"
    campaign.signatory_title = "Directrice générale de l'ARS Bretagne"
    campaign.save()
    filiere.territories.set([territories["T1"]])
    cornouaille = other_lead.filieres.get()
    cornouaille.territories.set([territories["T2"]])
    lorient = FiliereFactory(
        campaign=campaign,
        slug="lorient",
        name="Lorient / Quimperlé",
        territories=[territories["T2"], territories["T3"]],
    )
    lorient_lead = UserFactory(username="porteur3", roles=["filiere_lead"])
    lorient.editors.add(lorient_lead)
    vannes = FiliereFactory(
        campaign=campaign,
        slug="vannes",
        name="Brocéliande Atlantique",
        territories=[territories["T4"]],
    )

    a = DossierFactory(filiere=filiere)
    a1 = ProjectFactory(
        dossier=a,
        priority=1,
        title="Renforcer l'équipe mobile",
        start=dt.date(2025, 9, 1),
        end=dt.date(2027, 12, 31),
    )
    make_line(a1, LineNature.RECURRING, "26000.00", proposed="26000.00")
    make_line(a1, LineNature.ONE_OFF, "12345.67", proposed="10000.00", category="investment")
    a2 = ProjectFactory(
        dossier=a, priority=2, title=HYPERLINK, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
    )
    make_line(a2, LineNature.RECURRING, "1234567.89", proposed="100000.01", first_year=2026)
    a = in_ars_analysis(dossier=a, lead=lead, instructor=instructor, caresp_review=False)
    line_a1r, line_a1o = a1.lines.order_by("id")
    line_a1r.granted, line_a1r.start_month = Decimal("26000.00"), dt.date(2025, 9, 1)
    line_a1r.save()
    line_a1o.granted = Decimal("9999.99")
    line_a1o.save()
    line_a2 = a2.lines.get()
    line_a2.granted, line_a2.start_month = Decimal("100000.01"), dt.date(2026, 1, 1)
    line_a2.save()
    a = decided_dossier(
        dossier=a,
        decider=decider,
        outcome=Outcome.ACCEPTED,
        comment="Projet conforme à l'instruction.",
    )

    b = DossierFactory(filiere=cornouaille)
    b1 = ProjectFactory(dossier=b, priority=1, title="Astreinte territoriale")
    make_line(b1, LineNature.RECURRING, "80000.00", proposed="60000.00")
    b = in_ars_analysis(dossier=b, lead=other_lead, instructor=instructor, caresp_review=False)

    c = DossierFactory(filiere=lorient)
    c1 = ProjectFactory(dossier=c, priority=1, title="Bénévoles d'accompagnement")
    make_line(c1, LineNature.ONE_OFF, "5000.50", proposed="0.00")
    c = in_ars_analysis(dossier=c, lead=lorient_lead, instructor=instructor, caresp_review=False)
    line_c = c1.lines.get()
    line_c.granted = Decimal("0.00")
    line_c.save()
    c = decided_dossier(
        dossier=c, decider=decider, outcome=Outcome.REJECTED, comment="Diagnostic insuffisant."
    )

    d = DossierFactory(filiere=vannes)
    make_line(ProjectFactory(dossier=d, priority=1), LineNature.RECURRING, "999.00")

    return {"a": a, "b": b, "c": c, "d": d, "lorient_lead": lorient_lead}


@pytest.fixture
def roles(lead, other_lead, caresp, instructor, decider, admin_user, outsider):
    return {
        "lead": lead,
        "other_lead": other_lead,
        "caresp": caresp,
        "instructor": instructor,
        "decider": decider,
        "admin": admin_user,
        "outsider": outsider,
        "anonymous": None,
    }
