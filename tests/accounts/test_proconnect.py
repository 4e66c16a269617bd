"""ProConnect sign-in (OpenID Connect) against a local OpenID provider started by the
test suite (oidc-provider-mock), never the real one: the happy path links the account
found by its e-mail, an unknown e-mail is refused, a tampered state or nonce is refused,
signing out ends the provider's session; off without the OIDC_* settings."""

import html
from urllib.parse import parse_qs, urlparse

import oidc_provider_mock
import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.models import Role, User
from campaign.domain.invitations import issue_invitation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
CLIENT_ID = "plateforme-filieres"


@pytest.fixture(scope="session")
def oidc_provider():
    """A local OpenID provider (oidc-provider-mock) for the whole session."""
    with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def proconnect(settings, oidc_provider):
    """ProConnect switched on, pointing at the local provider."""
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "secret-de-test"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{oidc_provider}/oauth2/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{oidc_provider}/oauth2/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{oidc_provider}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{oidc_provider}/jwks"
    settings.OIDC_OP_LOGOUT_ENDPOINT = f"{oidc_provider}/oauth2/end_session"
    settings.OIDC_OP_ISSUER = oidc_provider
    return oidc_provider


def provider_user(provider, sub, **claims):
    response = requests.put(f"{provider}/users/{sub}", json=claims, timeout=10)
    assert response.status_code == 204


def start(client):
    """Our sign-in page sends the browser to the provider: its address."""
    response = client.get(reverse("accounts:proconnect_login"))
    assert response.status_code == 302
    return response["Location"]


def authorize(location, sub):
    """The person signs in at the provider: the provider's redirect back to us."""
    response = requests.post(location, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    back = urlparse(response.headers["Location"])
    return f"{back.path}?{back.query}"


def test_off_without_settings(client):
    assert client.get(reverse("accounts:proconnect_login")).status_code == 404
    assert client.get(reverse("accounts:proconnect_callback")).status_code == 404
    assert "ProConnect" not in client.get(reverse("accounts:login")).content.decode()


def test_an_invited_person_signs_in_and_is_linked_by_email(client, proconnect):
    lead = UserFactory(username="anne", email="Anne.LeGoff@example.fr", first_name="", last_name="")
    lead.set_unusable_password()
    lead.save()
    login_page = client.get(reverse("accounts:login")).content.decode()
    assert "ProConnect" in login_page and "proconnect.css" in login_page
    provider_user(
        proconnect,
        "sub-anne",
        email="anne.legoff@example.fr",
        given_name="Anne",
        usual_name="Le Goff",
    )
    location = start(client)
    query = parse_qs(urlparse(location).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["nonce"] and query["state"]
    response = client.get(authorize(location, "sub-anne"))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert int(client.session[SESSION_KEY]) == lead.pk
    lead.refresh_from_db()
    # ProConnect's own claim `usual_name` (the mock passes on non-standard claims only).
    assert (lead.proconnect_sub, lead.last_name) == ("sub-anne", "Le Goff")

    # The next time, the linked identity is enough, whatever its e-mail became.
    client.logout()
    provider_user(proconnect, "sub-anne", email="anne@nouvelle-adresse.fr")
    response = client.get(authorize(start(client), "sub-anne"))
    assert response["Location"] == reverse("home")
    assert int(client.session[SESSION_KEY]) == lead.pk


def test_an_unknown_email_is_refused_with_a_french_page(client, proconnect):
    provider_user(proconnect, "sub-inconnu", email="inconnu@example.fr")
    users_before = User.objects.count()
    response = client.get(authorize(start(client), "sub-inconnu"), follow=True)
    assert SESSION_KEY not in client.session
    assert User.objects.count() == users_before
    body = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "Aucun compte de la plateforme n'est associé à l'adresse inconnu@example.fr" in body


def test_an_account_linked_to_another_identity_is_not_taken_over(client, proconnect):
    UserFactory(email="agent@ars.sante.fr", proconnect_sub="sub-original")
    provider_user(proconnect, "sub-imposteur", email="agent@ars.sante.fr")
    client.get(authorize(start(client), "sub-imposteur"))
    assert SESSION_KEY not in client.session


def test_a_tampered_state_is_refused(client, proconnect):
    UserFactory(email="agent@ars.sante.fr")
    provider_user(proconnect, "sub-agent", email="agent@ars.sante.fr")
    back = authorize(start(client), "sub-agent")
    forged = back.replace("state=", "state=x")
    response = client.get(forged)
    assert response.status_code == 400
    assert "n'a pas pu être vérifiée" in html.unescape(response.content.decode())
    assert SESSION_KEY not in client.session
    # Nor can the genuine answer be replayed once its state was used.
    client.get(back)
    response = client.get(back)
    assert response.status_code in (302, 400)


def test_a_tampered_nonce_is_refused(client, proconnect):
    UserFactory(email="agent@ars.sante.fr")
    provider_user(proconnect, "sub-agent", email="agent@ars.sante.fr")
    location = start(client)
    session = client.session
    state = parse_qs(urlparse(location).query)["state"][0]
    states = session["oidc_states"]
    states[state]["nonce"] = "une-autre-valeur"
    session["oidc_states"] = states
    session.save()
    response = client.get(authorize(location, "sub-agent"))
    assert response.status_code == 400
    assert SESSION_KEY not in client.session


def test_signing_out_ends_the_proconnect_session(client, proconnect):
    UserFactory(email="agent@ars.sante.fr", roles=[Role.ARS_INSTRUCTOR])
    provider_user(proconnect, "sub-agent", email="agent@ars.sante.fr")
    client.get(authorize(start(client), "sub-agent"))
    assert SESSION_KEY in client.session
    page = client.get(reverse("accounts:login"))
    assert f"form-action 'self' {proconnect}" in page["Content-Security-Policy"]
    response = client.post(reverse("accounts:logout"))
    assert SESSION_KEY not in client.session
    target = urlparse(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{proconnect}/oauth2/end_session"
    query = parse_qs(target.query)
    assert query["id_token_hint"] and query["state"]
    assert query["post_logout_redirect_uri"] == ["http://testserver/comptes/connexion/"]


def test_a_password_session_signs_out_as_before(client, proconnect, lead):
    client.force_login(lead)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")


def test_an_invited_address_without_account_signs_in_and_accepts(client, proconnect, filiere):
    """« An invitation links them »: the ARS invited this address to lead the filière;
    signing in with ProConnect under it creates the account and accepts the invitation."""
    ars = UserFactory(roles=[Role.REGION_ADMIN])
    invitation = issue_invitation(
        ars, "nouveau.porteur@example.fr", role=Role.FILIERE_LEAD, filiere=filiere, agency=True
    )
    provider_user(
        proconnect, "sub-nouveau", email="Nouveau.Porteur@example.fr", usual_name="Kerhervé"
    )
    response = client.get(authorize(start(client), "sub-nouveau"))
    assert response["Location"] == reverse("home")
    user = User.objects.get(email="nouveau.porteur@example.fr")
    assert int(client.session[SESSION_KEY]) == user.pk
    assert (user.proconnect_sub, user.last_name) == ("sub-nouveau", "Kerhervé")
    assert not user.has_usable_password()
    assert filiere.editors.filter(pk=user.pk).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    home = client.get(reverse("home"))
    assert filiere.name in home.content.decode()
