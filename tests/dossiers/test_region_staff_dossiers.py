"""region_staff_dossiers (the ARS overview's prepared reads start from it) is what
visible_dossiers gives the staff of the campaign's region: every dossier but the
drafts, and nothing of another campaign."""

import pytest

from dossiers.domain.access import region_staff_dossiers, visible_dossiers
from dossiers.enums import DossierState
from dossiers.models import Dossier
from tests.factories import CampaignFactory, dossier_in

pytestmark = pytest.mark.django_db

STATES = [DossierState.DRAFT, DossierState.SUBMITTED, DossierState.RETURNED, DossierState.DECIDED]


def test_the_staff_of_the_region_see_what_region_staff_dossiers_reads(campaign, instructor, caresp):
    for index, state in enumerate(STATES):
        dossier_in(campaign, state, instructor=instructor, name=f"Filière {index}")
    other = CampaignFactory(slug="bretagne-2026")
    dossier_in(other, DossierState.SUBMITTED, instructor=instructor, name="Ailleurs")

    read = set(region_staff_dossiers(campaign.pk).values_list("pk", flat=True))

    assert len(read) == len(STATES) - 1
    assert not Dossier.objects.filter(pk__in=read, state=DossierState.DRAFT).exists()
    for user in (instructor, caresp):
        seen = visible_dossiers(user, Dossier.objects.filter(campaign=campaign))
        assert read == set(seen.values_list("pk", flat=True))
