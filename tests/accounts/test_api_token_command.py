import pytest

from accounts.models import ApiToken
from tests.setup.conftest import run_command

pytestmark = pytest.mark.django_db


def test_prints_one_usable_token_and_nothing_else(client, lead):
    code, out, err = run_command("api_token", "porteur")
    assert (code, err) == (0, "")
    assert out.endswith("\n") and out.count("\n") == 1
    raw = out.strip()
    assert len(raw) >= 40 and " " not in raw
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json() == {
        "username": "porteur",
        "roles": ["filiere_lead"],
        "filieres": ["nord-finistere"],
        "regions": [],
        "national": False,
    }
    token = ApiToken.objects.get(user=lead)
    assert raw not in token.key_hash and token.prefix == raw[:8]


def test_each_call_issues_a_new_token(lead):
    first = run_command("api_token", "porteur")[1].strip()
    second = run_command("api_token", "porteur")[1].strip()
    assert first != second
    assert ApiToken.objects.filter(user=lead, revoked_at__isnull=True).count() == 2


def test_unknown_user_is_an_error_in_french(db):
    code, out, err = run_command("api_token", "personne")
    assert code == 1 and out == ""
    assert err.strip() == "Utilisateur « personne » inconnu : aucun jeton créé."
    assert ApiToken.objects.count() == 0


def test_inactive_user_gets_no_token(lead):
    lead.is_active = False
    lead.save()
    code, out, err = run_command("api_token", "porteur")
    assert code == 1 and out == "" and "désactivé" in err
    assert ApiToken.objects.count() == 0


def test_revoke_all(client, lead, instructor):
    raws = [run_command("api_token", "porteur")[1].strip() for _ in range(2)]
    other = run_command("api_token", "instructeur")[1].strip()
    code, out, err = run_command("api_token", "porteur", "--revoke-all")
    assert (code, err) == (0, "")
    assert out.strip() == "2 jetons révoqués pour « porteur »."
    for raw in raws:
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
        assert response.status_code == 401
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"})
    assert response.status_code == 200
