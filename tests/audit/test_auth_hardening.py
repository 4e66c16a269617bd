"""Authentication hardening: brute-force throttle (login form, admin login, API tokens),
password rules on the set-password page, production settings."""

import datetime as dt
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import throttle
from accounts.models import ApiToken, AuthFailure
from tests.factories import complete_dossier

PASSWORD = "motdepasse-solide-2025"  # tests.factories.UserFactory
LOGIN = "/comptes/connexion/"


def login(client, username, password, ip="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail(client, username, times, ip="203.0.113.7"):
    for _ in range(times):
        response = login(client, username, "mauvais-mot-de-passe", ip)
        assert response.status_code == 200
        assert "Identifiant ou mot de passe incorrect" in response.content.decode()


# ----------------------------------------------------------------------------- login form


def test_ten_failures_block_the_right_password_with_a_french_message(client, lead):
    fail(client, "porteur", throttle.MAX_FAILURES)
    response = login(client, "porteur", PASSWORD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Trop de tentatives de connexion infructueuses pour cet identifiant" in page
    assert "réessayez dans 15 minute(s)" in page
    assert "_auth_user_id" not in client.session
    # The blocked attempts do not extend the block nor pile up rows.
    login(client, "porteur", "encore-faux")
    assert AuthFailure.objects.filter(scope="login").count() == throttle.MAX_FAILURES


def test_nine_failures_still_let_the_user_in_and_success_clears_the_counter(client, lead):
    fail(client, "porteur", throttle.MAX_FAILURES - 1)
    response = login(client, "porteur", PASSWORD)
    assert response.status_code == 302
    # The username-and-address counter is cleared; the address's and the username's
    # own counters are not (an attacker's success does not reset a spraying count).
    assert not AuthFailure.objects.filter(scope="login").exists()
    assert AuthFailure.objects.filter(scope="address").count() == throttle.MAX_FAILURES - 1


def test_the_counter_is_per_username_and_address(client, lead, other_lead):
    fail(client, "porteur", throttle.MAX_FAILURES)
    # Same username from another address, and another username from the same address.
    assert login(client, "porteur", PASSWORD, ip="198.51.100.1").status_code == 302
    client.logout()
    assert login(client, "porteur2", PASSWORD).status_code == 302
    client.logout()
    # Case variations of the username count together.
    assert "Trop de tentatives" in login(client, "PORTEUR", PASSWORD).content.decode()


def test_spraying_many_usernames_from_one_address_is_blocked(client, lead):
    """One password tried on many usernames (existing or not) from one address: after
    MAX_PER_ADDRESS failures, that address is blocked for every username."""
    for index in range(throttle.MAX_PER_ADDRESS):
        login(client, f"inconnu{index}", "Printemps2025!")
    response = login(client, "porteur", PASSWORD)
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "Trop de tentatives de connexion infructueuses depuis cette adresse" in page
    # Another address is not concerned.
    assert login(client, "porteur", PASSWORD, ip="198.51.100.9").status_code == 302


def test_one_username_from_many_addresses_is_blocked(client, lead):
    """A distributed attack on one account: after MAX_PER_USERNAME failures, whatever
    the addresses, that username is blocked everywhere (for the window)."""
    for index in range(throttle.MAX_PER_USERNAME):
        login(client, "porteur", "mauvais", ip=f"192.0.2.{index + 1}")
    response = login(client, "porteur", PASSWORD, ip="198.51.100.77")
    assert "_auth_user_id" not in client.session
    assert "Trop de tentatives de connexion infructueuses pour cet identifiant" in (
        response.content.decode()
    )
    # The same for a username that does not exist: nothing tells them apart.
    for index in range(throttle.MAX_PER_USERNAME):
        login(client, "personne", "mauvais", ip=f"192.0.2.{index + 1}")
    response = login(client, "personne", "x", ip="198.51.100.77")
    assert "Trop de tentatives de connexion infructueuses pour cet identifiant" in (
        response.content.decode()
    )


def test_the_block_ends_after_the_window(client, lead):
    fail(client, "porteur", throttle.MAX_FAILURES)
    AuthFailure.objects.update(at=timezone.now() - throttle.WINDOW - dt.timedelta(seconds=1))
    assert login(client, "porteur", PASSWORD).status_code == 302


def test_stored_counters_hold_neither_username_nor_password(client, lead):
    fail(client, "porteur", 1)
    rows = list(AuthFailure.objects.all())
    assert {row.scope for row in rows} == {"login", "address", "username"}
    assert all(len(row.key) == 64 and "porteur" not in row.key for row in rows)


def test_the_admin_login_is_throttled_too(client, admin_user):
    for _ in range(throttle.MAX_FAILURES):
        client.post(
            "/admin/login/", {"username": "admin", "password": "faux"}, REMOTE_ADDR="203.0.113.9"
        )
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 200  # the form again: refused
    assert "_auth_user_id" not in client.session
    # From another address the administrator gets in.
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.2",
    )
    assert response.status_code == 302


def test_client_address_from_a_trusted_proxy_header(client, lead, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    for _ in range(throttle.MAX_FAILURES):
        client.post(
            LOGIN,
            {"username": "porteur", "password": "faux"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_REAL_IP="203.0.113.50",
        )
    blocked = client.post(
        LOGIN,
        {"username": "porteur", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_REAL_IP="203.0.113.50",
    )
    assert "Trop de tentatives" in blocked.content.decode()
    # Another client behind the same proxy is not blocked.
    other = client.post(
        LOGIN,
        {"username": "porteur", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_REAL_IP="203.0.113.51",
    )
    assert other.status_code == 302


# ----------------------------------------------------------------------------- API tokens


def bearer(client, raw, ip="203.0.113.20"):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}, REMOTE_ADDR=ip)


def test_ten_bad_tokens_block_bad_tokens_but_never_a_valid_one(client, lead):
    """Throttle failures, not successes: clients behind a shared address keep working
    while someone there tries bad tokens."""
    _token, raw = ApiToken.issue(lead)
    for index in range(throttle.MAX_FAILURES):
        response = bearer(client, f"faux-{index}")
        assert response.status_code == 401
    response = bearer(client, "encore-faux")
    assert response.status_code == 429
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["detail"].startswith("Trop de tentatives d'authentification par jeton")
    # The valid token from the same address still works, and is not counted.
    assert bearer(client, raw).status_code == 200
    assert AuthFailure.objects.filter(scope="token").count() == throttle.MAX_FAILURES
    # Another address is not concerned; the window passes.
    assert bearer(client, "faux", ip="198.51.100.3").status_code == 401
    AuthFailure.objects.update(at=timezone.now() - throttle.WINDOW - dt.timedelta(seconds=1))
    assert bearer(client, "faux").status_code == 401


def test_valid_tokens_are_not_counted(client, lead):
    _token, raw = ApiToken.issue(lead)
    for _ in range(throttle.MAX_FAILURES + 2):
        assert bearer(client, raw).status_code == 200
    assert not AuthFailure.objects.exists()


def test_old_failures_are_pruned(client, lead):
    AuthFailure.objects.create(
        scope="token", key="x" * 64, at=timezone.now() - dt.timedelta(days=2)
    )
    bearer(client, "faux")
    assert AuthFailure.objects.count() == 1
    assert AuthFailure.objects.get().key != "x" * 64


# ----------------------------------------------------------------------------- passwords


def set_password_url(user):
    return reverse(
        "accounts:password_set",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


@pytest.mark.parametrize(
    "password, message",
    [
        ("court1", "Ce mot de passe est trop court. Il doit contenir au minimum 8 caractères."),
        ("12345678901", "Ce mot de passe est entièrement numérique."),
        ("motdepasse", "Ce mot de passe est trop courant."),
        (
            "porteur-invite",
            "Le mot de passe est trop semblable au champ «\u00a0nom d’utilisateur\u00a0».",
        ),
    ],
)
def test_set_password_page_enforces_the_password_validators(client, lead, password, message):
    lead.set_unusable_password()
    lead.save()
    lead.username = "porteur-invite"
    lead.save()
    url = set_password_url(lead)
    page = client.get(url, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    lead.refresh_from_db()
    assert not lead.has_usable_password()


def test_set_password_page_accepts_a_strong_password(client, lead):
    lead.set_unusable_password()
    lead.save()
    page = client.get(set_password_url(lead), follow=True)
    response = client.post(
        page.redirect_chain[-1][0],
        {
            "new_password1": "Soins-Palliatifs-Bretagne-2025",
            "new_password2": "Soins-Palliatifs-Bretagne-2025",
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.check_password("Soins-Palliatifs-Bretagne-2025")


# ----------------------------------------------------------------------------- production settings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_DUMP = """
import django
django.setup()
from django.conf import settings
from django.urls import get_resolver
names = []
def walk(patterns, prefix=""):
    for p in patterns:
        if hasattr(p, "url_patterns"):
            walk(p.url_patterns, prefix + str(p.pattern))
        else:
            names.append(prefix + str(p.pattern))
walk(get_resolver().url_patterns)
for key in ["DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
            "CSRF_COOKIE_SECURE", "CSRF_COOKIE_SAMESITE", "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_CONTENT_TYPE_NOSNIFF",
            "X_FRAME_OPTIONS", "SECURE_REFERRER_POLICY", "SECURE_PROXY_SSL_HEADER", "MEDIA_URL"]:
    print(key, "=", getattr(settings, key))
print("API_DOCS", any(n.startswith("api/v1/docs") for n in names))
print("MEDIA_ROUTE", any(n.startswith("media") for n in names))
"""


def test_production_settings_are_hardened(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="filieres.example.fr",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_DUMP],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    values = dict(line.split(" = ", 1) for line in result.stdout.splitlines() if " = " in line)
    assert values["DEBUG"] == "False"
    assert values["SESSION_COOKIE_SECURE"] == "True"
    assert values["SESSION_COOKIE_HTTPONLY"] == "True"
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["CSRF_COOKIE_SECURE"] == "True"
    assert values["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert values["SECURE_SSL_REDIRECT"] == "True"
    assert int(values["SECURE_HSTS_SECONDS"]) >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] == "True"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] == "True"
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["MEDIA_URL"] == "None"
    # No interactive API documentation and no media route in production.
    assert "API_DOCS False" in result.stdout
    assert "MEDIA_ROUTE False" in result.stdout


def test_uploaded_files_have_no_public_url(client, db):
    assert client.get("/media/attachments/1/x").status_code == 404


# ----------------------------------------------------------------------------- CSRF


def test_session_writes_need_the_csrf_token_in_the_api_and_the_pages(filiere, lead):
    dossier = complete_dossier(filiere=filiere)
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    api = client.post(
        f"/api/v1/dossiers/{dossier.pk}/projects",
        data='{"title": "Sans jeton CSRF"}',
        content_type="application/json",
    )
    assert api.status_code == 403
    assert set(api.json()) == {"detail", "errors"}
    page = client.post(reverse("dossiers:project_create", args=[dossier.pk]), {"title": "X"})
    assert page.status_code == 403
    assert dossier.projects.count() == 1
    # A bearer token needs no CSRF token (it is not sent automatically by a browser).
    _token, raw = ApiToken.issue(lead)
    response = Client(enforce_csrf_checks=True).post(
        f"/api/v1/dossiers/{dossier.pk}/projects",
        data='{"title": "Avec jeton"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 201
