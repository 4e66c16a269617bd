"""Workflow and money rules end to end, across the parts written separately: what the
applicant endpoints let through, what a decision freezes, proposals and delegations on
the wrong lines, envelopes, the protected state and the append-only history."""

import ast
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse

from accounts.models import ApiToken, Role, RoleGrant
from budget.domain import decisions, proposals
from budget.models import Delegation, Envelope
from dossiers.domain.attachments import add_attachment
from dossiers.domain.transitions import transition
from dossiers.models import Attachment, Dossier, FundingLine, HistoryEntry, Snapshot
from tests.factories import CampaignFactory, complete_dossier, dossier_in, due_date, in_ars_analysis

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, client, user):
        self.client = client
        self.headers = {"Authorization": f"Bearer {ApiToken.issue(user)[1]}"}

    def __call__(self, method, path, body=None):
        return self.client.generic(
            method,
            "/api/v1/" + path,
            data=json.dumps(body) if body is not None else "",
            content_type="application/json",
            headers=self.headers,
        )


def analysed(filiere, lead, instructor):
    """Submitted, then straight to the ARS analysis."""
    return in_ars_analysis(filiere=filiere, lead=lead, instructor=instructor, caresp_review=False)


def decide_all(dossier, decider, granted="40000.00"):
    lines = [
        {"line": line.pk, "granted": granted, "start_month": "2025-09-01"}
        for line in FundingLine.objects.filter(project__dossier=dossier)
    ]
    return decisions.decide(dossier, decider, "partially_accepted", lines, "Décision motivée.")


# ----------------------------------------------------------------------------- applicant side


def test_a_lead_cannot_write_proposed_or_granted_through_the_line_endpoints(
    client, filiere, lead, instructor
):
    dossier = analysed(filiere, lead, instructor)
    line = FundingLine.objects.get(project__dossier=dossier)
    proposals.propose(dossier, instructor, [{"line": line.pk, "proposed": "30000.00"}])
    dossier = transition(
        dossier, "return_for_completion", instructor, comment="Précisez.", due_date=due_date()
    )
    api = Api(client, lead)
    project = line.project
    response = api(
        "PATCH",
        f"dossiers/{dossier.pk}/projects/{project.pk}/lines/{line.pk}",
        {
            "amount": "50000.00",
            "proposed": "99999.00",
            "granted": "99999.00",
            "proposal_opinion": "favourable",
            "start_month": "2025-01-01",
            "grant_justification": "moi",
        },
    )
    assert response.status_code == 200
    assert response.json()["proposed"] is None and response.json()["granted"] is None
    line.refresh_from_db()
    assert line.amount == Decimal("50000.00")
    assert line.proposed == Decimal("30000.00") and line.granted is None
    assert line.start_month is None and line.grant_justification == ""
    created = api(
        "POST",
        f"dossiers/{dossier.pk}/projects/{project.pk}/lines",
        {"label": "Nouvelle", "amount": "10.00", "granted": "10.00", "proposed": "10.00"},
    )
    assert created.status_code == 201
    new = FundingLine.objects.get(pk=created.json()["id"])
    assert new.granted is None and new.proposed is None
    # Same through the page's form.
    client.force_login(lead)
    response = client.post(
        reverse("dossiers:line_edit", args=[dossier.pk, project.pk, line.pk]),
        {"label": "Poste", "nature": "recurring", "category": "staff", "amount": "51 000,00",
         "first_year": "2025", "granted": "99999", "proposed": "99999"},
    )  # fmt: skip
    assert response.status_code in (200, 302)
    line.refresh_from_db()
    assert line.proposed == Decimal("30000.00") and line.granted is None


def test_read_only_fields_of_the_dossier_are_ignored(client, filiere, lead):
    dossier = complete_dossier(filiere=filiere)
    response = Api(client, lead)(
        "PATCH",
        f"dossiers/{dossier.pk}",
        {"version": dossier.version, "state": "decided", "outcome": "accepted", "id": 999},
    )
    assert response.status_code == 200
    dossier.refresh_from_db()
    assert dossier.state == "draft" and dossier.outcome == ""


@pytest.mark.parametrize("state", ["submitted", "ars_analysis", "decided", "withdrawn"])
def test_projects_and_lines_are_frozen_outside_draft_and_returned(
    client, filiere, lead, instructor, decider, state
):
    dossier = complete_dossier(filiere=filiere)
    dossier = transition(dossier, "submit", lead)
    if state in ("ars_analysis", "decided"):
        dossier = transition(dossier, "start_ars_analysis", instructor)
    if state == "decided":
        dossier = decide_all(dossier, decider)
    if state == "withdrawn":
        dossier = transition(dossier, "withdraw", lead)
    line = FundingLine.objects.get(project__dossier=dossier)
    project = line.project
    api = Api(client, lead)
    base = f"dossiers/{dossier.pk}/projects"
    calls = [
        ("POST", base, {"title": "Nouvelle"}),
        ("PATCH", f"{base}/{project.pk}", {"title": "Changée"}),
        ("POST", f"{base}/{project.pk}/lines", {"label": "L", "amount": "1.00"}),
        ("PATCH", f"{base}/{project.pk}/lines/{line.pk}", {"amount": "1.00"}),
        ("DELETE", f"{base}/{project.pk}/lines/{line.pk}", None),
        ("DELETE", f"{base}/{project.pk}", None),
    ]
    for method, path, body in calls:
        response = api(method, path, body)
        assert response.status_code == 409, (method, path, response.content)
        assert "ne peut plus être modifié" in response.json()["detail"]
    client.force_login(lead)
    for url in (
        reverse("dossiers:project_delete", args=[dossier.pk, project.pk]),
        reverse("dossiers:line_delete", args=[dossier.pk, project.pk, line.pk]),
    ):
        assert client.post(url).status_code == 409
    line.refresh_from_db()
    assert FundingLine.objects.filter(pk=line.pk).exists()
    assert line.amount == Decimal("52000.00")


def test_a_decided_dossier_cannot_be_withdrawn_nor_returned(
    client, filiere, lead, instructor, decider
):
    dossier = decide_all(analysed(filiere, lead, instructor), decider)
    assert (
        Api(client, lead)("POST", f"dossiers/{dossier.pk}/transitions/withdraw").status_code == 409
    )
    response = Api(client, instructor)(
        "POST",
        f"dossiers/{dossier.pk}/transitions/return_for_completion",
        {"comment": "Encore", "due_date": "2099-01-01"},
    )
    assert response.status_code == 409
    assert (
        Api(client, decider)("POST", f"dossiers/{dossier.pk}/transitions/decide").status_code == 404
    )


def test_an_editor_holding_a_staff_role_never_sees_internal_figures_through_the_api(
    client, filiere, lead, instructor
):
    """The dossier page already hid them; the API now follows the same rule."""

    dossier = analysed(filiere, lead, instructor)
    line = FundingLine.objects.get(project__dossier=dossier)
    proposals.propose(dossier, instructor, [{"line": line.pk, "proposed": "43210.98"}])
    RoleGrant.objects.create(user=lead, role=Role.CARESP_REVIEWER, region=filiere.region)
    api = Api(client, lead)
    document = api("GET", f"dossiers/{dossier.pk}").json()
    assert document["projects"][0]["lines"][0]["proposed"] is None
    listing = api("GET", "dossiers").json()
    assert listing[0]["totals"]["granted_recurring"] is None
    # Another dossier, not theirs: read as staff.
    staff_view = Api(client, instructor)("GET", f"dossiers/{dossier.pk}").json()
    assert staff_view["projects"][0]["lines"][0]["proposed"] == "43210.98"


# ----------------------------------------------------------------------------- staff side


def test_proposal_and_decision_only_on_the_dossiers_own_lines(
    client, campaign, filiere, lead, other_lead, instructor, decider
):
    dossier = analysed(filiere, lead, instructor)
    other_filiere = other_lead.filieres.get()
    other = analysed(other_filiere, other_lead, instructor)
    foreign = FundingLine.objects.get(project__dossier=other)
    response = Api(client, instructor)(
        "PUT",
        f"dossiers/{dossier.pk}/proposal",
        {"lines": [{"line": foreign.pk, "proposed": "1.00"}]},
    )
    assert response.status_code == 400
    assert response.json()["errors"]["lines.0.line"] == [
        "Cette ligne de financement n'est pas dans le dossier."
    ]
    response = Api(client, decider)(
        "POST",
        f"dossiers/{dossier.pk}/decision",
        {"outcome": "rejected", "lines": [{"line": foreign.pk, "granted": "0"}], "comment": "x"},
    )
    assert response.status_code == 400
    foreign.refresh_from_db()
    assert foreign.proposed is None and foreign.granted is None
    dossier.refresh_from_db()
    assert dossier.state == "ars_analysis"


def test_proposal_outside_ars_analysis_and_by_the_wrong_role(
    client, filiere, lead, instructor, decider, caresp
):
    dossier = transition(complete_dossier(filiere=filiere), "submit", lead)
    line = FundingLine.objects.get(project__dossier=dossier)
    body = {"lines": [{"line": line.pk, "proposed": "1.00"}]}
    assert (
        Api(client, instructor)("PUT", f"dossiers/{dossier.pk}/proposal", body).status_code == 409
    )
    for user in (decider, caresp, lead):
        assert Api(client, user)("PUT", f"dossiers/{dossier.pk}/proposal", body).status_code == 403


def test_delegations_only_on_granted_lines_and_within_the_granted_amount(
    client, campaign, filiere, lead, other_lead, instructor, decider
):
    decided = decide_all(analysed(filiere, lead, instructor), decider)
    granted_line = FundingLine.objects.get(project__dossier=decided)
    pending = analysed(other_lead.filieres.get(), other_lead, instructor)
    pending_line = FundingLine.objects.get(project__dossier=pending)
    api = Api(client, decider)

    def delegate(line, amount):
        return api(
            "POST",
            "delegations",
            {
                "line": line.pk,
                "amount": amount,
                "date": "2025-07-15",
                "instrument": "fir_arrete",
                "beneficiary_finess": "290000017",
            },
        )

    assert delegate(pending_line, "10.00").status_code == 409
    assert delegate(granted_line, "40000.01").status_code == 409
    assert delegate(granted_line, "0").status_code == 400
    assert delegate(granted_line, "-5").status_code == 400
    assert delegate(granted_line, "30000.00").status_code == 201
    assert delegate(granted_line, "10000.01").status_code == 409
    assert Api(client, instructor)("POST", "delegations", {
        "line": granted_line.pk, "amount": "1.00", "date": "2025-07-15",
        "instrument": "fir_arrete", "beneficiary_finess": "290000017",
    }).status_code == 403  # fmt: skip
    assert Delegation.objects.count() == 1


def test_the_delegations_page_refuses_a_line_of_another_campaign(
    client, campaign, filiere, lead, instructor, decider
):
    other_campaign = CampaignFactory(slug="autre-2024")

    other, _other_lead = dossier_in(other_campaign, "ars_analysis", instructor=instructor)
    decide_all(other, decider)
    foreign = FundingLine.objects.get(project__dossier=other)
    client.force_login(decider)
    response = client.post(
        reverse("budget:delegations", args=[campaign.slug]),
        {
            "line": foreign.pk,
            "amount": "10,00",
            "date": "2025-07-15",
            "instrument": "fir_arrete",
            "beneficiary_finess": "290000017",
        },
    )
    assert response.status_code == 400
    assert not Delegation.objects.exists()


def test_an_envelope_cannot_go_below_what_is_granted(
    client, campaign, filiere, lead, instructor, decider, admin_user
):
    decide_all(analysed(filiere, lead, instructor), decider)
    response = Api(client, decider)(
        "POST",
        f"campaigns/{campaign.slug}/envelopes/recurring/amendments",
        {"new_amount": "39999.99", "date": "2025-09-01", "reason": "Réduction"},
    )
    assert response.status_code == 409
    assert "inférieur au total déjà accordé" in response.json()["detail"]
    # Nor through the Django admin: the envelope is read-only there, and no new one.
    client.force_login(admin_user)
    envelope = Envelope.objects.get(campaign=campaign, kind="recurring")
    others = list(Envelope.objects.filter(campaign=campaign).order_by("pk"))
    data = {
        "slug": campaign.slug,
        "name": campaign.name,
        "region": campaign.region,
        "opens_at_0": "2024-11-15",
        "opens_at_1": "00:00:00",
        "deadline_0": "2025-02-14",
        "deadline_1": "23:59:59",
        "appeal_mention": "Voies et délais de recours.",
        "signatory_title": "Directeur général",
        "territories-TOTAL_FORMS": "0",
        "territories-INITIAL_FORMS": "0",
        "envelopes-TOTAL_FORMS": str(len(others) + 1),
        "envelopes-INITIAL_FORMS": str(len(others)),
    }
    for index, item in enumerate(others):
        data[f"envelopes-{index}-id"] = item.pk
        data[f"envelopes-{index}-campaign"] = campaign.pk
        data[f"envelopes-{index}-kind"] = item.kind
        data[f"envelopes-{index}-amount"] = "1.00"
    extra = len(others)
    data[f"envelopes-{extra}-campaign"] = campaign.pk
    data[f"envelopes-{extra}-kind"] = "recurring"
    data[f"envelopes-{extra}-amount"] = "5000000.00"
    response = client.post(reverse("admin:campaign_campaign_change", args=[campaign.pk]), data)
    # A campaign is read-only in the admin (its set-up pages keep the rules).
    assert response.status_code == 403
    envelope.refresh_from_db()
    assert envelope.amount == Decimal("1600000.00")
    assert Envelope.objects.filter(campaign=campaign).count() == len(others)


def test_an_envelope_added_in_the_admin_of_a_new_campaign_is_not_a_500(client, admin_user):
    campaign = CampaignFactory(slug="vide", envelopes={})
    Envelope.objects.filter(campaign=campaign).delete()
    client.force_login(admin_user)
    data = {
        "slug": campaign.slug,
        "name": campaign.name,
        "region": "Bretagne",
        "opens_at_0": "2024-11-15",
        "opens_at_1": "00:00:00",
        "deadline_0": "2025-02-14",
        "deadline_1": "23:59:59",
        "appeal_mention": "Voies et délais de recours.",
        "signatory_title": "Directeur général",
        "territories-TOTAL_FORMS": "0",
        "territories-INITIAL_FORMS": "0",
        "envelopes-TOTAL_FORMS": "1",
        "envelopes-INITIAL_FORMS": "0",
        "envelopes-0-kind": "recurring",
        "envelopes-0-campaign": campaign.pk,
        "envelopes-0-amount": "5000000",
    }
    response = client.post(reverse("admin:campaign_campaign_change", args=[campaign.pk]), data)
    assert response.status_code == 403
    assert not Envelope.objects.filter(campaign=campaign).exists()


def test_api_tokens_cannot_be_made_nor_reassigned_in_the_admin(client, admin_user, lead):
    token, _raw = ApiToken.issue(lead)
    client.force_login(admin_user)
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    response = client.post(reverse("admin:accounts_apitoken_add"), {"user": admin_user.pk})
    assert response.status_code == 403
    client.post(
        reverse("admin:accounts_apitoken_change", args=[token.pk]),
        {"user": admin_user.pk, "revoked_at_0": "", "revoked_at_1": ""},
    )
    token.refresh_from_db()
    assert token.user == lead
    assert ApiToken.objects.count() == 1


# ----------------------------------------------------------------------------- state and history


def test_the_state_cannot_be_assigned(filiere):
    dossier = complete_dossier(filiere=filiere)
    with pytest.raises(AttributeError):
        dossier.state = "decided"


def test_history_and_snapshots_are_append_only_for_every_writer(filiere, lead, instructor):
    dossier = transition(complete_dossier(filiere=filiere), "submit", lead)
    entry = HistoryEntry.objects.get(dossier=dossier)
    snapshot = Snapshot.objects.get(dossier=dossier)
    attempts = []
    for model, row in ((HistoryEntry, entry), (Snapshot, snapshot)):
        attempts += [
            lambda m=model, r=row: m.objects.filter(pk=r.pk).update(created_by=None),
            lambda m=model, r=row: m.objects.filter(pk=r.pk).delete(),
            lambda m=model, r=row: m.objects.bulk_update([r], ["dossier"]),
            lambda r=row: r.save(),
            lambda r=row: r.delete(),
        ]
    attempts += [
        lambda: dossier.history.all().delete(),
        lambda: dossier.history.update(comment="réécrit"),
        lambda: dossier.snapshots.all().delete(),
    ]
    for attempt in attempts:
        # Each in its own savepoint: bulk_update fails inside an atomic block.
        with pytest.raises(TypeError), transaction.atomic():
            attempt()
    # The dossier itself cannot be deleted from under its audit trail.

    with pytest.raises(ProtectedError):
        Dossier.objects.filter(pk=dossier.pk).delete()
    assert HistoryEntry.objects.filter(dossier=dossier).count() == 1


def test_history_is_read_only_in_the_admin(client, admin_user, filiere, lead):
    dossier = transition(complete_dossier(filiere=filiere), "submit", lead)
    entry = HistoryEntry.objects.get(dossier=dossier)
    client.force_login(admin_user)
    for name in ("admin:dossiers_historyentry_delete", "admin:dossiers_snapshot_delete"):
        pk = entry.pk if "history" in name else Snapshot.objects.get().pk
        assert client.post(reverse(name, args=[pk]), {"post": "yes"}).status_code == 403
    response = client.post(
        reverse("admin:dossiers_historyentry_change", args=[entry.pk]), {"comment": "réécrit"}
    )
    assert response.status_code == 403
    assert (
        client.post(
            reverse("admin:dossiers_dossier_delete", args=[dossier.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert HistoryEntry.objects.get().comment == entry.comment


# ----------------------------------------------------------------------------- source scans

ROOT = Path(settings.BASE_DIR)
SKIPPED = {".venv", "tests", "migrations", "node_modules", "var", ".git"}
# The benchmark generators write states in bulk into a throwaway database, on purpose
# (bench/README.md).
STATE_WRITERS = {"dossiers/domain/transitions.py", "bench/generate.py", "bench/outputs_speed.py"}
# The demo reset drops the demo campaign's audit rows (setup.demo._delete_demo).
AUDIT_ROW_DELETERS = {"setup/demo.py"}


def project_sources():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if set(relative.parts) & SKIPPED:
            continue
        yield relative.as_posix(), path.read_text(encoding="utf-8")


def state_writes(source):
    """Lines where a dossier's state is written: `x.state = …`, `….update(state=…)`,
    `create(state=…)` / `Dossier(state=…)`, bulk_update(…, ["state"])."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == "state":
                    found.append(node.lineno)
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.slice, ast.Constant)
                    and target.slice.value == "state"
                    and isinstance(target.value, ast.Attribute)
                    and target.value.attr == "__dict__"
                ):
                    found.append(node.lineno)
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            keywords = {k.arg for k in node.keywords}
            if name in {"update", "create", "get_or_create", "update_or_create", "Dossier"} and (
                "state" in keywords
            ):
                found.append(node.lineno)
            if name == "bulk_update" and "state" in ast.dump(node):
                found.append(node.lineno)
    return found


def test_the_dossier_state_is_written_only_by_the_workflow():
    offenders = {}
    for relative, source in project_sources():
        if relative in STATE_WRITERS:
            continue
        lines = state_writes(source)
        if lines:
            offenders[relative] = lines
    assert not offenders, (
        f"État de dossier écrit hors de dossiers/domain/transitions.py : {offenders}"
    )


def test_the_scan_does_find_a_state_write():
    assert state_writes("Dossier.objects.filter(pk=1).update(state='decided')") == [1]
    assert state_writes("d.state = 'decided'") == [1]
    assert state_writes("Dossier.objects.create(state='x')") == [1]
    assert state_writes("Dossier.objects.filter(state='x')") == []


def test_no_code_rewrites_the_audit_trail():
    markers = ("dossiers_historyentry", "dossiers_snapshot", "_raw_delete", "HistoryEntry.objects.filter", "Snapshot.objects.filter")  # fmt: skip
    offenders = []
    for relative, source in project_sources():
        for number, line in enumerate(source.splitlines(), start=1):
            write = any(word in line for word in (".delete(", ".update(", "_raw_delete", "execute(", "UPDATE ", "DELETE "))  # fmt: skip
            if write and any(marker in line for marker in markers):
                if relative not in AUDIT_ROW_DELETERS:
                    offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, offenders


def test_an_editor_with_an_ars_role_cannot_review_propose_or_decide_their_own_dossier(
    client, filiere, lead, instructor, decider
):
    """A person may hold several roles: never on their own filière's dossier (audit)."""

    dossier = analysed(filiere, lead, instructor)
    line = FundingLine.objects.get(project__dossier=dossier)
    for role in (Role.ARS_INSTRUCTOR, Role.ARS_DECIDER):
        RoleGrant.objects.create(user=lead, role=role, region=filiere.region)
    lead.forget_cached_access()
    api = Api(client, lead)
    response = api("PUT", f"dossiers/{dossier.pk}/proposal", {"lines": [{"line": line.pk, "proposed": "1.00"}]})  # fmt: skip
    assert response.status_code == 403
    assert "conflit d'intérêts" in response.json()["detail"]
    response = api(
        "POST",
        f"dossiers/{dossier.pk}/decision",
        {
            "outcome": "accepted",
            "lines": [{"line": line.pk, "granted": "52000.00", "start_month": "2025-09-01"}],
            "comment": "Pour moi.",
        },  # fmt: skip
    )
    assert response.status_code == 403
    response = Api(client, instructor)(
        "POST", f"dossiers/{dossier.pk}/reviewers", {"username": lead.username}
    )
    assert response.status_code == 409
    assert "conflit d'intérêts" in response.json()["detail"]
    line.refresh_from_db()
    dossier.refresh_from_db()
    assert line.proposed is None and line.granted is None and dossier.state == "ars_analysis"


def test_deleting_a_project_sheet_after_a_submission_keeps_the_submitted_attachments(
    client, filiere, lead, instructor
):
    """Its attachments used to be deleted with it (cascade), although snapshot n° 1
    lists them: the submitted evidence was lost (audit)."""

    dossier = complete_dossier(filiere=filiere)
    project = dossier.projects.get()
    pdf = b"%PDF-1.4\n%%EOF\n"
    attachment = add_attachment(
        dossier, lead, SimpleUploadedFile("devis.pdf", pdf), "projects", project_id=project.pk
    )
    dossier = transition(dossier, "submit", lead)
    dossier = transition(dossier, "start_caresp_review", instructor)
    dossier = transition(
        dossier, "return_for_completion", instructor, comment="Revoir.", due_date=due_date()
    )
    response = Api(client, lead)("DELETE", f"dossiers/{dossier.pk}/projects/{project.pk}")
    assert response.status_code == 204
    attachment.refresh_from_db()
    assert attachment.removed_at is not None and attachment.project_id is None
    snapshot = Snapshot.objects.get(dossier=dossier, number=1)
    assert [a["id"] for a in snapshot.content["attachments"]] == [attachment.pk]
    for user in (lead, instructor):
        client.force_login(user)
        download = client.get(
            reverse("dossiers:attachment_download", args=[dossier.pk, attachment.pk])
        )
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == pdf
    # Not listed any more on the live dossier.
    assert Api(client, lead)("GET", f"dossiers/{dossier.pk}").json()["attachments"] == []
    assert Attachment.objects.count() == 1


def test_deleting_a_project_sheet_of_a_draft_deletes_its_files(
    client, filiere, lead, settings, django_capture_on_commit_callbacks
):
    dossier = complete_dossier(filiere=filiere)
    project = dossier.projects.get()
    attachment = add_attachment(
        dossier, lead, SimpleUploadedFile("devis.pdf", b"%PDF-1.4\n"), "projects", project.pk
    )
    path = Path(attachment.file.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = Api(client, lead)("DELETE", f"dossiers/{dossier.pk}/projects/{project.pk}")
    assert response.status_code == 204
    assert not Attachment.objects.exists()
    assert not path.exists()


def test_an_editor_with_an_instructor_role_cannot_move_their_own_dossier(
    client, filiere, lead, instructor
):
    dossier = transition(complete_dossier(filiere=filiere), "submit", lead)
    RoleGrant.objects.create(user=lead, role=Role.ARS_INSTRUCTOR, region=filiere.region)
    lead.forget_cached_access()
    api = Api(client, lead)
    names = [t["name"] for t in api("GET", f"dossiers/{dossier.pk}/transitions").json()]
    assert names == ["withdraw"]
    for name in ("start_caresp_review", "start_ars_analysis"):
        response = api("POST", f"dossiers/{dossier.pk}/transitions/{name}")
        assert response.status_code == 403, name
    # Another instructor may.
    assert (
        Api(client, instructor)(
            "POST", f"dossiers/{dossier.pk}/transitions/start_caresp_review"
        ).status_code
        == 200
    )
