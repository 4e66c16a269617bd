"""API lists are paginated as api.md says: `?limit=` (default 100, at most 500) and
`?offset=`, the body a bare list, the total in `X-Total-Count`, the next page in
`Link: <…>; rel="next"` — on every list endpoint, described by the OpenAPI schema."""

import re
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from ninja import Schema

from config.api import api as ninja_api
from dossiers.domain.transitions import transition
from tests.factories import (
    FiliereFactory,
    FundingLineFactory,
    ProjectFactory,
    TerritoryFactory,
    UserFactory,
    complete_dossier,
)

LINK = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')


@pytest.fixture
def many_territories(campaign):
    """The campaign's 105 territories: more than one default page."""
    for n in range(105):
        TerritoryFactory(campaign=campaign, code=f"Z{n:03d}", name=f"Territoire {n}")
    return campaign


def next_link(response):
    header = response.headers.get("Link")
    if header is None:
        return None
    match = LINK.match(header)
    assert match, header
    return match["url"]


def test_default_page_is_100_with_the_total_and_a_next_link(api, many_territories):
    response = api.get("campaigns/bretagne-2025/territories")
    assert response.status_code == 200
    body = response.json()
    total = int(response.headers["X-Total-Count"])
    assert isinstance(body, list) and len(body) == 100
    assert total == many_territories.territories.count() >= 105
    url = urlsplit(next_link(response))
    assert url.scheme == "http" and url.netloc == "testserver"
    assert url.path == "/api/v1/campaigns/bretagne-2025/territories"
    assert parse_qs(url.query) == {"limit": ["100"], "offset": ["100"]}


def test_following_the_links_gives_every_item_once_and_the_last_page_has_none(
    api, client, many_territories
):
    everything = api.get("campaigns/bretagne-2025/territories", limit=500)
    assert next_link(everything) is None
    expected = [t["code"] for t in everything.json()]
    seen, totals, pages = [], set(), 0
    response = api.get("campaigns/bretagne-2025/territories", limit=30)
    while True:
        pages += 1
        assert response.status_code == 200
        totals.add(response.headers["X-Total-Count"])
        seen += [t["code"] for t in response.json()]
        url = next_link(response)
        if url is None:
            break
        response = client.get(url, headers=api.headers)
    assert seen == expected
    assert totals == {str(len(expected))}  # the same total on every page
    assert pages == -(-len(expected) // 30)
    assert len(response.json()) == (len(expected) % 30 or 30)


def test_a_page_past_the_end_is_empty_with_the_total(api, many_territories):
    total = many_territories.territories.count()
    response = api.get("campaigns/bretagne-2025/territories", offset=total + 10)
    assert response.status_code == 200
    assert response.json() == []
    assert response.headers["X-Total-Count"] == str(total)
    assert "Link" not in response.headers


def test_an_exact_last_page_has_no_next_link(api, many_territories):
    total = many_territories.territories.count()
    response = api.get("campaigns/bretagne-2025/territories", limit=10, offset=total - 10)
    assert len(response.json()) == 10
    assert "Link" not in response.headers
    assert response.headers["X-Total-Count"] == str(total)


def test_a_short_list_has_its_total_and_no_link(api, campaign):
    response = api.get("campaigns")
    assert response.json() and response.headers["X-Total-Count"] == str(len(response.json()))
    assert "Link" not in response.headers


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "dix"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"limit": "1e2"}, "limit"),
        ({"limit": "9" * 40}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "1000000001"}, "offset"),
        ({"offset": "zéro"}, "offset"),
        ({"offset": "99999999999999999999999"}, "offset"),
    ],
)
def test_bad_limit_or_offset_is_400_in_french(api, campaign, params, field):
    response = api.get("campaigns", **params)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Paramètre de pagination invalide."
    assert list(body["errors"]) == [field]
    assert body["errors"][field][0].startswith("Nombre entier entre ")


def test_bounds_are_accepted(api, many_territories):
    assert len(api.get("campaigns/bretagne-2025/territories", limit=500).json()) > 100
    assert len(api.get("campaigns/bretagne-2025/territories", limit=1).json()) == 1
    assert api.get("campaigns/bretagne-2025/territories", offset=0).status_code == 200
    # Empty values are the defaults.
    assert len(api.get("campaigns/bretagne-2025/territories", limit="", offset="").json()) == 100


def test_next_link_keeps_the_filters(api_as, instructor, campaign):
    for _ in range(3):
        filiere = FiliereFactory(campaign=campaign)
        lead = UserFactory(roles=["filiere_lead"])
        filiere.editors.add(lead)
        dossier = complete_dossier(filiere=filiere)
        transition(dossier, "submit", lead)
    client = api_as(instructor)
    response = client.get("dossiers", campaign="bretagne-2025", state="submitted", limit=2)
    assert response.headers["X-Total-Count"] == "3"
    query = parse_qs(urlsplit(next_link(response)).query)
    assert query == {
        "campaign": ["bretagne-2025"],
        "state": ["submitted"],
        "limit": ["2"],
        "offset": ["2"],
    }


def test_dossier_totals_are_those_of_each_pages_dossiers(api_as, instructor, campaign):
    """The page's totals are summed for the page's dossiers, never shifted by a row."""
    amounts = {}
    for n in range(5):
        filiere = FiliereFactory(campaign=campaign, name=f"Filière {n}")
        lead = UserFactory(roles=["filiere_lead"])
        filiere.editors.add(lead)
        dossier = complete_dossier(filiere=filiere)
        FundingLineFactory(
            project=ProjectFactory(dossier=dossier, priority=2),
            nature="one_off",
            amount=f"{1000 + n}.25",
        )
        transition(dossier, "submit", lead)
        amounts[dossier.pk] = f"{1000 + n}.25"
    client = api_as(instructor)
    rows = []
    for offset in (0, 2, 4):
        rows += client.get("dossiers", limit=2, offset=offset).json()
    assert {row["id"]: row["totals"]["requested_one_off"] for row in rows} == amounts


def _list_operations():
    schema = ninja_api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            ok = operation["responses"].get(200, {})
            body = ok.get("content", {}).get("application/json", {}).get("schema", {})
            if method == "get" and body.get("type") == "array":
                yield path, operation


def test_every_list_endpoint_is_paginated_and_documented():
    operations = dict(_list_operations())
    # The lists api.md names (and the others), all found.
    for path in (
        "/api/v1/campaigns",
        "/api/v1/campaigns/{slug}/territories",
        "/api/v1/campaigns/{slug}/filieres",
        "/api/v1/dossiers",
        "/api/v1/dossiers/{id}/history",
        "/api/v1/dossiers/{id}/snapshots",
        "/api/v1/campaigns/{slug}/ranking",
        "/api/v1/campaigns/{slug}/delegations",
    ):
        assert path in operations
    for path, operation in operations.items():
        parameters = {p["name"]: p for p in operation.get("parameters", [])}
        assert parameters["limit"]["schema"]["maximum"] == 500, path
        assert parameters["limit"]["schema"]["minimum"] == 1, path
        assert parameters["limit"]["schema"]["default"] == 100, path
        assert parameters["offset"]["schema"]["minimum"] == 0, path
        assert parameters["limit"]["in"] == parameters["offset"]["in"] == "query"
        headers = operation["responses"][200]["headers"]
        assert set(headers) == {"X-Total-Count", "Link"}, path
        # The body stays the bare list of the endpoint's own items.
        body = operation["responses"][200]["content"]["application/json"]["schema"]
        assert "$ref" in body["items"] or body["items"].get("type"), path


@pytest.mark.parametrize(
    "path",
    [
        "campaigns/bretagne-2025/filieres",
        "campaigns/bretagne-2025/ranking",
        "campaigns/bretagne-2025/delegations",
        "campaigns/bretagne-2025/envelopes",
    ],
)
def test_staff_lists_answer_with_the_headers(api_as, decider, campaign, path):
    response = api_as(decider).get(path, limit=1)
    assert response.status_code == 200, response.content
    assert isinstance(response.json(), list) and len(response.json()) <= 1
    total = int(response.headers["X-Total-Count"])
    assert ("Link" in response.headers) == (total > 1)


def _schema_classes(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _schema_classes(sub)


def test_no_two_api_schemas_share_a_name():
    """The OpenAPI components are keyed by class name: two schemas of the same name in two
    apps silently become one, and the contract then describes the wrong body."""
    ninja_api.get_openapi_schema()  # every router imported
    ours = {
        cls
        for cls in _schema_classes(Schema)
        if cls.__module__.split(".")[0]
        in {
            "accounts",
            "common",
            "campaign",
            "setup",
            "dossiers",
            "scoring",
            "budget",
            "outputs",
            "followup",
            "config",
        }  # fmt: skip
    }
    names = Counter(cls.__name__ for cls in ours)
    assert [name for name, count in names.items() if count > 1] == []
    assert len(ours) > 50
