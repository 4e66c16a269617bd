"""V3: every list and text is bounded (api.md "Sizes are bounded"): 200 members, 50 SWOT
items per quadrant, 100 project sheets, 50 lines per sheet, 20,000 characters per text
field; beyond, 400 with a French message, through the API and the pages alike."""

from decimal import Decimal

import pytest
from django.urls import reverse

from dossiers.models import Dossier, FundingLine, Project
from tests.dossiers.form_data import identity_data, swot_data

MEMBER = {"type": "EHPAD", "name": "EHPAD de Kerhéol", "role": "requérant"}


def patch(api, dossier, part, value):
    version = Dossier.objects.get(pk=dossier.pk).version
    return api.request("PATCH", f"dossiers/{dossier.pk}", {"version": version, part: value})


def test_members_bounded_in_the_api(api, draft):
    identity = dict(draft.identity)
    response = patch(api, draft, "identity", {**identity, "members": [MEMBER] * 201})
    assert response.status_code == 400
    assert response.json()["errors"]["identity.members"] == [
        "Au plus 200 structures membres (ici 201)."
    ]
    # 20,000 members: refused as fast, with one message (not 20,000).
    response = patch(api, draft, "identity", {**identity, "members": [MEMBER] * 20000})
    assert response.status_code == 400
    assert sum(len(v) for v in response.json()["errors"].values()) == 1
    response = patch(api, draft, "identity", {**identity, "members": [MEMBER] * 200})
    assert response.status_code == 200
    assert len(response.json()["identity"]["members"]) == 200


def test_members_bounded_in_the_form(client, lead, draft):
    client.force_login(lead)
    url = reverse("dossiers:section", args=[draft.pk, "identity"])
    response = client.post(url, identity_data(draft, members=[MEMBER] * 201))
    assert response.status_code == 400
    assert "Au plus 200 structures membres (ici 201)." in response.content.decode()
    draft.refresh_from_db()
    assert len(draft.identity["members"]) < 201
    # 200 members (1,200 fields posted) are accepted.
    response = client.post(url, identity_data(draft, members=[MEMBER] * 200))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert len(draft.identity["members"]) == 200


def test_swot_items_bounded(api, client, lead, draft):
    swot = {key: ["Un élément"] for key in ("strengths", "weaknesses", "opportunities")}
    response = patch(api, draft, "swot", {**swot, "threats": ["Menace"] * 51})
    assert response.status_code == 400
    assert response.json()["errors"]["swot.threats"] == ["Au plus 50 éléments (ici 51)."]
    response = patch(api, draft, "swot", {**swot, "threats": [f"Menace {i}" for i in range(50)]})
    assert response.status_code == 200
    client.force_login(lead)
    url = reverse("dossiers:section", args=[draft.pk, "swot"])
    response = client.post(
        url, swot_data(draft, threats="\n".join(f"Menace {i}" for i in range(51)))
    )
    assert response.status_code == 400
    assert "Au plus 50 éléments (ici 51)." in response.content.decode()


def test_project_sheets_bounded(api, client, lead, draft):
    Project.objects.bulk_create(
        Project(dossier=draft, priority=i, title=f"Fiche {i}") for i in range(1, 101)
    )
    response = api.request("POST", f"dossiers/{draft.pk}/projects", {"title": "Une de trop"})
    assert response.status_code == 400
    assert response.json()["detail"] == "Un dossier compte au plus 100 fiches projet."
    client.force_login(lead)
    response = client.post(
        reverse("dossiers:project_create", args=[draft.pk]), {"title": "Une de trop"}
    )
    assert response.status_code == 400
    assert "Un dossier compte au plus 100 fiches projet." in response.content.decode()
    assert draft.projects.count() == 100


def test_lines_bounded(api, draft):
    project = Project.objects.create(dossier=draft, priority=1, title="Fiche")
    FundingLine.objects.bulk_create(
        FundingLine(project=project, label=f"Ligne {i}", amount=Decimal("10")) for i in range(50)
    )
    response = api.request(
        "POST",
        f"dossiers/{draft.pk}/projects/{project.pk}/lines",
        {"label": "Une de trop", "nature": "one_off", "amount": "10"},
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "Une fiche projet compte au plus 50 lignes de financement."
    )
    assert project.lines.count() == 50


@pytest.mark.parametrize("length", [20000, 20001])
def test_text_fields_bounded(api, draft, length):
    project = Project.objects.create(dossier=draft, priority=1, title="Fiche")
    response = api.request(
        "PATCH", f"dossiers/{draft.pk}/projects/{project.pk}", {"objectives": "é" * length}
    )
    if length == 20000:
        assert response.status_code == 200
    else:
        assert response.status_code == 400
        assert response.json()["errors"]["objectives"] == ["Ce texte dépasse 20000 caractères."]


def test_return_message_bounded(api_as, instructor, in_review):
    response = api_as(instructor).request(
        "POST",
        f"dossiers/{in_review.pk}/transitions/return_for_completion",
        {"comment": "x" * 20001, "due_date": "2099-01-31"},
    )
    assert response.status_code == 400
    assert response.json()["errors"]["comment"] == ["Ce texte dépasse 20000 caractères."]
