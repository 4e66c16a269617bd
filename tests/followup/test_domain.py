"""The report engine: creation and prefill, validation, workflow, snapshots, deadline."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from campaign.domain.extensions import grant_extension
from common.errors import Conflict, Forbidden, InvalidInput
from followup.domain import transitions
from followup.domain.editing import update_report
from followup.domain.opening import open_reports
from followup.domain.serialize import check_report
from followup.enums import ReportState
from followup.models import Report, ReportHistory, ReportSnapshot
from tests.factories import decided_dossier
from tests.followup.conftest import GRANTED, complete_report, filled_indicators, followup_campaign

pytestmark = pytest.mark.django_db


def test_publication_opens_one_report_per_recognised_filiere(report, recognised, followup):
    assert report.state == ReportState.DRAFT
    assert followup.filieres.filter(pk=recognised.filiere_id).exists()
    # Idempotent: publishing twice (or loading again) creates nothing more.
    open_reports(followup)
    assert Report.objects.filter(campaign=followup).count() == 1


def test_prefill_from_the_dossier_and_the_decision(report, recognised):
    content = report.content
    # The dossier's diagnostic: USP beds and missions.
    assert content["offer"]["usp_beds"] == recognised.diagnostic.get("usp_beds")
    assert all(m["status"] for m in content["missions"])
    assert content["governance_meetings"] is None
    assert report.prefilled_from == {"indicators": f"dossier:{recognised.pk}"}
    [use] = report.funding.select_related("line")
    assert use.line.granted == GRANTED and use.spent is None


def test_prefill_from_the_previous_report(report, lead, recognised):
    complete_report(report, lead)
    transitions.transition(report, "submit", lead)
    later = followup_campaign(slug="suivi-2027", year=2027)
    new = Report.objects.get(campaign=later, filiere=recognised.filiere)
    assert new.prefilled_from == {"indicators": f"report:{report.pk}"}
    assert new.content["offer"]["lisp_beds"] == 24
    # The yearly figures start empty.
    assert new.content["governance_meetings"] is None
    assert new.content["partnerships"]["ehpad"] is None


def test_spent_above_granted_is_refused_in_french(report, lead):
    line = report.funding.get().line_id
    with pytest.raises(InvalidInput) as exc:
        update_report(report, lead, funding=[{"line": line, "spent": "52000.01"}])
    assert "dépasse le montant accordé" in exc.value.errors["funding.0.spent"][0]
    report.refresh_from_db()
    assert report.funding.get().spent is None


@pytest.mark.parametrize(
    ("content", "path", "words"),
    [
        ({"governance_meetings": -1}, "indicators.governance_meetings", "positif ou nul"),
        ({"offer": {"usp_beds": "-3"}}, "indicators.offer.usp_beds", "positif ou nul"),
        ({"actors": {"USP": -2}}, "indicators.actors.USP", "positif ou nul"),
        ({"formalisation": {"notes": "x" * 30000}}, "indicators.formalisation.notes", "20000"),
        (
            {"vacancies": {"medical_etp": "0.505"}},
            "indicators.vacancies.medical_etp",
            "deux décimales",
        ),
        (
            {"organisations": [{"scope": "world"}]},
            "indicators.organisations.0.scope",
            "non reconnue",
        ),
    ],
)
def test_bad_indicators_are_refused(report, lead, content, path, words):
    with pytest.raises(InvalidInput) as exc:
        update_report(report, lead, content=content)
    assert words in " ".join(exc.value.errors[path])


def test_stale_version_is_a_conflict(report, lead):
    update_report(report, lead, content={"governance_meetings": 2}, version=report.version)
    with pytest.raises(Conflict):
        update_report(report, lead, content={"governance_meetings": 3}, version=1)


def test_incomplete_report_cannot_be_submitted(report, lead):
    with pytest.raises(InvalidInput) as exc:
        transitions.transition(report, "submit", lead)
    fields = {p["field"] for p in exc.value.errors["problems"]}
    assert "indicators.governance_meetings" in fields
    assert any(f.startswith("funding.") for f in fields)


def test_submit_snapshot_return_resubmit_accept(report, lead, instructor):
    complete_report(report, lead)
    assert check_report(report) == []
    transitions.transition(report, "submit", lead)
    assert report.state == ReportState.SUBMITTED and report.submitted_at
    due = timezone.localdate() + dt.timedelta(days=10)
    transitions.transition(
        report, "return_for_completion", instructor, comment="Précisez les ETP.", due_date=due
    )
    assert report.state == ReportState.RETURNED and report.return_message == "Précisez les ETP."
    update_report(report, lead, content={"governance_meetings": 4})
    transitions.transition(report, "resubmit", lead)
    transitions.transition(report, "accept", instructor)
    assert report.state == ReportState.ACCEPTED
    assert list(
        ReportHistory.objects.filter(report=report).values_list("transition", flat=True)
    ) == [
        "submit",
        "return_for_completion",
        "resubmit",
        "accept",
    ]
    snapshots = list(ReportSnapshot.objects.filter(report=report).order_by("number"))
    assert [s.number for s in snapshots] == [1, 2]
    assert snapshots[0].content["indicators"]["governance_meetings"] == 3
    assert snapshots[1].content["indicators"]["governance_meetings"] == 4
    with pytest.raises(TypeError):
        snapshots[0].delete()


def test_lead_cannot_accept_its_own_report(report, lead):
    complete_report(report, lead)
    transitions.transition(report, "submit", lead)
    with pytest.raises(Forbidden):
        transitions.transition(report, "accept", lead)


def test_deadline_edges_paris_time(recognised, lead):
    deadline = timezone.now() + dt.timedelta(days=3)
    campaign = followup_campaign(deadline=deadline.replace(microsecond=0))
    report = Report.objects.get(campaign=campaign)
    complete_report(report, lead)
    last_second = campaign.deadline
    assert report.is_open(last_second)
    assert not report.is_open(last_second + dt.timedelta(seconds=1))
    assert not report.is_late(last_second)
    assert report.is_late(last_second + dt.timedelta(seconds=1))
    with pytest.raises(Conflict) as exc:
        transitions.transition(report, "submit", lead, now=last_second + dt.timedelta(seconds=1))
    assert "date limite de remise" in exc.value.message
    transitions.transition(report, "submit", lead, now=last_second)
    assert report.state == ReportState.SUBMITTED


def test_extension_lets_a_late_filiere_submit(recognised, lead, instructor):
    deadline = timezone.now() + dt.timedelta(hours=1)
    campaign = followup_campaign(deadline=deadline)
    report = Report.objects.get(campaign=campaign)
    complete_report(report, lead)
    after = deadline + dt.timedelta(days=1)
    assert report.is_late(after)
    grant_extension(
        campaign,
        instructor,
        recognised.filiere,
        (after + dt.timedelta(days=2)).isoformat(),
        "Congés",
    )
    assert not report.is_late(after)
    transitions.transition(report, "submit", lead, now=after)
    assert report.state == ReportState.SUBMITTED


def test_recognition_while_open_creates_the_report(
    followup, django_capture_on_commit_callbacks, instructor, decider
):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = decided_dossier(instructor=instructor, decider=decider)
    assert dossier.recognised is True
    assert Report.objects.filter(campaign=followup, filiere=dossier.filiere).exists()


def test_spent_equal_to_granted_is_fine(report, lead):
    complete_report(report, lead, spent="52000")
    assert report.funding.get().spent == Decimal("52000.00")


def test_filled_indicators_round_trip(report, lead):
    complete_report(report, lead)
    report.refresh_from_db()
    assert report.content["vacancies"] == {"medical_etp": "0.50", "paramedical_etp": "1.20"}
    assert report.content["actors"]["USP"] == 1 and report.content["actors"]["ES"] is None
    assert filled_indicators()["organisations"] == report.content["organisations"]
