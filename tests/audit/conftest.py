"""Fixtures of the audit: the shared object set (tests.audit.world), built once per module."""

import copy

import pytest
from django.db import transaction
from django.test import Client, override_settings

from tests.audit.world import ROLES, build_world, response_text


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module, inside a transaction rolled back at its end; each test
    runs in a savepoint and each request (see `isolated`) in a nested one."""
    media = tmp_path_factory.mktemp("audit-media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ),
        transaction.atomic(),
    ):
        w = build_world()
        w.media = media
        w.web_clients = {}
        for role in ROLES:
            client = Client(raise_request_exception=False)
            if role != "anonymous":
                client.force_login(w.users[role])
            w.web_clients[role] = client
        w.api_client = Client(raise_request_exception=False)
        yield w
        transaction.set_rollback(True)


@pytest.fixture
def world_media(_settings, settings, world):
    """The world's files stay readable although tests/conftest.py moves MEDIA_ROOT."""
    settings.MEDIA_ROOT = world.media


def isolated(client, send):
    """Run one request in a savepoint rolled back afterwards; keep the client's cookies
    (a logout or a login in the request does not change the next one)."""
    saved = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            response = send()
            text = response_text(response)
            transaction.set_rollback(True)
    finally:
        client.cookies = saved
    return response, text
