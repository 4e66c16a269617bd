"""The demo's content, on one demo loaded per module; the command's own runs (again,
--reset, expired extension) on top of it. On an empty database: test_seed_demo_command.py."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from accounts.models import Role, User
from campaign.models import Campaign, DeadlineExtension
from common.identifiers import validate_finess
from dossiers.domain.completeness import check_dossier
from dossiers.domain.transitions import transition
from dossiers.enums import SUBMITTED_STATES, DossierState
from dossiers.models import Dossier, FundingLine
from followup.domain.serialize import check_report
from scoring.models import Review
from setup.demo import ACCOUNTS, EXTENSION_REASON
from tests.setup.conftest import row_counts, run_command

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once for the module inside a transaction rolled back at its end
    (as the audit's `world`); each test runs in a savepoint of it. Returns the output."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=tmp_path_factory.mktemp("demo-media"),
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        ),
        transaction.atomic(),
    ):
        code, out, err = run_command("seed_demo")
        assert (code, err) == (0, "")
        yield out
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_data, db):
    return demo_data


def by_filiere():
    return {
        d.filiere.slug: d
        for d in Dossier.objects.select_related("filiere", "campaign").prefetch_related("history")
    }


def test_every_state_is_present(demo):
    campaign = Campaign.objects.get(slug="bretagne-2025")
    assert campaign.territories.count() == 8 and campaign.filieres.count() == 10
    states = sorted(Dossier.objects.values_list("state", flat=True))
    assert set(states) == set(DossierState.values)
    assert states.count(DossierState.DRAFT) == 2
    # A letter for each outcome: accepted, partly accepted, rejected.
    assert sorted(Dossier.objects.filter(state="decided").values_list("outcome", flat=True)) == [
        "accepted",
        "partially_accepted",
        "rejected",
    ]
    assert "Dossiers : 2 brouillons, 1 déposé, 1 en revue CARESP, 1 en analyse ARS" in demo
    # Real dates kept for the campaign.
    assert timezone.localtime(campaign.deadline).strftime("%Y-%m-%d %H:%M:%S") == (
        "2025-02-14 23:59:59"
    )
    assert str(campaign.envelopes.get(kind="recurring").amount) == "1600000.00"


def test_history_and_snapshots_come_from_the_workflow(demo):
    dossiers = by_filiere()
    for dossier in dossiers.values():
        history = list(dossier.history.order_by("at", "id"))
        if dossier.state == DossierState.DRAFT:
            assert history == [] and dossier.snapshots.count() == 0
            continue
        # A consistent chain of transitions from the draft to the current state.
        assert history[0].from_state == DossierState.DRAFT
        assert history[0].transition == "submit"
        assert history[0].by.username == f"porteur.{dossier.filiere.slug}"
        for before, after in zip(history, history[1:], strict=False):
            assert before.to_state == after.from_state and before.at <= after.at
        assert history[-1].to_state == dossier.state
        assert dossier.snapshots.count() >= 1
        assert dossier.submitted_at == history[0].at or dossier.filiere.slug == "haute-bretagne"
    # Returned then resubmitted: two snapshots, the second one with the completed diagnostic.
    resubmitted = dossiers["haute-bretagne"]
    first, second = resubmitted.snapshots.order_by("number")
    assert "Redon" not in first.content["diagnostic"]["access_notes"].split("Le pays")[-1]
    assert "antenne de l'EMSP" in second.content["diagnostic"]["access_notes"]
    returned = dossiers["cornouaille"]
    assert returned.return_message.startswith("Merci de préciser")
    # Its historical due date (4 April 2025) has passed: the demo extends it so that its
    # lead can still complete and resubmit it, as the history says.
    assert returned.return_due_date >= timezone.localdate() + dt.timedelta(days=7)
    extension = returned.history.order_by("at", "id").last()
    assert extension.transition == "extend_due_date"
    assert "Démonstration : prolongation pour tester le redépôt" in extension.comment
    assert not returned.completion_overdue()
    assert returned.returned_from == DossierState.CARESP_REVIEW
    withdrawn = dossiers["lorient-quimperle"]
    assert withdrawn.history.last().comment.startswith("Retrait décidé")


def test_decided_dossiers_have_granted_amounts_within_the_envelopes(demo):
    decided = Dossier.objects.get(state=DossierState.DECIDED, outcome="partially_accepted")
    assert decided.decided_at == decided.history.last().at
    assert decided.history.last().by.username == "decideur"
    lines = FundingLine.objects.filter(project__dossier=decided)
    assert all(line.granted is not None for line in lines)
    assert any(line.granted == 0 for line in lines)
    assert any(line.granted == line.amount for line in lines)
    campaign = decided.campaign
    for kind in ("recurring", "one_off"):
        granted = lines.filter(nature=kind).aggregate(total=Sum("granted"))["total"]
        assert Decimal(0) < granted <= campaign.envelopes.get(kind=kind).amount
    for line in lines.filter(nature="recurring"):
        if line.granted:
            assert line.start_month == dt.date(max(line.first_year, 2025), 9, 1)
        else:
            assert line.start_month is None
    # The demo decision went through the budget rules: proposals were recorded first.
    assert all(line.proposed == line.granted for line in lines)
    accepted = Dossier.objects.get(state=DossierState.DECIDED, outcome="accepted")
    assert accepted.recognised
    assert all(
        line.granted == line.amount
        for line in FundingLine.objects.filter(project__dossier=accepted)
    )
    rejected = Dossier.objects.get(state=DossierState.DECIDED, outcome="rejected")
    assert not rejected.recognised
    assert not FundingLine.objects.filter(project__dossier=rejected, granted__gt=0).exists()
    # The rejected candidacy shares T1 with Nord Finistère (still a draft).
    assert list(rejected.filiere.territories.values_list("code", flat=True)) == ["T1"]


def test_submitted_dossiers_are_complete_and_realistic(demo):
    for dossier in Dossier.objects.filter(state__in=SUBMITTED_STATES | {"withdrawn"}):
        assert check_dossier(dossier) == []
        identity = dossier.identity
        validate_finess(identity["lead_structure"]["finess"])
        for member in identity["members"]:
            if member["finess"]:
                validate_finess(member["finess"])
        assert identity["lead_structure"]["name"].startswith(("CH", "Groupe hospitalier"))
        assert 2 <= dossier.projects.count() <= 6
        for line in FundingLine.objects.filter(project__dossier=dossier, category="staff"):
            per_etp = line.amount / line.etp
            assert Decimal(45000) <= per_etp <= Decimal(110000), line.label
            validate_finess(line.beneficiary_finess)
    rennes = Dossier.objects.get(filiere__slug="haute-bretagne")
    assert rennes.diagnostic["population"] == 904395  # the fixture's figure
    assert {m["status"] for m in rennes.diagnostic["missions"]} == {
        "covered",
        "partial",
        "missing",
    }


def test_drafts_have_an_extension_and_the_lead_can_submit(demo):
    assert "prolongation individuelle" in demo and EXTENSION_REASON in demo
    drafts = Dossier.objects.filter(state=DossierState.DRAFT)
    for dossier in drafts:
        extension = DeadlineExtension.objects.get(filiere=dossier.filiere)
        assert extension.reason == EXTENSION_REASON
        assert extension.until > timezone.now() + dt.timedelta(days=20)
        assert extension.granted_by.username == "instructeur"
    assert DeadlineExtension.objects.filter(campaign__slug="bretagne-2025").count() == 2
    almost = Dossier.objects.get(filiere__slug="nord-finistere")
    problems = [p.field for p in check_dossier(almost)]
    assert len(problems) == 2 and "swot.threats" in problems
    almost.swot = {**almost.swot, "threats": ["Départs en retraite de médecins généralistes"]}
    almost.save()
    FundingLine.objects.filter(project__dossier=almost, first_year__isnull=True).filter(
        nature="recurring"
    ).update(first_year=2026)
    lead = User.objects.get(username="porteur.nord-finistere")
    submitted = transition(almost, "submit", lead)
    assert submitted.state == DossierState.SUBMITTED


def test_accounts_roles_and_passwords(demo, client):
    for account in ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.role_codes == {account.role}
        if account.filiere:
            assert list(user.filieres.values_list("slug", flat=True)) == [account.filiere]
        assert client.login(username=account.username, password=account.password)
        client.logout()
        assert account.username in demo and account.password in demo
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert not User.objects.get(username="instructeur").is_staff
    editors = Campaign.objects.get(slug="bretagne-2025").filieres.get(slug="nord-finistere").editors
    assert sorted(editors.values_list("username", flat=True)) == [
        "coredacteur.nord-finistere",
        "porteur.nord-finistere",
    ]
    assert "Identifiant" in demo and "Mot de passe" in demo and "Rôle" in demo
    for role in (Role.CARESP_REVIEWER, Role.ARS_INSTRUCTOR, Role.ARS_DECIDER, Role.ADMIN):
        assert str(Role(role).label) in demo


def test_running_twice_duplicates_nothing(demo):
    before = row_counts()
    code, out, err = run_command("seed_demo")
    assert (code, err) == (0, "")
    assert "déjà chargée" in out
    assert "porteur.nord-finistere" in out and "Goemon-Iroise-7391" in out
    assert row_counts() == before


def test_reset_recreates_the_demo(demo):
    before = row_counts()
    old_ids = set(Dossier.objects.values_list("pk", flat=True))
    code, out, err = run_command("seed_demo", "--reset")
    assert (code, err) == (0, "")
    assert "Démonstration chargée" in out
    assert row_counts() == before
    assert old_ids.isdisjoint(Dossier.objects.values_list("pk", flat=True))


def test_expired_demo_extension_is_renewed(demo):
    DeadlineExtension.objects.update(until=timezone.now() - dt.timedelta(days=1))
    code, out, _err = run_command("seed_demo")
    assert code == 0 and "déjà chargée" in out and "prolongation individuelle" in out
    assert DeadlineExtension.objects.filter(campaign__slug="bretagne-2025").count() == 4
    for dossier in Dossier.objects.filter(state=DossierState.DRAFT):
        assert dossier.campaign.is_open_for(dossier.filiere)


def test_demo_has_reviews_to_rank_and_one_to_finish(demo):
    submitted = Review.objects.filter(submitted_at__isnull=False)
    assert {r.dossier.state for r in submitted} == {"ars_analysis", "decided"}
    draft = Review.objects.get(dossier__state="caresp_review")
    assert draft.reviewer.username == "caresp" and draft.submitted_at is None


def test_the_calls_documents_are_published_for_the_leads(demo, client):
    campaign = Campaign.objects.get(slug="bretagne-2025")
    documents = list(campaign.documents.order_by("kind"))
    assert [d.kind for d in documents] == ["regional_diagnostic", "specifications"]
    assert all(
        d.content_type == "application/pdf" and d.uploaded_by.username == "instructeur"
        for d in documents
    )
    client.force_login(User.objects.get(username="porteur.nord-finistere"))
    home = client.get("/").content.decode()
    assert "Diagnostic régional de l&#x27;offre en soins palliatifs (démonstration)" in home
    assert f'href="/campagnes/{campaign.slug}/documents/{documents[1].pk}/"' in home
    # (Downloading is tested in tests/campaign: this module's media folder is its own.)
    assert all(d.size > 500 and d.name.endswith(".pdf") for d in documents)


def test_the_2026_follow_up(demo):
    """A follow-up campaign: Cœur de Breizh's report half filled under an extension,
    Brocéliande Atlantique's late, and the CAR'sp survey in draft (followup/)."""
    campaign = Campaign.objects.get(slug="bretagne-suivi-2026")
    assert campaign.kind == "followup" and campaign.year == 2026
    reports = {r.filiere.slug: r for r in campaign.reports.filter(kind="filiere")}
    assert set(reports) == {"coeur-de-breizh", "broceliande-atlantique"}
    writing = reports["coeur-de-breizh"]
    assert writing.state == "draft" and not writing.is_late() and writing.is_open()
    assert writing.content["governance_meetings"] == 3
    problems = check_report(writing)
    # Half done: some indicators and the other lines' spending remain.
    assert problems and len(problems) < 15
    assert not any(p.section == "partnerships" for p in problems)
    assert reports["broceliande-atlantique"].is_late()
    assert "Suivi annuel 2026 des filières reconnues" in demo
    survey = campaign.reports.get(kind="carsp")
    assert survey.state == "draft" and survey.content["identity"]["legal_form"] == "hospital"
