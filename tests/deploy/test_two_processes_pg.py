"""Several machines: two gunicorn application processes on different ports, sharing one
PostgreSQL database and one S3 bucket (moto in server mode), and one task worker.
A file uploaded through one is downloaded through the other, a batch of letters queued
on one is run by the worker and fetched through the other, a session opened on one is
valid on the other. Production settings (DEBUG off, static files collected and served
by WhiteNoise). Skipped only when no PostgreSQL server answers."""

import io
import json
import re
import secrets
import sys
import time
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from tests.api_client import PDF
from tests.deploy.conftest import S3_CREDENTIALS, bucket_keys
from tests.deploy.stack import Stack, admin, browser_session, postgres_server, production_env

pytestmark = pytest.mark.postgres

SETUP = """
import json
import django
django.setup()
from django.core.management import call_command
from accounts.models import ApiToken, User
call_command("migrate", verbosity=0)
call_command("seed_demo", verbosity=0)
tokens = {u: ApiToken.issue(User.objects.get(username=u))[1]
          for u in ("porteur.nord-finistere", "decideur")}
print(json.dumps(tokens))
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory, s3_server):
    server = postgres_server(_suite_url())
    if server is None:
        pytest.skip("PostgreSQL absent : le test des deux processus a besoin d'un serveur.")
    name = f"deux_processus_{secrets.token_hex(4)}"
    admin(server, f'CREATE DATABASE "{name}"')
    folder = tmp_path_factory.mktemp("deux-processus")
    bucket = f"filieres-{secrets.token_hex(4)}"
    env = production_env(
        server.rsplit("/", 1)[0] + f"/{name}",
        folder / "static",
        folder / "media",
        s3_endpoint=s3_server,
        bucket=bucket,
    )
    stack = Stack({**env, **S3_CREDENTIALS}, folder)
    try:
        stack.python(
            "import boto3; boto3.client('s3', endpoint_url="
            f"{s3_server!r}).create_bucket(Bucket={bucket!r}, "
            "CreateBucketConfiguration={'LocationConstraint': 'eu-west-3'})"
        )
        collect = stack.start(
            "collectstatic", sys.executable, "manage.py", "collectstatic", "--noinput"
        )
        tokens = json.loads(stack.python(SETUP).strip().splitlines()[-1])
        assert collect.wait(timeout=240) == 0, stack.tail()
        stack.processes.remove(next(p for p in stack.processes if p[0] == "collectstatic"))
        first, second = stack.gunicorn("web-1"), stack.gunicorn("web-2")
        stack.worker()
        for base in (first, second):
            assert stack.wait_healthy(base) == {"status": "ok", "database": "ok", "storage": "ok"}
        yield {"first": first, "second": second, "tokens": tokens, "bucket": bucket, "env": env}
    finally:
        stack.close()
        admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _suite_url():
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return None
    return f"postgres://{db.get('USER') or 'postgres'}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/postgres"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_static_files_are_served_compressed_with_hashed_names(stack):
    session = browser_session()
    page = session.get(f"{stack['first']}/comptes/connexion/")
    assert page.status_code == 200
    css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page.text)
    assert css, "feuille de style sans nom haché"
    asset = session.get(f"{stack['second']}{css[1]}", headers={"Accept-Encoding": "gzip"})
    assert asset.status_code == 200
    assert asset.headers.get("Content-Encoding") == "gzip"
    assert "immutable" in asset.headers.get("Cache-Control", "")


def test_a_session_opened_on_one_is_valid_on_the_other(stack):
    first, second = browser_session(), browser_session()
    login = first.get(f"{stack['first']}/comptes/connexion/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)[1]
    response = first.post(
        f"{stack['first']}/comptes/connexion/",
        data={
            "csrfmiddlewaretoken": token,
            "username": "decideur",
            "password": "Menhir-Carnac-9513",
        },
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:500]
    session_cookie = first.cookies.get("sessionid")
    assert session_cookie
    # The other process, never seen this browser: the same cookie opens the same session.
    second.cookies.set("sessionid", session_cookie, domain="127.0.0.1")
    page = second.get(f"{stack['second']}/campagnes/bretagne-2025/budget/", allow_redirects=False)
    assert page.status_code == 200
    assert "Tableau de bord budgétaire" in page.text or "Budget" in page.text
    anonymous = browser_session().get(
        f"{stack['second']}/campagnes/bretagne-2025/budget/", allow_redirects=False
    )
    assert anonymous.status_code == 302 and "/comptes/connexion/" in anonymous.headers["Location"]


def test_a_file_uploaded_through_one_is_downloaded_through_the_other(stack, s3_client):
    lead = bearer(stack["tokens"]["porteur.nord-finistere"])
    session = browser_session()
    dossiers = session.get(f"{stack['first']}/api/v1/dossiers", headers=lead).json()
    draft = next(d for d in dossiers if d["state"] == "draft")
    upload = session.post(
        f"{stack['first']}/api/v1/dossiers/{draft['id']}/attachments",
        headers=lead,
        files={"file": ("convention.pdf", PDF, "application/pdf")},
        data={"section": "identity"},
    )
    assert upload.status_code == 201, upload.text
    download = session.get(
        f"{stack['second']}/api/v1/dossiers/{draft['id']}/attachments/{upload.json()['id']}",
        headers=lead,
    )
    assert download.status_code == 200 and download.content == PDF
    # In the bucket, not on either machine's disk.
    stored = [k for k in bucket_keys(s3_client, stack["bucket"]) if k.startswith("attachments/")]
    assert [s3_client.get_object(Bucket=stack["bucket"], Key=k)["Body"].read() for k in stored] == [
        PDF
    ]
    media = stack["env"]["MEDIA_ROOT"]
    assert not any(p.is_file() for p in Path(media).rglob("*"))


def test_a_letters_job_queued_on_one_is_run_by_the_worker_and_fetched_on_the_other(stack):
    decider = bearer(stack["tokens"]["decideur"])
    session = browser_session()
    queued = session.get(
        f"{stack['first']}/api/v1/campaigns/bretagne-2025/letters.zip", headers=decider
    )
    assert queued.status_code == 202, queued.text
    location = queued.headers["Location"]
    assert location.startswith(stack["first"])
    elsewhere = stack["second"] + location.removeprefix(stack["first"])
    deadline = time.monotonic() + 120
    while True:
        response = session.get(elsewhere, headers=decider)
        if response.status_code != 202:
            break
        assert time.monotonic() < deadline, response.text
        time.sleep(0.3)
    assert response.status_code == 200, response.text[:500]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    letters = [n for n in archive.namelist() if n.endswith(".docx")]
    assert letters  # the demo's decided dossier
    assert archive.read(letters[0])[:2] == b"PK"
