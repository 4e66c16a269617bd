"""The demo's three decision letters (accepted, partly accepted with a « non retenue »
sheet, rejected), read back from the .docx: every item of issue 9 point 2 — the letter
as an administrative act. The demo is loaded once for the module (as in
tests/setup/test_seed_demo.py)."""

import io
import re

import docx
import pytest
from django.db import transaction
from django.test import override_settings

from accounts.models import User
from budget.queries import commitment_years, line_commitments
from common.money import format_eur
from dossiers.models import Dossier, FundingLine
from outputs.domain import letters
from tests.setup.conftest import run_command

pytestmark = pytest.mark.django_db

NBSP, NNBSP, APOSTROPHE = "\u00a0", "\u202f", "\u2019"
TEXT_WIDTH_TWIPS = int((21.0 - 2 * 2.2) * 567)


@pytest.fixture(scope="module")
def demo_letters(django_db_setup, django_db_blocker, tmp_path_factory):
    """{outcome: (dossier, .docx bytes)} of the demo's decided dossiers."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=tmp_path_factory.mktemp("demo-letters"),
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ),
        transaction.atomic(),
    ):
        code, _out, err = run_command("seed_demo")
        assert (code, err) == (0, "")
        decider = User.objects.get(username="decideur")
        result = {}
        for dossier in Dossier.objects.filter(state="decided").select_related("filiere"):
            result[dossier.outcome] = (dossier, letters.letter_for(decider, dossier.pk)[1])
        yield result
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_letters, db):
    return demo_letters


def read(data):
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    return document, paragraphs, tables


def plain(text):
    return text.replace(NBSP, " ").replace(NNBSP, " ").replace(APOSTROPHE, "'")


def test_the_demo_has_an_accepted_a_partly_accepted_and_a_rejected_letter(demo):
    assert set(demo) == {"accepted", "partially_accepted", "rejected"}
    partial = demo["partially_accepted"][0]
    assert partial.projects.filter(lines__granted=0).exists()  # a « non retenue » sheet


@pytest.mark.parametrize("outcome", ["accepted", "partially_accepted", "rejected"])
def test_every_letter_is_an_act(demo, outcome):
    dossier, data = demo[outcome]
    document, paragraphs, _tables = read(data)
    body = plain("\n".join(paragraphs))
    lead = dossier.identity["lead_structure"]
    campaign = dossier.campaign
    # The ARS header: agency, service, address; reference and « affaire suivie par ».
    assert body.startswith("Agence régionale de santé Bretagne\n")
    assert "Direction de l'offre de soins et de l'autonomie" in body
    assert "6 place des Colombes\nCS 14253\n35042 Rennes Cedex" in body
    assert "Affaire suivie par : Gwenaëlle Le Bihan (démonstration)" in body
    assert "Courriel : ars-bretagne-autonomie@ars.sante.fr" in body
    assert "Téléphone : 02 61 91 00 35" in body
    assert f"Réf. : ARS-53-bretagne-2025-{dossier.pk}" in body
    # Place and date (the decision's), the addressee: the legal representative at the
    # lead structure's address, copy to the coordinator.
    assert "Rennes, le 30 juin 2025" in paragraphs
    assert f"{lead['representative_name']}, {lead['representative_title']}" in body
    assert lead["address"] in body
    coordinator = dossier.identity["coordinator"]["name"]
    assert f"Copie : {coordinator}, coordination de la filière {dossier.filiere.name}" in body
    # Object and recitals: the instruction, the call, the dossier, the CARESP's opinion.
    assert f"Objet : {campaign.name} — décision relative à la candidature" in body
    assert "Vu l'instruction interministérielle n° DGOS/R4/DGS/DGCS/2023/76 du 21 juin 2023" in body
    assert f"Vu l'appel à candidatures « {campaign.name} », ouvert le 15 novembre 2024" in body
    assert "Vu l'avis de la cellule d'animation régionale de soins palliatifs (CARESP)" in body
    # Recognition in words, with the territory.
    territory = dossier.filiere.territories.get()
    if outcome == "rejected":
        assert f"la filière {dossier.filiere.name} n'est pas reconnue" in body
    else:
        assert (
            f"la filière {dossier.filiere.name} est reconnue comme filière territoriale de "
            f"soins palliatifs pour le territoire de santé {territory.code} — "
            f"{plain(territory.name)}, à compter du 30 juin 2025." in body
        )
    # Signatory (the director general: no delegation), appeal mention with the court.
    assert "Directrice générale de l'agence régionale de santé Bretagne" in body
    assert "Élise Kervella (démonstration)" in paragraphs
    assert "par délégation" not in body
    assert "Voies et délais de recours" in body and "tribunal administratif de Rennes" in body
    # Page numbers: « page N sur M » fields in the footer.
    footer = document.sections[0].footer
    assert " PAGE " in footer._element.xml and " NUMPAGES " in footer._element.xml
    assert plain(footer.paragraphs[0].text).startswith(
        f"Agence régionale de santé Bretagne — réf. ARS-53-bretagne-2025-{dossier.pk} — page"
    )


@pytest.mark.parametrize("outcome", ["accepted", "partially_accepted", "rejected"])
def test_french_typography(demo, outcome):
    _dossier, data = demo[outcome]
    _document, paragraphs, tables = read(data)
    texts = paragraphs + [cell for table in tables for row in table for cell in row]
    for text in texts:
        assert "'" not in text, text  # typographic apostrophes only
        # A euro sign always follows a no-break space; thousands are narrow no-break spaces.
        assert not re.search(r"[^\u00a0]€", text), text
        assert not re.search(r"\d[ .]\d{3},\d\d", text), text
    assert any(f"{NNBSP}000,00{NBSP}€" in text for text in texts) or outcome == "rejected"


def test_the_partly_accepted_letter_details_each_sheet(demo):
    dossier, data = demo["partially_accepted"]
    _document, paragraphs, tables = read(data)
    body = plain("\n".join(paragraphs))
    summary = [[plain(c) for c in row] for row in tables[0]]
    statuses = [row[5] for row in summary[1:-1]]
    assert statuses == ["retenue", "retenue", "retenue partiellement", "non retenue"]
    # Requested beside granted for every sheet, the total row last.
    for row, project in zip(summary[1:-1], dossier.projects.order_by("priority"), strict=True):
        requested = sum(line.amount for line in project.lines.all())
        assert row[2] == plain(format_eur(requested))
    assert summary[-1][1] == "Total"
    # Each funded sheet: its lines with « à compter de <mois année> » or the one-off's year,
    # and the receiving establishment (name and FINESS, from the members).
    lines_tables = tables[1:-1]
    assert len(lines_tables) == 3  # the sheet not retained has no detail
    members = {m["finess"]: m["name"] for m in dossier.identity["members"] if m.get("finess")} | {
        dossier.identity["lead_structure"]["finess"]: dossier.identity["lead_structure"]["name"]
    }
    whens = set()
    for table in lines_tables:
        for row in table[1:]:
            row = [plain(c) for c in row]
            whens.add(row[4])
            finess = re.search(r"FINESS (\w{9})", row[5]).group(1)
            assert row[5] == f"{plain(members[finess])} (FINESS {finess})"
    assert {"à compter de septembre 2025", "à compter de septembre 2026", "en 2025"} <= whens
    assert "Fiche n° 3 — " in body and "(retenue partiellement)" in body


def test_yearly_amounts_are_the_budget_read_model(demo):
    """Per year, the letter's amounts are budget.queries' (the first year prorated)."""
    for outcome in ("accepted", "partially_accepted"):
        dossier, data = demo[outcome]
        _document, _paragraphs, tables = read(data)
        lines = [
            (line.nature, line.granted, line.start_month, dossier.decided_at)
            for line in FundingLine.objects.filter(project__dossier=dossier, granted__gt=0)
        ]
        years = commitment_years(lines)
        costs = line_commitments(lines, years)
        expected = {
            str(year): plain(format_eur(sum(row[index] for row in costs)))
            for index, year in enumerate(years)
        }
        table = [[plain(c) for c in row] for row in tables[-1]]
        assert table[0] == ["Année", "Crédits reconductibles", "Crédits ponctuels", "Total"]
        assert {row[0]: row[3] for row in table[1:]} == expected
        assert table[1][0] == "2025"
        # 2025 is prorated: recurring credits start in September.
        full = plain(format_eur(sum(g for nature, g, _s, _d in lines if nature == "recurring")))
        assert table[1][1] != full and table[-1][1] == full


def test_conditions_of_a_funded_letter(demo):
    for outcome in ("accepted", "partially_accepted"):
        _dossier, data = demo[outcome]
        body = plain("\n".join(read(data)[1]))
        assert "arrêté de délégation au titre du fonds d'intervention régional (FIR)" in body
        assert "avenant à son contrat pluriannuel d'objectifs et de moyens (CPOM)" in body
        assert "au plus tard le 30 avril, un rapport d'activité" in body
        assert "compte rendu financier" in body
        assert "attendu au plus tard le 30 avril 2026" in body
        assert "font l'objet d'une récupération" in body


def test_the_rejected_letter_has_no_money_and_no_follow_up(demo):
    dossier, data = demo["rejected"]
    _document, paragraphs, tables = read(data)
    body = plain("\n".join(paragraphs))
    assert tables == []
    assert "votre dossier n'est pas retenu" in body
    assert "Motivation : La candidature ne couvre qu'une partie" in body
    assert "Délégation des crédits" not in body and "Suivi annuel" not in body
    assert dossier.recognised is False


def test_tables_have_sized_columns(demo):
    """Fixed layouts whose columns add up to the text width: LibreOffice and Word lay
    them out alike and never split a word over two lines."""
    _dossier, data = demo["partially_accepted"]
    document, _paragraphs, _tables = read(data)
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for table in document.tables:
        tbl = table._tbl
        assert tbl.tblPr.find(f"{ns}tblLayout").get(f"{ns}type") == "fixed"
        widths = [int(col.get(f"{ns}w")) for col in tbl.tblGrid.findall(f"{ns}gridCol")]
        assert abs(sum(widths) - TEXT_WIDTH_TWIPS) <= len(widths)
        assert min(widths) >= int(1.4 * 567) - 1  # « Rang » fits on one line
