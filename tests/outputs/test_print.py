"""Printable dossier: the last snapshot, as a page with a print stylesheet and as a .docx."""

import io

import docx
import pytest

from dossiers.domain.transitions import transition
from dossiers.enums import DossierState
from dossiers.models import Project
from outputs.domain import dossier_print
from tests.factories import complete_dossier


def docx_text(data):
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    return "\n".join(texts)


def test_print_page_shows_the_submitted_content(client, scenario, instructor):
    a = scenario["a"]
    client.force_login(instructor)
    response = client.get(f"/campagnes/dossiers/{a.id}/impression/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in html
    assert "<script>" not in html and " style=" not in html
    for expected in [
        "Nord Finistère",
        "CHU de Brest",
        "Établissement public",  # legal status label
        "USP du CHU de Brest",
        "Offre graduée (domicile et hôpital, 3 niveaux)",  # mission label
        "Équipes mobiles expérimentées",  # SWOT
        "Renforcer l&#x27;équipe mobile",
        "12\u202f345,67\u00a0€",
        "1er septembre 2025",
        "dépôt n° 1",
        "T1 — Brest – Carhaix – Morlaix",
    ]:
        assert expected in html, expected
    assert f'href="/campagnes/dossiers/{a.id}/impression.docx"' in html


def test_print_shows_the_snapshot_not_later_changes(client, filiere, lead, instructor):
    dossier = transition(complete_dossier(filiere=filiere), "submit", lead)
    # A change made after submission (e.g. by a later return) is not what was submitted.
    Project.objects.filter(dossier=dossier).update(title="Titre modifié après le dépôt")
    client.force_login(instructor)
    html = client.get(f"/campagnes/dossiers/{dossier.id}/impression/").content.decode()
    assert "Titre modifié après le dépôt" not in html
    assert "Renforcer l&#x27;équipe mobile" in html


def test_docx_has_the_same_content(client, scenario, lead):
    a = scenario["a"]
    client.force_login(lead)
    response = client.get(f"/campagnes/dossiers/{a.id}/impression.docx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="dossier-{a.id}-nord-finistere.docx"'
    )
    text = docx_text(response.content)
    for expected in [
        "Nord Finistère",
        "CHU de Brest",
        "Fiche d'identité",
        "Diagnostic territorial",
        "Forces",
        "Équipes mobiles expérimentées",
        "Renforcer l'équipe mobile",
        "12\u202f345,67\u00a0€",
        "Soutien aux aidants",
        "Pièces jointes",
    ]:
        assert expected in text, expected
    # A lead never sees proposals or grants in the submitted content.
    assert "Proposé" not in text and "Accordé" not in text


def test_draft_has_nothing_to_print(client, filiere, lead):
    dossier = complete_dossier(filiere=filiere)
    assert dossier.state == DossierState.DRAFT
    client.force_login(lead)
    response = client.get(f"/campagnes/dossiers/{dossier.id}/impression/")
    assert response.status_code == 200
    assert "pas encore été déposé" in response.content.decode()
    assert client.get(f"/campagnes/dossiers/{dossier.id}/impression.docx").status_code == 404


@pytest.mark.parametrize(
    ("value", "shown"),
    [("0.60", "0,6"), ("1.00", "1"), ("2.25", "2,25"), (None, ""), ("abc", "abc")],
)
def test_etp_are_french_decimals(value, shown):
    assert dossier_print._decimal(value) == shown
