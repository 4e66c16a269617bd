import datetime as dt

import pytest
from django.core import mail

from common.errors import Conflict, Forbidden, InvalidInput
from dossiers.domain.transitions import available_transitions, transition
from dossiers.enums import DossierState
from dossiers.models import HistoryEntry, Snapshot
from tests.factories import DossierFactory, complete_dossier


def test_lead_submits_complete_dossier(
    django_capture_on_commit_callbacks, lead, filiere, instructor
):
    dossier = complete_dossier(filiere=filiere)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = transition(dossier, "submit", lead)
    assert dossier.state == DossierState.SUBMITTED
    assert dossier.submitted_at is not None
    entry = HistoryEntry.objects.get(dossier=dossier)
    assert (entry.from_state, entry.to_state, entry.by) == ("draft", "submitted", lead)
    snapshot = Snapshot.objects.get(dossier=dossier)
    assert snapshot.number == 1
    assert snapshot.content["projects"][0]["lines"][0]["amount"] == "52000.00"
    recipients = {m.to[0] for m in mail.outbox}
    assert lead.email in recipients and instructor.email in recipients


def test_incomplete_dossier_lists_every_problem(lead, filiere):
    dossier = DossierFactory(filiere=filiere, identity={}, swot={})
    with pytest.raises(InvalidInput) as exc:
        transition(dossier, "submit", lead)
    fields = [p["field"] for p in exc.value.errors["problems"]]
    assert "identity.name" in fields and "swot.threats" in fields and "projects" in fields
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DRAFT


def test_deadline_last_second_accepted_next_refused(lead, filiere, campaign):
    campaign.deadline = dt.datetime(
        2025, 2, 14, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=1))
    )
    campaign.opens_at = campaign.deadline - dt.timedelta(days=90)
    campaign.save()
    dossier = complete_dossier(filiere=filiere)
    with pytest.raises(Conflict):
        transition(dossier, "submit", lead, now=campaign.deadline + dt.timedelta(seconds=1))
    ok = transition(
        dossier, "submit", lead, now=campaign.deadline + dt.timedelta(microseconds=999999)
    )
    assert ok.state == DossierState.SUBMITTED


def test_staff_cannot_submit_and_lead_cannot_start_review(lead, instructor, filiere):
    dossier = complete_dossier(filiere=filiere)
    with pytest.raises(Forbidden):
        transition(dossier, "submit", instructor)
    dossier = transition(dossier, "submit", lead)
    with pytest.raises(Forbidden):
        transition(dossier, "start_caresp_review", lead)
    assert [n for n, _l in available_transitions(dossier, instructor)] == [
        "start_caresp_review",
        "start_ars_analysis",
    ]


def test_snapshot_is_immutable(lead, filiere):
    dossier = transition(complete_dossier(filiere=filiere), "submit", lead)
    snapshot = Snapshot.objects.get(dossier=dossier)
    snapshot.content = {}
    with pytest.raises(TypeError):
        snapshot.save()
    with pytest.raises(TypeError):
        Snapshot.objects.filter(pk=snapshot.pk).update(content={})
    with pytest.raises(TypeError):
        Snapshot.objects.all().delete()
