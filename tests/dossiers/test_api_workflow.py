"""Workflow through the API: transitions, deadline edges, extensions, history, snapshots."""

import datetime as dt
import hashlib
import json
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from campaign.models import DeadlineExtension
from dossiers.domain.transitions import transition
from dossiers.models import Dossier, FundingLine, HistoryEntry, Snapshot
from tests.factories import DossierFactory


def canonical_sha256(content):
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def without_project_versions(document):
    """The API's document without the versions it adds for concurrent edits (sheets,
    lines, the ARS proposal): the snapshots never hold them."""
    document = json.loads(json.dumps(document))
    document.pop("proposal_version", None)
    for project in document["projects"]:
        project.pop("version", None)
        for line in project["lines"]:
            line.pop("version", None)
    return document


# --- Transitions and completeness ----------------------------------------------------------


def test_available_transitions_per_role_and_state(api, api_as, dossier, lead, instructor, caresp):
    url = f"dossiers/{dossier.id}/transitions"
    assert api.get(url).json() == [{"name": "submit", "label": "Déposer le dossier"}]
    transition(dossier, "submit", lead)
    assert api.get(url).json() == [{"name": "withdraw", "label": "Retirer le dossier"}]
    assert [t["name"] for t in api_as(instructor).get(url).json()] == [
        "start_caresp_review",
        "start_ars_analysis",
    ]
    assert api_as(caresp).get(url).json() == []


def test_check_lists_every_problem(api, filiere):
    empty = DossierFactory(filiere=filiere, identity={}, swot={})
    body = api.get(f"dossiers/{empty.id}/check").json()
    assert body["complete"] is False
    fields = [p["field"] for p in body["problems"]]
    assert {"identity.name", "swot.strengths", "projects"} <= set(fields)
    assert all(set(p) == {"field", "message"} for p in body["problems"])


def test_check_complete_dossier(api, dossier):
    body = api.get(f"dossiers/{dossier.id}/check").json()
    assert (body["complete"], body["problems"]) == (True, [])
    # The actors the call names: not a blocking problem, advice while unjustified.
    members = {m["type"] for m in dossier.identity["members"]}
    assert body["participation"]["named"] == ["LISP", "USP", "EMSP", "HAD", "ERRSPP", "DAC", "CPTS"]
    assert set(body["participation"]["present"]) == members & set(body["participation"]["named"])
    assert body["participation"]["missing"]
    assert [w["field"] for w in body["warnings"]] == ["identity.actors_justification"]
    identity = {**dossier.identity, "actors_justification": "L'ERRSPP intervient sur appel."}
    type(dossier).objects.filter(pk=dossier.pk).update(identity=identity)
    body = api.get(f"dossiers/{dossier.id}/check").json()
    assert body["warnings"] == [] and body["participation"]["justification"].startswith("L'ERRSPP")


def test_submit_incomplete_is_400_with_problems_in_both_forms(api, filiere):
    empty = DossierFactory(filiere=filiere, identity={}, swot={})
    response = api.post(f"dossiers/{empty.id}/transitions/submit")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Le dossier est incomplet : corrigez les points signalés."
    problems = body["errors"]["problems"]
    assert {
        "field": "identity.name",
        "message": "Fiche d'identité : le nom de la filière manque.",
    } in problems
    for problem in problems:
        assert problem["message"] in body["errors"][problem["field"]]
    assert Dossier.objects.get(pk=empty.pk).state == "draft"
    assert not Snapshot.objects.exists()


def test_submit_returns_the_dossier(api, dossier, lead):
    response = api.post(
        f"dossiers/{dossier.id}/transitions/submit", {"comment": "Voici notre dossier"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "submitted" and body["version"] == dossier.version + 1
    assert dt.datetime.fromisoformat(body["submitted_at"]).utcoffset() is not None
    entry = HistoryEntry.objects.get(dossier=dossier)
    assert (entry.by, entry.comment) == (lead, "Voici notre dossier")


def test_submit_twice_is_409(api, dossier):
    assert api.post(f"dossiers/{dossier.id}/transitions/submit").status_code == 200
    again = api.post(f"dossiers/{dossier.id}/transitions/submit")
    assert again.status_code == 409
    assert (
        again.json()["detail"]
        == "Action « Déposer le dossier » impossible : le dossier est « Déposé »."
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ({"due_date": "2099-01-01"}, "comment"),
        ({"comment": "   ", "due_date": "2099-01-01"}, "comment"),
        ({"comment": "Précisez"}, "due_date"),
        ({"comment": "Précisez", "due_date": "2020-01-01"}, "due_date"),
        ({"comment": "Précisez", "due_date": "01/03/2099"}, "due_date"),
        ({"comment": "Précisez", "due_date": "2099-02-30"}, "due_date"),
        ({"comment": "Précisez", "due_date": 20990101}, "due_date"),
        ({"comment": 12, "due_date": "2099-01-01"}, "comment"),
    ],
)
def test_return_for_completion_needs_comment_and_future_due_date(
    api_as, instructor, dossier, lead, body, field
):
    transition(transition(dossier, "submit", lead), "start_caresp_review", instructor)
    response = api_as(instructor).post(
        f"dossiers/{dossier.id}/transitions/return_for_completion", body
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Dossier.objects.get(pk=dossier.pk).state == "caresp_review"


def test_decide_does_not_go_through_transitions(api_as, decider, instructor, dossier, lead):
    transition(transition(dossier, "submit", lead), "start_ars_analysis", instructor)
    response = api_as(decider).post(
        f"dossiers/{dossier.id}/transitions/decide", {"comment": "Accepté"}
    )
    assert response.status_code == 404
    assert Dossier.objects.get(pk=dossier.pk).state == "ars_analysis"


# --- Deadline edges through the API -------------------------------------------------------


def start_of_a_second():
    """Now, at least 0.8 s before the next second boundary (so the test is not flaky)."""
    while True:
        now = timezone.now()
        if now.microsecond < 200_000:
            return now.replace(microsecond=0)
        time.sleep((1_000_000 - now.microsecond) / 1_000_000)


def test_deadline_last_second_accepted(api, dossier, campaign):
    second = start_of_a_second()
    campaign.deadline = second  # the deadline is this very second
    campaign.save()
    response = api.post(f"dossiers/{dossier.id}/transitions/submit")
    assert response.status_code == 200, response.json()


def test_deadline_next_second_refused(api, dossier, campaign):
    second = start_of_a_second()
    campaign.deadline = second - dt.timedelta(seconds=1)  # the deadline second just ended
    campaign.save()
    response = api.post(f"dossiers/{dossier.id}/transitions/submit")
    assert response.status_code == 409
    assert "date limite de dépôt est dépassée" in response.json()["detail"]
    assert api.get(f"dossiers/{dossier.id}/transitions").json() == []
    assert Dossier.objects.get(pk=dossier.pk).state == "draft"


def test_extension_granted_through_the_api_then_submission_accepted(
    api, api_as, instructor, dossier, campaign
):
    campaign.deadline = timezone.now() - dt.timedelta(hours=2)
    campaign.save()
    assert api.post(f"dossiers/{dossier.id}/transitions/submit").status_code == 409
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    granted = api_as(instructor).post(
        "campaigns/bretagne-2025/extensions",
        {"filiere": "nord-finistere", "until": tomorrow, "reason": "Panne informatique"},
    )
    assert granted.status_code == 201
    assert api.get(f"dossiers/{dossier.id}/transitions").json()[0]["name"] == "submit"
    response = api.post(f"dossiers/{dossier.id}/transitions/submit")
    assert response.status_code == 200
    assert response.json()["state"] == "submitted"


def test_extension_of_another_filiere_does_not_help(
    api, api_as, instructor, dossier, campaign, other_lead
):
    campaign.deadline = timezone.now() - dt.timedelta(hours=2)
    campaign.save()
    api_as(instructor).post(
        "campaigns/bretagne-2025/extensions",
        {"filiere": "cornouaille", "until": "2099-01-01", "reason": "Autre filière"},
    )
    assert api.post(f"dossiers/{dossier.id}/transitions/submit").status_code == 409


def test_expired_extension_does_not_help(api, dossier, campaign, instructor):
    campaign.deadline = timezone.now() - dt.timedelta(days=3)
    campaign.save()
    DeadlineExtension.objects.create(
        campaign=campaign,
        filiere=dossier.filiere,
        until=timezone.now() - dt.timedelta(days=1),
        reason="Déjà passée",
        granted_by=instructor,
    )
    assert api.post(f"dossiers/{dossier.id}/transitions/submit").status_code == 409


# --- A whole cycle: snapshots and history ---------------------------------------------------


def test_snapshots_keep_what_was_submitted(api, api_as, instructor, caresp, dossier):
    submitted = api.post(f"dossiers/{dossier.id}/transitions/submit").json()
    first = api.get(f"dossiers/{dossier.id}/snapshots/1").json()
    assert first["number"] == 1 and first["created_by"] == "porteur"
    assert first["content_sha256"] == canonical_sha256(first["content"])
    assert first["content"] == without_project_versions(submitted)
    assert first["content"]["state"] == "submitted"

    staff = api_as(instructor)
    staff.post(f"dossiers/{dossier.id}/transitions/start_caresp_review")
    due = (timezone.localdate() + dt.timedelta(days=15)).isoformat()
    returned = staff.post(
        f"dossiers/{dossier.id}/transitions/return_for_completion",
        {"comment": "Précisez le diagnostic.", "due_date": due},
    )
    assert returned.status_code == 200
    assert returned.json()["completion_request"] == {
        "message": "Précisez le diagnostic.",
        "due_date": due,
    }
    # Editable again by the lead; the instructor may not edit.
    document = api.get(f"dossiers/{dossier.id}").json()
    diagnostic = document["diagnostic"] | {"population": 575000}
    assert (
        staff.patch(
            f"dossiers/{dossier.id}", {"version": document["version"], "diagnostic": diagnostic}
        ).status_code
        == 403
    )
    edited = api.patch(
        f"dossiers/{dossier.id}", {"version": document["version"], "diagnostic": diagnostic}
    )
    assert edited.status_code == 200
    resubmitted = api.post(f"dossiers/{dossier.id}/transitions/resubmit")
    assert resubmitted.status_code == 200
    assert resubmitted.json()["state"] == "caresp_review"

    listing = api_as(caresp).get(f"dossiers/{dossier.id}/snapshots").json()
    assert [s["number"] for s in listing] == [1, 2]
    assert all(set(s) == {"number", "created_at", "created_by", "content_sha256"} for s in listing)
    again = api.get(f"dossiers/{dossier.id}/snapshots/1").json()
    assert again == first  # unchanged by the resubmission
    second = api.get(f"dossiers/{dossier.id}/snapshots/2").json()
    assert second["content"]["diagnostic"]["population"] == 575000
    assert first["content"]["diagnostic"]["population"] == 560000
    assert second["content_sha256"] == canonical_sha256(second["content"])
    assert second["content_sha256"] != first["content_sha256"]
    assert api.get(f"dossiers/{dossier.id}/snapshots/3").status_code == 404

    history = staff.get(f"dossiers/{dossier.id}/history").json()
    assert [(h["from_state"], h["to_state"]) for h in history] == [
        ("draft", "submitted"),
        ("submitted", "caresp_review"),
        ("caresp_review", "returned"),
        ("returned", "caresp_review"),
    ]
    assert history[2]["by"] == "instructeur"
    assert history[2]["comment"] == "Précisez le diagnostic."
    assert dt.datetime.fromisoformat(history[0]["at"]).utcoffset() is not None


def test_history_lead_sees_only_public_entries(api, api_as, instructor, dossier, lead):
    transition(dossier, "submit", lead)
    HistoryEntry.objects.create(
        dossier=dossier,
        transition="note",
        from_state="submitted",
        to_state="submitted",
        by=instructor,
        comment="Note interne : budget surévalué",
        is_public=False,
    )
    lead_view = api.get(f"dossiers/{dossier.id}/history").json()
    staff_view = api_as(instructor).get(f"dossiers/{dossier.id}/history").json()
    assert len(lead_view) == 1 and len(staff_view) == 2
    assert "Note interne" not in json.dumps(lead_view)
    assert set(lead_view[0]) == {"from_state", "to_state", "by", "at", "comment"}


def test_withdraw(api, dossier, lead):
    transition(dossier, "submit", lead)
    response = api.post(f"dossiers/{dossier.id}/transitions/withdraw", {"comment": "Retrait"})
    assert response.status_code == 200
    assert response.json()["state"] == "withdrawn"
    assert api.post(f"dossiers/{dossier.id}/transitions/withdraw").status_code == 409


# --- What each reader sees: proposals and grants ---------------------------------------------


def test_proposals_and_grants_visibility(api, api_as, caresp, instructor, decider, dossier, lead):
    dossier = transition(transition(dossier, "submit", lead), "start_ars_analysis", instructor)
    FundingLine.objects.filter(project__dossier=dossier).update(
        proposed=Decimal("50000"), granted=Decimal("45000.5")
    )
    url = f"dossiers/{dossier.id}"
    lead_line = api.get(url).json()["projects"][0]["lines"][0]
    assert lead_line["proposed"] is None and lead_line["granted"] is None
    assert api.get(url).json()["totals"]["granted_recurring"] is None
    for reader in (instructor, decider):
        line = api_as(reader).get(url).json()["projects"][0]["lines"][0]
        assert (line["proposed"], line["granted"]) == ("50000.00", "45000.50")
    # The CARESP: neither proposals nor decisions before the decision is notified (0021).
    line = api_as(caresp).get(url).json()["projects"][0]["lines"][0]
    assert (line["proposed"], line["granted"]) == (None, None)
    transition(dossier, "decide", decider, outcome="partially_accepted", comment="Partiel")
    line = api_as(caresp).get(url).json()["projects"][0]["lines"][0]
    assert (line["proposed"], line["granted"]) == ("50000.00", "45000.50")
    decided = api.get(url).json()
    assert decided["outcome"] == "partially_accepted"
    assert decided["projects"][0]["lines"][0]["granted"] == "45000.50"
    assert decided["projects"][0]["lines"][0]["proposed"] is None
    assert decided["totals"]["granted_recurring"] == "45000.50"
    listing = api.get("dossiers").json()
    assert listing[0]["outcome"] == "partially_accepted"
    assert listing[0]["totals"]["granted_recurring"] == "45000.50"
