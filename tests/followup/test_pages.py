"""The report pages: the lead's steps (nothing typed lost on an error), the check with its
links, the confirmation; the ARS's report page, actions and consolidation page."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from followup.domain import transitions
from followup.domain.editing import section_fingerprint, update_report
from followup.enums import ReportState
from tests.followup.conftest import complete_report

pytestmark = pytest.mark.django_db


def test_lead_sees_its_steps_and_the_prefill(client, lead, report):
    client.force_login(lead)
    page = client.get(f"/suivi/rapports/{report.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Compléter le rapport" in html and "Utilisation des crédits" in html
    step = client.get(f"/suivi/rapports/{report.pk}/rediger/offer/")
    assert step.status_code == 200
    assert f'value="{report.content["offer"]["usp_beds"]}"' in step.content.decode()


def test_bad_step_input_is_refused_and_kept(client, lead, report):
    client.force_login(lead)
    long_text = "a" * 30000
    response = client.post(
        f"/suivi/rapports/{report.pk}/rediger/governance/",
        {
            "governance_meetings": "-2",
            "formalisation__territory_defined": "yes",
            "formalisation__notes": long_text,
            "save": "1",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nombre entier positif ou nul attendu." in html
    assert "Ce texte dépasse 20000 caractères." in html
    assert 'value="-2"' in html and long_text in html
    report.refresh_from_db()
    assert report.content["governance_meetings"] is None


def test_step_saves_and_continues(client, lead, report):
    client.force_login(lead)
    response = client.post(
        f"/suivi/rapports/{report.pk}/rediger/governance/",
        {
            "governance_meetings": "4",
            "formalisation__territory_defined": "yes",
            "formalisation__needs_inventory_updated": "no",
            "formalisation__charter_signed": "yes",
            "continue": "1",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("/rediger/actors/")
    report.refresh_from_db()
    assert report.content["governance_meetings"] == 4
    assert report.content["formalisation"]["needs_inventory_updated"] is False


def test_funding_step_refuses_spent_above_granted(client, lead, report):
    client.force_login(lead)
    line = report.funding.get().line_id
    response = client.post(
        f"/suivi/rapports/{report.pk}/rediger/funding/",
        {f"line_{line}_spent": "60 000,00", f"line_{line}_etp_filled": "1,5", "save": "1"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "dépasse le montant accordé" in html and 'value="60 000,00"' in html
    response = client.post(
        f"/suivi/rapports/{report.pk}/rediger/funding/",
        {f"line_{line}_spent": "41 500,50", f"line_{line}_etp_filled": "0,8", "save": "1"},
    )
    assert response.status_code == 302
    use = report.funding.get()
    assert str(use.spent) == "41500.50" and str(use.etp_filled) == "0.80"


def test_check_links_each_problem_to_its_field(client, lead, report):
    client.force_login(lead)
    html = client.get(f"/suivi/rapports/{report.pk}/verification/").content.decode()
    assert f'href="/suivi/rapports/{report.pk}/rediger/governance/#id_governance_meetings"' in html
    line = report.funding.get().line_id
    assert f"/rediger/funding/#id_line_{line}_spent" in html


def test_submit_through_the_confirmation(client, lead, report):
    complete_report(report, lead)
    client.force_login(lead)
    page = client.get(f"/suivi/rapports/{report.pk}/action/submit/")
    assert page.status_code == 200 and "Confirmer" in page.content.decode()
    response = client.post(
        f"/suivi/rapports/{report.pk}/action/submit/", {"version": report.version}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    # No longer editable: the step goes back to the report.
    assert client.get(f"/suivi/rapports/{report.pk}/rediger/offer/").status_code == 302


def test_instructor_returns_with_a_message_and_due_date(client, lead, instructor, report):
    complete_report(report, lead)
    transitions.transition(report, "submit", lead)
    client.force_login(instructor)
    html = client.get(f"/suivi/rapports/{report.pk}/").content.decode()
    assert "Accepter le rapport" in html and "Demander des compléments" in html
    assert "Évolution" in html  # what changed since the dossier
    response = client.post(
        f"/suivi/rapports/{report.pk}/action/return_for_completion/", {"comment": ""}
    )
    assert response.status_code == 400
    assert "Indiquez le message destiné au porteur." in response.content.decode()
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = client.post(
        f"/suivi/rapports/{report.pk}/action/return_for_completion/",
        {"comment": "Précisez la ligne 1.", "due_date": due, "version": report.version},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.RETURNED


def test_staff_cannot_edit_a_filiere_report(client, instructor, report):
    client.force_login(instructor)
    assert client.get(f"/suivi/rapports/{report.pk}/rediger/offer/").status_code == 403


def test_consolidation_page_with_chart_and_late_ones(client, instructor, lead, report):
    complete_report(report, lead)
    transitions.transition(report, "submit", lead)
    client.force_login(instructor)
    html = client.get("/suivi/campagnes/suivi-2026/").content.decode()
    assert report.filiere.name in html and "<svg" in html
    assert "Valeurs du graphique" in html
    assert re.search(r"Total des rapports remis et acceptés", html)
    assert "52\u202f000,00\u00a0€" in html


def test_other_region_and_leads_get_404_on_the_consolidation(
    client, lead, normandy_instructor, report
):
    client.force_login(normandy_instructor)
    assert client.get("/suivi/campagnes/suivi-2026/").status_code == 404
    assert client.get(f"/suivi/rapports/{report.pk}/").status_code == 404
    client.force_login(lead)
    assert client.get("/suivi/campagnes/suivi-2026/").status_code == 404
    assert client.get("/suivi/campagnes/suivi-2026/export.xlsx").status_code == 404


def test_print_page(client, lead, report):
    client.force_login(lead)
    response = client.get(f"/suivi/rapports/{report.pk}/imprimer/")
    assert response.status_code == 200 and report.filiere.name in response.content.decode()


def test_home_lists_the_reports(client, lead, instructor, report):
    client.force_login(lead)
    assert report.filiere.name in client.get("/suivi/").content.decode()
    client.force_login(instructor)
    html = client.get("/suivi/").content.decode()
    assert "suivi-2026" in html and report.filiere.name in html


def test_concurrent_step_save_is_a_conflict_and_keeps_the_input(client, lead, co_editor, report):
    fingerprint = section_fingerprint(report, "governance")
    client.force_login(co_editor)
    data = {"fingerprint": fingerprint, "governance_meetings": "2", "save": "1"}
    assert client.post(f"/suivi/rapports/{report.pk}/rediger/governance/", data).status_code == 302
    client.force_login(lead)
    data = {"fingerprint": fingerprint, "governance_meetings": "7", "save": "1"}
    response = client.post(f"/suivi/rapports/{report.pk}/rediger/governance/", data)
    assert response.status_code == 409
    assert 'value="7"' in response.content.decode()
    report.refresh_from_db()
    assert report.content["governance_meetings"] == 2


def test_staff_see_what_changed_between_two_remittances(client, lead, instructor, report):
    complete_report(report, lead)
    transitions.transition(report, "submit", lead)
    transitions.transition(
        report,
        "return_for_completion",
        instructor,
        comment="Précisez.",
        due_date=timezone.localdate() + dt.timedelta(days=3),
    )
    update_report(report, lead, content={"governance_meetings": 6})
    transitions.transition(report, "resubmit", lead)
    client.force_login(instructor)
    html = client.get(f"/suivi/rapports/{report.pk}/").content.decode()
    assert "Changements depuis la remise précédente" in html
    row = re.search(
        r"Réunions de l&#x27;instance de gouvernance dans l&#x27;année</th><td>(\d+)</td><td>(\d+)</td>",
        html,
    )
    assert row and row.groups() == ("3", "6")


def test_consolidation_page_shows_changes_per_filiere(client, instructor, lead, report):
    complete_report(report, lead)
    transitions.transition(report, "submit", lead)
    client.force_login(instructor)
    html = client.get("/suivi/campagnes/suivi-2026/").content.decode()
    assert "Évolution par filière" in html
