"""A lead invites co-editors: existing accounts are added, new ones get a set-password link."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role, User
from campaign.domain.filieres import invite_editor
from common.errors import Conflict, Forbidden
from tests.factories import FiliereFactory, UserFactory


def invite(dossier):
    return reverse("dossiers:invite", args=[dossier.pk])


def test_existing_user_is_added(client, lead, draft, filiere, django_capture_on_commit_callbacks):
    colleague = UserFactory(username="yann", email="yann.kerouac@had-ponant.fr")
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            invite(draft),
            {"email": "Yann.Kerouac@HAD-Ponant.fr", "first_name": "", "last_name": ""},
        )
    assert response.status_code == 302
    assert filiere.editors.filter(pk=colleague.pk).exists()
    colleague = User.objects.get(pk=colleague.pk)
    assert colleague.has_role(Role.FILIERE_LEAD)
    assert User.objects.filter(email__iexact="yann.kerouac@had-ponant.fr").count() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["yann.kerouac@had-ponant.fr"]
    assert "Invitation à rédiger les dossiers de la filière « Nord Finistère »" in message.subject
    assert "/comptes/mot-de-passe/definir/" not in message.body
    assert "/comptes/connexion/" in message.body
    page = client.get(response.url).content.decode()
    assert "peut désormais rédiger le dossier de la filière" in page
    client.force_login(colleague)
    assert client.get(reverse("dossiers:edit", args=[draft.pk])).status_code == 200


def test_new_user_gets_a_working_set_password_link(
    client, lead, draft, filiere, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            invite(draft),
            {
                "email": "soizic.le-gall@ehpad-kerhéol.fr",
                "first_name": "Soizic",
                "last_name": "Le Gall",
            },
        )
    assert response.status_code == 302, response.content.decode()
    user = User.objects.get(email="soizic.le-gall@ehpad-kerhéol.fr")
    assert (user.first_name, user.last_name) == ("Soizic", "Le Gall")
    assert not user.has_usable_password() and user.is_active
    assert user.has_role(Role.FILIERE_LEAD)
    assert filiere.editors.filter(pk=user.pk).exists()
    hub = client.get(reverse("dossiers:edit", args=[draft.pk])).content.decode()
    assert "Soizic Le Gall" in hub and "invitation en attente" in hub
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Bonjour Soizic Le Gall" in body
    assert "choisissez votre mot de passe" in body
    link = re.search(r"https?://\S+/comptes/mot-de-passe/definir/\S+/", body).group(0)
    assert f"Votre identifiant de connexion : {user.username}" in body

    client.logout()
    response = client.get(urlsplit(link).path)
    assert response.status_code == 302  # the token moves to the session
    form_url = response.url
    page = client.get(form_url).content.decode()
    assert "Choisir votre mot de passe" in page and 'name="new_password1"' in page
    response = client.post(
        form_url, {"new_password1": "Iroise-Ouessant-2025", "new_password2": "Iroise-Ouessant-2025"}
    )
    assert response.status_code == 302 and response.url == reverse("accounts:password_set_done")
    assert "Votre mot de passe est enregistré" in client.get(response.url).content.decode()
    assert client.login(username=user.username, password="Iroise-Ouessant-2025")
    assert client.get(reverse("dossiers:edit", args=[draft.pk])).status_code == 200
    # The link works once.
    client.logout()
    page = client.get(urlsplit(link).path).content.decode()
    assert "Ce lien n'est plus valable" in page


def test_weak_password_is_refused_in_french(
    client, lead, draft, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(invite(draft), {"email": "nouveau@example.fr"})
    link = re.search(r"https?://\S+/comptes/mot-de-passe/definir/\S+/", mail.outbox[0].body).group(
        0
    )
    client.logout()
    form_url = client.get(urlsplit(link).path).url
    response = client.post(form_url, {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    assert "Ce mot de passe est trop court" in response.content.decode()


def test_already_an_editor(client, lead, co_editor, draft):
    client.force_login(lead)
    response = client.post(invite(draft), {"email": co_editor.email})
    assert response.status_code == 409
    assert "fait déjà partie des rédacteurs de la filière." in response.content.decode()


def test_staff_account_cannot_become_co_editor(client, lead, draft, caresp, filiere):
    client.force_login(lead)
    response = client.post(invite(draft), {"email": caresp.email})
    assert "appartient à un membre de l&#x27;ARS ou de la CARESP" in response.content.decode()
    assert not filiere.editors.filter(pk=caresp.pk).exists()


@pytest.mark.parametrize("email", ["", "pas-une-adresse", "a@b"])
def test_invalid_email(client, lead, draft, email):
    client.force_login(lead)
    response = client.post(invite(draft), {"email": email, "first_name": "Léa"})
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        "Adresse électronique invalide." in page
        or "Indiquez l&#x27;adresse électronique de la personne à inviter." in page
    )
    assert 'value="Léa"' in page
    assert User.objects.count() == 1  # only the lead


def test_non_editor_cannot_invite(other_lead, filiere, instructor):
    for user in (other_lead, instructor):
        with pytest.raises(Forbidden):
            invite_editor(filiere, user, "x@example.fr")
    assert not User.objects.filter(email="x@example.fr").exists()


def test_other_lead_gets_404_and_nothing_happens(client, other_lead, draft):
    client.force_login(other_lead)
    response = client.post(invite(draft), {"email": "intrus@example.fr"})
    assert response.status_code == 404
    assert not User.objects.filter(email="intrus@example.fr").exists()


def test_co_editor_may_invite(client, co_editor, draft, filiere):
    client.force_login(co_editor)
    assert client.post(invite(draft), {"email": "troisieme@example.fr"}).status_code == 302
    assert filiere.editors.filter(email="troisieme@example.fr").exists()


def test_duplicate_addresses_are_refused(lead, filiere):
    UserFactory(email="double@example.fr")
    UserFactory(email="DOUBLE@example.fr")
    with pytest.raises(Conflict):
        invite_editor(filiere, lead, "double@example.fr")


def test_invited_again_to_another_filiere_gets_a_fresh_link(
    lead, filiere, campaign, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = invite_editor(filiere, lead, "pending@example.fr")
    other = FiliereFactory(campaign=campaign)
    other.editors.add(lead)
    lead.__dict__.pop("filiere_ids", None)
    with django_capture_on_commit_callbacks(execute=True):
        second = invite_editor(other, lead, "pending@example.fr")
    assert first.created and not second.created
    assert second.link_sent
    assert "/comptes/mot-de-passe/definir/" in mail.outbox[1].body


def test_forgotten_password_reaches_invited_people(
    client, lead, filiere, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite_editor(filiere, lead, "expire@example.fr")
    mail.outbox = []
    response = client.post(reverse("accounts:password_reset"), {"email": "expire@example.fr"})
    assert response.url == reverse("accounts:password_reset_sent")
    assert len(mail.outbox) == 1
    assert "/comptes/mot-de-passe/definir/" in mail.outbox[0].body
