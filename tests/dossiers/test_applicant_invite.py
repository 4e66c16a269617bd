"""A lead invites co-editors: a pending invitation the invitee accepts (V4).

Nothing is granted before acceptance; the inviter learns nothing of the invited
address (account or not, staff or not, its name); the e-mail is a fixed text; the
sending is rate-limited per inviter and per address."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from campaign.domain import invitations
from campaign.domain.invitations import invite_editor
from campaign.models import Invitation
from common.errors import Conflict, Forbidden, TooManyRequests
from tests.factories import FiliereFactory, UserFactory

LINK = re.compile(r"https?://\S+/invitations/(\S+)/")


def invite(dossier):
    return reverse("dossiers:invite", args=[dossier.pk])


def send(client, dossier, email, capture, follow=False, **extra):
    with capture(execute=True):
        return client.post(invite(dossier), {"email": email, **extra}, follow=follow)


def link_path(message):
    return urlsplit(LINK.search(message.body).group(0)).path


def test_existing_account_is_not_added_before_accepting(
    client, lead, draft, filiere, django_capture_on_commit_callbacks
):
    colleague = UserFactory(username="yann", email="yann.kerouac@had-ponant.fr")
    client.force_login(lead)
    response = send(client, draft, "Yann.Kerouac@HAD-Ponant.fr", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    # Nothing granted yet, and the page names no account.
    assert not filiere.editors.filter(pk=colleague.pk).exists()
    page = client.get(response.url).content.decode()
    assert "Invitation envoyée à yann.kerouac@had-ponant.fr" in page
    assert colleague.get_full_name() not in page and "yann</" not in page
    assert "Invitations en attente" in page
    # The e-mail: a fixed text, a link, no name typed by anyone.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["yann.kerouac@had-ponant.fr"]
    assert (
        "Un porteur de la filière vous invite à rédiger les dossiers de la filière "
        "« Nord Finistère » (Bretagne)" in message.body
    )
    assert lead.get_full_name() not in message.body
    # The invitee signs in, then accepts.
    path = link_path(message)
    client.force_login(colleague)
    page = client.get(path).content.decode()
    assert "Accepter l'invitation" in page and "<strong>yann</strong>" in page
    response = client.post(path)
    assert response.status_code == 302
    assert filiere.editors.filter(pk=colleague.pk).exists()
    colleague = User.objects.get(pk=colleague.pk)
    assert colleague.has_role(Role.FILIERE_LEAD)
    assert client.get(reverse("dossiers:edit", args=[draft.pk])).status_code == 200
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == colleague and invitation.status == "accepted"
    # The link works once.
    assert client.post(path).status_code == 410
    assert "Cette invitation n'est plus valable" in client.get(path).content.decode()


def test_unknown_address_creates_its_account_by_accepting(
    client, lead, draft, filiere, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    send(client, draft, "soizic.le-gall@ehpad-kerhéol.fr", django_capture_on_commit_callbacks)
    assert not User.objects.filter(email="soizic.le-gall@ehpad-kerhéol.fr").exists()
    path = link_path(mail.outbox[0])
    client.logout()
    page = client.get(path).content.decode()
    assert "Me connecter pour accepter" in page and 'name="password1"' in page
    # A weak password is refused in French, what was typed is kept.
    response = client.post(
        path,
        {"first_name": "Soizic", "last_name": "Le Gall", "password1": "123", "password2": "123"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ce mot de passe est trop court" in page and 'value="Soizic"' in page
    response = client.post(
        path,
        {
            "first_name": "Soizic",
            "last_name": "Le Gall",
            "password1": "Iroise-Ouessant-2025",
            "password2": "Iroise-Ouessant-2025",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="soizic.le-gall@ehpad-kerhéol.fr")
    assert (user.first_name, user.last_name) == ("Soizic", "Le Gall")
    assert filiere.editors.filter(pk=user.pk).exists() and user.has_role(Role.FILIERE_LEAD)
    # Signed in at once; the identifier is told.
    page = client.get(response.url).content.decode()
    assert f"Votre identifiant de connexion : {user.username}" in page
    assert client.get(reverse("dossiers:edit", args=[draft.pk])).status_code == 200
    client.logout()
    assert client.login(username=user.username, password="Iroise-Ouessant-2025")


def test_the_response_is_the_same_for_any_address(
    client, lead, draft, caresp, django_capture_on_commit_callbacks
):
    """An account, a staff account, no account: the inviter cannot tell them apart."""
    UserFactory(username="existant", email="existant@example.fr", first_name="Gwenaëlle")
    client.force_login(lead)
    pages = []
    for email in ("existant@example.fr", caresp.email, "personne@example.fr"):
        response = send(client, draft, email, django_capture_on_commit_callbacks, follow=True)
        assert response.status_code == 200
        page = response.content.decode()
        pages.append(page.replace(email, "ADRESSE"))
        assert "Gwenaëlle" not in page and "CARESP" not in page
    notice = re.compile(r"Invitation envoyée à ADRESSE, valable jusqu&#x27;au [^:]+:")
    assert all(notice.search(page) for page in pages)
    # The staff address gets nothing (a staff account cannot write a dossier) …
    assert caresp.email not in [m.to[0] for m in mail.outbox]
    # … and cannot accept with its account.
    invitation = Invitation.objects.get(email=caresp.email)
    raw = "x" * 43
    invitation.token_hash = invitations.hash_token(raw)
    invitation.save()
    with pytest.raises(Conflict, match="ne peut pas rédiger le dossier d'une filière"):
        invitations.accept(raw, caresp)


def test_the_email_never_carries_what_the_inviter_typed(
    client, lead, draft, django_capture_on_commit_callbacks
):
    lead.first_name = "Bonjour Cliquez sur http://evil.example"
    lead.save()
    client.force_login(lead)
    send(
        client,
        draft,
        "cible@example.fr",
        django_capture_on_commit_callbacks,
        first_name="Cliquez sur http://evil.example",
        last_name="<a href='http://evil.example'>ici</a>",
    )
    body = mail.outbox[0].body + mail.outbox[0].subject
    assert "evil" not in body and "Cliquez" not in body
    assert [m.group(0) for m in re.finditer(r"https?://\S+", body)] == [LINK.search(body).group(0)]


def test_already_an_editor(client, lead, co_editor, draft):
    client.force_login(lead)
    response = client.post(invite(draft), {"email": co_editor.email.upper()})
    assert response.status_code == 409
    assert "déjà celle d&#x27;un rédacteur de la filière" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("email", ["", "pas-une-adresse", "a@b"])
def test_invalid_email(client, lead, draft, email):
    client.force_login(lead)
    response = client.post(invite(draft), {"email": email})
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        "Adresse électronique invalide." in page
        or "Indiquez l&#x27;adresse électronique de la personne à inviter." in page
    )
    assert not Invitation.objects.exists()


def test_non_editor_cannot_invite(other_lead, filiere, instructor):
    for user in (other_lead, instructor):
        with pytest.raises(Forbidden):
            invite_editor(filiere, user, "x@example.fr")
    assert not Invitation.objects.exists()


def test_other_lead_gets_404_and_nothing_happens(client, other_lead, draft):
    client.force_login(other_lead)
    response = client.post(invite(draft), {"email": "intrus@example.fr"})
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_co_editor_may_invite(client, co_editor, draft, filiere):
    client.force_login(co_editor)
    assert client.post(invite(draft), {"email": "troisieme@example.fr"}).status_code == 302
    assert Invitation.objects.filter(email="troisieme@example.fr", filiere=filiere).exists()


def test_invitation_expires(client, lead, filiere, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite_editor(filiere, lead, "tard@example.fr")
    path = link_path(mail.outbox[0])
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    late = UserFactory(email="tard@example.fr")
    client.force_login(late)
    response = client.post(path)
    assert response.status_code == 410
    assert "Elle est expirée" in response.content.decode()
    assert not filiere.editors.filter(pk=late.pk).exists()


def test_resend_gives_a_new_link_and_the_old_one_dies(
    client, lead, draft, filiere, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite_editor(filiere, lead, "relance@example.fr")
    first = link_path(mail.outbox[0])
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(days=1)
    )
    client.force_login(lead)
    url = reverse("dossiers:invitation_resend", args=[draft.pk, invitation.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    second = link_path(mail.outbox[1])
    assert first != second
    invitation.refresh_from_db()
    assert invitation.is_pending and invitation.send_count == 2
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_cancel(client, lead, draft, filiere, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite_editor(filiere, lead, "annule@example.fr")
    path = link_path(mail.outbox[0])
    client.force_login(lead)
    url = reverse("dossiers:invitation_cancel", args=[draft.pk, invitation.pk])
    assert client.post(url).status_code == 302
    client.logout()
    assert client.get(path).status_code == 410


def test_another_filiere_cannot_manage_the_invitation(
    client, lead, other_lead, draft, filiere, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite_editor(filiere, lead, "garde@example.fr")
    other_dossier = FiliereFactory(campaign=filiere.campaigns.first())
    other_dossier.editors.add(other_lead)
    with pytest.raises(Forbidden):
        invitations.cancel_invitation(invitation.pk, other_lead)
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_rate_limited_per_address_then_per_inviter(
    client, lead, draft, filiere, settings, django_capture_on_commit_callbacks
):
    settings.INVITATIONS_PER_ADDRESS_PER_DAY = 2
    settings.INVITATIONS_PER_INVITER_PER_DAY = 4
    client.force_login(lead)
    for _ in range(2):
        assert (
            send(client, draft, "boite@example.fr", django_capture_on_commit_callbacks).status_code
            == 302
        )
    response = send(client, draft, "boite@example.fr", django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert "plusieurs invitations ces dernières 24 heures" in response.content.decode()
    assert len(mail.outbox) == 2
    for email in ("a@example.fr", "b@example.fr"):
        assert send(client, draft, email, django_capture_on_commit_callbacks).status_code == 302
    with pytest.raises(TooManyRequests, match="Vous avez envoyé 4 invitations en 24 heures"):
        invite_editor(filiere, lead, "c@example.fr")
    assert len(mail.outbox) == 4


def test_existing_account_cannot_be_taken_over_by_creating_one(
    client, lead, filiere, django_capture_on_commit_callbacks
):
    UserFactory(username="deja", email="deja@example.fr")
    with django_capture_on_commit_callbacks(execute=True):
        invite_editor(filiere, lead, "deja@example.fr")
    path = link_path(mail.outbox[0])
    response = client.post(
        path,
        {
            "first_name": "A",
            "last_name": "B",
            "password1": "Iroise-Ouessant-2025",
            "password2": "Iroise-Ouessant-2025",
        },
    )
    assert response.status_code == 409
    assert "connectez-vous avec lui" in response.content.decode()
    assert User.objects.filter(email__iexact="deja@example.fr").count() == 1
    assert not filiere.editors.filter(email="deja@example.fr").exists()


def test_unknown_token_is_404(client, db):
    assert client.get("/invitations/" + "a" * 43 + "/").status_code == 404
