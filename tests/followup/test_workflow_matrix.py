"""Every report transition × role × source state, through the single entry point
followup.domain.transitions.transition: allowed → the target state, one history entry
(and a snapshot on remittance); wrong role → Forbidden (403) whatever the state; right
role in the wrong state → Conflict (409); nothing changes on a refusal. The same for
the CAR'sp survey, written by the ARS or the CARESP."""

import datetime as dt

import pytest
from django.utils import timezone

from common.errors import Conflict, Forbidden
from followup.domain import transitions
from followup.domain.opening import create_survey
from followup.enums import ReportState as S
from followup.models import ReportHistory, ReportSnapshot
from tests.followup.conftest import complete_report
from tests.followup.test_survey import complete_survey

pytestmark = pytest.mark.django_db

STATES = [S.DRAFT, S.SUBMITTED, S.RETURNED, S.ACCEPTED]
ROLES = [
    "lead",
    "co_editor",
    "other_lead",
    "caresp",
    "instructor",
    "decider",
    "admin_user",
    "outsider",
    "normandy_instructor",
]
ALLOWED = {
    "submit": {"lead", "co_editor"},
    "resubmit": {"lead", "co_editor"},
    "accept": {"instructor"},
    "return_for_completion": {"instructor"},
}
# The survey is written by the region's ARS and CARESP; the ARS instructor checks it.
SURVEY_ALLOWED = {
    "submit": {"caresp", "instructor", "decider", "admin_user"},
    "resubmit": {"caresp", "instructor", "decider", "admin_user"},
    "accept": {"instructor"},
    "return_for_completion": {"instructor"},
}
SOURCES = {
    "submit": S.DRAFT,
    "resubmit": S.RETURNED,
    "accept": S.SUBMITTED,
    "return_for_completion": S.SUBMITTED,
}
TARGETS = {
    "submit": S.SUBMITTED,
    "resubmit": S.SUBMITTED,
    "accept": S.ACCEPTED,
    "return_for_completion": S.RETURNED,
}


def bring(report, state, writer, instructor):
    due = timezone.localdate() + dt.timedelta(days=10)
    if state == S.DRAFT:
        return report
    report = transitions.transition(report, "submit", writer)
    if state == S.RETURNED:
        report = transitions.transition(
            report, "return_for_completion", instructor, comment="Précisez.", due_date=due
        )
    elif state == S.ACCEPTED:
        report = transitions.transition(report, "accept", instructor)
    return report


def fire(report, name, user):
    kwargs = {}
    if name == "return_for_completion":
        kwargs = {"comment": "Précisez.", "due_date": timezone.localdate() + dt.timedelta(days=5)}
    return transitions.transition(report, name, user, **kwargs)


def check(request, report, name, role, state, allowed):
    user = request.getfixturevalue(role)
    history = ReportHistory.objects.filter(report=report).count()
    snapshots = ReportSnapshot.objects.filter(report=report).count()
    if role not in allowed[name]:
        with pytest.raises(Forbidden):
            fire(report, name, user)
    elif state != SOURCES[name]:
        with pytest.raises(Conflict):
            fire(report, name, user)
    else:
        fired = fire(report, name, user)
        assert fired.state == TARGETS[name]
        assert ReportHistory.objects.filter(report=report).count() == history + 1
        remitted = name in ("submit", "resubmit")
        assert ReportSnapshot.objects.filter(report=report).count() == snapshots + remitted
        return
    report.refresh_from_db()
    assert report.state == state
    assert ReportHistory.objects.filter(report=report).count() == history


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("name", list(TARGETS))
@pytest.mark.parametrize("role", ROLES)
def test_filiere_report_matrix(request, report, lead, co_editor, instructor, name, role, state):
    complete_report(report, lead)
    report = bring(report, state, lead, instructor)
    check(request, report, name, role, state, ALLOWED)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("name", list(TARGETS))
@pytest.mark.parametrize("role", ROLES)
def test_survey_matrix(request, followup, lead, caresp, instructor, name, role, state):
    survey = create_survey(followup)
    complete_survey(survey, caresp)
    survey = bring(survey, state, caresp, instructor)
    check(request, survey, name, role, state, SURVEY_ALLOWED)
