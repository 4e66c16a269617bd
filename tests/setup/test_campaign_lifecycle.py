"""A call set up through the domain (the same functions as the pages and load_campaign):
draft → published → closed, what applicants see at each step, the calendar and the
envelopes after publication, the history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from budget.domain.envelopes import set_envelope
from budget.models import EnvelopeAmendment
from campaign.domain import setup as campaign_setup
from campaign.domain.extensions import grant_extension
from campaign.enums import CampaignAction, CampaignState
from campaign.models import Campaign, CampaignEvent
from campaign.queries import lead_calls, visible_campaigns
from common.errors import Conflict, Forbidden, InvalidInput, NotFound
from dossiers.domain.editing import create_dossier
from setup.domain import leads, lifecycle
from tests.factories import (
    NORMANDIE,
    TerritoryFactory,
    UserFactory,
    complete_dossier,
    region,
)

pytestmark = pytest.mark.django_db
PARIS = dt.timezone(dt.timedelta(hours=1))


@pytest.fixture
def region_admin(db):
    return UserFactory(username="admin-bretagne", roles=[Role.REGION_ADMIN])


@pytest.fixture
def territories(db):
    bretagne = region()
    return [
        TerritoryFactory(region=bretagne, code=f"B{n}", name=f"Territoire breton {n}")
        for n in range(1, 4)
    ]


def new_call(user, *, days=30, **overrides):
    now = timezone.now()
    values = {
        "name": "Reconnaissance des filières 2027",
        "opens_at": now - dt.timedelta(days=1),
        "deadline": now + dt.timedelta(days=days),
        "decision_date": (now + dt.timedelta(days=days + 100)).date(),
        **overrides,
    }
    return campaign_setup.create_campaign(user, region(), slug="bretagne-2027", **values)


def ready_call(user, territories):
    campaign = new_call(user)
    set_envelope(campaign, user, "recurring", "1600000")
    campaign_setup.set_territories(campaign, user, [t.code for t in territories])
    return campaign


def test_a_new_call_is_a_draft_nobody_outside_the_region_sees(region_admin, territories):
    campaign = ready_call(region_admin, territories)
    filiere, _created = campaign_setup.add_filiere(
        campaign, region_admin, name="Filière Léon", territories=["B1"]
    )
    lead = UserFactory(roles=[Role.FILIERE_LEAD])
    filiere.editors.add(lead)
    instructor = UserFactory(roles=[Role.ARS_INSTRUCTOR])
    other_region = UserFactory(roles=[(Role.ARS_INSTRUCTOR, region(NORMANDIE))])

    assert campaign.state == CampaignState.DRAFT
    assert not campaign.is_open_for(filiere)
    assert campaign not in visible_campaigns(lead)
    assert lead_calls(lead) == []
    assert campaign not in visible_campaigns(other_region)
    assert campaign in visible_campaigns(instructor)
    assert campaign in visible_campaigns(region_admin)
    with pytest.raises(NotFound):
        create_dossier(lead, campaign, filiere)

    lifecycle.publish(campaign, region_admin)
    lead.forget_cached_access()
    assert campaign in visible_campaigns(lead)
    assert [row[0] for row in lead_calls(lead)] == [campaign]
    assert campaign.is_open_for(filiere)
    assert create_dossier(lead, campaign, filiere).campaign == campaign
    actions = list(campaign.events.values_list("action", flat=True))
    assert actions[0] == CampaignAction.CREATED and actions[-1] == CampaignAction.PUBLISHED


def test_only_the_regions_administrators_set_up_its_calls(region_admin, territories):
    normandie_admin = UserFactory(roles=[(Role.REGION_ADMIN, region(NORMANDIE))])
    instructor = UserFactory(roles=[Role.ARS_INSTRUCTOR])
    for user in (normandie_admin, instructor):
        with pytest.raises(Forbidden):
            new_call(user)
    campaign = new_call(region_admin)
    for user in (normandie_admin, instructor):
        with pytest.raises(Forbidden):
            campaign_setup.update_campaign(campaign, user, {"name": "Autre"})
        with pytest.raises(Forbidden):
            lifecycle.publish(campaign, user)
    national = UserFactory(roles=[Role.ADMIN])
    campaign_setup.update_campaign(campaign, national, {"name": "Renommé"})
    assert Campaign.objects.get(pk=campaign.pk).name == "Renommé"


def test_publishing_lists_every_missing_piece_at_once(region_admin):
    campaign = new_call(region_admin)
    with pytest.raises(Conflict) as refused:
        lifecycle.publish(campaign, region_admin)
    assert set(refused.value.errors) == {"territories", "envelopes"}
    assert Campaign.objects.get(pk=campaign.pk).state == CampaignState.DRAFT


def test_a_call_whose_deadline_has_passed_is_not_published_from_the_interface(
    region_admin, territories
):
    now = timezone.now()
    campaign = campaign_setup.create_campaign(
        region_admin,
        region(),
        name="Appel passé",
        opens_at=now - dt.timedelta(days=60),
        deadline=now - dt.timedelta(days=1),
    )
    set_envelope(campaign, region_admin, "recurring", "1000")
    campaign_setup.set_territories(campaign, region_admin, ["B1"])
    with pytest.raises(Conflict) as refused:
        lifecycle.publish(campaign, region_admin)
    assert "deadline" in refused.value.errors
    # The command line loads past calls (history, the demo).
    lifecycle.publish(campaign, None, interactive=False)
    assert campaign.state == CampaignState.PUBLISHED


def test_dates_and_names_are_checked_in_paris_time(region_admin):
    campaign = new_call(
        region_admin,
        opens_at="2027-01-05",
        deadline=dt.datetime(2027, 3, 14, 23, 59, 59),  # naive: Paris time
        decision_date=dt.date(2027, 6, 30),
    )
    assert campaign.opens_at == dt.datetime(2027, 1, 4, 23, 0, tzinfo=dt.UTC)
    assert campaign.deadline == dt.datetime(2027, 3, 14, 22, 59, 59, tzinfo=dt.UTC)
    with pytest.raises(InvalidInput) as refused:
        campaign_setup.update_campaign(
            campaign,
            region_admin,
            {"deadline": "2026-12-01", "decision_date": "2027-02-30", "name": "  "},
        )
    assert set(refused.value.errors) == {"deadline", "decision_date", "name"}


def test_after_publication_the_calendar_changes_only_with_a_reason_kept_in_history(
    region_admin, territories
):
    campaign = ready_call(region_admin, territories)
    lifecycle.publish(campaign, region_admin)
    new_deadline = campaign.deadline + dt.timedelta(days=14)
    with pytest.raises(InvalidInput) as refused:
        campaign_setup.update_campaign(campaign, region_admin, {"deadline": new_deadline})
    assert "reason" in refused.value.errors
    changes = campaign_setup.update_campaign(
        campaign, region_admin, {"deadline": new_deadline}, reason="Report national"
    )
    assert set(changes) == {"deadline"}
    event = campaign.events.get(action=CampaignAction.DATES_CHANGED)
    assert event.reason == "Report national" and event.by == region_admin
    old, new = event.changes["deadline"]
    assert old < new and new.endswith(("+01:00", "+02:00"))
    # An opening already passed does not move; a deadline never goes into the past.
    with pytest.raises(InvalidInput) as refused:
        campaign_setup.update_campaign(
            campaign,
            region_admin,
            {"opens_at": campaign.opens_at + dt.timedelta(hours=1)},
            reason="Erreur",
        )
    assert "opens_at" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        campaign_setup.update_campaign(
            campaign,
            region_admin,
            {
                "opens_at": campaign.opens_at,
                "deadline": timezone.now() - dt.timedelta(hours=1),
            },
            reason="Raccourcir",
        )
    assert "deadline" in refused.value.errors


def test_after_publication_an_envelope_changes_only_by_an_amendment(region_admin, territories):
    campaign = ready_call(region_admin, territories)
    set_envelope(campaign, region_admin, "recurring", "1700000")  # draft: simply set
    assert not EnvelopeAmendment.objects.exists()
    lifecycle.publish(campaign, region_admin)
    with pytest.raises(InvalidInput):
        set_envelope(campaign, region_admin, "recurring", "2200000")
    set_envelope(campaign, region_admin, "recurring", "2200000", reason="Stratégie décennale")
    set_envelope(campaign, region_admin, "one_off", "300000", reason="Crédits ponctuels")
    amendments = list(EnvelopeAmendment.objects.order_by("pk"))
    assert [(a.previous_amount, a.new_amount, a.reason) for a in amendments] == [
        (Decimal("1700000.00"), Decimal("2200000.00"), "Stratégie décennale"),
        (None, Decimal("300000.00"), "Crédits ponctuels"),
    ]
    instructor = UserFactory(roles=[Role.ARS_INSTRUCTOR])
    with pytest.raises(Forbidden):
        set_envelope(campaign, instructor, "recurring", "1", reason="x")


def test_territories_of_a_published_call_covered_by_a_filiere_stay(region_admin, territories):
    campaign = ready_call(region_admin, territories)
    campaign_setup.add_filiere(campaign, region_admin, name="Filière Léon", territories=["B1"])
    lifecycle.publish(campaign, region_admin)
    with pytest.raises(Conflict):
        campaign_setup.set_territories(campaign, region_admin, ["B2", "B3"])
    assert campaign_setup.set_territories(campaign, region_admin, ["B1", "B2"])
    assert set(campaign.territories.values_list("code", flat=True)) == {"B1", "B2"}
    with pytest.raises(InvalidInput):
        campaign_setup.set_territories(campaign, region_admin, ["B1", "T-inconnu"])


def test_leads_named_in_a_draft_are_invited_at_publication(
    region_admin, territories, django_capture_on_commit_callbacks
):
    campaign = ready_call(region_admin, territories)
    filiere, _created = campaign_setup.add_filiere(
        campaign, region_admin, name="Filière Léon", territories=["B1"]
    )
    leads.nominate_lead(
        campaign, filiere, region_admin, email="anne.legoff@example.fr", name="Anne Le Goff"
    )
    assert mail.outbox == []
    assert not filiere.editors.exists()
    with pytest.raises(Conflict):
        leads.nominate_lead(campaign, filiere, region_admin, email="ANNE.legoff@example.fr")

    with pytest.raises(Conflict):
        # Nothing leaves before publication, not even on request.
        leads.resend_lead_invitation(campaign, filiere.lead_nominations.get().pk, region_admin)

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.publish(campaign, region_admin)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anne.legoff@example.fr"]
    assert "/invitations/" in message.body
    assert "rédiger les dossiers de la filière « Filière Léon »" in message.body
    assert message.body.count("Agence régionale de santé Bretagne") >= 1
    # Pending until accepted: nothing is granted yet.
    assert not filiere.editors.exists()
    nomination = filiere.lead_nominations.get()
    assert nomination.invitation.is_pending
    assert nomination.invitation.invited_by == region_admin
    # The ARS sends it again (a new link) or cancels it.
    with django_capture_on_commit_callbacks(execute=True):
        leads.resend_lead_invitation(campaign, nomination.pk, region_admin)
    assert len(mail.outbox) == 2
    invitation = nomination.invitation
    leads.cancel_nomination(campaign, nomination.pk, region_admin)
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    assert not filiere.lead_nominations.exists()


def test_closing_ends_applications_once_every_deadline_has_passed(region_admin, territories):
    campaign = ready_call(region_admin, territories)
    filiere, _created = campaign_setup.add_filiere(
        campaign, region_admin, name="Filière Léon", territories=["B1"]
    )
    lifecycle.publish(campaign, region_admin)
    with pytest.raises(Conflict):
        lifecycle.close(campaign, region_admin)
    instructor = UserFactory(roles=[Role.ARS_INSTRUCTOR])
    until = campaign.deadline + dt.timedelta(days=10)
    grant_extension(campaign, instructor, filiere, until, "Retard justifié")
    after_deadline = campaign.deadline + dt.timedelta(days=1)
    with pytest.raises(Conflict) as refused:
        lifecycle.close(campaign, region_admin, now=after_deadline)
    assert "prolongation" in refused.value.message
    lifecycle.close(campaign, region_admin, now=until + dt.timedelta(seconds=1))
    assert campaign.state == CampaignState.CLOSED
    assert not campaign.is_open_for(filiere, now=campaign.opens_at + dt.timedelta(days=1))
    with pytest.raises(Conflict):
        grant_extension(campaign, instructor, filiere, until + dt.timedelta(days=5), "Encore")
    lead = UserFactory(roles=[Role.FILIERE_LEAD])
    filiere.editors.add(lead)
    with pytest.raises(Conflict):
        create_dossier(lead, campaign, filiere)


def test_results_are_published_once_closed_with_a_recognised_filiere(
    region_admin, territories, instructor, decider
):
    campaign = ready_call(region_admin, territories)
    filiere, _created = campaign_setup.add_filiere(
        campaign, region_admin, name="Filière Léon", territories=["B1", "B2"]
    )
    lifecycle.publish(campaign, region_admin)
    with pytest.raises(Conflict):
        lifecycle.publish_results(campaign, region_admin)
    dossier = complete_dossier(filiere=filiere)
    assert dossier.campaign == campaign
    lifecycle.close(campaign, region_admin, now=campaign.deadline + dt.timedelta(seconds=1))
    with pytest.raises(Conflict) as refused:
        lifecycle.publish_results(campaign, region_admin)
    assert "reconnue" in refused.value.message
    type(dossier).objects.filter(pk=dossier.pk).update(recognised=True)
    lifecycle.publish_results(campaign, region_admin)
    assert Campaign.objects.get(pk=campaign.pk).results_public
    lifecycle.withdraw_results(campaign, region_admin)
    assert not Campaign.objects.get(pk=campaign.pk).results_public
    assert list(CampaignEvent.objects.filter(campaign=campaign).values_list("action", flat=True))[
        -2:
    ] == [CampaignAction.RESULTS_PUBLISHED, CampaignAction.RESULTS_WITHDRAWN]


def test_the_ars_manages_a_filieres_editors(region_admin, territories, lead, filiere):
    campaign = filiere.campaigns.get()
    leads.remove_editor(campaign, filiere, lead.pk, region_admin)
    lead.forget_cached_access()
    assert not filiere.editors.filter(pk=lead.pk).exists()
    assert not lead.has_role(Role.FILIERE_LEAD)
    with pytest.raises(NotFound):
        leads.remove_editor(campaign, filiere, lead.pk, region_admin)


def test_a_filiere_with_a_dossier_stays_in_the_call(region_admin, draft):
    campaign, filiere = draft.campaign, draft.filiere
    with pytest.raises(Conflict):
        campaign_setup.remove_filiere(campaign, filiere, region_admin)


def test_the_api_knows_no_draft_for_applicants(api_as, lead, filiere, region_admin, territories):
    draft = ready_call(region_admin, territories)
    draft.filieres.add(filiere)
    instructor = UserFactory(roles=[Role.ARS_INSTRUCTOR])
    for user, sees in ((lead, False), (UserFactory(), False), (instructor, True)):
        api = api_as(user)
        slugs = [c["slug"] for c in api.get("campaigns").json()]
        assert (draft.slug in slugs) is sees, user
        assert api.get(f"campaigns/{draft.slug}").status_code == (200 if sees else 404)
    response = api_as(lead).post("dossiers", {"campaign": draft.slug, "filiere": filiere.slug})
    assert response.status_code == 404
