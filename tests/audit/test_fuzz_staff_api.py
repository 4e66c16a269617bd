"""Never a 500 on the staff endpoints: scoring, budget, outputs, extensions.

Same approach as tests/dossiers/test_api_robustness.py (its nasty values and raw bodies are
reused): every key of every write endpoint receives every nasty value, set inside an
otherwise valid body so that the value reaches the domain code; whole bodies, malformed
raw bodies and odd path segments too. Each request runs in a savepoint rolled back
afterwards (a valid body must not change what the next request finds). Expected:
status < 500 and, for errors, the {"detail", "errors"} shape."""

import copy
import json

import pytest
from django.db import transaction

from accounts.models import ApiToken, Role
from budget.domain import decisions
from scoring.domain import assignments
from scoring.domain.grid import get_grid, grid_criteria
from tests.dossiers.test_api_robustness import HUGE, NASTY_VALUES, RAW_BODIES, assert_clean_error
from tests.factories import CampaignFactory, UserFactory, dossier_in

pytestmark = pytest.mark.django_db

MONEY_VALUES = [
    1e5,
    "1e5",
    "-5",
    "-0.01",
    "100.001",
    "١٠٠",
    "１００",
    "100,50",
    "+100",
    " 100 ",
    "0x10",
    "1_000",
    "999999999999999999999999.99",
    "1000000000000",
    "0",
    "0.00",
]
VALUES = NASTY_VALUES + MONEY_VALUES


class Api:
    def __init__(self, client, user):
        self.client = client
        _token, raw = ApiToken.issue(user)
        self.headers = {"Authorization": f"Bearer {raw}"}
        self.user = user

    def send(self, method, path, raw=b"", content_type="application/json"):
        with transaction.atomic():
            response = self.client.generic(
                method,
                "/api/v1/" + path,
                data=raw,
                content_type=content_type,
                headers=self.headers,
            )
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            transaction.set_rollback(True)
        return response


@pytest.fixture
def staff(client, campaign, caresp, instructor, decider, admin_user):
    caresp2 = UserFactory(username="caresp2", roles=[Role.CARESP_REVIEWER])
    review, _lead = dossier_in(campaign, "caresp_review", instructor=instructor, name="Revue")
    assignments.assign_reviewer(review, instructor, caresp)
    assignments.assign_reviewer(review, instructor, instructor)
    analysis, _lead = dossier_in(campaign, "ars_analysis", instructor=instructor, name="Analyse")
    decided, _lead = dossier_in(campaign, "ars_analysis", instructor=instructor, name="Décidé")
    line = decided.projects.get().lines.get()
    decisions.decide(
        decided,
        decider,
        "partially_accepted",
        [{"line": line.pk, "granted": "40000.00", "start_month": "2025-09-01"}],
        "Décision motivée.",
    )
    returned, _lead = dossier_in(campaign, "returned", instructor=instructor, name="À compléter")
    other_campaign = CampaignFactory(slug="autre-2024")
    other, _lead = dossier_in(other_campaign, "ars_analysis", instructor=instructor, name="Autre")
    codes = [c.code for c in grid_criteria(get_grid(campaign))]
    return {
        "caresp": Api(client, caresp),
        "instructor": Api(client, instructor),
        "decider": Api(client, decider),
        "admin": Api(client, admin_user),
        "caresp2": caresp2,
        "review": review,
        "analysis": analysis,
        "decided": decided,
        "decided_line": line,
        "returned": returned,
        "other": other,
        "codes": codes,
    }


def endpoints(s):
    """(role, method, path, valid body, [dotted keys to fuzz])."""
    review_project = s["review"].projects.get()
    analysis_project = s["analysis"].projects.get()
    analysis_line = analysis_project.lines.get()
    code = s["codes"][0]
    return [
        (
            "caresp",
            "PUT",
            f"dossiers/{s['review'].pk}/reviews/mine",
            {
                "scores": dict.fromkeys(s["codes"], 3),
                "opinion": "favourable",
                "comment": "Bon dossier.",
                "submit": False,
                "criterion_comments": {code: "Précis."},
                "projects": [
                    {"project": review_project.pk, "opinion": "reserved", "comment": "À suivre."}
                ],
            },
            [
                "scores",
                f"scores.{code}",
                "opinion",
                "comment",
                "submit",
                "criterion_comments",
                f"criterion_comments.{code}",
                "projects",
                "projects.0",
                "projects.0.project",
                "projects.0.opinion",
                "projects.0.comment",
            ],
        ),
        (
            "instructor",
            "POST",
            f"dossiers/{s['review'].pk}/reviewers",
            {"username": "caresp2"},
            ["username"],
        ),
        ("caresp", "POST", f"dossiers/{s['review'].pk}/conflicts", {"reason": "Lien"}, ["reason"]),
        (
            "instructor",
            "PUT",
            f"dossiers/{s['analysis'].pk}/proposal",
            {
                "lines": [
                    {"line": analysis_line.pk, "proposed": "100.00", "opinion": "favourable"}
                ],
                "projects": [{"project": analysis_project.pk, "opinion": "reserved"}],
            },
            [
                "lines",
                "lines.0",
                "lines.0.line",
                "lines.0.proposed",
                "lines.0.opinion",
                "projects",
                "projects.0.project",
                "projects.0.opinion",
            ],
        ),
        (
            "decider",
            "POST",
            f"dossiers/{s['analysis'].pk}/decision",
            {
                "outcome": "partially_accepted",
                "lines": [
                    {
                        "line": analysis_line.pk,
                        "granted": "100.00",
                        "start_month": "2025-09-01",
                        "justification": "",
                    }
                ],
                "comment": "Décision motivée.",
            },
            [
                "outcome",
                "lines",
                "lines.0",
                "lines.0.line",
                "lines.0.granted",
                "lines.0.start_month",
                "lines.0.justification",
                "comment",
            ],
        ),
        (
            "decider",
            "POST",
            "delegations",
            {
                "line": s["decided_line"].pk,
                "amount": "100.00",
                "date": "2025-08-01",
                "instrument": "convention",
                "beneficiary_finess": "290000017",
            },
            ["line", "amount", "date", "instrument", "beneficiary_finess"],
        ),
        (
            "decider",
            "POST",
            "campaigns/bretagne-2025/envelopes/recurring/amendments",
            {"new_amount": "1700000.00", "date": "2025-09-01", "reason": "Avenant"},
            ["new_amount", "date", "reason"],
        ),
        (
            "instructor",
            "POST",
            "campaigns/bretagne-2025/extensions",
            {
                "filiere": s["review"].filiere.slug,
                "until": "2030-01-31T23:59:59+01:00",
                "reason": "Retard justifié.",
            },
            ["filiere", "until", "reason"],
        ),
        (
            "instructor",
            "POST",
            f"dossiers/{s['returned'].pk}/due_date",
            {"due_date": "2099-01-31", "reason": "Convention en cours de signature."},
            ["due_date", "reason"],
        ),
    ]


def with_value(body, dotted, value):
    body = copy.deepcopy(body)
    parts = dotted.split(".")
    target = body
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    last = parts[-1]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return body


def encode(body):
    return json.dumps(body, allow_nan=True).encode("utf-8", "surrogatepass")


def test_valid_bodies_succeed(staff):
    """The base bodies are valid: the fuzzing below really reaches the domain code."""
    for role, method, path, body, _keys in endpoints(staff):
        response = staff[role].send(method, path, encode(body))
        assert response.status_code in (200, 201), (path, response.content[:300])


@pytest.mark.parametrize("index", range(9))
def test_nasty_values_in_every_key_never_500(staff, index):
    role, method, path, body, keys = endpoints(staff)[index]
    api = staff[role]
    count = 0
    for key in keys:
        for value in VALUES:
            response = api.send(method, path, encode(with_value(body, key, value)))
            assert_clean_error(response, (method, path, key, repr(value)[:80]))
            count += 1
    for value in VALUES:
        whole = dict.fromkeys(body, value)
        assert_clean_error(api.send(method, path, encode(whole)), (path, repr(value)[:80]))
    for raw in RAW_BODIES:
        assert_clean_error(api.send(method, path, raw), (path, raw[:40]))
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        assert_clean_error(api.send(method, path, b"a=1", content_type), (path, content_type))
    assert count == len(keys) * len(VALUES)


def test_deeply_nested_and_huge_lists_never_500(staff):
    line = staff["analysis"].projects.get().lines.get()
    deep = {"a": None}
    node = deep
    for _ in range(200):
        node["a"] = {"a": None}
        node = node["a"]
    bodies = [
        {"lines": [{"line": line.pk, "proposed": "1.00"}] * 5000},
        {"lines": [deep]},
        {"lines": [{"line": line.pk, "proposed": deep}]},
        {"lines": [{"line": line.pk, "proposed": "1.00", "opinion": "x" * 100_000}]},
    ]
    for body in bodies:
        response = staff["instructor"].send(
            "PUT", f"dossiers/{staff['analysis'].pk}/proposal", encode(body)
        )
        assert_clean_error(response, str(body)[:80])
        assert response.status_code == 400


ODD_INTS = [str(HUGE), str(-HUGE), "-1", "0", "1.5", "abc", "%00", "1e3", "9" * 5000, "١"]
ODD_SLUGS = ["%00", "x" * 5000, "..", "%2e%2e", "é", "a%20b", "null", "bretagne-2025%00"]


def test_odd_path_segments_never_500(staff):
    api = staff["admin"]
    d = staff["review"].pk
    get_templates = [
        "dossiers/{x}/reviews",
        "dossiers/{x}/letter.docx",
        "campaigns/bretagne-2025/jobs/{x}",
    ]
    for segment in ODD_INTS:
        for template in get_templates:
            response = api.send("GET", template.format(x=segment))
            assert_clean_error(response, (template, segment))
            assert response.status_code in (400, 404), (template, segment)
        for method, template in [
            ("PUT", "dossiers/{x}/reviews/mine"),
            ("POST", "dossiers/{x}/reviewers"),
            ("POST", "dossiers/{x}/conflicts"),
            ("PUT", "dossiers/{x}/proposal"),
            ("POST", "dossiers/{x}/decision"),
        ]:
            response = api.send(method, template.format(x=segment), b"{}")
            assert_clean_error(response, (template, segment))
    for slug in ODD_SLUGS:
        for template in [
            "campaigns/{x}/grid",
            "campaigns/{x}/ranking",
            "campaigns/{x}/budget",
            "campaigns/{x}/delegations",
            "campaigns/{x}/envelopes",
            "campaigns/{x}/coverage",
            "campaigns/{x}/letters.zip",
            "campaigns/{x}/exports/decisions.csv",
            "campaigns/{x}/jobs/1",
            "campaigns/bretagne-2025/exports/decisions.{x}",
        ]:
            response = api.send("GET", template.format(x=slug))
            assert_clean_error(response, (template, slug[:20]))
            assert response.status_code in (400, 404), (template, slug[:20], response.status_code)
        for template in [
            "campaigns/{x}/envelopes/recurring/amendments",
            "campaigns/bretagne-2025/envelopes/{x}/amendments",
            "campaigns/{x}/extensions",
        ]:
            body = {"new_amount": "1.00", "date": "2025-01-01", "reason": "x"}
            response = api.send("POST", template.format(x=slug), encode(body))
            assert_clean_error(response, (template, slug[:20]))
    assert staff["review"].__class__.objects.get(pk=d).state == "caresp_review"


# ----------------------------------------------------------------------------- other ids


def test_ids_of_other_dossiers_and_campaigns_are_refused(staff):
    """A line, a project or a job that belongs to another dossier or campaign: 400/404,
    nothing changes."""
    other_line = staff["other"].projects.get().lines.get()
    other_project = staff["other"].projects.get()
    analysis = staff["analysis"]
    cases = [
        (
            "instructor",
            "PUT",
            f"dossiers/{analysis.pk}/proposal",
            {"lines": [{"line": other_line.pk, "proposed": "1.00"}]},
            "lines.0.line",
        ),
        (
            "instructor",
            "PUT",
            f"dossiers/{analysis.pk}/proposal",
            {"projects": [{"project": other_project.pk, "opinion": "reserved"}]},
            "projects.0.project",
        ),
        (
            "decider",
            "POST",
            f"dossiers/{analysis.pk}/decision",
            {
                "outcome": "rejected",
                "lines": [{"line": other_line.pk, "granted": "0"}],
                "comment": "x",
            },
            "lines.0.line",
        ),
        (
            "caresp",
            "PUT",
            f"dossiers/{staff['review'].pk}/reviews/mine",
            {"scores": {}, "projects": [{"project": other_project.pk, "opinion": "reserved"}]},
            "projects.0.project",
        ),
    ]
    for role, method, path, body, error_key in cases:
        response = staff[role].send(method, path, encode(body))
        assert response.status_code == 400, (path, response.content)
        assert error_key in response.json()["errors"], response.json()
    other_line.refresh_from_db()
    assert other_line.proposed is None and other_line.granted is None
    job = staff["other"].campaign.output_jobs.create(kind="letters_zip")
    response = staff["admin"].send("GET", f"campaigns/bretagne-2025/jobs/{job.pk}")
    assert response.status_code == 404


# ----------------------------------------------------------------------------- domain holes


@pytest.mark.parametrize(
    "scores",
    [{"X": "²"}, {"X": "9" * 5000}, {"X": "٣"}, {"X": "-"}, {"X": " 3 "}],
)
def test_review_scores_in_odd_digits_are_400(staff, scores):
    code = staff["codes"][0]
    body = {"scores": {code: scores["X"]}, "submit": False}
    response = staff["caresp"].send(
        "PUT", f"dossiers/{staff['review'].pk}/reviews/mine", encode(body)
    )
    if scores["X"] == " 3 ":
        assert response.status_code == 200
        assert response.json()["scores"] == {code: 3}
    else:
        assert response.status_code == 400, response.content
        assert f"scores.{code}" in response.json()["errors"]


@pytest.mark.parametrize("project", [{}, [], [1], {"a": 1}, "1", 1.0, True])
def test_review_project_opinion_with_an_odd_project_id_is_400(staff, project):
    body = {"scores": {}, "projects": [{"project": project, "opinion": "reserved"}]}
    response = staff["caresp"].send(
        "PUT", f"dossiers/{staff['review'].pk}/reviews/mine", encode(body)
    )
    assert response.status_code == 400
    assert "projects.0.project" in response.json()["errors"]


@pytest.mark.parametrize(
    "role, method, path_key, body",
    [
        ("caresp", "PUT", "reviews/mine", {"scores": {}, "comment": "a\u0000b"}),
        ("caresp", "POST", "conflicts", {"reason": "lien\u0000"}),
        ("instructor", "POST", "reviewers", {"username": "caresp2\u0000"}),
    ],
)
def test_nul_characters_are_refused_with_400(staff, role, method, path_key, body):
    response = staff[role].send(method, f"dossiers/{staff['review'].pk}/{path_key}", encode(body))
    assert response.status_code == 400
    assert response.json()["detail"] == "Certaines informations sont invalides."


def test_nul_characters_in_budget_texts_are_refused_with_400(staff):
    line = staff["analysis"].projects.get().lines.get()
    decision = {
        "outcome": "rejected",
        "lines": [{"line": line.pk, "granted": "0", "justification": "\u0000"}],
        "comment": "Motivée\u0000",
    }
    response = staff["decider"].send(
        "POST", f"dossiers/{staff['analysis'].pk}/decision", encode(decision)
    )
    assert response.status_code == 400
    assert "comment" in response.json()["errors"]
    amendment = {"new_amount": "1700000.00", "date": "2025-09-01", "reason": "\ud800"}
    response = staff["decider"].send(
        "POST", "campaigns/bretagne-2025/envelopes/recurring/amendments", encode(amendment)
    )
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
