"""The CAR'sp activity survey (seed 000): every section of the SOLEN questionnaire, saved
step by step by the ARS or the CARESP, checked (the « si oui » questions), remitted,
printable and exported."""

import io

import openpyxl
import pytest

from followup.domain import transitions
from followup.domain.editing import update_report
from followup.domain.opening import create_survey
from followup.domain.serialize import check_report
from followup.domain.types import CARSP_SURVEY
from followup.enums import ReportState
from tests.api_client import PDF

pytestmark = pytest.mark.django_db

SURVEY_ANSWERS = {
    "identity": {
        "created": "yes",
        "name": "CARESP Bretagne",
        "created_on": "2023-06",
        "legal_form": "gcs",
        "gcs_partners": "CHU de Rennes, CHU de Brest",
        "host": "GCS CARESP",
    },
    "contact": {
        "address": "2 rue Henri Le Guilloux, 35000 Rennes",
        "phone": "02 99 00 00 00",
        "email": "contact@caresp.fr",
        "head_name": "Marie Le Goff",
        "head_phone": "02 99 00 00 01",
        "head_email": "marie.legoff@caresp.fr",
        "has_antennas": True,
        "antennas": [{"departement": "29", "city": "Brest"}],
    },
    "team": {
        "etp_target": "4.00",
        "etp_filled": "3.20",
        "medical_etp_target": "0.80",
        "medical_etp_filled": "0.50",
        "profiles": ["coordinator", "project_officer"],
        "contacts": [{"name": "Marie Le Goff", "email": "marie.legoff@caresp.fr"}],
        "training": False,
    },
    "governance": {
        "constituted": True,
        "actors": ["health", "ars"],
        "meetings_2023": 2,
        "meetings_2024": 3,
    },
    "diagnostic": {"inventory": "in_progress", "orientation": "no"},
    "animation": {
        "contact_means": ["phone"],
        "teams_met": ["USP", "EMSP"],
        "all_teams_contacted": True,
        "projects_support": False,
        "carsp_groups": False,
        "vacancy_process": "no",
        "vacant_posts_2023": 4,
        "vacant_posts_2024": 6,
        "filled_posts_2023": 1,
        "filled_posts_2024": 2,
        "fragile_teams": False,
    },
    "culture": {
        "events_2023": 3,
        "events_2024": 5,
        "trainings_2023": 2,
        "trainings_2024": 4,
        "channels": ["website"],
    },
}


def complete_survey(survey, user):
    return update_report(survey, user, content=SURVEY_ANSWERS)


@pytest.fixture
def survey(followup):
    return create_survey(followup)


def test_every_section_of_the_solen_questionnaire():
    keys = [section.key for section in CARSP_SURVEY.sections]
    assert keys == [
        "identity",
        "contact",
        "team",
        "governance",
        "diagnostic",
        "animation",
        "culture",
        "comments",
    ]
    fields = {f.key for f in CARSP_SURVEY.fields}
    for key in (
        "identity.legal_form",
        "identity.host",
        "contact.antennas",
        "team.etp_target",
        "team.etp_filled",
        "team.by_profession",
        "team.contacts",
        "governance.constituted",
        "governance.meetings_2024",
        "diagnostic.actions",
        "animation.projects",
        "culture.events",
        "culture.trainings",
    ):
        assert key in fields, key
    assert {s.key for s in CARSP_SURVEY.sections if s.attachments} >= {"team", "governance"}


def test_prefilled_from_the_coordination_cell(survey):
    assert survey.kind == "carsp" and survey.filiere is None
    assert survey.content["identity"]["name"]  # Bretagne's CARESP (reference data)


def test_conditional_questions_are_required_only_when_they_apply(survey, caresp):
    complete_survey(survey, caresp)
    assert check_report(survey) == []
    update_report(
        survey, caresp, content={"identity": {**SURVEY_ANSWERS["identity"], "gcs_partners": None}}
    )
    fields = [p.field for p in check_report(survey)]
    assert fields == ["answers.identity.gcs_partners"]
    update_report(survey, caresp, content={"team": {**SURVEY_ANSWERS["team"], "training": True}})
    assert "answers.team.training_topics" in [p.field for p in check_report(survey)]


def test_saved_step_by_step_through_the_pages(client, caresp, survey):
    client.force_login(caresp)
    response = client.post(
        f"/suivi/rapports/{survey.pk}/rediger/team/",
        {
            "team__etp_target": "4,5",
            "team__etp_filled": "3",
            "team__profiles": ["coordinator"],
            "team__by_profession__0__profession": "Infirmière",
            "team__by_profession__0__etp_target": "1",
            "team__by_profession__0__etp_filled": "0,5",
            "team__training": "yes",
            "continue": "1",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("/rediger/governance/")
    survey.refresh_from_db()
    assert survey.content["team"]["etp_target"] == "4.50"
    assert survey.content["team"]["by_profession"] == [
        {"profession": "Infirmière", "etp_target": "1.00", "etp_filled": "0.50"}
    ]
    assert survey.content["team"]["training"] is True
    # Bad input: refused in French, nothing lost.
    response = client.post(
        f"/suivi/rapports/{survey.pk}/rediger/governance/",
        {"governance__meetings_2023": "-1", "governance__meetings_2024": "2", "save": "1"},
    )
    assert response.status_code == 400
    assert "Nombre entier positif ou nul attendu." in response.content.decode()
    assert 'value="-1"' in response.content.decode()


def test_organisation_chart_attached_by_content(client, caresp, survey):
    client.force_login(caresp)
    response = client.post(
        f"/suivi/rapports/{survey.pk}/pieces/team/ajouter/",
        {"file": io.BytesIO(PDF)},
    )
    assert response.status_code == 302
    assert survey.attachments.get().content_type == "application/pdf"
    # A file whose bytes are not an accepted type is refused (415).
    fake = io.BytesIO(b"MZ\x90\x00 not a pdf")
    fake.name = "organigramme.pdf"
    response = client.post(f"/suivi/rapports/{survey.pk}/pieces/team/ajouter/", {"file": fake})
    assert response.status_code == 415
    # No files on a section that does not take any.
    response = client.post(
        f"/suivi/rapports/{survey.pk}/pieces/contact/ajouter/", {"file": io.BytesIO(PDF)}
    )
    assert response.status_code == 400


def test_remitted_printed_and_exported(client, caresp, instructor, survey):
    complete_survey(survey, caresp)
    transitions.transition(survey, "submit", caresp)
    transitions.transition(survey, "accept", instructor)
    assert survey.state == ReportState.ACCEPTED
    client.force_login(instructor)
    assert (
        "CARESP Bretagne" in client.get(f"/suivi/rapports/{survey.pk}/imprimer/").content.decode()
    )
    response = client.get(f"/suivi/rapports/{survey.pk}/export.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = {(r[0].value, r[1].value): r[2].value for r in sheet.iter_rows(min_row=2)}
    assert rows[("Instance de gouvernance", "Réunions du COPIL en 2024")] == 3
    assert rows[("Composition de l'équipe", "ETP totaux pourvus")] == 3.2
    assert rows[("Création et portage", "Statut juridique, rattachement")] == "Portage par un GCS"
    response = client.get(f"/suivi/rapports/{survey.pk}/export.csv")
    assert response.status_code == 200 and "Antennes" in response.content.decode("utf-8-sig")


def test_survey_over_the_api(api_as, caresp, survey, lead):
    client = api_as(caresp)
    body = client.get(f"reports/{survey.pk}").json()
    assert body["kind"] == "carsp" and body["filiere"] is None and "answers" in body
    response = client.patch(
        f"reports/{survey.pk}",
        {"version": body["version"], "answers": {"comments": {"text": "x" * 30000}}},
    )
    assert response.status_code == 400
    assert response.json()["errors"]["answers.comments.text"] == [
        "Ce texte dépasse 20000 caractères."
    ]
    assert api_as(lead).get(f"reports/{survey.pk}").status_code == 404
