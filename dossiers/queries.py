"""Read models of the dossiers for the staff: the filtered list and its totals."""

from django.core.paginator import Paginator
from django.db.models import F

from campaign.models import Filiere
from dossiers.domain.access import visible_dossiers
from dossiers.domain.totals import ZERO, requested_sums, totals_of
from dossiers.models import Dossier

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
