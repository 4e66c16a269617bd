"""Two editors changing the same funding line: the second gets 409 and, on the page,
keeps what they typed (issue 12). Nothing of the stale change is written."""

from decimal import Decimal

import pytest
from django.urls import reverse

from common.errors import Conflict
from dossiers.domain.editing import update_line
from dossiers.domain.serialize import dossier_document
from tests.dossiers.test_project_sheets import line_data


@pytest.fixture
def line(dossier):
    return dossier.projects.get().lines.get()


def test_each_change_bumps_the_line_version_and_a_stale_one_is_refused(
    dossier, lead, co_editor, line
):
    assert line.version == 1
    update_line(dossier, co_editor, line.project_id, line.pk, {"label": "Co-rédacteur"}, version=1)
    line.refresh_from_db()
    assert (line.label, line.version) == ("Co-rédacteur", 2)
    with pytest.raises(Conflict, match="modifiée par une autre personne"):
        update_line(dossier, lead, line.project_id, line.pk, {"label": "Porteur"}, version=1)
    line.refresh_from_db()
    assert (line.label, line.version) == ("Co-rédacteur", 2)


def test_api_stale_line_version_is_409(api_as, dossier, lead, co_editor, line):
    url = f"dossiers/{dossier.pk}/projects/{line.project_id}/lines/{line.pk}"
    document = api_as(lead).get(f"dossiers/{dossier.pk}").json()
    assert document["projects"][0]["lines"][0]["version"] == 1
    first = api_as(co_editor).patch(url, {"version": 1, "amount": "30000"})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = api_as(lead).patch(url, {"version": 1, "amount": "99999"})
    assert stale.status_code == 409
    assert "modifiée par une autre personne" in stale.json()["detail"]
    line.refresh_from_db()
    assert line.amount == Decimal("30000.00")
    assert api_as(lead).patch(url, {"version": 2, "amount": "99999"}).status_code == 200


def test_api_line_version_must_be_an_integer(api_as, dossier, lead, line):
    url = f"dossiers/{dossier.pk}/projects/{line.project_id}/lines/{line.pk}"
    assert api_as(lead).patch(url, {"version": "1", "label": "x"}).status_code == 400


def test_snapshots_never_hold_versions(api_as, dossier, lead, line):
    from_the_api = api_as(lead).get(f"dossiers/{dossier.pk}").json()
    assert "version" in from_the_api["projects"][0]["lines"][0]
    assert "version" not in dossier_document(dossier)["projects"][0]["lines"][0]


def test_page_stale_line_is_409_and_keeps_the_input(dossier, as_role, co_editor, line):
    client = as_role("lead")
    url = reverse("dossiers:line_edit", args=[dossier.pk, line.project_id, line.pk])
    assert 'name="version" value="1"' in client.get(url).content.decode()
    update_line(dossier, co_editor, line.project_id, line.pk, {"label": "Co-rédacteur"}, version=1)
    response = client.post(url, line_data(label="Ma ligne à moi", amount="41 000", version="1"))
    html = response.content.decode()
    assert response.status_code == 409
    assert "modifiée par une autre personne" in html
    assert 'value="Ma ligne à moi"' in html and 'value="41 000"' in html
    line.refresh_from_db()
    assert line.label == "Co-rédacteur"
