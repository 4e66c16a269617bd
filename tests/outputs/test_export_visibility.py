"""V2: exports show what the requesting person may see (decision 0021).

A CARESP reviewer who has not submitted its own review, or who declared a conflict,
never gets the other reviewers' scores; CARESP reviewers never see proposed amounts
before the decision is notified, nor the envelopes — in every format, from the page,
the API and a background job."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from budget.domain.proposals import propose
from outputs.domain import exports, jobs
from outputs.models import OutputJob
from scoring.domain.assignments import assign_reviewer, declare_conflict
from scoring.domain.reviews import save_review
from tests.factories import UserFactory, dossier_in_state
from tests.scoring.helpers import full_scores

SCORE = "Score pondéré (/4)"  # the header names the grid's scale
PROPOSED = "Proposé reconductible (€)"


@pytest.fixture
def reviewed(filiere, lead, instructor, caresp, caresp2):
    """In ARS analysis: `caresp` submitted a review (3 everywhere), `caresp2` is assigned
    and has not submitted; the instructor proposed 40 000 € on the line."""
    dossier = dossier_in_state("caresp_review", filiere=filiere, lead=lead, instructor=instructor)
    for reviewer in (caresp, caresp2):
        assign_reviewer(dossier, instructor, reviewer)
    save_review(
        dossier,
        caresp,
        {"scores": full_scores(dossier.campaign, 3), "opinion": "favourable"},
        submit=True,
    )
    dossier = dossier_in_state("ars_analysis", dossier=dossier, instructor=instructor)
    line = dossier.projects.get().lines.get()
    propose(dossier, instructor, [{"line": line.pk, "proposed": "40000", "opinion": "favourable"}])
    return dossier


def xlsx_rows(data, sheet="Décisions"):
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    values = list(workbook[sheet].iter_rows(values_only=True))
    return workbook.sheetnames, [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def export_as(client, user, campaign, fmt="xlsx"):
    client.force_login(user)
    response = client.post(reverse("outputs:exports", args=[campaign.slug]), {"format": fmt})
    assert response.status_code == 200
    return response.content


def test_the_ars_sees_scores_proposals_and_envelopes(client, campaign, reviewed, instructor):
    sheets, rows = xlsx_rows(export_as(client, instructor, campaign))
    assert rows[0][SCORE] == 3 and rows[0][PROPOSED] == 40000
    assert "Synthèse par enveloppe" in sheets


def test_a_reviewer_who_has_not_submitted_gets_no_score_nor_proposal(
    client, campaign, reviewed, caresp2
):
    sheets, rows = xlsx_rows(export_as(client, caresp2, campaign))
    assert rows[0][SCORE] is None and rows[0][PROPOSED] is None
    assert rows[0]["Demandé reconductible (€)"] == 52000  # requested amounts: yes
    assert "Synthèse par enveloppe" not in sheets
    _sheets, territories = xlsx_rows(
        export_as(client, caresp2, campaign), "Synthèse par territoire"
    )
    assert PROPOSED not in territories[0]
    for fmt in ("ods", "csv"):
        content = export_as(client, caresp2, campaign, fmt)
        if fmt == "csv":
            header, row = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
            assert row[header.index(SCORE)] == "" and row[header.index(PROPOSED)] == ""
        else:
            assert b"40000" not in content


def test_a_reviewer_sees_scores_once_its_review_is_submitted(client, campaign, reviewed, caresp):
    _sheets, rows = xlsx_rows(export_as(client, caresp, campaign))
    assert rows[0][SCORE] == 3
    assert rows[0][PROPOSED] is None  # not decided yet


def test_a_conflicted_reviewer_gets_no_score(client, campaign, reviewed, caresp):
    declare_conflict(reviewed, caresp, "Je travaille pour le porteur.")
    _sheets, rows = xlsx_rows(export_as(client, caresp, campaign))
    assert rows[0][SCORE] is None


def test_the_api_and_the_per_line_export_too(api_as, campaign, reviewed, caresp2, instructor):
    path = f"campaigns/{campaign.slug}/exports"
    response = api_as(caresp2).request("GET", f"{path}/decisions.xlsx")
    _sheets, rows = xlsx_rows(response.content)
    assert rows[0][SCORE] is None and rows[0][PROPOSED] is None
    response = api_as(caresp2).request("GET", f"{path}/decision_lines.xlsx")
    _sheets, rows = xlsx_rows(response.content, "Lignes de financement")
    assert rows[0]["Proposé (€)"] is None and rows[0]["Demandé (€)"] == 52000
    response = api_as(instructor).request("GET", f"{path}/decision_lines.xlsx")
    _sheets, rows = xlsx_rows(response.content, "Lignes de financement")
    assert rows[0]["Proposé (€)"] == 40000


def test_proposals_shown_to_the_caresp_once_decided(campaign, reviewed, caresp2, decider):
    dossier = dossier_in_state("decided", dossier=reviewed, decider=decider)
    reader = exports.reader_for(caresp2, campaign)
    frame = exports.decision_rows(campaign, {dossier.id: Decimal("3")}, reader)
    assert frame[PROPOSED][0] == Decimal("40000.00")
    assert frame[SCORE][0] is None


def test_background_jobs_are_the_requesters(
    client, settings, campaign, reviewed, caresp2, instructor
):
    settings.OUTPUTS_EXPORT_SYNC_MAX_ROWS = 0
    job = jobs.start_job(caresp2, campaign, OutputJob.Kind.DECISIONS_XLSX)
    job.refresh_from_db()
    assert job.status == OutputJob.Status.DONE
    _sheets, rows = xlsx_rows(job.file.read())
    assert rows[0][SCORE] is None and rows[0][PROPOSED] is None
    # The instructor's export is its own job, not the reviewer's reused.
    own = jobs.start_job(instructor, campaign, OutputJob.Kind.DECISIONS_XLSX)
    assert own.pk != job.pk
    own.refresh_from_db()
    _sheets, rows = xlsx_rows(own.file.read())
    assert rows[0][SCORE] == 3
    # Neither lists nor downloads the other's export.
    client.force_login(caresp2)
    url = reverse("outputs:job_download", args=[campaign.slug, own.pk])
    assert client.get(url).status_code == 404
    page = client.get(reverse("outputs:exports", args=[campaign.slug])).content.decode()
    assert f"job-{own.pk}" not in page


def test_a_filiere_editor_with_an_ars_role_sees_no_internal_figure_of_its_own(
    campaign, filiere, reviewed
):
    both = UserFactory(roles=["ars_instructor"])
    filiere.editors.add(both)
    both.forget_cached_access()
    frame = exports.decision_rows(
        campaign, {reviewed.id: Decimal("3")}, exports.reader_for(both, campaign)
    )
    assert frame[SCORE][0] is None and frame[PROPOSED][0] is None


def test_pages_and_api_hide_proposals_from_the_caresp_until_decided(
    client, api_as, reviewed, caresp2, instructor, decider
):
    def proposed(user):
        document = api_as(user).request("GET", f"dossiers/{reviewed.pk}").json()
        return document["projects"][0]["lines"][0]["proposed"]

    def page(user):
        client.force_login(user)
        return client.get(reverse("dossiers:detail", args=[reviewed.pk])).content.decode()

    assert proposed(instructor) == "40000.00" and "Proposé" in page(instructor)
    assert proposed(caresp2) is None and "Proposé" not in page(caresp2)
    dossier_in_state("decided", dossier=reviewed, decider=decider)
    assert proposed(caresp2) == "40000.00" and "Proposé" in page(caresp2)


def test_the_caresp_gets_no_proposed_totals_nor_per_year_commitments(
    client, campaign, reviewed, caresp2, instructor
):
    sheets, rows = xlsx_rows(export_as(client, caresp2, campaign))
    assert "Engagements par année" not in sheets and "Synthèse par enveloppe" not in sheets
    totals = rows[-1]
    assert totals["Filière"] == "Total" and totals[PROPOSED] is None
    assert totals["Demandé reconductible (€)"] == 52000
    sheets, rows = xlsx_rows(export_as(client, instructor, campaign))
    assert "Engagements par année" in sheets and rows[-1][PROPOSED] == 40000
