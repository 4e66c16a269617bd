"""Every dossier endpoint × every role, with the exact status codes of api.md."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dossiers.domain.attachments import add_attachment
from dossiers.domain.transitions import transition
from dossiers.models import Dossier, FundingLine
from tests.api_client import EDITORS, PDF, ROLES, STAFF, upload
from tests.factories import (
    FiliereFactory,
    complete_dossier,
    complete_swot,
    dossier_in_state,
    due_date,
)

OUTSIDERS = {"other_lead", "outsider"}


def statuses(editors, staff, others=404):
    table = {"anonymous": 401}
    for role in EDITORS:
        table[role] = editors
    for role in STAFF:
        table[role] = staff if not isinstance(staff, dict) else staff[role]
    for role in OUTSIDERS:
        table[role] = others
    return table


READ_DRAFT = statuses(200, 404)
READ_SUBMITTED = statuses(200, 200)
WRITE_SUBMITTED = statuses(409, 403)
INSTRUCTOR_ONLY = statuses(403, {"caresp": 403, "instructor": 200, "decider": 403, "admin": 403})
EDITORS_ONLY = statuses(200, 403)


def tomorrow():
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


@pytest.fixture
def attached_draft(filiere, lead):
    """A complete draft with one project, one line and one attachment."""
    dossier = complete_dossier(filiere=filiere)
    add_attachment(dossier, lead, upload("convention.pdf", PDF), "identity")
    dossier.refresh_from_db()
    return dossier


def in_state(dossier, state, lead, instructor):
    """Move a complete draft to `state` through the workflow."""
    return dossier_in_state(
        state,
        dossier=dossier,
        lead=lead,
        instructor=instructor,
        comment="Merci de préciser le budget.",
        due_date=due_date(10),
    )


# (name, state, method, path, body, expected statuses)
CASES = [
    ("get", "draft", "get", "dossiers/{id}", None, READ_DRAFT),
    ("get", "submitted", "get", "dossiers/{id}", None, READ_SUBMITTED),
    (
        "patch",
        "draft",
        "patch",
        "dossiers/{id}",
        lambda c: {"version": c["version"], "swot": complete_swot()},
        statuses(200, 404),
    ),
    (
        "patch",
        "submitted",
        "patch",
        "dossiers/{id}",
        lambda c: {"version": c["version"], "swot": complete_swot()},
        WRITE_SUBMITTED,
    ),
    (
        "patch",
        "returned",
        "patch",
        "dossiers/{id}",
        lambda c: {"version": c["version"], "swot": complete_swot()},
        statuses(200, 403),
    ),
    (
        "add_project",
        "draft",
        "post",
        "dossiers/{id}/projects",
        lambda c: {"title": "Nouvelle fiche", "objectives": "Objectifs"},
        statuses(201, 404),
    ),
    (
        "add_project",
        "submitted",
        "post",
        "dossiers/{id}/projects",
        lambda c: {"title": "Nouvelle fiche", "objectives": "Objectifs"},
        WRITE_SUBMITTED,
    ),
    (
        "edit_project",
        "draft",
        "patch",
        "dossiers/{id}/projects/{pid}",
        lambda c: {"title": "Fiche renommée"},
        statuses(200, 404),
    ),
    (
        "edit_project",
        "submitted",
        "patch",
        "dossiers/{id}/projects/{pid}",
        lambda c: {"title": "Fiche renommée"},
        WRITE_SUBMITTED,
    ),
    ("delete_project", "draft", "delete", "dossiers/{id}/projects/{pid}", None, statuses(204, 404)),
    (
        "delete_project",
        "submitted",
        "delete",
        "dossiers/{id}/projects/{pid}",
        None,
        WRITE_SUBMITTED,
    ),
    (
        "add_line",
        "draft",
        "post",
        "dossiers/{id}/projects/{pid}/lines",
        lambda c: {"label": "Formation", "nature": "one_off", "amount": "1500.50"},
        statuses(201, 404),
    ),
    (
        "add_line",
        "submitted",
        "post",
        "dossiers/{id}/projects/{pid}/lines",
        lambda c: {"label": "Formation", "nature": "one_off", "amount": "1500.50"},
        WRITE_SUBMITTED,
    ),
    (
        "edit_line",
        "draft",
        "patch",
        "dossiers/{id}/projects/{pid}/lines/{lid}",
        lambda c: {"amount": "60000"},
        statuses(200, 404),
    ),
    (
        "edit_line",
        "submitted",
        "patch",
        "dossiers/{id}/projects/{pid}/lines/{lid}",
        lambda c: {"amount": "60000"},
        WRITE_SUBMITTED,
    ),
    (
        "delete_line",
        "draft",
        "delete",
        "dossiers/{id}/projects/{pid}/lines/{lid}",
        None,
        statuses(204, 404),
    ),
    (
        "delete_line",
        "submitted",
        "delete",
        "dossiers/{id}/projects/{pid}/lines/{lid}",
        None,
        WRITE_SUBMITTED,
    ),
    ("upload", "draft", "upload", "dossiers/{id}/attachments", None, statuses(201, 404)),
    ("upload", "submitted", "upload", "dossiers/{id}/attachments", None, WRITE_SUBMITTED),
    ("download", "draft", "get", "dossiers/{id}/attachments/{aid}", None, READ_DRAFT),
    ("download", "submitted", "get", "dossiers/{id}/attachments/{aid}", None, READ_SUBMITTED),
    ("check", "draft", "get", "dossiers/{id}/check", None, READ_DRAFT),
    ("check", "submitted", "get", "dossiers/{id}/check", None, READ_SUBMITTED),
    ("transitions", "draft", "get", "dossiers/{id}/transitions", None, READ_DRAFT),
    ("transitions", "submitted", "get", "dossiers/{id}/transitions", None, READ_SUBMITTED),
    ("history", "draft", "get", "dossiers/{id}/history", None, READ_DRAFT),
    ("history", "submitted", "get", "dossiers/{id}/history", None, READ_SUBMITTED),
    ("snapshots", "draft", "get", "dossiers/{id}/snapshots", None, READ_DRAFT),
    ("snapshots", "submitted", "get", "dossiers/{id}/snapshots", None, READ_SUBMITTED),
    ("snapshot", "submitted", "get", "dossiers/{id}/snapshots/1", None, READ_SUBMITTED),
    (
        "submit",
        "draft",
        "post",
        "dossiers/{id}/transitions/submit",
        lambda c: {},
        statuses(200, 404),
    ),
    (
        "submit_again",
        "submitted",
        "post",
        "dossiers/{id}/transitions/submit",
        lambda c: {},
        statuses(409, 403),
    ),
    (
        "start_caresp_review",
        "submitted",
        "post",
        "dossiers/{id}/transitions/start_caresp_review",
        None,
        INSTRUCTOR_ONLY,
    ),
    (
        "start_ars_analysis",
        "caresp_review",
        "post",
        "dossiers/{id}/transitions/start_ars_analysis",
        None,
        INSTRUCTOR_ONLY,
    ),
    (
        "return_for_completion",
        "ars_analysis",
        "post",
        "dossiers/{id}/transitions/return_for_completion",
        lambda c: {"comment": "Précisez le budget.", "due_date": tomorrow()},
        INSTRUCTOR_ONLY,
    ),
    (
        "resubmit",
        "returned",
        "post",
        "dossiers/{id}/transitions/resubmit",
        lambda c: {},
        EDITORS_ONLY,
    ),
    (
        "withdraw",
        "submitted",
        "post",
        "dossiers/{id}/transitions/withdraw",
        lambda c: {"comment": "Nous retirons notre candidature."},
        EDITORS_ONLY,
    ),
    (
        "decide_is_not_here",
        "ars_analysis",
        "post",
        "dossiers/{id}/transitions/decide",
        lambda c: {"comment": "Décision"},
        statuses(404, 404),
    ),
    (
        "unknown_transition",
        "submitted",
        "post",
        "dossiers/{id}/transitions/approve",
        lambda c: {},
        statuses(404, 404),
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "name, state, method, path, body, expected",
    CASES,
    ids=[f"{case[0]}-{case[1]}" for case in CASES],
)
def test_endpoint_by_role(
    role,
    name,
    state,
    method,
    path,
    body,
    expected,
    people,
    api_as,
    attached_draft,
    lead,
    instructor,
):
    dossier = in_state(attached_draft, state, lead, instructor)
    project = dossier.projects.get()
    context = {
        "id": dossier.id,
        "pid": project.id,
        "lid": project.lines.get().id,
        "aid": dossier.attachments.get().id,
        "version": dossier.version,
    }
    client = api_as(people[role])
    url = path.format(**context)
    if method == "upload":
        response = client.upload(url, PDF, name="budget.pdf", section="projects")
    elif method in ("get", "delete"):
        response = getattr(client, method)(url)
    else:
        response = getattr(client, method)(url, body(context) if body else None)
    assert response.status_code == expected[role], (role, response.content[:300])
    if response.status_code >= 400:
        assert set(response.json()) == {"detail", "errors"}
        assert response.json()["detail"]
        if method not in ("get",) and name not in {"submit", "withdraw", "resubmit"}:
            assert Dossier.objects.get(pk=dossier.pk).version == dossier.version


@pytest.mark.parametrize("role", ROLES)
def test_dossier_list_by_role(role, people, api_as, attached_draft, campaign, lead, instructor):
    other_filiere = campaign.filieres.get(slug="cornouaille")
    other_submitted = transition(
        complete_dossier(filiere=other_filiere), "submit", people["other_lead"]
    )
    third_draft = complete_dossier(filiere=FiliereFactory(campaign=campaign, slug="trégor"))
    response = api_as(people[role]).get("dossiers")
    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    seen = {row["id"] for row in response.json()}
    expected = {
        "lead": {attached_draft.id},
        "co_editor": {attached_draft.id},
        "other_lead": {other_submitted.id},
        "outsider": set(),
    }.get(role, {other_submitted.id})
    assert seen == expected
    assert third_draft.id not in seen


@pytest.mark.parametrize("role", sorted(set(ROLES) - {"anonymous", "outsider"}))
def test_dossier_list_rows_show_what_each_dossier_shows(
    role, people, api_as, campaign, filiere, lead, other_lead, instructor, decider
):
    """Each row's outcome and granted totals are shown as in the dossier's own document:
    the decision once notified, the ARS before; never to a filière's own editors before.
    Includes an instructor who also writes for a filière (separation of duties)."""
    decided = dossier_in_state("decided", filiere=filiere, lead=lead, decider=decider)
    in_analysis = dossier_in_state(
        "ars_analysis", filiere=campaign.filieres.get(slug="cornouaille"), lead=other_lead
    )
    FundingLine.objects.filter(project__dossier__in=[decided, in_analysis]).update(
        granted=Decimal("1234.50")
    )
    own = FiliereFactory(campaign=campaign, slug="trégor")
    own.editors.add(instructor)
    own_dossier = dossier_in_state("ars_analysis", filiere=own)
    FundingLine.objects.filter(project__dossier=own_dossier).update(granted=Decimal("99.00"))
    client = api_as(people[role])
    rows = client.get("dossiers").json()
    assert rows
    for row in rows:
        document = client.get(f"dossiers/{row['id']}").json()
        assert row["outcome"] == document["outcome"], (role, row["state"])
        assert row["totals"] == document["totals"], (role, row["state"])
    shown = {row["id"]: row["totals"]["granted_recurring"] for row in rows}
    if role in {"lead", "co_editor", "caresp"}:
        assert shown.get(decided.id) == "1234.50"
    if role in {"caresp", "other_lead"}:
        assert shown[in_analysis.id] is None
    if role in {"instructor", "decider", "admin"}:
        assert shown[in_analysis.id] == "1234.50"
    if role == "instructor":
        assert shown[own_dossier.id] is None


POST_DOSSIER = {
    "lead": 201,
    "co_editor": 201,
    # Not an editor of that filière: 404, as in the web interface (audit).
    "other_lead": 404,
    "caresp": 404,
    "instructor": 404,
    "decider": 404,
    "admin": 404,
    "outsider": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize("role", ROLES)
def test_create_dossier_by_role(role, people, api_as, filiere):
    response = api_as(people[role]).post(
        "dossiers", {"campaign": "bretagne-2025", "filiere": "nord-finistere"}
    )
    assert response.status_code == POST_DOSSIER[role], response.json()
    if response.status_code == 201:
        assert response.json()["state"] == "draft"
        assert Dossier.objects.get().created_by == people[role]
    else:
        assert not Dossier.objects.exists()
