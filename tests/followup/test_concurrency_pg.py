"""Real concurrency on PostgreSQL for the reports: two requests at once."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from followup.domain import transitions
from followup.enums import ReportState
from followup.models import ReportHistory
from tests.dossiers.test_api_concurrency_pg import bearer, run_together
from tests.followup.conftest import complete_report

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]


def test_concurrent_patches_with_the_same_version_one_wins(report, lead, co_editor):
    def patch(user, meetings):
        headers = bearer(user)
        return lambda: Client().patch(
            f"/api/v1/reports/{report.pk}",
            {"version": report.version, "indicators": {"governance_meetings": meetings}},
            content_type="application/json",
            headers=headers,
        )

    responses = run_together([patch(lead, 4), patch(co_editor, 7)])
    assert sorted(r.status_code for r in responses) == [200, 409]
    winner = next(r for r in responses if r.status_code == 200).json()
    report.refresh_from_db()
    assert report.content["governance_meetings"] == winner["indicators"]["governance_meetings"]
    assert report.version == winner["version"]


def test_accept_and_return_at_once_one_wins(report, lead, instructor):
    complete_report(report, lead)
    transitions.transition(report, "submit", lead)
    headers = bearer(instructor)
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()

    def fire(name, body):
        return lambda: Client().post(
            f"/api/v1/reports/{report.pk}/transitions/{name}",
            body,
            content_type="application/json",
            headers=headers,
        )

    responses = run_together(
        [
            fire("accept", {}),
            fire("return_for_completion", {"comment": "Précisez.", "due_date": due}),
        ]
    )
    assert sorted(r.status_code for r in responses) == [200, 409]
    report.refresh_from_db()
    assert report.state in (ReportState.ACCEPTED, ReportState.RETURNED)
    assert ReportHistory.objects.filter(report=report).count() == 2
