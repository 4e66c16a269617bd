"""Decisions export: every file is opened with the library that reads it."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from django.db.models import Q, Sum

from common.errors import InvalidInput
from dossiers.enums import DossierState, LineNature
from dossiers.models import FundingLine
from outputs.domain import exports
from tests.factories import FiliereFactory, UserFactory, in_ars_analysis
from tests.outputs.conftest import HYPERLINK

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


def rows_of(sheet):
    values = list(sheet.iter_rows(values_only=True))
    headers = values[0]
    return [dict(zip(headers, row, strict=True)) for row in values[1:]]


def test_xlsx_has_three_sheets_with_french_headers(xlsx):
    assert xlsx.sheetnames == ["Décisions", "Synthèse par territoire", "Synthèse par enveloppe"]
    headers = [c.value for c in xlsx["Décisions"][1]]
    assert headers[:8] == [
        "N° dossier",
        "Dossier",
        "Filière",
        "Territoire(s)",
        "Département(s)",
        "Structure porteuse",
        "État",
        "Décision",
    ]
    assert "Accordé reconductible (€)" in headers and "Score pondéré" in headers
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
    assert first["Score pondéré"] == 3.75
    lorient = next(r for r in rows if r["N° dossier"] == scenario["c"].id)
    assert (lorient["Décision"], lorient["Filière reconnue"]) == ("Rejeté", "non")
    assert lorient["Score pondéré"] is None
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
    titles = [c.value for c in xlsx["Décisions"]["N"]]
    assert "Fiche projet" == titles[0]
    assert "'" + HYPERLINK in titles
    cell = next(c for c in xlsx["Décisions"]["N"] if c.value == "'" + HYPERLINK)
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
    assert list(sheets) == ["Décisions", "Synthèse par territoire", "Synthèse par enveloppe"]
    decisions = sheets["Décisions"]
    assert len(decisions) == 4
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
    assert book["Décisions"].max_row == 1
    total = rows_of(book["Synthèse par territoire"])[-1]
    assert total["Dossiers"] == 0 and total["Demandé reconductible (€)"] == 0


def test_export_query_count_does_not_grow_with_dossiers(
    scenario, campaign, instructor, django_assert_max_num_queries
):
    for _index in range(3):
        filiere = FiliereFactory(
            campaign=campaign, territories=[scenario["a"].filiere.territories.get()]
        )
        lead = UserFactory(roles=["filiere_lead"])
        filiere.editors.add(lead)
        in_ars_analysis(filiere=filiere, lead=lead, instructor=instructor, caresp_review=False)
    with django_assert_max_num_queries(13):
        frames = exports.decision_frames(campaign, {})
    assert len(frames["Décisions"]) == 7


def test_xlsx_prints_on_a4_landscape_fitted_with_its_header_on_every_page(xlsx):
    for sheet in xlsx.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert str(sheet.page_setup.paperSize) == "9"  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert str(sheet.page_setup.fitToWidth) == "1"
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.freeze_panes == "A2"
