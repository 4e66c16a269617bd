"""Decisions export: every file is opened with the library that reads it."""

import csv
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from django.db import connection
from django.db.models import Q, Sum
from django.test.utils import CaptureQueriesContext

from budget.queries import budget_summary
from common.errors import InvalidInput
from dossiers.enums import DossierState, LineNature
from dossiers.models import FundingLine
from outputs.domain import dossier_print, exports, letters
from tests.factories import FiliereFactory, UserFactory, in_ars_analysis
from tests.outputs.conftest import HYPERLINK
from tests.outputs.sheets import rows_of, totals_of

TODAY = dt.date(2025, 7, 2)


def cents(value):
    return Decimal(str(round(value, 2))).quantize(Decimal("0.01"))


def db_sum(campaign, field, nature, decided_only=False):
    q = Q(
        project__dossier__campaign=campaign,
        nature=nature,
        project__dossier__state__in=exports.EXPORTED_STATES,
    )
    if decided_only:
        q &= Q(project__dossier__state=DossierState.DECIDED)
    value = FundingLine.objects.filter(q).aggregate(s=Sum(field))["s"] or Decimal(0)
    return Decimal(value).quantize(Decimal("0.01"))


@pytest.fixture
def xlsx(scenario, campaign):
    _name, _type, data = exports.export_decisions(
        campaign, "xlsx", scores={scenario["a"].id: Decimal("3.75")}
    )
    return openpyxl.load_workbook(io.BytesIO(data))


SHEETS = [
    "Décisions",
    "Engagements par année",
    "Synthèse par territoire",
    "Synthèse par enveloppe",
    "Dossiers",
]


def test_xlsx_sheets_with_french_headers_the_money_first(xlsx):
    assert xlsx.sheetnames == SHEETS
    headers = [c.value for c in xlsx["Décisions"][1]]
    assert headers[:11] == [
        "N° dossier",
        "Filière",
        "Rang de priorité",
        "Fiche projet",
        "Demandé reconductible (€)",
        "Demandé ponctuel (€)",
        "Proposé reconductible (€)",
        "Proposé ponctuel (€)",
        "Accordé reconductible (€)",
        "Accordé ponctuel (€)",
        "Démarrage des crédits reconductibles",
    ]
    for header in (
        "Décision",
        "Filière reconnue",
        "État",
        "Score pondéré (/4)",
        "Dossier",
        "Territoire(s)",
        "Département(s)",
        "Structure porteuse",
    ):
        assert header in headers
    assert all(c.font.bold for c in xlsx["Décisions"][1])


def test_one_row_per_project_sheet_of_submitted_dossiers_only(xlsx, scenario):
    rows = rows_of(xlsx["Décisions"])
    # A has 2 sheets, B 1, C 1; the draft D is left out.
    assert len(rows) == 4
    assert {r["N° dossier"] for r in rows} == {scenario[k].id for k in "abc"}
    assert scenario["d"].id not in {r["N° dossier"] for r in rows}
    a_rows = [r for r in rows if r["N° dossier"] == scenario["a"].id]
    assert [r["Rang de priorité"] for r in a_rows] == [1, 2]
    first = a_rows[0]
    assert first["Filière"] == "Nord Finistère"
    assert first["Territoire(s)"] == "T1 — Brest – Carhaix – Morlaix"
    assert first["Département(s)"] == "29"
    assert (first["État"], first["Décision"], first["Filière reconnue"]) == (
        "Décidé",
        "Accepté",
        "oui",
    )
    assert first["Score pondéré (/4)"] == 3.75
    lorient = next(r for r in rows if r["N° dossier"] == scenario["c"].id)
    assert (lorient["Décision"], lorient["Filière reconnue"]) == ("Rejeté", "non")
    assert lorient["Score pondéré (/4)"] is None
    pending = next(r for r in rows if r["N° dossier"] == scenario["b"].id)
    assert (pending["État"], pending["Filière reconnue"]) == ("Analyse ARS", None)
    # Nothing is granted before the decision; the proposal is shown.
    assert pending["Accordé reconductible (€)"] is None
    assert pending["Proposé reconductible (€)"] == 60000


def test_amounts_are_exact_numbers_with_euro_format(xlsx, scenario):
    sheet = xlsx["Décisions"]
    headers = [c.value for c in sheet[1]]
    col = headers.index("Demandé ponctuel (€)") + 1
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == scenario["a"].id)
    cell = sheet.cell(row, col)
    assert cell.data_type == "n" and cell.value == 12345.67
    assert cell.number_format == '#,##0.00 "€"'
    rows = rows_of(sheet)
    granted = sum(r["Accordé reconductible (€)"] or 0 for r in rows)
    assert cents(granted) == Decimal("126000.01")
    requested = sum(r["Demandé reconductible (€)"] for r in rows)
    assert cents(requested) == Decimal("1340567.89")


def test_dates_are_date_cells(xlsx, scenario):
    sheet = xlsx["Décisions"]
    headers = [c.value for c in sheet[1]]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == scenario["a"].id)
    start = sheet.cell(row, headers.index("Début") + 1)
    assert start.is_date and start.value.date() == dt.date(2025, 9, 1)
    assert start.number_format == "DD/MM/YYYY"
    decided = sheet.cell(row, headers.index("Décidé le") + 1)
    assert decided.is_date
    month = sheet.cell(row, headers.index("Démarrage des crédits reconductibles") + 1)
    assert month.value.date() == dt.date(2025, 9, 1)


def test_formula_text_is_neutralised(xlsx):
    titles = [c.value for c in xlsx["Décisions"]["D"]]
    assert "Fiche projet" == titles[0]
    assert "'" + HYPERLINK in titles
    cell = next(c for c in xlsx["Décisions"]["D"] if c.value == "'" + HYPERLINK)
    assert cell.data_type == "s"
    assert not any(isinstance(v, str) and v.startswith("=") for v in titles)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("=1+1", "'=1+1"),
        ("+33 2 98", "'+33 2 98"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Équipe = 2 ETP", "Équipe = 2 ETP"),
        (12, 12),
    ],
)
def test_neutralise(text, expected):
    assert exports.neutralise(text) == expected


def test_territory_summary_counts_each_dossier_in_its_territories_and_totals_once(
    xlsx, campaign, scenario
):
    rows = {r["Code"] or r["Territoire"]: r for r in rows_of(xlsx["Synthèse par territoire"])}
    assert rows["T1"]["Dossiers"] == 1 and rows["T1"]["Fiches projet"] == 2
    assert cents(rows["T1"]["Accordé reconductible (€)"]) == Decimal("126000.01")
    # Cornouaille (B) and Lorient (C, on T2 and T3) both cover T2.
    assert rows["T2"]["Dossiers"] == 2
    assert cents(rows["T2"]["Demandé ponctuel (€)"]) == Decimal("5000.50")
    assert cents(rows["T3"]["Demandé ponctuel (€)"]) == Decimal("5000.50")
    assert rows["T4"]["Dossiers"] == 0 and rows["T4"]["Demandé reconductible (€)"] == 0
    total = rows["Total de la campagne (chaque dossier compté une fois)"]
    assert total["Dossiers"] == 3 and total["Fiches projet"] == 4
    for header, field, nature, decided in [
        ("Demandé reconductible (€)", "amount", LineNature.RECURRING, False),
        ("Demandé ponctuel (€)", "amount", LineNature.ONE_OFF, False),
        ("Proposé reconductible (€)", "proposed", LineNature.RECURRING, False),
        ("Accordé reconductible (€)", "granted", LineNature.RECURRING, True),
        ("Accordé ponctuel (€)", "granted", LineNature.ONE_OFF, True),
    ]:
        assert cents(total[header]) == db_sum(campaign, field, nature, decided), header


def test_envelope_summary(xlsx):
    rows = {r["Enveloppe"]: r for r in rows_of(xlsx["Synthèse par enveloppe"])}
    recurring = rows["Crédits reconductibles"]
    assert cents(recurring["Montant de l'enveloppe (€)"]) == Decimal("1600000.00")
    assert cents(recurring["Accordé (€)"]) == Decimal("126000.01")
    assert cents(recurring["Reste à accorder (€)"]) == Decimal("1473999.99")
    assert cents(recurring["Demandé (€)"]) == Decimal("1340567.89")
    one_off = rows["Crédits ponctuels non reconductibles"]
    assert cents(one_off["Accordé (€)"]) == Decimal("9999.99")
    assert cents(one_off["Reste à accorder (€)"]) == Decimal("390000.01")
    assert cents(one_off["Demandé (€)"]) == Decimal("17346.17")


def test_ods_read_back_with_pandas(scenario, campaign):
    name, content_type, data = exports.export_decisions(campaign, "ods")
    assert (
        name.endswith(".ods") and content_type == "application/vnd.oasis.opendocument.spreadsheet"
    )
    sheets = pd.read_excel(io.BytesIO(data), engine="odf", sheet_name=None)
    assert list(sheets) == SHEETS
    decisions = sheets["Décisions"]
    assert len(decisions) == 5 and decisions.iloc[-1]["Filière"] == "Total"
    decisions = decisions[decisions["N° dossier"].notna()]
    assert pd.api.types.is_datetime64_any_dtype(decisions["Début"])
    assert pd.api.types.is_float_dtype(decisions["Demandé ponctuel (€)"])
    assert cents(decisions["Demandé ponctuel (€)"].sum()) == Decimal("17346.17")
    assert cents(decisions["Accordé reconductible (€)"].sum()) == Decimal("126000.01")
    assert "'" + HYPERLINK in set(decisions["Fiche projet"])
    envelopes = sheets["Synthèse par enveloppe"].set_index("Enveloppe")
    assert cents(envelopes.loc["Crédits reconductibles", "Reste à accorder (€)"]) == Decimal(
        "1473999.99"
    )


def test_csv_is_utf8_bom_semicolon_with_decimal_comma(scenario, campaign):
    name, content_type, data = exports.export_decisions(campaign, "csv")
    assert name.endswith(".csv") and content_type.startswith("text/csv")
    assert data.startswith("\ufeff".encode())
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";")
    rows = list(reader)
    assert len(rows) == 4
    a = next(
        r for r in rows if r["N° dossier"] == str(scenario["a"].id) and r["Rang de priorité"] == "1"
    )
    assert a["Demandé ponctuel (€)"] == "12345,67"
    assert a["Accordé reconductible (€)"] == "26000,00"
    assert a["Début"] == "2025-09-01"
    assert a["Dossier"] == "Nord Finistère"
    titles = {r["Fiche projet"] for r in rows}
    assert "'" + HYPERLINK in titles
    total = sum(Decimal(r["Demandé reconductible (€)"].replace(",", ".")) for r in rows)
    assert total == Decimal("1340567.89")


def test_filename_and_unknown_format(campaign):
    assert (
        exports.export_filename(campaign, "xlsx", TODAY)
        == "decisions-bretagne-2025-2025-07-02.xlsx"
    )

    with pytest.raises(InvalidInput):
        exports.export_decisions(campaign, "pdf")


def test_empty_campaign_exports_headers_only(campaign, territories):
    _n, _t, data = exports.export_decisions(campaign, "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert rows_of(book["Décisions"]) == []
    assert totals_of(book["Décisions"])["Demandé reconductible (€)"] == 0
    total = rows_of(book["Synthèse par territoire"])[-1]
    assert total["Dossiers"] == 0 and total["Demandé reconductible (€)"] == 0


def test_export_query_count_does_not_grow_with_dossiers(scenario, campaign, instructor):
    def queries_of_one_export():
        with CaptureQueriesContext(connection) as queries:
            frames = exports.decision_frames(campaign, {})
        return len(queries), len(frames["Décisions"])

    before, rows_before = queries_of_one_export()
    for _index in range(3):
        filiere = FiliereFactory(
            campaign=campaign, territories=[scenario["a"].filiere.territories.get()]
        )
        lead = UserFactory(roles=["filiere_lead"])
        filiere.editors.add(lead)
        in_ars_analysis(filiere=filiere, lead=lead, instructor=instructor, caresp_review=False)
    after, rows_after = queries_of_one_export()
    assert (rows_before, rows_after) == (4, 7)
    # One query per table read, whatever the number of dossiers (16 today).
    assert after == before <= 20


def test_xlsx_prints_on_a4_landscape_fitted_with_its_header_on_every_page(xlsx):
    for sheet in xlsx.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert str(sheet.page_setup.paperSize) == "9"  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert str(sheet.page_setup.fitToHeight) == "0"  # as many pages down as needed
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.oddFooter.center.text == "Page &P sur &N"
    # A narrow sheet: its width on one page, the header row frozen.
    envelopes = xlsx["Synthèse par enveloppe"]
    # (fitToWidth absent: OOXML's default, 1 page.)
    assert envelopes.page_setup.fitToWidth in (None, 1, "1") and envelopes.freeze_panes == "A2"
    # « Décisions » has too many columns for one readable page: its width goes on a few
    # pages side by side, each starting with the columns that say which sheet a row is.
    decisions = xlsx["Décisions"]
    assert int(decisions.page_setup.fitToWidth) in (2, 3)
    assert decisions.print_title_cols == "$A:$D"
    assert decisions.freeze_panes == "E2"


def test_columns_are_sized_for_their_content(xlsx):
    sheet = xlsx["Décisions"]
    headers = [c.value for c in sheet[1]]
    widths = {
        header: sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width
        for index, header in enumerate(headers, start=1)
    }
    for header, width in widths.items():
        # Headers wrap on whole words: the longest word always fits.
        assert width >= max(len(word) for word in header.split()), header
    assert all(widths[h] >= 13 for h in headers if h.endswith("(€)"))  # « 1 234 567,89 € »
    assert widths["Fiche projet"] <= 29  # long titles wrap instead of widening the page
    assert sheet["A1"].alignment.wrap_text and sheet["D1"].alignment.wrap_text


def test_ods_has_widths_print_settings_and_frozen_header(scenario, campaign):
    _name, _type, data = exports.export_decisions(campaign, "ods")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        styles = archive.read("styles.xml").decode()
        content = archive.read("content.xml").decode()
        settings = archive.read("settings.xml").decode()
        manifest = archive.read("META-INF/manifest.xml").decode()
    assert "styles.xml" in manifest and "settings.xml" in manifest
    # A4 landscape, fitted to the width (« Décisions » on a few pages side by side).
    assert 'fo:page-width="29.7cm" fo:page-height="21cm"' in styles
    assert 'style:print-orientation="landscape"' in styles
    assert 'style:scale-to-X="1"' in styles
    assert re.search(r'style:scale-to-X="[23]"', styles)
    assert "<text:page-number>" in styles and "<text:page-count>" in styles
    # Every column has a width; the header row repeats on every printed page.
    assert content.count("<table:table-header-rows>") == len(SHEETS)
    assert re.search(r'style:column-width="\d+\.\d\dcm"', content)
    decisions = content[content.index('table:name="Décisions"') :]
    decisions = decisions[: decisions.index("</table:table>")]
    assert decisions.count("<table:table-column ") == len(
        rows_of(
            openpyxl.load_workbook(io.BytesIO(exports.export_decisions(campaign, "xlsx")[2]))[
                "Décisions"
            ]
        )[0]
    )
    assert decisions.index("<table:table-header-columns>") < decisions.index(
        "<table:table-header-rows>"
    )
    # The header row frozen on screen (and the identifying columns of « Décisions »).
    entry = settings[settings.index('config:name="Décisions"') :]
    assert '"VerticalSplitMode" config:type="short">2<' in entry[:1200]
    assert '"VerticalSplitPosition" config:type="int">1<' in entry[:1200]
    assert '"HorizontalSplitPosition" config:type="int">4<' in entry[:1200]


def test_decisions_totals_equal_the_budget_read_model(xlsx, campaign):
    """The totals row under « Décisions » is the budget page's, to the cent, and the sum
    of the rows above it."""
    sheet = xlsx["Décisions"]
    rows, totals = rows_of(sheet), totals_of(sheet)
    assert totals["Filière"] == "Total" and totals["N° dossier"] is None
    envelopes = budget_summary(campaign)["envelopes"]
    for header, step, kind in [
        ("Demandé reconductible (€)", "requested", "recurring"),
        ("Demandé ponctuel (€)", "requested", "one_off"),
        ("Proposé reconductible (€)", "proposed", "recurring"),
        ("Proposé ponctuel (€)", "proposed", "one_off"),
        ("Accordé reconductible (€)", "granted", "recurring"),
        ("Accordé ponctuel (€)", "granted", "one_off"),
    ]:
        assert cents(totals[header]) == envelopes[kind][step], header
        assert cents(sum(r[header] or 0 for r in rows)) == envelopes[kind][step], header
    assert cents(totals["Accordé reconductible (€)"]) == Decimal("126000.01")


def test_the_per_year_sheet_is_the_budget_per_year_commitments(xlsx, campaign, scenario):
    sheet = xlsx["Engagements par année"]
    rows, totals = rows_of(sheet), totals_of(sheet)
    by_year = {row["year"]: row for row in budget_summary(campaign)["by_year"]}
    year_columns = [h for h in rows[0] if h and h[:4].isdigit()]
    assert [int(h[:4]) for h in year_columns] == sorted(by_year)
    for header in year_columns:
        year = int(header[:4])
        assert cents(totals[header]) == by_year[year]["total"], header
        assert cents(sum(r[header] or 0 for r in rows)) == by_year[year]["total"], header
    # Only granted lines of decided dossiers: A's three (the rejected C has none).
    assert {r["N° dossier"] for r in rows} == {scenario["a"].id}
    recurring = next(r for r in rows if r["Accordé (€)"] == 26000)
    assert cents(recurring["2025 (€)"]) == Decimal("8666.67")  # from September: 4/12
    assert recurring["Établissement bénéficiaire"] or recurring["FINESS bénéficiaire"]


def test_the_dossiers_sheet_has_the_identity_and_diagnostic_fields(xlsx, scenario):
    rows = {r["N° dossier"]: r for r in rows_of(xlsx["Dossiers"])}
    assert set(rows) == {scenario[k].id for k in "abc"}
    a = rows[scenario["a"].id]
    identity = scenario["a"].identity
    assert a["Structure porteuse"] == identity["lead_structure"]["name"]
    assert a["FINESS de la structure porteuse"] == identity["lead_structure"]["finess"]
    headers = list(a)
    for header in (
        "Adresse postale de la structure porteuse",
        "Représentant légal",
        "Acteurs de l'appel absents",
        "Justification des absences",
        "Patients suivis en HAD",
        "Autres habitats collectifs (résidences autonomie, MAS, FAM…)",
        "Établissements ayant recours à une équipe spécialisée",
        "Missions : couverte",
    ):
        assert header in headers, header
    assert a["Population"] == scenario["a"].diagnostic["population"]


def test_old_dossiers_without_the_new_fields_still_export_print_and_get_their_letter(
    scenario, campaign, decider
):
    """Dossiers written before the address, representative, diagnostic counts and actors'
    justification existed (their JSON lacks the keys)."""
    a = scenario["a"]
    identity = {k: v for k, v in a.identity.items() if k != "actors_justification"}
    identity["lead_structure"] = {
        k: v
        for k, v in identity["lead_structure"].items()
        if k not in ("address", "representative_name", "representative_title")
    }
    diagnostic = {
        k: v
        for k, v in a.diagnostic.items()
        if k not in ("had_patients", "other_housing_count", "specialised_team_establishments")
    }
    type(a).objects.filter(pk=a.pk).update(identity=identity, diagnostic=diagnostic)
    for fmt in ("xlsx", "ods", "csv"):
        assert exports.export_decisions(campaign, fmt)[2]
    book = openpyxl.load_workbook(io.BytesIO(exports.export_decisions(campaign, "xlsx")[2]))
    row = next(r for r in rows_of(book["Dossiers"]) if r["N° dossier"] == a.id)
    assert row["Adresse postale de la structure porteuse"] is None
    assert row["Patients suivis en HAD"] is None
    a.refresh_from_db()
    assert letters.letter_for(decider, a.id)[1]
    assert dossier_print.printable_docx(dossier_print.printable_dossier(a))
