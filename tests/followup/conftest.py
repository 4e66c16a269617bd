import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from campaign.enums import CampaignKind, CampaignState
from dossiers.models import FundingLine
from followup.domain.editing import update_report
from followup.models import Report
from setup.domain.lifecycle import publish
from tests.factories import NORMANDIE, CampaignFactory, UserFactory, region

GRANTED = Decimal("52000.00")


def followup_campaign(*, slug="suivi-2026", year=2026, region_code=None, deadline=None, by=None):
    """A follow-up campaign published through the set-up's lifecycle (its reports open)."""
    campaign = CampaignFactory(
        slug=slug,
        name=f"Suivi annuel {year}",
        kind=CampaignKind.FOLLOWUP,
        year=year,
        state=CampaignState.DRAFT,
        region=region(region_code) if region_code else region(),
        opens_at=timezone.now() - dt.timedelta(days=10),
        deadline=deadline or timezone.now() + dt.timedelta(days=20),
    )
    campaign.envelopes.all().delete()
    admin = by or UserFactory(roles=[Role.ADMIN])
    return publish(campaign, admin)


def grant(dossier, amount=GRANTED):
    FundingLine.objects.filter(project__dossier=dossier).update(granted=amount)


@pytest.fixture
def recognised(decided):
    """The lead's filière, recognised by its decided dossier, one line of 52 000 € granted."""
    grant(decided)
    return decided


@pytest.fixture
def followup(recognised):
    return followup_campaign()


@pytest.fixture
def report(followup, recognised):
    return Report.objects.get(campaign=followup, filiere=recognised.filiere)


@pytest.fixture
def normandy_instructor(db):
    return UserFactory(
        username="instructeur-normandie", roles=[(Role.ARS_INSTRUCTOR, region(NORMANDIE))]
    )


def filled_indicators():
    """Every indicator given (a complete report with its funding)."""
    return {
        "governance_meetings": 3,
        "formalisation": {
            "territory_defined": True,
            "needs_inventory_updated": False,
            "charter_signed": True,
            "notes": "Charte signée en mars.",
        },
        "actors": {"USP": 1, "EMSP": 2, "HAD": 1},
        "offer": {
            "usp_beds": 10,
            "lisp_beds": 24,
            "hdj_places": 4,
            "emsp_count": 2,
            "had_count": 1,
        },
        "vacancies": {"medical_etp": "0.50", "paramedical_etp": "1.20"},
        "partnerships": {
            "ehpad": 12,
            "essms": 3,
            "volunteers": 2,
            "respite": 1,
            "cpts": 2,
            "msp": 1,
            "health_centres": 0,
            "other": 0,
        },
        "organisations": [
            {
                "title": "Astreinte mutualisée",
                "description": "Nuits et week-ends.",
                "scope": "extra",
            }
        ],
        "missions": [
            {"code": code, "status": "covered", "comment": ""}
            for code in (
                "graduated_offer",
                "emsp_coverage",
                "specialised_consultations",
                "day_hospital",
                "paediatric_expertise",
                "territorial_support",
                "rcp",
                "palliative_emergencies",
                "volunteers",
                "carer_support",
                "bereavement",
                "training",
                "professional_support",
            )
        ],
    }


def complete_report(report, user, spent="40000.00"):
    """The report with every indicator and its funding given (still a draft)."""
    lines = list(report.funding.values_list("line_id", flat=True))
    return update_report(
        report,
        user,
        content=filled_indicators(),
        funding=[{"line": line, "spent": spent, "etp_filled": "1.00"} for line in lines],
    )
