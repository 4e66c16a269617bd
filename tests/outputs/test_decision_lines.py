"""The per-line export (api.md `decision_lines`): one row per funding line with its
receiving establishment, reconciling with the budget page to the cent."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from accounts.models import ApiToken
from budget.queries import budget_summary
from common.errors import InvalidInput
from dossiers.enums import LineNature
from dossiers.models import FundingLine
from outputs.domain import exports
from tests.outputs.sheets import rows_of, totals_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines_book(scenario, campaign):
    _name, _type, data = exports.export_decision_lines(campaign, "xlsx")
    return openpyxl.load_workbook(io.BytesIO(data))


def rows(book):
    return rows_of(book[exports.SHEET_LINES])


def test_one_row_per_line_of_the_submitted_dossiers(lines_book, scenario):
    found = rows(lines_book)
    expected = FundingLine.objects.filter(project__dossier__in=[scenario[k] for k in "abc"]).count()
    assert len(found) == expected
    assert list(found[0]) == exports.LINE_COLUMNS
    a_rows = [r for r in found if r["N° dossier"] == scenario["a"].id]
    first = a_rows[0]
    assert (first["Fiche projet"], first["Rang de priorité"]) == ("Renforcer l'équipe mobile", 1)
    assert first["Nature"] == "Reconductible" and first["Demandé (€)"] == 26000
    assert first["FINESS bénéficiaire"]  # the factory's line names one
    pending = next(r for r in found if r["N° dossier"] == scenario["b"].id)
    assert pending["Accordé (€)"] is None and pending["Proposé (€)"] == 60000


def test_the_establishment_is_named_from_the_dossier(lines_book, scenario):
    identity = scenario["a"].identity
    names = {identity["lead_structure"]["finess"]: identity["lead_structure"]["name"]}
    names.update({m["finess"]: m["name"] for m in identity["members"] if m.get("finess")})
    named = [
        row
        for row in rows(lines_book)
        if row["N° dossier"] == scenario["a"].id and row["FINESS bénéficiaire"] in names
    ]
    assert named  # the scenario's lines name the lead structure or a member
    for row in named:
        assert row["Établissement bénéficiaire"] == names[row["FINESS bénéficiaire"]]


def test_granted_reconciles_with_the_budget_page_to_the_cent(lines_book, campaign):
    summary = budget_summary(campaign)
    for nature, kind in ((LineNature.RECURRING, "recurring"), (LineNature.ONE_OFF, "one_off")):
        label = dict(LineNature.choices)[nature]
        granted = sum(
            Decimal(str(r["Accordé (€)"])).quantize(Decimal("0.01"))
            for r in rows(lines_book)
            if r["Nature"] == label and r["Accordé (€)"] is not None
        )
        assert granted == summary["envelopes"][kind]["granted"]
        requested = sum(
            Decimal(str(r["Demandé (€)"])).quantize(Decimal("0.01"))
            for r in rows(lines_book)
            if r["Nature"] == label
        )
        assert requested == summary["envelopes"][kind]["requested"]
    # The totals row is the budget page's, to the cent.
    totals = totals_of(lines_book[exports.SHEET_LINES])
    envelopes = summary["envelopes"]
    for column, key in (
        ("Demandé (€)", "requested"),
        ("Proposé (€)", "proposed"),
        ("Accordé (€)", "granted"),
    ):
        expected = envelopes["recurring"][key] + envelopes["one_off"][key]
        assert Decimal(str(totals[column])).quantize(Decimal("0.01")) == expected, column
    assert totals["Filière"] == "Total"
    assert Decimal(str(totals["ETP"])) == sum(
        (line.etp or 0)
        for line in FundingLine.objects.filter(
            project__dossier__campaign=campaign, project__dossier__state__in=exports.EXPORTED_STATES
        )
    )


def test_csv_with_french_decimals(scenario, campaign):
    _name, content_type, data = exports.export_decision_lines(campaign, "csv")
    assert content_type.startswith("text/csv") and data.startswith("\ufeff".encode())
    reader = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert reader[0] == exports.LINE_COLUMNS
    assert "Total" not in {row[2] for row in reader}  # rows only: a program counts lines
    assert any("26000,00" in row for row in reader[1:])
    with pytest.raises(InvalidInput):
        exports.export_decision_lines(campaign, "ods")


def test_api_for_staff_only(client, scenario, campaign, instructor, lead):
    url = f"/api/v1/campaigns/{campaign.slug}/exports/decision_lines.xlsx"
    for user, status in ((instructor, 200), (lead, 403)):
        _token, raw = ApiToken.issue(user)
        response = client.get(url, headers={"Authorization": f"Bearer {raw}"})
        assert response.status_code == status
    assert response.json()["detail"]
    _token, raw = ApiToken.issue(instructor)
    response = client.get(url.replace(".xlsx", ".pdf"), headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 404


def test_the_exports_page_links_the_per_line_files(client, scenario, campaign, instructor):
    client.force_login(instructor)
    page = client.get(f"/campagnes/{campaign.slug}/exports/").content.decode()
    url = f"/api/v1/campaigns/{campaign.slug}/exports/decision_lines.xlsx"
    assert f'href="{url}"' in page
    response = client.get(url)  # the browser session works for the API
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="lignes-decisions-')
