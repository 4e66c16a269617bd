"""common.prepared: a read's SQL built once, run with new values, gives the rows its
queryset gives (values converted as Django converts them), in one query; and every
prepared read of the apps gives its queryset's rows on a dossier in each state."""

import datetime as dt
import inspect
from decimal import Decimal

import pytest
from django.utils import timezone

import budget.queries
import dossiers.domain.serialize
import dossiers.domain.totals
import dossiers.queries
import scoring.domain.assignments
import scoring.queries
from budget.models import Envelope, EnvelopeAmendment
from common.prepared import READS, prepared
from dossiers.enums import DossierState
from dossiers.models import FundingLine, HistoryEntry
from scoring.models import ConflictOfInterest, InternalComment, Review, ReviewerAssignment
from tests.factories import dossier_in

pytestmark = pytest.mark.django_db

APP_MODULES = (
    budget.queries,
    scoring.queries,
    dossiers.domain.serialize,
    dossiers.domain.totals,
    dossiers.queries,
    scoring.domain.assignments,
)


@prepared
def line_rows(dossier_id):
    return (
        FundingLine.objects.filter(project__dossier_id=dossier_id)
        .order_by("id")
        .values_list("id", "label", "amount", "etp", "start_month", "nature")
    )


@prepared
def history_rows(dossier_id, to_state):
    return (
        HistoryEntry.objects.filter(dossier_id=dossier_id, to_state=to_state)
        .order_by("at", "id")
        .values_list("id", "at", "is_public", "by__username")
    )


built = []


@prepared
def lines_like(dossier_id, label):
    built.append(label)
    # icontains wraps the value ("%…%"): not a parameter as given, never prepared.
    return (
        FundingLine.objects.filter(project__dossier_id=dossier_id, label__icontains=label)
        .order_by("id")
        .values_list("id", "label")
    )


def test_rows_are_the_querysets_rows_with_their_values_converted(decided):
    FundingLine.objects.filter(project__dossier=decided).update(
        etp=Decimal("0.50"), start_month=dt.date(2026, 7, 1)
    )
    rows = line_rows(decided.pk)
    assert rows == list(line_rows.__wrapped__(decided.pk))
    assert rows and isinstance(rows[0][2], Decimal) and rows[0][3] == Decimal("0.50")
    assert rows[0][4] == dt.date(2026, 7, 1)
    history = history_rows(decided.pk, DossierState.DECIDED)
    assert history == list(history_rows.__wrapped__(decided.pk, DossierState.DECIDED))
    (entry_id, at, is_public, _by) = history[0]
    assert at.tzinfo is not None and timezone.is_aware(at)
    assert is_public is True


def test_the_sql_is_built_once_and_run_with_each_calls_values(decided, instructor):
    other, _lead = dossier_in(decided.campaign, DossierState.SUBMITTED, instructor=instructor)
    line_rows.plans.clear()
    first, second = line_rows(decided.pk), line_rows(other.pk)
    assert len(line_rows.plans) == 1
    assert first == list(line_rows.__wrapped__(decided.pk))
    assert second == list(line_rows.__wrapped__(other.pk))
    assert {row[0] for row in first}.isdisjoint(row[0] for row in second)


def test_one_query_per_call(decided, django_assert_num_queries):
    line_rows(decided.pk)
    with django_assert_num_queries(1):
        line_rows(decided.pk)


def test_a_value_the_lookup_transforms_is_not_prepared_and_still_read(decided):
    label = FundingLine.objects.filter(project__dossier=decided).values_list("label", flat=True)[0]
    built.clear()
    assert lines_like(decided.pk, label[1:4]) == list(
        lines_like.__wrapped__(decided.pk, label[1:4])
    )
    assert lines_like(decided.pk, "aucune ligne ne porte ce nom") == []
    # Not prepared: the queryset is built for every call (and once with placeholders).
    assert len(built) == 4


def test_a_value_of_another_type_runs_the_queryset(decided):
    assert line_rows(str(decided.pk)) == list(line_rows.__wrapped__(decided.pk))


def _app_reads():
    names = {
        id(value): f"{module.__name__}.{name}"
        for module in APP_MODULES
        for name, value in vars(module).items()
    }
    return [(names[id(read)], read) for read in READS if id(read) in names]


def test_the_apps_reads_are_registered():
    assert len(_app_reads()) >= 25


@pytest.mark.parametrize(
    "state",
    [
        DossierState.SUBMITTED,
        DossierState.CARESP_REVIEW,
        DossierState.ARS_ANALYSIS,
        DossierState.DECIDED,
    ],
)
def test_every_prepared_read_of_the_apps_gives_its_querysets_rows(
    state, campaign, instructor, caresp, decider
):
    dossier, _lead = dossier_in(campaign, state, instructor=instructor, projects=3)
    dossier_in(campaign, DossierState.DECIDED, instructor=instructor, name="Autre")
    ReviewerAssignment.objects.create(dossier=dossier, reviewer=caresp, assigned_by=instructor)
    ConflictOfInterest.objects.create(dossier=dossier, reviewer=decider, reason="Lien familial")
    Review.objects.create(dossier=dossier, reviewer=caresp, submitted_at=timezone.now())
    InternalComment.objects.create(dossier=dossier, author=instructor, text="ARS", ars_only=True)
    InternalComment.objects.create(dossier=dossier, author=caresp, text="Tous")
    envelope = Envelope.objects.filter(campaign=campaign).first()
    if envelope is not None:
        EnvelopeAmendment.objects.create(
            envelope=envelope,
            date=dt.date(2026, 1, 5),
            previous_amount=envelope.amount,
            new_amount=envelope.amount,
            reason="Avenant",
            created_by=decider,
        )
    values = {
        "dossier_id": dossier.pk,
        "campaign_id": campaign.pk,
        "reviewer_id": caresp.pk,
        "filiere_id": dossier.filiere_id,
        "region_id": campaign.region_id,
    }
    checked = []
    for name, read in _app_reads():
        args = [values[p] for p in inspect.signature(read.__wrapped__).parameters]
        rows = read(*args)
        assert rows == list(read.__wrapped__(*args)), name
        checked.append((name, len(rows)))
    # Rows were read, not only empty lists compared.
    assert sum(count for _name, count in checked) >= 15


@prepared
def flat_line_ids(dossier_id):
    return FundingLine.objects.filter(project__dossier_id=dossier_id).values_list("id", flat=True)


def test_a_flat_values_list_is_not_prepared_and_keeps_its_values(decided):
    flat_line_ids.plans.clear()
    ids = flat_line_ids(decided.pk)
    assert ids and all(type(pk) is int for pk in ids)
    assert sorted(ids) == sorted(flat_line_ids.__wrapped__(decided.pk))
    assert all(type(plan).__name__ != "_Plan" for plan in flat_line_ids.plans.values())
