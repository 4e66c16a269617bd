"""Printable dossier: the last snapshot, as a page with a print stylesheet and as a .docx."""

import io
from pathlib import Path

import docx
import pytest

from dossiers.domain.transitions import transition
from dossiers.enums import DossierState
from dossiers.models import Project, Snapshot
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


def _docx(client, user, dossier):
    client.force_login(user)
    return docx.Document(
        io.BytesIO(client.get(f"/campagnes/dossiers/{dossier.id}/impression.docx").content)
    )


def test_a_one_page_summary_comes_first(client, scenario, instructor):
    a = scenario["a"]
    printable = dossier_print.printable_dossier(a)
    summary = dict(printable.summary.blocks[0].fields)
    assert summary["Territoire de santé"] == "T1 — Brest – Carhaix – Morlaix"
    assert summary["Départements"] == "29 Finistère"
    members = a.identity["members"]
    assert summary["Structures membres"].startswith(f"{len(members)} : ")
    assert "Acteurs de l'appel absents" in summary and summary["Complétude"] == "complet"
    money = printable.summary.blocks[1].table
    assert money.rows[0][:2] == ["Crédits reconductibles (par an)", "1\u202f260\u202f567,89\u00a0€"]
    assert money.rows[1][:2] == ["Crédits ponctuels", "12\u202f345,67\u00a0€"]
    assert money.footer[0][:2] == ["Total", "1\u202f272\u202f913,56\u00a0€"]
    coverage = printable.summary.blocks[2]
    assert len(coverage.table.rows) == 13 and "sur 13" in coverage.text
    # HTML: the summary before the first part, on its own page when printed.
    client.force_login(instructor)
    html = client.get(f"/campagnes/dossiers/{a.id}/impression/").content.decode()
    assert html.index('class="app-print-summary"') < html.index("Fiche d&#x27;identité</h2>")
    assert "<tfoot>" in html
    # .docx: the summary, then a page break, then the parts.
    document = _docx(client, instructor, a)
    texts = [p.text for p in document.paragraphs]
    assert texts.index("Synthèse") < texts.index("Fiche d'identité")
    assert 'w:type="page"' in document.element.body.xml


def test_each_sheet_has_its_subtotals(scenario):
    printable = dossier_print.printable_dossier(scenario["a"])
    projects = next(s for s in printable.sections if s.title == "Fiches projet")
    tables = [b.table for b in projects.blocks if b.table is not None]
    assert [row[0] for row in tables[0].footer] == [
        "Sous-total reconductible (par an)",
        "Sous-total ponctuel",
    ]
    assert tables[0].footer[0][4] == "26\u202f000,00\u00a0€"
    assert tables[0].footer[1][4] == "12\u202f345,67\u00a0€"
    assert tables[1].footer[1][4] == "0,00\u00a0€"


def test_docx_columns_fit_the_page_header_and_page_numbers(client, scenario, instructor):
    document = _docx(client, instructor, scenario["a"])
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for table in document.tables:
        tbl = table._tbl
        assert tbl.tblPr.find(f"{ns}tblLayout").get(f"{ns}type") == "fixed"
        widths = [int(c.get(f"{ns}w")) for c in tbl.tblGrid.findall(f"{ns}gridCol")]
        assert abs(sum(widths) - 17 * 567) <= len(widths), widths
    section = document.sections[0]
    assert section.header.paragraphs[0].text.startswith(
        f"Dossier n° {scenario['a'].id} — Nord Finistère"
    )
    footer = section.footer._element.xml
    assert " PAGE " in footer and " NUMPAGES " in footer


def test_print_stylesheet_does_not_force_empty_pages_nor_hide_tables():
    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "print.css").read_text()
    # Only the summary ends its page; parts follow one another.
    assert ".app-print-summary { break-after: page;" in css
    assert ".app-print-section { break-before: auto; page-break-before: auto; }" in css
    assert "page-break-before: always" not in css
    # The DSFR's table frame overlays, painted white over the rows when printed.
    assert (
        ".fr-table thead::after, .fr-table tbody::after" in css
        and "content: none !important" in css
    )


def test_a_snapshot_without_the_new_fields_prints(scenario):
    """Snapshots are append-only: one taken before the address, the diagnostic's new counts
    and the actors' justification existed prints as it is."""
    a = scenario["a"]
    last = a.snapshots.order_by("-number").first()
    old = {
        **last.content,
        "identity": {"name": "Ancienne fiche", "members": [{"type": "USP", "name": "USP"}]},
        "diagnostic": {"population": 1000},
    }
    Snapshot.objects.create(dossier=a, number=last.number + 1, content=old)
    printable = dossier_print.printable_dossier(a)
    fields = dict(printable.summary.blocks[0].fields)
    assert fields["Population"] == "1\u202f000"
    assert fields["Acteurs de l'appel absents"].startswith("LISP, EMSP, HAD, ERRSPP, DAC, CPTS")
    identity = printable.sections[0]
    assert dict(identity.blocks[0].fields)["Adresse postale"] == ""
    assert dossier_print.printable_docx(printable)
