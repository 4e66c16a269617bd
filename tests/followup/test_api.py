"""The follow-up API of api.md: paths, JSON names, status codes, French messages."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from accounts.models import Role
from followup.domain import transitions
from followup.domain.consolidation import consolidate
from followup.domain.editing import update_report
from followup.domain.opening import open_reports
from followup.enums import ReportState
from followup.models import Report
from tests.api_client import PDF
from tests.factories import NORMANDIE, UserFactory, decided_dossier, region
from tests.followup.conftest import complete_report, filled_indicators, followup_campaign, grant

pytestmark = pytest.mark.django_db


def test_lead_reads_its_report_with_api_names(api, report):
    response = api.get(f"reports/{report.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["campaign"] == "suivi-2026" and body["year"] == 2026
    assert body["state"] == "draft" and body["version"] == report.version
    assert set(body["indicators"]) >= {
        "governance_meetings",
        "formalisation",
        "actors",
        "offer",
        "vacancies",
        "partnerships",
        "organisations",
        "missions",
    }
    [line] = body["funding"]
    assert line["granted"] == "52000.00" and line["spent"] is None
    assert set(line) >= {
        "line",
        "project_title",
        "label",
        "nature",
        "granted",
        "spent",
        "etp_filled",
        "comment",
    }
    assert body["totals"]["granted_recurring"] == "52000.00"


def test_list_is_paginated_and_scoped(api, api_as, report, normandy_instructor, instructor):
    response = api.get("reports", campaign="suivi-2026")
    assert response.status_code == 200
    assert [r["id"] for r in response.json()] == [report.pk]
    assert response["X-Total-Count"] == "1"
    assert api_as(instructor).get("reports").json()[0]["id"] == report.pk
    assert api_as(normandy_instructor).get("reports").json() == []


@pytest.mark.parametrize("who", ["normandy_instructor", "other_lead", "outsider"])
def test_others_get_404(request, api_as, report, who):
    client = api_as(request.getfixturevalue(who))
    assert client.get(f"reports/{report.pk}").status_code == 404
    assert client.patch(f"reports/{report.pk}", {"version": 1}).status_code == 404
    assert client.get(f"reports/{report.pk}/check").status_code == 404
    assert client.post(f"reports/{report.pk}/transitions/submit").status_code == 404


def test_another_region_sees_no_consolidation_nor_export(api_as, report, normandy_instructor):
    client = api_as(normandy_instructor)
    assert client.get("campaigns/suivi-2026/followup").status_code == 404
    assert client.get("campaigns/suivi-2026/exports/followup.xlsx").status_code == 404
    assert client.get("campaigns/suivi-2026/exports/followup.csv").status_code == 404


def test_lead_gets_no_consolidation(api, report):
    assert api.get("campaigns/suivi-2026/followup").status_code == 404


def test_patch_saves_and_bumps_the_version(api, report):
    line = report.funding.get().line_id
    response = api.patch(
        f"reports/{report.pk}",
        {
            "version": report.version,
            "indicators": {"governance_meetings": 4},
            "funding": [
                {
                    "line": line,
                    "spent": "30000.5",
                    "etp_filled": "0.8",
                    "comment": "Recrutement en mars.",
                }
            ],
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["version"] == report.version + 1
    assert body["indicators"]["governance_meetings"] == 4
    # The other keys were kept (the prefill).
    assert body["indicators"]["missions"][0]["status"]
    assert body["funding"][0]["spent"] == "30000.50" and body["funding"][0]["etp_filled"] == "0.80"
    assert body["totals"]["spent"] == "30000.50"


def test_stale_version_is_409(api, report):
    assert (
        api.patch(f"reports/{report.pk}", {"version": report.version, "indicators": {}}).status_code
        == 200
    )
    response = api.patch(f"reports/{report.pk}", {"version": report.version, "indicators": {}})
    assert response.status_code == 409
    assert "modifié entre-temps" in response.json()["detail"]


def test_spent_above_granted_is_400_in_french_and_nothing_saved(api, report):
    line = report.funding.get().line_id
    response = api.patch(
        f"reports/{report.pk}",
        {
            "version": report.version,
            "indicators": {"governance_meetings": 5},
            "funding": [{"line": line, "spent": "60000.00"}],
        },
    )
    assert response.status_code == 400
    body = response.json()
    assert body["errors"]["funding.0.spent"] == [
        "Ligne « Infirmier de l'équipe mobile » : le montant dépensé (60\u202f000,00\u00a0€) dépasse le montant accordé (52\u202f000,00\u00a0€)."
    ]
    report.refresh_from_db()
    assert report.content["governance_meetings"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"indicators": {"partnerships": {"ehpad": -1}}}, "indicators.partnerships.ehpad"),
        ({"indicators": {"governance_meetings": 2.5}}, "indicators.governance_meetings"),
        (
            {"indicators": {"formalisation": {"notes": "é" * 30000}}},
            "indicators.formalisation.notes",
        ),
        ({"indicators": {"organisations": [{"title": "x"}] * 101}}, "indicators.organisations"),
        ({"funding": [{"line": 999999, "spent": "1"}]}, "funding.0.line"),
        ({"funding": [{"line": "x", "spent": "-1"}]}, "funding.0.line"),
        ({"indicators": "texte"}, "indicators"),
        ({"answers": {}}, "answers"),
    ],
)
def test_bad_input_is_400(api, report, body, field):
    response = api.patch(f"reports/{report.pk}", {"version": report.version, **body})
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()


@pytest.mark.parametrize("spent", ["-5", "1.234", "1e3", 12.5, "NaN"])
def test_bad_amounts_are_400(api, report, spent):
    line = report.funding.get().line_id
    response = api.patch(
        f"reports/{report.pk}",
        {"version": report.version, "funding": [{"line": line, "spent": spent}]},
    )
    assert response.status_code == 400
    assert "funding.0.spent" in response.json()["errors"]


def test_check_lists_every_problem(api, report):
    body = api.get(f"reports/{report.pk}/check").json()
    assert body["complete"] is False
    fields = {p["field"] for p in body["problems"]}
    assert "indicators.governance_meetings" in fields
    assert f"funding.{report.funding.get().line_id}.spent" in fields


def test_submit_incomplete_is_400_with_problems(api, report):
    response = api.post(f"reports/{report.pk}/transitions/submit")
    assert response.status_code == 400
    assert response.json()["errors"]["problems"]


def test_full_workflow_over_the_api(api, api_as, report, lead, instructor):
    complete_report(report, lead)
    assert [t["name"] for t in api.get(f"reports/{report.pk}/transitions").json()] == ["submit"]
    assert api.post(f"reports/{report.pk}/transitions/submit").json()["state"] == "submitted"
    staff = api_as(instructor)
    assert {t["name"] for t in staff.get(f"reports/{report.pk}/transitions").json()} == {
        "accept",
        "return_for_completion",
    }
    response = staff.post(
        f"reports/{report.pk}/transitions/return_for_completion", {"comment": "Précisez."}
    )
    assert response.status_code == 400 and "due_date" in response.json()["errors"]
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = staff.post(
        f"reports/{report.pk}/transitions/return_for_completion",
        {"comment": "Précisez.", "due_date": due},
    )
    assert response.status_code == 200 and response.json()["return_due_date"] == due
    assert api.post(f"reports/{report.pk}/transitions/resubmit").status_code == 200
    assert staff.post(f"reports/{report.pk}/transitions/accept").json()["state"] == "accepted"
    history = api.get(f"reports/{report.pk}/history").json()
    assert [h["to_state"] for h in history] == ["submitted", "returned", "submitted", "accepted"]
    snapshots = api.get(f"reports/{report.pk}/snapshots").json()
    assert [s["number"] for s in snapshots] == [1, 2]
    one = api.get(f"reports/{report.pk}/snapshots/1").json()
    assert one["content"]["indicators"]["governance_meetings"] == 3
    # Accepted: read-only.
    assert api.patch(f"reports/{report.pk}", {"version": 99, "indicators": {}}).status_code == 409


def test_unknown_transition_is_404(api, report):
    assert api.post(f"reports/{report.pk}/transitions/decide").status_code == 404


def test_consolidation_equals_the_sum_of_remitted_reports(
    api_as, report, lead, instructor, decider
):
    complete_report(report, lead, spent="40000.00")
    transitions.transition(report, "submit", lead)
    transitions.transition(report, "accept", instructor)
    campaign = report.campaign
    extra = []
    for spent, meetings, remit in (("10000.00", 2, True), ("5000.00", 9, False)):
        dossier = decided_dossier(instructor=instructor, decider=decider)
        grant(dossier, Decimal("20000.00"))
        open_reports(campaign)
        other_report = Report.objects.get(campaign=campaign, filiere=dossier.filiere)
        other_lead = dossier.filiere.editors.first()
        indicators = filled_indicators()
        indicators["governance_meetings"] = meetings
        indicators["vacancies"]["medical_etp"] = "0.25"
        update_report(
            other_report,
            other_lead,
            content=indicators,
            funding=[
                {"line": line, "spent": spent}
                for line in other_report.funding.values_list("line_id", flat=True)
            ],
        )
        if remit:
            transitions.transition(other_report, "submit", other_lead)
        extra.append(other_report)
    body = api_as(instructor).get("campaigns/suivi-2026/followup").json()
    assert body["expected"] == 3 and body["submitted"] == 1 and body["accepted"] == 1
    counted = [
        r for r in Report.objects.filter(campaign=campaign) if r.state in ("submitted", "accepted")
    ]
    assert len(counted) == 2
    assert (
        body["totals"]["governance_meetings"]
        == sum(r.content["governance_meetings"] for r in counted)
        == 5
    )
    assert body["totals"]["vacancies_medical_etp"] == "0.75"
    assert body["totals"]["partnerships"] == 2 * 21
    assert body["totals"]["spent"] == "50000.00"
    assert body["totals"]["granted_recurring"] == "72000.00"
    assert body["totals"]["unused"] == str(Decimal("12000.00") + Decimal("10000.00"))
    by_slug = {row["filiere"]: row for row in body["filieres"]}
    assert by_slug[report.filiere.slug]["unused"] == "12000.00"
    assert by_slug[report.filiere.slug]["state"] == "accepted"


def test_late_reports_are_counted(api_as, recognised, instructor):
    campaign = followup_campaign(deadline=timezone.now() + dt.timedelta(seconds=2))
    report = Report.objects.get(campaign=campaign)
    report_deadline = campaign.deadline
    assert consolidate(campaign, now=report_deadline).late == 0
    assert consolidate(campaign, now=report_deadline + dt.timedelta(seconds=1)).late == 1
    assert report.state == ReportState.DRAFT


def test_export_has_typed_numbers(api_as, report, lead, instructor):
    complete_report(report, lead, spent="40000.00")
    transitions.transition(report, "submit", lead)
    response = api_as(instructor).get("campaigns/suivi-2026/exports/followup.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    row = {header[i]: cell.value for i, cell in enumerate(sheet[2])}
    assert row["Filière"] == report.filiere.name
    assert row["Réunions de l'instance de gouvernance dans l'année"] == 3
    assert isinstance(row["Lits identifiés de soins palliatifs (LISP)"], int)
    assert row["Postes médicaux vacants (ETP)"] == 0.5
    assert row["Dépensé (€)"] == 40000
    assert row["Crédits non utilisés (€)"] == 12000
    assert "Lits identifiés de soins palliatifs (LISP) : évolution" in header


def test_export_csv_and_unknown_format(api_as, report, instructor):
    client = api_as(instructor)
    response = client.get("campaigns/suivi-2026/exports/followup.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Filière" and rows[1][0] == report.filiere.name
    assert client.get("campaigns/suivi-2026/exports/followup.ods").status_code == 404


def test_attachment_refused_on_a_filiere_report_section_without_files(api, report):
    response = api.upload(f"reports/{report.pk}/attachments", PDF, section="offer")
    assert response.status_code == 400


def test_region_staff_of_normandy_own_campaign(api_as, recognised):
    normandy = region(NORMANDIE)
    staff = UserFactory(roles=[(Role.ARS_INSTRUCTOR, normandy)])
    campaign = followup_campaign(slug="suivi-normandie", region_code=NORMANDIE)
    assert api_as(staff).get("campaigns/suivi-normandie/followup").json()["expected"] == 0
    assert campaign.reports.count() == 0


def test_changes_since_the_previous_year(api_as, report, lead, instructor, recognised):
    complete_report(report, lead)
    transitions.transition(report, "submit", lead)
    transitions.transition(report, "accept", instructor)
    later = followup_campaign(slug="suivi-2027", year=2027)
    new = Report.objects.get(campaign=later, filiere=recognised.filiere)
    indicators = filled_indicators()
    indicators["offer"]["lisp_beds"] = 30
    indicators["vacancies"]["medical_etp"] = "0.25"
    indicators["governance_meetings"] = 5
    update_report(
        new,
        lead,
        content=indicators,
        funding=[
            {"line": line, "spent": "52000"}
            for line in new.funding.values_list("line_id", flat=True)
        ],
    )
    transitions.transition(new, "submit", lead)
    result = consolidate(later)
    [row] = result.rows
    assert row.baseline_source == "previous"
    assert row.changes["offer.lisp_beds"] == 6
    assert row.changes["vacancies.medical_etp"] == Decimal("-0.25")
    assert row.changes["governance_meetings"] == 2
    assert result.previous_totals["offer.lisp_beds"] == 24
    client = api_as(instructor)
    response = client.get("campaigns/suivi-2027/exports/followup.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    row_values = {header[i]: cell.value for i, cell in enumerate(sheet[2])}
    assert row_values["Lits identifiés de soins palliatifs (LISP) : évolution"] == 6
    assert row_values["Postes médicaux vacants (ETP) : évolution"] == -0.25
    assert row_values["Référence de l'évolution"] == "rapport de l'année précédente"
    assert row_values["Crédits non utilisés (€)"] == 0


def test_list_query_count_does_not_grow(
    api_as, instructor, decider, report, django_assert_max_num_queries
):
    for _n in range(4):
        dossier = decided_dossier(instructor=instructor, decider=decider)
        grant(dossier)
    open_reports(report.campaign)
    client = api_as(instructor)
    with django_assert_max_num_queries(12):
        response = client.get("reports")
    assert len(response.json()) == 5


def test_attachment_on_the_governance_step(api, api_as, report, normandy_instructor, instructor):
    response = api.upload(
        f"reports/{report.pk}/attachments", PDF, name="charte.pdf", section="governance"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["content_type"] == "application/pdf" and body["name"] == "charte.pdf"
    assert api.get(f"reports/{report.pk}/attachments/{body['id']}").status_code == 200
    assert (
        api_as(instructor).get(f"reports/{report.pk}/attachments/{body['id']}").status_code == 200
    )
    assert (
        api_as(normandy_instructor).get(f"reports/{report.pk}/attachments/{body['id']}").status_code
        == 404
    )
    response = api.upload(
        f"reports/{report.pk}/attachments", b"GIF89a....", name="x.pdf", section="governance"
    )
    assert response.status_code == 415


def test_the_campaign_says_it_is_a_followup(api, report):
    body = api.get("campaigns/suivi-2026").json()
    assert body["kind"] == "followup" and body["year"] == 2026
    assert api.get("campaigns/bretagne-2025").json()["kind"] == "call"


def test_typed_text_cannot_break_the_export(api_as, report, lead, instructor):
    complete_report(report, lead)
    formalisation = {
        **filled_indicators()["formalisation"],
        "notes": '=HYPERLINK("http://x")\x07 fin',
    }
    update_report(report, lead, content={"formalisation": formalisation})
    transitions.transition(report, "submit", lead)
    response = api_as(instructor).get("campaigns/suivi-2026/exports/followup.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    notes = sheet[2][header.index("Précisions sur la formalisation")].value
    assert notes == '\'=HYPERLINK("http://x") fin'


def test_consolidation_query_count_does_not_grow(
    api_as, instructor, decider, report, django_assert_max_num_queries
):
    for _n in range(4):
        dossier = decided_dossier(instructor=instructor, decider=decider)
        grant(dossier)
    open_reports(report.campaign)
    client = api_as(instructor)
    with django_assert_max_num_queries(16):
        body = client.get("campaigns/suivi-2026/followup").json()
    assert body["expected"] == 5
