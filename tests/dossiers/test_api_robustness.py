"""Never a 500: nasty payloads at every write endpoint, odd ids, malformed bodies."""

import json

import pytest

from dossiers.models import Dossier
from tests.factories import DossierFactory, FundingLineFactory, ProjectFactory

HUGE = 99999999999999999999
NASTY_VALUES = [
    None,
    True,
    -1,
    0,
    HUGE,
    -HUGE,
    10**400,
    1e308,
    -0.0,
    1.5,
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\ud800",
    "²",
    "١٢٣",
    "２０２５",
    "NaN",
    "Infinity",
    "1e999999",
    "9" * 5000,
    "x" * 30_000,
    "<script>alert(1)</script>",
    "'; DROP TABLE dossiers_dossier; --",
    "../../etc/passwd",
    "2025-02-30",
    "0000-00-00",
    "9999-12-31",
    [],
    [None],
    ["\u0000"],
    {},
    {"a": {"b": {"c": [1, {"d": "\u0000"}]}}},
]


def nasty_objects(keys):
    """One object per (key, nasty value), plus whole-body oddities."""
    bodies = [{key: value} for key in keys for value in NASTY_VALUES]
    bodies += [dict.fromkeys(keys, value) for value in NASTY_VALUES]
    return bodies


RAW_BODIES = [
    b"",
    b"{",
    b"not json",
    b"[]",
    b"[1, 2]",
    b'"text"',
    b"null",
    b"42",
    b"\xff\xfe\x00\x00",
    b'{"version": 1,}',
    b'{"amount": NaN}',
    b'{"amount": Infinity}',
    b'{"amount": -Infinity}',
    b'{"amount": 1e999}',
    b'{"version": 1e999}',
    b'{"version": ' + b"9" * 5000 + b"}",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a": ' * 5000 + b"1" + b"}" * 5000,
    '{"title": "caf\u00e9"}'.encode("latin-1"),
]


def assert_clean_error(response, label):
    assert response.status_code < 500, (label, response.content[:500])
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"detail", "errors"}, label
        assert isinstance(body["detail"], str) and body["detail"], label
        assert isinstance(body["errors"], dict), label


@pytest.fixture
def world(filiere, lead, instructor, campaign):
    dossier = DossierFactory(filiere=filiere)
    project = ProjectFactory(dossier=dossier, priority=1)
    line = FundingLineFactory(project=project)
    return {"dossier": dossier, "project": project, "line": line}


IDENTITY_KEYS = ["name", "lead_structure", "coordinator", "members", "governance"]
ENDPOINTS = [
    ("post", "dossiers", ["campaign", "filiere"]),
    ("patch", "dossiers/{d}", ["version", "identity", "diagnostic", "swot"]),
    ("patch", "dossiers/{d}", ["identity." + k for k in IDENTITY_KEYS]),
    ("patch", "dossiers/{d}", ["diagnostic.population", "diagnostic.missions", "diagnostic.area_km2"]),
    ("patch", "dossiers/{d}", ["identity.members.0.finess", "identity.members.0.siret", "diagnostic.missions.0.code"]),
    ("patch", "dossiers/{d}", ["swot.strengths", "swot.threats"]),
    ("post", "dossiers/{d}/projects", ["priority", "title", "start", "end", "missions", "swot_items", "objectives"]),
    ("patch", "dossiers/{d}/projects/{p}", ["version", "priority", "title", "start", "missions"]),
    ("post", "dossiers/{d}/projects/{p}/lines", ["amount", "etp", "first_year", "nature", "category", "beneficiary_finess", "label"]),
    ("patch", "dossiers/{d}/projects/{p}/lines/{line}", ["amount", "etp", "first_year", "label"]),
    ("post", "dossiers/{d}/transitions/submit", ["comment", "due_date"]),
    ("post", "dossiers/{d}/transitions/return_for_completion", ["comment", "due_date"]),
    ("post", "campaigns/bretagne-2025/extensions", ["filiere", "until", "reason"]),
]  # fmt: skip


def nest(dotted, value, version):
    """{"identity.name": v} -> {"version": n, "identity": {"name": v}} (lists for digits)."""
    body = {}
    for key, item in dotted.items():
        parts = key.split(".")
        target = body
        for part, following in zip(parts[:-1], parts[1:], strict=True):
            if part.isdigit():
                continue
            target = target.setdefault(part, [{}] if following.isdigit() else {})
            if isinstance(target, list):
                target = target[0]
        target[parts[-1]] = item
    if version is not None and "version" not in body:
        body["version"] = version
    return body


@pytest.mark.parametrize(
    "method, template, keys", ENDPOINTS, ids=[f"{m}-{t}-{k[0]}" for m, t, k in ENDPOINTS]
)
def test_nasty_json_payloads_never_500(api_as, lead, instructor, world, method, template, keys):
    path = template.format(d=world["dossier"].id, p=world["project"].id, line=world["line"].id)
    dossier_patch = method == "patch" and template == "dossiers/{d}"
    # The lead gets every key with every value; an instructor (who may see but
    # not write, or may write other things) gets whole bodies.
    runs = [
        (api_as(lead), nasty_objects(keys)),
        (api_as(instructor), nasty_objects(keys)[-len(NASTY_VALUES) :]),
    ]
    count = 0
    for client, bodies in runs:
        for dotted in bodies:
            version = Dossier.objects.get(pk=world["dossier"].pk).version
            body = nest(dotted, None, version if dossier_patch else None)
            raw = json.dumps(body, allow_nan=True).encode("utf-8", "surrogatepass")
            response = client.request(method, path, raw=raw)
            assert_clean_error(response, (method, path, client.user.username, str(body)[:200]))
            count += 1
    assert count >= len(NASTY_VALUES) * 2


def test_malformed_bodies_never_500(api, world):
    d, p = world["dossier"].id, world["project"].id
    paths = [
        ("post", "dossiers"),
        ("patch", f"dossiers/{d}"),
        ("post", f"dossiers/{d}/projects"),
        ("patch", f"dossiers/{d}/projects/{p}"),
        ("post", f"dossiers/{d}/projects/{p}/lines"),
        ("post", f"dossiers/{d}/transitions/submit"),
        ("post", "campaigns/bretagne-2025/extensions"),
    ]
    for method, path in paths:
        for raw in RAW_BODIES:
            response = api.request(method, path, raw=raw)
            assert_clean_error(response, (method, path, raw[:40]))
        for content_type in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
        ]:
            response = api.request(method, path, raw=b"a=1", content_type=content_type)
            assert_clean_error(response, (method, path, content_type))


@pytest.mark.parametrize(
    "segment", [str(HUGE), str(-HUGE), "-1", "0", "1.5", "abc", "%00", "1e3", "9" * 5000, "١"]
)
def test_odd_path_ids_are_400_or_404(api, world, segment):
    d, p, line = world["dossier"].id, world["project"].id, world["line"].id
    templates = [
        ("get", "dossiers/{x}"),
        ("patch", "dossiers/{x}"),
        ("get", "dossiers/{x}/check"),
        ("get", "dossiers/{x}/history"),
        ("get", "dossiers/{x}/transitions"),
        ("post", "dossiers/{x}/transitions/submit"),
        ("get", "dossiers/{x}/snapshots"),
        ("get", f"dossiers/{d}/snapshots/{{x}}"),
        ("get", f"dossiers/{d}/attachments/{{x}}"),
        ("post", "dossiers/{x}/projects"),
        ("patch", f"dossiers/{d}/projects/{{x}}"),
        ("delete", f"dossiers/{d}/projects/{{x}}"),
        ("post", f"dossiers/{d}/projects/{{x}}/lines"),
        ("patch", f"dossiers/{d}/projects/{p}/lines/{{x}}"),
        ("delete", f"dossiers/{d}/projects/{p}/lines/{{x}}"),
        ("get", "campaigns/{x}"),
        ("get", "campaigns/{x}/filieres"),
    ]
    for method, template in templates:
        path = template.format(x=segment)
        if method == "get":
            response = api.get(path)
        elif method == "delete":
            response = api.delete(path)
        else:
            response = api.request(method, path, {"version": 1, "title": "x"})
        assert response.status_code in (400, 404), (path, response.status_code)
        assert set(response.json()) == {"detail", "errors"}
    assert Dossier.objects.get(pk=d).projects.count() == 1
    assert world["line"].__class__.objects.filter(pk=line).exists()


@pytest.mark.parametrize(
    "params",
    [
        {"campaign": "\u0000"},
        {"campaign": "x" * 10_000},
        {"state": "nope"},
        {"state": "\u0000"},
        {"campaign": ["a", "b"]},
        {"unknown": "1"},
    ],
)
def test_list_filters_never_500(api, world, params):
    response = api.get("dossiers", **params)
    assert_clean_error(response, params)


def test_multipart_oddities_never_500(api, world):
    d = world["dossier"].id
    url = api.url(f"dossiers/{d}/attachments")
    cases = [
        (
            b'--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc',
            "multipart/form-data; boundary=x",
        ),
        (b"garbage", "multipart/form-data"),
        (b"garbage", "multipart/form-data; boundary="),
        (b"", "multipart/form-data; boundary=x"),
        (b'{"file": "x"}', "application/json"),
    ]
    for raw, content_type in cases:
        response = api.client.generic(
            "POST", url, data=raw, content_type=content_type, headers=api.headers
        )
        assert_clean_error(response, (raw[:30], content_type))
    for fields in [
        {"section": "identity", "project": "abc"},
        {"section": "identity", "project": "9" * 40},
        {"section": "\u0000"},
        {"section": "identity", "project": str(HUGE)},
    ]:
        response = api.upload(f"dossiers/{d}/attachments", b"%PDF-1.4 x", **fields)
        assert_clean_error(response, fields)
