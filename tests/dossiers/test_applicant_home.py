"""Home page: a lead's campaigns with their deadline, the time left and the dossier's state."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from campaign.domain.deadline_display import time_left
from dossiers.enums import DossierState
from dossiers.models import Dossier
from tests.factories import DossierFactory, FiliereFactory, UserFactory

PARIS = dt.timezone(dt.timedelta(hours=1))


def home(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_deadline_in_paris_time_and_time_left(client, lead, campaign):
    campaign.deadline = dt.datetime(2031, 2, 14, 23, 59, 59, tzinfo=PARIS)
    campaign.save()
    client.force_login(lead)
    page = home(client)
    assert "Nord Finistère" in page
    assert "vendredi 14 février 2031 à 23:59" in page
    assert "Il reste " in page and " jours" in page
    assert "Dossier non créé" in page
    assert (
        f'action="{reverse("dossiers:create", args=[campaign.slug, lead.filieres.get().pk])}"'
        in page
    )
    assert "Créer le dossier" in page


def test_utc_deadline_is_shown_in_paris_time(client, lead, campaign):
    # 22:59:59 UTC in winter is 23:59:59 in Paris.
    campaign.deadline = dt.datetime(2031, 2, 14, 22, 59, 59, tzinfo=dt.UTC)
    campaign.save()
    client.force_login(lead)
    assert "vendredi 14 février 2031 à 23:59" in home(client)


def test_time_left_in_days_and_hours(client, lead, campaign):
    campaign.deadline = timezone.now() + dt.timedelta(days=3, hours=4, minutes=30)
    campaign.save()
    client.force_login(lead)
    assert "Il reste 3 jours et 4 heures" in home(client)


def test_passed_deadline(client, lead, campaign):
    campaign.opens_at = dt.datetime(2024, 11, 15, tzinfo=PARIS)
    campaign.deadline = dt.datetime(2025, 2, 14, 23, 59, 59, tzinfo=PARIS)
    campaign.save()
    client.force_login(lead)
    page = home(client)
    assert "vendredi 14 février 2025 à 23:59" in page
    assert "Date limite dépassée" in page
    assert "Créer le dossier" not in page
    assert "Le délai de dépôt est écoulé" in page


def test_individual_extension_is_taken_into_account(client, lead, campaign, filiere, instructor):
    campaign.deadline = timezone.now() - dt.timedelta(days=1)
    campaign.save()
    until = timezone.now() + dt.timedelta(days=2, hours=5, minutes=20)
    campaign.extensions.create(filiere=filiere, until=until, reason="Crue", granted_by=instructor)
    # Another filière's extension changes nothing for this one.
    other = FiliereFactory(campaign=campaign)
    campaign.extensions.create(
        filiere=other, until=until + dt.timedelta(days=30), reason="Autre", granted_by=instructor
    )
    client.force_login(lead)
    page = home(client)
    assert campaign.deadline_for(filiere) == until
    local = timezone.localtime(until)
    assert f"{local.day} " in page and local.strftime("%H:%M") in page
    assert "Il reste 2 jours et 5 heures" in page
    assert "délai prolongé pour votre filière" in page
    assert "Créer le dossier" in page


@pytest.mark.parametrize(
    "state,badge,button,url_name",
    [
        (DossierState.DRAFT, "Brouillon", "Continuer la rédaction", "dossiers:edit"),
        (DossierState.RETURNED, "À compléter", "Continuer la rédaction", "dossiers:edit"),
        (DossierState.SUBMITTED, "Déposé", "Voir le dossier", "dossiers:detail"),
        (DossierState.WITHDRAWN, "Retiré", "Voir le dossier", "dossiers:detail"),
    ],
)
def test_dossier_state_badge_and_button(client, lead, filiere, state, badge, button, url_name):
    dossier = DossierFactory(filiere=filiere)
    Dossier.objects.filter(pk=dossier.pk).update(state=state)  # fixture only: not a transition
    client.force_login(lead)
    page = home(client)
    assert 'class="fr-badge' in page and f">{badge}</span>" in page
    assert f'href="{reverse(url_name, args=[dossier.pk])}">{button}</a>' in page
    assert "Créer le dossier" not in page


def test_create_then_continue(client, lead, campaign, filiere):
    client.force_login(lead)
    response = client.post(reverse("dossiers:create", args=[campaign.slug, filiere.pk]))
    dossier = Dossier.objects.get(filiere=filiere)
    assert response.url == reverse("dossiers:edit", args=[dossier.pk])
    assert dossier.state == DossierState.DRAFT and dossier.created_by == lead
    page = client.get(response.url).content.decode()
    assert "Le dossier est créé" in page
    assert "Continuer la rédaction" in home(client)
    # A second click does not create a second dossier.
    response = client.post(
        reverse("dossiers:create", args=[campaign.slug, filiere.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("dossiers:edit", args=[dossier.pk])
    assert "Cette filière a déjà un dossier pour cette campagne." in response.content.decode()
    assert Dossier.objects.filter(filiere=filiere).count() == 1


@pytest.mark.parametrize(
    "role", ["other_lead", "caresp", "instructor", "decider", "admin_user", "outsider"]
)
def test_others_cannot_create_the_dossier(client, as_role, campaign, filiere, role):
    as_role(role)
    assert (
        client.post(reverse("dossiers:create", args=[campaign.slug, filiere.pk])).status_code == 404
    )
    assert not Dossier.objects.exists()


def test_create_is_post_only_and_needs_login(client, lead, campaign, filiere):
    url = reverse("dossiers:create", args=[campaign.slug, filiere.pk])
    response = client.post(url)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    client.force_login(lead)
    assert client.get(url).status_code == 405
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("role", ["caresp", "instructor", "decider", "admin_user"])
def test_staff_go_to_their_work_dashboard(client, as_role, role):
    as_role(role)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("scoring:dashboard")


def test_user_without_role_gets_an_explanation(client, outsider):
    client.force_login(outsider)
    page = home(client)
    assert "Votre compte n'est encore rattaché à aucune filière" in page
    assert "demandez à son porteur de vous inviter" in page


def test_lead_without_filiere_gets_the_explanation_too(client, db):
    user = UserFactory(roles=[Role.FILIERE_LEAD])
    client.force_login(user)
    assert "rattaché à aucune filière" in home(client)


def test_anonymous_goes_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_lead_sees_only_its_filieres(client, lead, other_lead):
    client.force_login(lead)
    page = home(client)
    assert "Nord Finistère" in page and "Cornouaille" not in page


def test_home_query_count_does_not_grow_with_filieres(
    client, lead, campaign, django_assert_max_num_queries
):
    for n in range(5):
        filiere = FiliereFactory(campaign=campaign, name=f"Filière {n}")
        filiere.editors.add(lead)
        DossierFactory(filiere=filiere)
    client.force_login(lead)
    # 9: the filières' yearly reports are listed too (followup/).
    with django_assert_max_num_queries(9):
        home(client)


@pytest.mark.parametrize(
    "delta,expected",
    [
        (dt.timedelta(days=3, hours=4, minutes=59), "Il reste 3 jours et 4 heures"),
        (dt.timedelta(days=1), "Il reste 1 jour"),
        (dt.timedelta(days=1, hours=1), "Il reste 1 jour et 1 heure"),
        (dt.timedelta(hours=5, minutes=12), "Il reste 5 heures et 12 minutes"),
        (dt.timedelta(minutes=1, seconds=30), "Il reste 1 minute"),
        (dt.timedelta(seconds=30), "Il reste moins d'une minute"),
        (dt.timedelta(0), "Il reste moins d'une minute"),
        (-dt.timedelta(microseconds=1), "Il reste moins d'une minute"),
        (-dt.timedelta(seconds=1), "Date limite dépassée"),
        (-dt.timedelta(days=3), "Date limite dépassée"),
    ],
)
def test_time_left_sentence(delta, expected):
    deadline = dt.datetime(2025, 2, 14, 23, 59, 59, tzinfo=PARIS)
    assert time_left(deadline, now=deadline - delta) == expected
