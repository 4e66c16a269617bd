"""The dossier JSON uses exactly api.md's names; lists keep a fixed number of queries;
the OpenAPI schema documents every endpoint."""

import pytest

from dossiers.domain.transitions import transition
from tests.factories import (
    FiliereFactory,
    FundingLineFactory,
    ProjectFactory,
    UserFactory,
    complete_dossier,
)

# api.md, "A dossier's JSON", then the extra keys the platform adds (documented).
TOP = {"id", "campaign", "filiere", "state", "outcome", "version", "submitted_at",
       "identity", "diagnostic", "swot", "projects", "totals"}  # fmt: skip
TOP_EXTRA = {"attachments", "recognised"}
IDENTITY = {"name", "lead_structure", "coordinator", "members", "governance", "convention_signed"}
LEAD_STRUCTURE = {"name", "finess", "legal_status"}
COORDINATOR = {"name", "email", "phone"}
MEMBER = {"type", "name", "finess", "siret", "role"}
DIAGNOSTIC = {"population", "minors", "over_75", "area_km2", "access_notes", "lisp_beds",
              "usp_beds", "emsp_count", "had_count", "ehpad_count", "ehpad_residents",
              "dac_count", "cpts_count", "volunteer_associations", "missions"}  # fmt: skip
# From the call (docs/api-applicant.md), beyond api.md's names.
DIAGNOSTIC_EXTRA = {"had_patients", "other_housing_count", "specialised_team_establishments",
                    "needs", "levers", "corrective_actions", "prospective"}  # fmt: skip
LEAD_STRUCTURE_EXTRA = {"address", "representative_name", "representative_title"}
MISSION = {"code", "status", "comment"}
SWOT = {"strengths", "weaknesses", "opportunities", "threats"}
PROJECT = {"id", "priority", "title", "objectives", "actions", "start", "end", "pilot",
           "partners", "indicators", "lines"}  # fmt: skip
PROJECT_EXTRA = {"swot_items", "missions", "version"}
LINE = {"id", "label", "nature", "category", "etp", "amount", "first_year",
        "beneficiary_finess", "proposed", "granted"}  # fmt: skip
LINE_EXTRA = {"staff_profile", "proposal_opinion", "start_month", "version"}
TOTALS = {"requested_recurring", "requested_one_off", "granted_recurring", "granted_one_off"}
MISSION_CODES = ["graduated_offer", "emsp_coverage", "specialised_consultations", "day_hospital",
                 "paediatric_expertise", "territorial_support", "rcp", "palliative_emergencies",
                 "volunteers", "carer_support", "bereavement", "training",
                 "professional_support"]  # fmt: skip


def test_full_dossier_matches_api_md(api, filiere, lead):
    dossier = complete_dossier(filiere=filiere)
    FundingLineFactory(
        project=dossier.projects.get(), nature="one_off", category="investment", amount="1999.9"
    )
    body = api.get(f"dossiers/{dossier.id}").json()
    assert set(body) == TOP | TOP_EXTRA
    assert set(body["identity"]) == IDENTITY
    assert set(body["identity"]["lead_structure"]) == LEAD_STRUCTURE | LEAD_STRUCTURE_EXTRA
    assert set(body["identity"]["coordinator"]) == COORDINATOR
    assert all(set(m) == MEMBER for m in body["identity"]["members"])
    assert body["identity"]["members"][1]["role"] == "requérant"
    assert set(body["diagnostic"]) == DIAGNOSTIC | DIAGNOSTIC_EXTRA
    assert [m["code"] for m in body["diagnostic"]["missions"]] == MISSION_CODES
    assert all(set(m) == MISSION for m in body["diagnostic"]["missions"])
    assert set(body["swot"]) == SWOT
    project = body["projects"][0]
    assert set(project) == PROJECT | PROJECT_EXTRA
    assert all(set(line) == LINE | LINE_EXTRA for line in project["lines"])
    assert set(body["totals"]) == TOTALS
    assert body["totals"] == {
        "requested_recurring": "52000.00",
        "requested_one_off": "1999.90",
        "granted_recurring": None,
        "granted_one_off": None,
    }
    line = project["lines"][0]
    assert (line["nature"], line["category"], line["amount"], line["etp"]) == (
        "recurring",
        "staff",
        "52000.00",
        "1.00",
    )
    assert isinstance(body["diagnostic"]["population"], int)


def test_created_dossier_has_the_same_shape(api, filiere):
    body = api.post("dossiers", {"campaign": "bretagne-2025", "filiere": "nord-finistere"}).json()
    assert set(body) == TOP | TOP_EXTRA
    assert set(body["identity"]) >= {"name"}
    assert set(body["diagnostic"]) == DIAGNOSTIC | DIAGNOSTIC_EXTRA
    assert set(body["swot"]) == SWOT
    assert body["totals"]["requested_recurring"] == "0.00"


def test_dossier_list_shape_and_fixed_queries(
    api_as, instructor, campaign, django_assert_max_num_queries
):
    client = api_as(instructor)

    def make(n):
        for _ in range(n):
            filiere = FiliereFactory(campaign=campaign)
            user = UserFactory(roles=["filiere_lead"])
            filiere.editors.add(user)
            dossier = complete_dossier(filiere=filiere)
            FundingLineFactory(
                project=ProjectFactory(dossier=dossier, priority=2),
                nature="one_off",
                amount="1000.50",
            )
            transition(dossier, "submit", user)

    make(2)
    # 8: the token's own queries include the brute-force throttle's check (audit); the
    # list's COUNT (X-Total-Count) and the page's totals (summed for the page's dossiers
    # only) are one query each.
    with django_assert_max_num_queries(8) as few:
        small = client.get("dossiers").json()
    make(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        big = client.get("dossiers").json()
    assert len(small) == 2 and len(big) == 10
    row = big[0]
    assert set(row) == {"id", "campaign", "filiere", "state", "outcome", "version",
                        "submitted_at", "totals"}  # fmt: skip
    assert row["totals"] == {
        "requested_recurring": "52000.00",
        "requested_one_off": "1000.50",
        "granted_recurring": "0.00",
        "granted_one_off": "0.00",
    }
    assert client.get("dossiers", state="draft").json() == []
    assert len(client.get("dossiers", state="submitted", campaign="bretagne-2025").json()) == 10
    assert client.get("dossiers", campaign="autre").json() == []
    bad = client.get("dossiers", state="perdu")
    assert bad.status_code == 400 and "state" in bad.json()["errors"]


def test_dossier_detail_fixed_queries(api, filiere, django_assert_max_num_queries):
    dossier = complete_dossier(filiere=filiere)
    # 9: the token's own queries include the brute-force throttle's check (audit).
    with django_assert_max_num_queries(9) as few:
        api.get(f"dossiers/{dossier.id}")
    for priority in range(2, 12):
        FundingLineFactory.create_batch(
            3, project=ProjectFactory(dossier=dossier, priority=priority)
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = api.get(f"dossiers/{dossier.id}").json()
    assert len(body["projects"]) == 11


# --- OpenAPI -----------------------------------------------------------------------------------

ENDPOINTS = {
    "/api/v1/campaigns": {"get"},
    "/api/v1/campaigns/{slug}": {"get"},
    "/api/v1/campaigns/{slug}/territories": {"get"},
    "/api/v1/campaigns/{slug}/filieres": {"get"},
    "/api/v1/campaigns/{slug}/extensions": {"post"},
    "/api/v1/dossiers": {"get", "post"},
    "/api/v1/dossiers/{id}": {"get", "patch"},
    "/api/v1/dossiers/{id}/projects": {"post"},
    "/api/v1/dossiers/{id}/projects/{pid}": {"patch", "delete"},
    "/api/v1/dossiers/{id}/projects/{pid}/lines": {"post"},
    "/api/v1/dossiers/{id}/projects/{pid}/lines/{lid}": {"patch", "delete"},
    "/api/v1/dossiers/{id}/attachments": {"post"},
    "/api/v1/dossiers/{id}/attachments/{aid}": {"get"},
    "/api/v1/dossiers/{id}/check": {"get"},
    "/api/v1/dossiers/{id}/transitions": {"get"},
    "/api/v1/dossiers/{id}/transitions/{name}": {"post"},
    "/api/v1/dossiers/{id}/history": {"get"},
    "/api/v1/dossiers/{id}/snapshots": {"get"},
    "/api/v1/dossiers/{id}/snapshots/{n}": {"get"},
}


@pytest.fixture
def openapi(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def resolve(schema, openapi):
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return openapi["components"]["schemas"][name]
    return schema


def test_openapi_lists_every_endpoint_with_schemas(openapi):
    for path, methods in ENDPOINTS.items():
        assert path in openapi["paths"], path
        operations = openapi["paths"][path]
        assert methods <= set(operations), (path, set(operations))
        for method in methods:
            operation = operations[method]
            assert operation.get("summary"), (path, method)
            success = {"200", "201", "204"} & set(operation["responses"])
            assert success, (path, method)
            for code in ("401",):
                assert code in operation["responses"], (path, method)
            if method in ("post", "patch") and not path.endswith(("/transitions/{name}",)):
                assert "requestBody" in operation, (path, method)


def test_openapi_documents_the_dossier_and_money(openapi):
    schemas = openapi["components"]["schemas"]
    dossier = schemas["DossierOut"]["properties"]
    assert TOP <= set(dossier)
    line_in = schemas["LineIn"]["properties"]
    amount = line_in["amount"]["anyOf"][0]
    assert amount["type"] == "string" and amount["pattern"]
    identity = resolve(dossier["identity"], openapi)["properties"]
    assert IDENTITY <= set(identity)
    patch = openapi["paths"]["/api/v1/dossiers/{id}"]["patch"]
    body = patch["requestBody"]["content"]["application/json"]["schema"]
    assert "version" in resolve(body, openapi)["required"]
    upload = openapi["paths"]["/api/v1/dossiers/{id}/attachments"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    error = schemas["ErrorOut"]["properties"]
    assert set(error) == {"detail", "errors"}
