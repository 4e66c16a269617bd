"""The lifecycle's behaviour beyond the matrix: completion requests and
resubmission, the history's completeness and immutability, the e-mails."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from common.errors import Conflict, InvalidInput
from dossiers.domain.transitions import transition
from dossiers.enums import DossierState as S
from dossiers.models import Dossier, HistoryEntry, Snapshot
from scoring.domain.assignments import assign_reviewer
from tests.factories import UserFactory, complete_dossier, dossier_in_state, due_date


def _mails_to(address):
    return [m for m in mail.outbox if m.to == [address]]


# ---------------------------------------------------------------- completion


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"due_date": "future"}, "comment"),
        ({"comment": "   ", "due_date": "future"}, "comment"),
        ({"comment": "Merci de compléter."}, "due_date"),
        ({"comment": "Merci de compléter.", "due_date": "past"}, "due_date"),
        ({"comment": "Merci de compléter.", "due_date": "14/03/2025"}, "due_date"),
    ],
)
def test_return_for_completion_requires_message_and_future_due_date(
    in_review, instructor, kwargs, field
):
    if kwargs.get("due_date") == "future":
        kwargs["due_date"] = due_date()
    elif kwargs.get("due_date") == "past":
        kwargs["due_date"] = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(InvalidInput) as exc:
        transition(in_review, "return_for_completion", instructor, **kwargs)
    assert exc.value.status == 400
    assert list(exc.value.errors) == [field]
    in_review.refresh_from_db()
    assert in_review.state == S.CARESP_REVIEW


def test_return_accepts_an_iso_date_string(in_review, instructor):
    dossier = transition(
        in_review,
        "return_for_completion",
        instructor,
        comment="Précisez la gouvernance.",
        due_date=due_date().isoformat(),
    )
    assert dossier.return_due_date == due_date()


@pytest.mark.parametrize("origin", [S.CARESP_REVIEW, S.ARS_ANALYSIS])
def test_resubmit_returns_to_where_it_came_from_with_a_new_snapshot(
    origin, filiere, lead, instructor
):
    dossier = dossier_in_state(origin, filiere=filiere, lead=lead, instructor=instructor)
    dossier = transition(
        dossier,
        "return_for_completion",
        instructor,
        comment="Merci de préciser la gouvernance.",
        due_date=due_date(),
    )
    assert (dossier.state, dossier.returned_from) == (S.RETURNED, origin)
    assert dossier.return_message == "Merci de préciser la gouvernance."
    # The lead edits while returned, then resubmits.
    Dossier.objects.filter(pk=dossier.pk).update(
        identity={**dossier.identity, "governance": "Comité mensuel"}
    )
    dossier = transition(dossier, "resubmit", lead)
    assert dossier.state == origin
    assert dossier.returned_from == ""
    snapshots = list(Snapshot.objects.filter(dossier=dossier).order_by("number"))
    assert [(s.number, s.transition) for s in snapshots] == [(1, "submit"), (2, "resubmit")]
    assert snapshots[0].content["identity"]["governance"] == "Comité de pilotage trimestriel"
    assert snapshots[1].content["identity"]["governance"] == "Comité mensuel"


def test_incomplete_dossier_cannot_be_resubmitted(filiere, lead, instructor):
    dossier = dossier_in_state(
        "returned_from_caresp", filiere=filiere, lead=lead, instructor=instructor
    )
    Dossier.objects.filter(pk=dossier.pk).update(swot={})
    with pytest.raises(InvalidInput) as exc:
        transition(dossier, "resubmit", lead)
    assert "swot.strengths" in [p["field"] for p in exc.value.errors["problems"]]


def test_conflict_message_says_someone_else_changed_the_dossier(in_review, instructor):
    stale = Dossier.objects.get(pk=in_review.pk)  # what the second instructor loaded
    transition(in_review, "start_ars_analysis", instructor)
    with pytest.raises(Conflict) as exc:
        transition(
            stale,
            "return_for_completion",
            instructor,
            comment="Merci de compléter.",
            due_date=due_date(),
        )
    assert "vient d'être modifié par une autre personne" in exc.value.message
    assert "« Analyse ARS »" in exc.value.message


# ---------------------------------------------------------------- history


def test_history_has_one_complete_entry_per_transition(filiere, lead, instructor, decider):
    dossier = complete_dossier(filiere=filiere)
    steps = [
        ("submit", lead, ""),
        ("start_caresp_review", instructor, "Revue lancée"),
        ("return_for_completion", instructor, "Précisez le budget."),
        ("resubmit", lead, "Budget précisé."),
        ("start_ars_analysis", instructor, ""),
        ("decide", decider, "Accord"),
    ]
    for name, user, comment in steps:
        dossier = transition(
            dossier, name, user, comment=comment, due_date=due_date(), outcome="accepted"
        )
    entries = list(HistoryEntry.objects.filter(dossier=dossier).order_by("at", "id"))
    assert [(e.transition, e.from_state, e.to_state, e.by, e.comment) for e in entries] == [
        ("submit", "draft", "submitted", lead, ""),
        ("start_caresp_review", "submitted", "caresp_review", instructor, "Revue lancée"),
        ("return_for_completion", "caresp_review", "returned", instructor, "Précisez le budget."),
        ("resubmit", "returned", "caresp_review", lead, "Budget précisé."),
        ("start_ars_analysis", "caresp_review", "ars_analysis", instructor, ""),
        ("decide", "ars_analysis", "decided", decider, "Accord"),
    ]
    assert all(e.at is not None for e in entries)
    times = [e.at for e in entries]
    assert times == sorted(times)


def test_history_cannot_be_changed_or_deleted(in_review):
    entry = HistoryEntry.objects.filter(dossier=in_review).first()
    entry.comment = "réécrit"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        HistoryEntry.objects.filter(dossier=in_review).update(comment="x")
    with pytest.raises(TypeError):
        in_review.history.all().delete()
    with pytest.raises(TypeError):
        HistoryEntry.objects.all().delete()
    assert HistoryEntry.objects.filter(dossier=in_review).count() == 2


def test_state_field_cannot_be_assigned_directly(in_review):
    with pytest.raises(AttributeError):
        in_review.state = S.DECIDED


def test_refused_transition_writes_no_history(submitted, lead):
    with pytest.raises(Exception):  # noqa: B017 - Forbidden
        transition(submitted, "start_caresp_review", lead)
    assert HistoryEntry.objects.filter(dossier=submitted).count() == 1


# ---------------------------------------------------------------- e-mails


@pytest.fixture
def everyone(lead, caresp, caresp2, instructor, decider):
    instructor2 = UserFactory(username="instructeur2", roles=[Role.ARS_INSTRUCTOR])
    return {"instructor2": instructor2}


def test_submit_mails_the_lead_and_the_ars(
    django_capture_on_commit_callbacks, filiere, lead, instructor, caresp
):
    filiere.region.notification_emails = ["filieres@ars.example.fr"]
    filiere.region.save()
    dossier = complete_dossier(filiere=filiere)
    with django_capture_on_commit_callbacks(execute=True):
        transition(dossier, "submit", lead)
    assert {m.to[0] for m in mail.outbox} == {
        lead.email,
        instructor.email,
        "filieres@ars.example.fr",
    }
    to_lead = _mails_to(lead.email)[0]
    assert to_lead.subject.endswith("Dossier déposé : Nord Finistère")
    assert "n'est plus modifiable" in to_lead.body
    assert f"/dossiers/{dossier.pk}/" in to_lead.body
    to_staff = _mails_to(instructor.email)[0]
    assert f"/dossiers/{dossier.pk}/#instruction" in to_staff.body


def test_caresp_review_mails_every_caresp_reviewer_while_nobody_is_assigned(
    django_capture_on_commit_callbacks, submitted, lead, instructor, caresp, caresp2
):
    with django_capture_on_commit_callbacks(execute=True):
        transition(submitted, "start_caresp_review", instructor)
    assert {m.to[0] for m in mail.outbox} == {lead.email, caresp.email, caresp2.email}
    assert "est entré en revue par la CARESP" in _mails_to(caresp.email)[0].body


def test_caresp_review_mails_only_the_assigned_reviewers(
    django_capture_on_commit_callbacks, submitted, lead, instructor, caresp, caresp2
):
    assign_reviewer(submitted, instructor, caresp)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        transition(submitted, "start_caresp_review", instructor, comment="Bonne lecture")
    assert {m.to[0] for m in mail.outbox} == {lead.email, caresp.email}
    assert "Commentaire : Bonne lecture" in _mails_to(caresp.email)[0].body


def test_completion_request_mails_the_lead_with_message_and_due_date(
    django_capture_on_commit_callbacks, in_review, lead, instructor, caresp, caresp2
):
    assign_reviewer(in_review, instructor, caresp)
    mail.outbox = []
    due = dt.date(timezone.localdate().year + 1, 3, 14)
    with django_capture_on_commit_callbacks(execute=True):
        transition(
            in_review,
            "return_for_completion",
            instructor,
            comment="Merci de joindre la convention signée.",
            due_date=due,
        )
    # The lead, the assigned reviewer; not the instructor who sent it, nor caresp2.
    assert {m.to[0] for m in mail.outbox} == {lead.email, caresp.email}
    to_lead = _mails_to(lead.email)[0]
    assert to_lead.subject.endswith("Compléments demandés pour votre dossier")
    assert "Merci de joindre la convention signée." in to_lead.body
    assert f"avant le 14 mars {due.year}" in to_lead.body
    to_reviewer = _mails_to(caresp.email)[0]
    assert "Compléments demandés au porteur : Nord Finistère" in to_reviewer.subject
    assert "Les évaluations sont suspendues" in to_reviewer.body


def test_resubmit_mails_instructors_and_assigned_reviewers(
    django_capture_on_commit_callbacks, filiere, lead, instructor, caresp, caresp2
):
    dossier = dossier_in_state(
        "returned_from_ars", filiere=filiere, lead=lead, instructor=instructor
    )
    assign_reviewer(dossier, instructor, caresp2)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        transition(dossier, "resubmit", lead)
    assert {m.to[0] for m in mail.outbox} == {lead.email, instructor.email, caresp2.email}
    body = _mails_to(caresp2.email)[0].body
    assert "reprend son instruction à l'étape « Analyse ARS »" in body
    assert "Les changements depuis le dépôt précédent" in body


def test_start_ars_analysis_mails_other_instructors_not_the_actor(
    django_capture_on_commit_callbacks, in_review, lead, instructor, everyone, caresp
):
    with django_capture_on_commit_callbacks(execute=True):
        transition(in_review, "start_ars_analysis", instructor)
    assert {m.to[0] for m in mail.outbox} == {lead.email, everyone["instructor2"].email}
    assert "est entré en analyse par l'ARS" in mail.outbox[0].body


def test_withdraw_and_decide_mails(
    django_capture_on_commit_callbacks, filiere, lead, instructor, decider
):
    dossier = dossier_in_state(S.ARS_ANALYSIS, filiere=filiere, lead=lead, instructor=instructor)
    with django_capture_on_commit_callbacks(execute=True):
        transition(dossier, "decide", decider, outcome="partially_accepted")
    assert {m.to[0] for m in mail.outbox} == {lead.email, instructor.email}
    assert "partiellement accepté" in _mails_to(lead.email)[0].body
    assert "Le courrier de décision vous sera transmis" in _mails_to(lead.email)[0].body


def test_withdraw_mails_the_lead_the_ars_and_assigned_reviewers(
    django_capture_on_commit_callbacks, in_review, lead, instructor, caresp, caresp2
):
    in_review.filiere.region.notification_emails = ["filieres@ars.example.fr"]
    in_review.filiere.region.save()
    assign_reviewer(in_review, instructor, caresp2)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        transition(in_review, "withdraw", lead, comment="La filière se réorganise.")
    assert {m.to[0] for m in mail.outbox} == {
        lead.email,
        instructor.email,
        caresp2.email,
        "filieres@ars.example.fr",
    }
    body = _mails_to(instructor.email)[0].body
    assert "a été retiré par le porteur" in body
    assert "Commentaire : La filière se réorganise." in body
    assert _mails_to(lead.email)[0].subject.endswith("Dossier retiré : Nord Finistère")


def test_each_recipient_gets_a_separate_message(
    django_capture_on_commit_callbacks, submitted, instructor, caresp, caresp2
):
    with django_capture_on_commit_callbacks(execute=True):
        transition(submitted, "start_caresp_review", instructor)
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)


def test_mail_failure_does_not_undo_the_transition(
    django_capture_on_commit_callbacks, settings, submitted, instructor
):
    settings.EMAIL_BACKEND = "tests.dossiers.failing_backend.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        dossier = transition(submitted, "start_caresp_review", instructor)
    dossier.refresh_from_db()
    assert dossier.state == S.CARESP_REVIEW
