"""Guarantees the database keeps when the code is bypassed (common.triggers, ADR 0025).

Raw SQL, as a shell, a script or a bug would send it: PostgreSQL's triggers refuse to
rewrite or delete the audit trail (dossier history and snapshots, campaign history,
envelope amendments, delegations) and a final decision (its outcome, motivation,
recognition, granted amounts). SQLite has no such triggers: skipped there."""

import datetime as dt
from decimal import Decimal

import pgtrigger
import pytest
from django.db import DatabaseError, connection, transaction

from budget.domain.decisions import decide
from budget.domain.delegations import record_delegation
from budget.domain.envelopes import amend_envelope
from budget.models import Delegation, Envelope, EnvelopeAmendment
from campaign.enums import CampaignAction
from campaign.models import CampaignEvent
from common.identifiers import finess_with_key
from dossiers.enums import DossierState
from dossiers.models import Dossier, FundingLine, HistoryEntry, Snapshot
from followup.domain import transitions as followup_transitions
from followup.models import ReportHistory, ReportSnapshot
from setup.demo import DEMO_RESET_LIFTS
from tests.budget.conftest import REC, grant_all, lines_of, make_dossier
from tests.followup.conftest import complete_report, followup_campaign, grant

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def raw(sql, params=()):
    """Run one statement in its own savepoint: a refusal leaves the test's transaction usable."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def refused(sql, params=()):
    with pytest.raises(DatabaseError, match="pgtrigger: Cannot"):
        raw(sql, params)
    return True


@pytest.fixture
def world(campaign, instructor, decider):
    dossier = make_dossier(campaign, instructor, [(REC, "100000.00")])
    decide(dossier, decider, "accepted", grant_all(dossier), "Accord.")
    line = lines_of(dossier)[0]
    record_delegation(
        decider, line.pk, "30000.00", "2025-07-15", "fir_arrete", finess_with_key("29000001")
    )
    envelope = Envelope.objects.get(campaign=campaign, kind="recurring")
    amend_envelope(envelope, decider, Decimal("1700000.00"), dt.date(2025, 6, 1), "Avenant.")
    CampaignEvent.objects.create(campaign=campaign, action=CampaignAction.UPDATED, reason="x")
    return Dossier.objects.get(pk=dossier.pk), line


@pytest.mark.django_db
def test_raw_sql_cannot_rewrite_or_delete_the_audit_trail(world, campaign):
    dossier, _line = world
    assert HistoryEntry.objects.filter(dossier=dossier).exists()
    assert Snapshot.objects.filter(dossier=dossier).exists()
    for table, where in [
        ("dossiers_historyentry", f"dossier_id = {dossier.pk}"),
        ("dossiers_snapshot", f"dossier_id = {dossier.pk}"),
        ("campaign_campaignevent", f"campaign_id = {campaign.pk}"),
        ("budget_envelopeamendment", "TRUE"),
        ("budget_delegation", "TRUE"),
    ]:
        column = {
            "dossiers_historyentry": "comment = 'réécrit'",
            "dossiers_snapshot": "content_sha256 = 'x'",
            "campaign_campaignevent": "reason = 'réécrit'",
            "budget_envelopeamendment": "reason = 'réécrit'",
            "budget_delegation": "amount = 1",
        }[table]
        assert refused(f"UPDATE {table} SET {column} WHERE {where}")  # noqa: S608
        assert refused(f"DELETE FROM {table} WHERE {where}")  # noqa: S608
    assert HistoryEntry.objects.filter(dossier=dossier, comment="réécrit").count() == 0
    assert EnvelopeAmendment.objects.filter(reason="Avenant.").count() == 1
    assert Delegation.objects.get().amount == Decimal("30000.00")


@pytest.mark.django_db
def test_raw_sql_cannot_change_or_delete_a_final_decision(world):
    dossier, line = world
    for assignment in [
        "outcome = 'rejected'",
        "state = 'ars_analysis'",
        "decision_comment = 'autre motif'",
        "recognised = FALSE",
        "decided_at = NOW()",
    ]:
        assert refused(f"UPDATE dossiers_dossier SET {assignment} WHERE id = %s", [dossier.pk])
    assert refused("DELETE FROM dossiers_dossier WHERE id = %s", [dossier.pk])
    for assignment in [
        "granted = 999999",
        "start_month = '2026-01-01'",
        "grant_justification = 'x'",
    ]:
        assert refused(f"UPDATE dossiers_fundingline SET {assignment} WHERE id = %s", [line.pk])
    assert refused("DELETE FROM dossiers_fundingline WHERE id = %s", [line.pk])
    dossier.refresh_from_db()
    line.refresh_from_db()
    assert (dossier.state, dossier.outcome, line.granted) == (
        DossierState.DECIDED,
        "accepted",
        Decimal("100000.00"),
    )
    # What a decision does not fix still changes (the reminders' bookkeeping).
    assert raw("UPDATE dossiers_dossier SET reminder_sent_at = NOW() WHERE id = %s", [dossier.pk])


@pytest.mark.django_db
def test_an_undecided_dossier_and_its_lines_still_change(campaign, instructor):
    dossier = make_dossier(campaign, instructor, [(REC, "50000.00")])
    line = lines_of(dossier)[0]
    assert raw("UPDATE dossiers_fundingline SET proposed = 1 WHERE id = %s", [line.pk]) == 1
    assert raw("UPDATE dossiers_dossier SET version = version + 1 WHERE id = %s", [dossier.pk])


@pytest.mark.django_db
def test_only_the_demo_reset_lifts_the_guarantees_and_only_inside_its_block(world):
    dossier, _line = world
    with pgtrigger.ignore(*DEMO_RESET_LIFTS), transaction.atomic():
        deleted = raw("DELETE FROM dossiers_historyentry WHERE dossier_id = %s", [dossier.pk])
        assert deleted >= 1
        transaction.set_rollback(True)
    assert refused("DELETE FROM dossiers_historyentry WHERE dossier_id = %s", [dossier.pk])
    assert FundingLine.objects.filter(project__dossier=dossier).exists()


@pytest.mark.django_db
def test_a_yearly_reports_history_and_remittances_cannot_be_rewritten(decided, lead):
    """The follow-up's audit trail (followup.ReportHistory, ReportSnapshot) as the
    dossier's: neither updated nor deleted by raw SQL."""
    grant(decided)
    report = followup_campaign().reports.get(filiere=decided.filiere)
    complete_report(report, lead)
    followup_transitions.transition(report, "submit", lead)
    assert ReportHistory.objects.filter(report=report).exists()
    assert ReportSnapshot.objects.filter(report=report).exists()
    for model, column in [(ReportHistory, "comment = 'réécrit'"), (ReportSnapshot, "number = 9")]:
        table = model._meta.db_table
        assert refused(f"UPDATE {table} SET {column} WHERE report_id = %s", [report.pk])  # noqa: S608
        assert refused(f"DELETE FROM {table} WHERE report_id = %s", [report.pk])  # noqa: S608
