"""Read models of the dossiers for the staff: the filtered list and its totals; the
deposits and history of the dossier page."""

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import F

from accounts.display import user_name
from campaign.models import Filiere
from common.prepared import prepared
from dossiers.domain.access import visible_dossiers
from dossiers.domain.totals import ZERO, requested_sums, totals_of
from dossiers.models import Dossier, HistoryEntry, Snapshot

LIST_ORDERING = ("campaign__name", "filiere__name", "pk")


def filtered_dossiers(user, *, campaign=None, state=None, territory=None, **_ignored):
    """The dossiers this user may see, narrowed by the list's filters."""
    queryset = visible_dossiers(user, Dossier.objects.all())
    if campaign:
        queryset = queryset.filter(campaign=campaign)
    if state:
        queryset = queryset.filter(state=state)
    if territory:
        # A dossier's territories are its filière's; a subquery avoids duplicate rows.
        queryset = queryset.filter(
            filiere_id__in=Filiere.objects.filter(territories=territory).values("id")
        )
    return queryset


def list_page(queryset, page_number, page_size):
    """(page of dossiers with their requested sums, totals of the whole queryset).

    The totals row sums the filtered dossiers' stored totals (dossiers.domain.totals:
    a row per dossier, not its lines); the number of rows is a plain count. The page's sums are those of its rows only: the
    page's ids are a subquery (LIMIT/OFFSET), so the database groups 50 dossiers' lines,
    not those of every dossier before sorting."""
    totals = {
        f"requested_{nature}": value or ZERO
        for nature, value in (
            (name.removeprefix("amount_"), value) for name, value in totals_of(queryset).items()
        )
    }
    totals["dossier_count"] = queryset.count()
    paginator = Paginator(queryset.order_by(*LIST_ORDERING).values("pk"), page_size)
    paginator.count = totals["dossier_count"]
    page = paginator.get_page(page_number)
    # Plain rows (values), not model instances: only the columns the list shows, so the
    # database groups 50 narrow rows (not their JSON documents) and Python builds no
    # dossier, campaign or filière object.
    rows = list(
        Dossier.objects.filter(pk__in=page.object_list)
        .order_by(*LIST_ORDERING)
        .values("pk", "state", "outcome", "submitted_at", "filiere_id")
        .annotate(
            campaign_name=F("campaign__name"),
            filiere_name=F("filiere__name"),
            **requested_sums("projects__lines__"),
        )
    )
    territories = {}
    for filiere_id, code, name in (
        Filiere.territories.through.objects.filter(
            filiere_id__in={row["filiere_id"] for row in rows}
        )
        .order_by("territory__code")
        .values_list("filiere_id", "territory__code", "territory__name")
    ):
        territories.setdefault(filiere_id, []).append((code, name))
    for row in rows:
        row["territories"] = territories.get(row["filiere_id"], [])
    page.object_list = rows
    return page, totals


@dataclass(frozen=True, slots=True)
class SnapshotRow:
    """A deposit as the dossier page and its panels list it (its content not read)."""

    number: int
    transition: str
    created_at: dt.datetime
    created_by: str | None  # str(user), None: nobody left


def page_snapshots(dossier):
    """[SnapshotRow] of the dossier, by number."""
    return [
        SnapshotRow(number, transition, at, user_name(first, last, username) if username else None)
        for number, transition, at, first, last, username in _snapshot_rows(dossier.pk)
    ]


@prepared
def _snapshot_rows(dossier_id):
    return (
        Snapshot.objects.filter(dossier_id=dossier_id)
        .order_by("number")
        .values_list(
            "number",
            "transition",
            "created_at",
            "created_by__first_name",
            "created_by__last_name",
            "created_by__username",
        )
    )


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """A state change as the staff read it on the dossier page: who acted by name."""

    at: dt.datetime
    by_label: str
    from_state: str
    to_state: str
    comment: str
    is_public: bool


def staff_history(dossier):
    """[HistoryRow] of the dossier in the order of its history (at, id), every entry
    (internal ones included), who acted as str(user) or « — »."""
    return [
        HistoryRow(
            at,
            user_name(first, last, username) if username else "—",
            from_state,
            to_state,
            comment,
            is_public,
        )
        for at, first, last, username, from_state, to_state, comment, is_public in (
            _history_rows(dossier.pk)
        )
    ]


@prepared
def _history_rows(dossier_id):
    return (
        HistoryEntry.objects.filter(dossier_id=dossier_id)
        .order_by("at", "id")
        .values_list(
            "at",
            "by__first_name",
            "by__last_name",
            "by__username",
            "from_state",
            "to_state",
            "comment",
            "is_public",
        )
    )


@dataclass(frozen=True, slots=True)
class TerritoryRow:
    code: str
    name: str


def filiere_territories(filiere_id):
    """[TerritoryRow] of the filière's health territories, by code (the dossier page)."""
    return [TerritoryRow(code, name) for code, name in _territory_rows(filiere_id)]


@prepared
def _territory_rows(filiere_id):
    return (
        Filiere.territories.through.objects.filter(filiere_id=filiere_id)
        .order_by("territory__code", "territory_id")
        .values_list("territory__code", "territory__name")
    )
