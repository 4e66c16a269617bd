"""The browser session works for the API too, with its CSRF protection on writes."""

from django.test import Client

from tests.factories import DossierFactory


def test_session_reads_and_csrf_protected_writes(lead, filiere):
    dossier = DossierFactory(filiere=filiere)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(lead)
    assert browser.get(f"/api/v1/dossiers/{dossier.id}").status_code == 200
    body = {"version": dossier.version, "swot": {"strengths": ["Session"]}}
    refused = browser.patch(f"/api/v1/dossiers/{dossier.id}", body, content_type="application/json")
    assert refused.status_code == 403
    assert set(refused.json()) == {"detail", "errors"}
    token = "A" * 32  # a valid CSRF secret, as the cookie a page would have set
    browser.cookies["csrftoken"] = token
    accepted = browser.patch(
        f"/api/v1/dossiers/{dossier.id}",
        body,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["swot"]["strengths"] == ["Session"]


def test_logged_out_session_is_401(client, lead, filiere):
    dossier = DossierFactory(filiere=filiere)
    client.force_login(lead)
    client.logout()
    assert client.get(f"/api/v1/dossiers/{dossier.id}").status_code == 401
