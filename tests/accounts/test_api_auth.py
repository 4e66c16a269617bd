from accounts.models import ApiToken


def test_me_with_bearer_token(client, lead):
    _token, raw = ApiToken.issue(lead)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json() == {
        "username": "porteur",
        "roles": ["filiere_lead"],
        "filieres": ["nord-finistere"],
        "regions": [],
        "national": False,
    }


def test_token_is_stored_hashed_and_revocable(client, lead):
    token, raw = ApiToken.issue(lead)
    assert raw not in token.key_hash
    token.revoked_at = token.created_at
    token.save()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Authentification requise")


def test_anonymous_gets_401_in_french(client, db):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


def test_session_works_too(client, lead):
    client.force_login(lead)
    assert client.get("/api/v1/me").json()["username"] == "porteur"


def test_openapi_schema_is_served(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/me" in response.json()["paths"]
