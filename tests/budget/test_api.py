"""The budget API (api.md): proposal, decision, budget, delegations, envelopes; every role."""

from decimal import Decimal

import pytest
from django.core import mail

from accounts.models import ApiToken
from budget.domain.decisions import decide
from common.identifiers import finess_with_key
from dossiers.enums import DossierState
from tests.budget.conftest import ONE_OFF, REC, grant_all, lines_of, make_dossier

ROLES = ["lead", "other_lead", "caresp", "instructor", "decider", "admin_user", "outsider"]
FINESS = finess_with_key("29000001")


@pytest.fixture
def call_as(request, client):
    """Call the API as one of the conftest users (bearer token), or anonymously."""

    def call(who, method, url, json=None):
        headers = {}
        if who != "anonymous":
            _token, raw = ApiToken.issue(request.getfixturevalue(who))
            headers["Authorization"] = f"Bearer {raw}"
        return getattr(client, method)(
            url, data=json, content_type="application/json", headers=headers
        )

    return call


def proposal_body(dossier):
    return {
        "lines": [
            {"line": line.pk, "proposed": "1000.00", "opinion": "favourable"}
            for line in lines_of(dossier)
        ]
    }


def decision_body(dossier, amounts=None, outcome="accepted"):
    return {"outcome": outcome, "lines": grant_all(dossier, amounts), "comment": "Motivation."}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("lead", 403),
        ("other_lead", 404),
        ("caresp", 403),
        ("instructor", 200),
        ("decider", 403),
        ("admin_user", 403),
        ("outsider", 404),
    ],
)
def test_put_proposal_per_role(call_as, analysed, who, status):
    response = call_as(
        who, "put", f"/api/v1/dossiers/{analysed.pk}/proposal", proposal_body(analysed)
    )
    assert response.status_code == status, response.content
    body = response.json()
    proposed = [line.proposed for line in lines_of(analysed)]
    if status == 200:
        assert proposed == [Decimal("1000.00"), Decimal("1000.00")]
        assert body["projects"][0]["lines"][0]["proposed"] == "1000.00"
        assert body["projects"][0]["lines"][0]["proposal_opinion"] == "favourable"
    else:
        assert set(body) == {"detail", "errors"}
        assert proposed == [None, None]
        assert "1000" not in response.content.decode()


def test_proposal_errors(call_as, campaign, instructor, analysed):
    url = f"/api/v1/dossiers/{analysed.pk}/proposal"
    body = proposal_body(analysed)
    body["lines"][0]["proposed"] = "1e3"
    response = call_as("instructor", "put", url, body)
    assert response.status_code == 400
    assert "lines.0.proposed" in response.json()["errors"]
    body["lines"][0]["proposed"] = 1000.5
    response = call_as("instructor", "put", url, body)
    assert response.status_code == 400
    assert "lines.0.proposed" in response.json()["errors"]
    submitted = make_dossier(campaign, instructor, [(REC, "1000.00")], state="submitted")
    response = call_as(
        "instructor", "put", f"/api/v1/dossiers/{submitted.pk}/proposal", proposal_body(submitted)
    )
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Proposition impossible")
    unknown = "/api/v1/dossiers/999999/proposal"
    assert call_as("instructor", "put", unknown, proposal_body(analysed)).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("lead", 403),
        ("other_lead", 404),
        ("caresp", 403),
        ("instructor", 403),
        ("decider", 200),
        ("admin_user", 403),
        ("outsider", 404),
    ],
)
def test_post_decision_per_role(call_as, analysed, who, status, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = call_as(
            who, "post", f"/api/v1/dossiers/{analysed.pk}/decision", decision_body(analysed)
        )
    assert response.status_code == status, response.content
    analysed.refresh_from_db()
    if status == 200:
        body = response.json()
        assert (body["state"], body["outcome"]) == ("decided", "accepted")
        assert body["totals"]["granted_recurring"] == "52000.00"
        assert body["projects"][0]["lines"][0]["start_month"] == "2025-07-01"
        assert any("Décision rendue" in m.subject for m in mail.outbox)
    else:
        assert analysed.state == DossierState.ARS_ANALYSIS
        assert [line.granted for line in lines_of(analysed)] == [None, None]


def test_decision_overflow_is_409_with_the_overflow(call_as, campaign, instructor, decider):
    first = make_dossier(campaign, instructor, [(REC, "1599999.99")])
    decide(first, decider, "accepted", grant_all(first), "Accord.")
    second = make_dossier(campaign, instructor, [(REC, "1.00"), (ONE_OFF, "1.00")])
    url = f"/api/v1/dossiers/{second.pk}/decision"
    response = call_as("decider", "post", url, decision_body(second, ["0.02", "1.00"], "accepted"))
    assert response.status_code == 400  # 0.02 > 1.00 requested? no: outcome incoherent
    response = call_as(
        "decider", "post", url, decision_body(second, ["0.02", "1.00"], "partially_accepted")
    )
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Décision refusée : l'enveloppe reconductible serait dépassée de 0,01\u00a0€."
    )
    assert list(response.json()["errors"]) == ["recurring"]
    response = call_as(
        "decider", "post", url, decision_body(second, ["0.01", "1.00"], "partially_accepted")
    )
    assert response.status_code == 200
    assert response.json()["totals"]["granted_recurring"] == "0.01"


def test_decision_validation_errors(call_as, analysed):
    url = f"/api/v1/dossiers/{analysed.pk}/decision"
    body = decision_body(analysed)
    body["lines"] = body["lines"][:1]
    response = call_as("decider", "post", url, body)
    assert response.status_code == 400
    assert "il manque" in response.json()["errors"]["lines"][0]
    body = decision_body(analysed, ["52000.01", "10000"])
    response = call_as("decider", "post", url, body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["lines.0.justification"]
    body["lines"][0]["justification"] = "Revalorisation."
    assert call_as("decider", "post", url, body).status_code == 200
    assert call_as("decider", "post", url, body).status_code == 409


def test_decision_body_shape_errors_are_400(call_as, analysed):
    url = f"/api/v1/dossiers/{analysed.pk}/decision"
    response = call_as("decider", "post", url, {"outcome": "accepted"})
    assert response.status_code == 400
    assert response.json()["errors"]["lines"] == ["Ce champ est obligatoire."]
    body = decision_body(analysed)
    body["lines"][0]["granted"] = 52000
    assert call_as("decider", "post", url, body).status_code == 400


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("lead", 403),
        ("other_lead", 403),
        ("caresp", 403),
        ("instructor", 200),
        ("decider", 200),
        ("admin_user", 200),
        ("outsider", 403),
    ],
)
def test_get_budget_per_role(call_as, analysed, who, status):
    response = call_as(who, "get", "/api/v1/campaigns/bretagne-2025/budget")
    assert response.status_code == status
    if status != 200:
        assert "52000" not in response.content.decode()


def test_budget_content_is_money_as_strings(call_as, campaign, analysed, decider, territories):
    decide(analysed, decider, "accepted", grant_all(analysed), "Accord.")
    body = call_as("instructor", "get", "/api/v1/campaigns/bretagne-2025/budget").json()
    assert body["campaign"] == "bretagne-2025"
    assert body["recurring"] == {
        "envelope": "1600000.00",
        "requested": "52000.00",
        "proposed": "0.00",
        "granted": "52000.00",
        "delegated": "0.00",
        "remaining": "1548000.00",
        "proposed_pending": "0.00",
    }
    assert body["one_off"]["remaining"] == "390000.00"
    assert body["by_year"][0] == {
        "year": 2025,
        "recurring": "26000.00",
        "one_off": "10000.00",  # its start month (2025-07-01) sets its year
        "total": "36000.00",
        "recurring_envelope": "1600000.00",
        "delegated": "0.00",
    }
    assert body["by_year"][1]["recurring"] == "52000.00"
    assert {row["label"] for row in body["by_territory"]} >= {
        "T1 — Brest",
        "Sans territoire renseigné",
    }
    assert body["first_delegation_date"] is None
    assert body["planned_first_delegation_date"] == "2025-07-15"
    assert call_as("instructor", "get", "/api/v1/campaigns/inconnue/budget").status_code == 404


@pytest.fixture
def granted_line(campaign, instructor, decider):
    dossier = make_dossier(campaign, instructor, [(REC, "52000.00")])
    decide(dossier, decider, "accepted", grant_all(dossier), "Accord.")
    return lines_of(dossier)[0]


def delegation_body(line, amount="26000.00"):
    return {
        "line": line.pk,
        "amount": amount,
        "date": "2025-07-15",
        "instrument": "fir_arrete",
        "beneficiary_finess": FINESS,
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("lead", 403),
        ("other_lead", 403),
        ("caresp", 403),
        ("instructor", 403),
        ("decider", 201),
        ("admin_user", 403),
        ("outsider", 403),
    ],
)
def test_post_delegation_per_role(call_as, granted_line, who, status):
    response = call_as(who, "post", "/api/v1/delegations", delegation_body(granted_line))
    assert response.status_code == status
    if status == 201:
        body = response.json()
        assert body["amount"] == "26000.00"
        assert body["line_granted"] == "52000.00" and body["line_delegated"] == "26000.00"
        assert body["instrument"] == "fir_arrete" and body["date"] == "2025-07-15"


def test_delegation_above_granted_is_409(call_as, granted_line):
    assert (
        call_as("decider", "post", "/api/v1/delegations", delegation_body(granted_line)).status_code
        == 201
    )
    response = call_as(
        "decider", "post", "/api/v1/delegations", delegation_body(granted_line, "26000.01")
    )
    assert response.status_code == 409
    assert "dépasserait le montant accordé de 0,01\u00a0€" in response.json()["detail"]
    body = delegation_body(granted_line)
    body["beneficiary_finess"] = "290000018"
    response = call_as("decider", "post", "/api/v1/delegations", body)
    assert response.status_code == 400
    assert "beneficiary_finess" in response.json()["errors"]
    listing = call_as("instructor", "get", "/api/v1/campaigns/bretagne-2025/delegations").json()
    assert [(d["amount"], d["line_delegated"]) for d in listing] == [("26000.00", "26000.00")]
    budget = call_as("decider", "get", "/api/v1/campaigns/bretagne-2025/budget").json()
    assert budget["first_delegation_date"] == "2025-07-15"
    assert budget["recurring"]["delegated"] == "26000.00"


def test_delegations_page_shows_each_lines_whole_delegated_total(call_as, granted_line):
    """A page of one delegation still says what was delegated on its line in all."""
    for amount in ("10000.00", "6000.00"):
        body = delegation_body(granted_line, amount)
        assert call_as("decider", "post", "/api/v1/delegations", body).status_code == 201
    url = "/api/v1/campaigns/bretagne-2025/delegations?limit=1"
    first = call_as("instructor", "get", url)
    second = call_as("instructor", "get", url + "&offset=1")
    assert first.headers["X-Total-Count"] == second.headers["X-Total-Count"] == "2"
    assert 'rel="next"' in first.headers["Link"] and "Link" not in second.headers
    rows = first.json() + second.json()
    assert [(d["amount"], d["line_delegated"]) for d in rows] == [
        ("10000.00", "16000.00"),
        ("6000.00", "16000.00"),
    ]


@pytest.mark.parametrize(
    ("who", "list_status", "amend_status"),
    [
        ("anonymous", 401, 401),
        ("lead", 403, 403),
        ("caresp", 403, 403),
        ("instructor", 200, 403),
        ("decider", 200, 201),
        ("admin_user", 200, 201),
        ("outsider", 403, 403),
    ],
)
def test_envelopes_per_role(call_as, campaign, who, list_status, amend_status):
    assert (
        call_as(who, "get", "/api/v1/campaigns/bretagne-2025/envelopes").status_code == list_status
    )
    response = call_as(
        who,
        "post",
        "/api/v1/campaigns/bretagne-2025/envelopes/recurring/amendments",
        {"new_amount": "1800000", "date": "2025-09-01", "reason": "Stratégie décennale."},
    )
    assert response.status_code == amend_status
    if amend_status == 201:
        body = response.json()
        assert body["amount"] == "1800000.00"
        assert [
            (a["previous_amount"], a["new_amount"], a["reason"]) for a in body["amendments"]
        ] == [("1600000.00", "1800000.00", "Stratégie décennale.")]


def test_amendment_below_granted_is_409(call_as, granted_line):
    url = "/api/v1/campaigns/bretagne-2025/envelopes/recurring/amendments"
    body = {"new_amount": "51999.99", "date": "2025-09-01", "reason": "Gel."}
    response = call_as("decider", "post", url, body)
    assert response.status_code == 409
    assert "de 0,01\u00a0€" in response.json()["detail"]
    body["new_amount"] = "52000"
    assert call_as("decider", "post", url, body).status_code == 201
    envelopes = call_as("decider", "get", "/api/v1/campaigns/bretagne-2025/envelopes").json()
    assert [(e["kind"], e["amount"], e["remaining"]) for e in envelopes] == [
        ("recurring", "52000.00", "0.00"),
        ("one_off", "400000.00", "400000.00"),
    ]
    unknown = "/api/v1/campaigns/bretagne-2025/envelopes/autre/amendments"
    assert call_as("decider", "post", unknown, body).status_code == 404


def test_openapi_lists_the_budget_endpoints(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/dossiers/{dossier_id}/proposal",
        "/api/v1/dossiers/{dossier_id}/decision",
        "/api/v1/campaigns/{slug}/budget",
        "/api/v1/delegations",
    ]:
        assert path in paths
