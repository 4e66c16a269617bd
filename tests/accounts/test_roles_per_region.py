"""A CARESP or ARS role holds in one region; the administrator's everywhere."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Role, RoleGrant
from accounts.rules import is_ars_instructor, region_of
from dossiers.domain.access import visible_dossiers
from dossiers.domain.transitions import transition
from tests.factories import (
    NORMANDIE,
    CampaignFactory,
    FiliereFactory,
    UserFactory,
    complete_dossier,
    region,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def normandie_dossier():
    campaign = CampaignFactory(slug="normandie-2026", region=region(NORMANDIE))
    lead = UserFactory(roles=[Role.FILIERE_LEAD])
    filiere = FiliereFactory(campaign=campaign, editors=[lead])
    return transition(complete_dossier(filiere=filiere), "submit", lead)


@pytest.mark.parametrize("role", [Role.CARESP_REVIEWER, Role.ARS_INSTRUCTOR, Role.ARS_DECIDER])
def test_a_regional_role_holds_in_its_region_only(role, campaign, normandie_dossier):
    breton = UserFactory(roles=[role])
    assert breton.has_role_in(campaign.region_id, role)
    assert not breton.has_role_in(normandie_dossier.region_id, role)
    assert breton.has_role(role)  # somewhere: the menus show the role's pages
    assert breton.staff_region_ids == {campaign.region_id}
    assert normandie_dossier not in visible_dossiers(breton)
    assert not breton.has_perm("dossiers.view_dossier", normandie_dossier)


def test_the_predicates_test_the_object_region(campaign, normandie_dossier, instructor):
    assert is_ars_instructor(instructor, campaign)
    assert not is_ars_instructor(instructor, normandie_dossier)
    assert not is_ars_instructor(instructor, normandie_dossier.campaign)
    assert is_ars_instructor(instructor)  # without an object: anywhere
    with pytest.raises(TypeError):
        region_of(object())


def test_the_administrator_is_national(admin_user, normandie_dossier):
    assert admin_user.is_national
    assert admin_user.has_role_in(normandie_dossier.region_id, Role.ADMIN)
    assert normandie_dossier in visible_dossiers(admin_user)


def test_one_person_may_hold_a_role_in_two_regions(campaign, normandie_dossier):
    both = UserFactory(
        roles=[(Role.ARS_INSTRUCTOR, campaign.region), (Role.ARS_INSTRUCTOR, region(NORMANDIE))]
    )
    assert both.staff_region_ids == {campaign.region_id, normandie_dossier.region_id}
    assert normandie_dossier in visible_dossiers(both)


def test_the_database_refuses_a_regional_role_without_region_and_a_national_one_with(
    instructor, admin_user, campaign
):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrant.objects.create(user=instructor, role=Role.ARS_DECIDER)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrant.objects.create(user=admin_user, role=Role.ADMIN, region=campaign.region)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrant.objects.create(user=instructor, role=Role.ARS_INSTRUCTOR, region=campaign.region)


def test_me_lists_the_regions(client, instructor, admin_user):
    client.force_login(instructor)
    assert client.get("/api/v1/me").json()["regions"] == ["Bretagne"]
    client.force_login(admin_user)
    body = client.get("/api/v1/me").json()
    assert body["regions"] == [] and body["national"] is True
