"""/healthz: for load balancers and monitoring, without login; 200 when the database
and the files' storage answer, 503 naming what failed (never why)."""

import pytest
from django.db import connection
from django.db.utils import OperationalError

pytestmark = pytest.mark.django_db


def test_healthy_with_the_local_folder(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "storage": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert settings.MEDIA_ROOT.is_dir()


def test_healthy_with_the_bucket(client, s3_bucket):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["storage"] == "ok"


def test_a_missing_bucket_is_503(client, s3_bucket, s3_client):
    s3_client.delete_bucket(Bucket=s3_bucket)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "storage": "error"}


def test_a_folder_that_cannot_be_made_is_503(client, settings, tmp_path):
    blocker = tmp_path / "fichier"
    blocker.write_text("un fichier à la place du dossier")
    settings.MEDIA_ROOT = blocker / "media"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "storage": "error"}


def test_an_unreachable_database_is_503(client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise OperationalError("connexion refusée")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body == {"status": "error", "database": "error", "storage": "ok"}
    # The cause is logged, never shown.
    assert "connexion refusée" not in response.content.decode()
    assert "base de données injoignable" in caplog.text


def test_no_https_redirect_for_the_probe(client, settings):
    """Load balancers probe over plain HTTP: the project's exemption, redirect on."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/comptes/connexion/").status_code == 301
