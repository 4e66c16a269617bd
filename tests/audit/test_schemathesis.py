"""API fuzzing with schemathesis against the OpenAPI schema (ADR 0029): every operation,
every role's token, bounded examples drawn from the schema, on the audit's world
(tests.audit.world). Path parameters point at the world's real objects (a dossier in
each state and group, its sheet, line and attachment, a campaign of either region, a
job), so that the handlers really run; each request is rolled back. Asserted: no 5xx,
and every response conforms to the schema (status code documented, content type, body,
headers).

Not asserted: schemathesis' `positive_data_acceptance` (a body valid for the schema
must be accepted): the domain refuses with 400 and a French message what a JSON schema
cannot express (a FINESS key, a reviewer's username, a date in the future, a
transition's required comment), as api.md says."""

import os
from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.audit.world import ROLES, STATES

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db, pytest.mark.usefixtures("world_media")]

# Examples per operation and role: 44 operations × 11 roles × EXAMPLES requests.
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "3"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
TRANSITIONS = ["submit", "start_caresp_review", "start_ars_analysis", "return_for_completion", "resubmit", "withdraw"]  # fmt: skip
REPORT_TRANSITIONS = ["submit", "return_for_completion", "resubmit", "accept"]
FORMATS = {
    "decisions.{fmt}": ["xlsx", "ods", "csv"],
    "decision_lines.{fmt}": ["xlsx", "csv"],
    "followup.{fmt}": ["xlsx", "csv"],
}

APP = WSGIHandler()
SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: a request must not close the connection that holds
    the test's transaction (PostgreSQL; SQLite's in-memory one is never closed)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def real_report_parameters(world, params, draw):
    """A follow-up report of the world (submitted, draft, the survey, another region's)."""
    report = draw(
        st.sampled_from([world.report, world.report_b, world.survey, world.region2_report])
    )
    attachment = report.attachments.order_by("pk").first()
    real = {
        "id": report.pk,
        "n": 1,
        "aid": attachment.pk if attachment else 1,
        "name": draw(st.sampled_from(REPORT_TRANSITIONS)),
    }
    return {key: real.get(key, value) for key, value in params.items()}


def real_path_parameters(world, operation, params, draw):
    """The world's objects in the case's path: a dossier in a drawn state and group, or
    a follow-up report; a campaign of either kind and region."""
    if not params:
        return params
    params = dict(params)
    if "/reports" in operation.path:
        return real_report_parameters(world, params, draw)
    dossier = world.dossier(draw(st.sampled_from(STATES)), draw(st.sampled_from("AAB")))
    project = dossier.projects.order_by("priority", "pk").first()
    line = project.lines.order_by("pk").first() if project else None
    attachment = dossier.attachments.order_by("pk").first()
    campaigns = [world.campaign, world.campaign, world.region2_campaign]
    if "followup" in operation.path:
        campaigns = [world.followup_campaign, world.followup_campaign, world.region2_followup]
    campaign = draw(st.sampled_from(campaigns))
    real = {
        "id": dossier.pk,
        "dossier_id": dossier.pk,
        "pid": project.pk if project else 1,
        "lid": line.pk if line else 1,
        "aid": attachment.pk if attachment else 1,
        "n": 1,
        "slug": campaign.slug,
        "job_id": world.job.pk,
        "name": draw(st.sampled_from(TRANSITIONS)),
        "kind": draw(st.sampled_from(["recurring", "one_off"])),
    }
    for key in params:
        if key == "fmt":
            formats = next(v for k, v in FORMATS.items() if k in operation.path)
            params[key] = draw(st.sampled_from(formats))
        elif key in real:
            params[key] = real[key]
    return params


def fuzz(world, operation, headers, failures, statuses):
    """EXAMPLES cases of `operation`, each sent in a savepoint rolled back afterwards."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), data=st.data())
    def run(case, data):
        case.path_parameters = real_path_parameters(
            world, operation, case.path_parameters, data.draw
        )
        with transaction.atomic():
            response = case.call(headers=headers)
            statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    failures.append(
                        f"{operation.label} [{response.status_code}] {failure.title}: "
                        f"{failure.message[:400]}"
                    )
            except AssertionError as exc:
                failures.append(f"{operation.label} [{response.status_code}] {exc}"[:500])
            transaction.set_rollback(True)

    run()


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_conforms_and_never_fails(world, role):
    headers = {} if role == "anonymous" else {"Authorization": f"Bearer {world.tokens[role]}"}
    failures, statuses = [], Counter()
    for operation in OPERATIONS:
        fuzz(world, operation, headers, failures, statuses)
    assert not failures, "\n".join(sorted(set(failures)))
    assert statuses[500] == 0
    assert sum(statuses.values()) >= len(OPERATIONS)


def test_every_operation_is_fuzzed():
    assert len(OPERATIONS) >= 44
    assert {op.method.upper() for op in OPERATIONS} >= {"GET", "POST", "PUT", "PATCH", "DELETE"}
