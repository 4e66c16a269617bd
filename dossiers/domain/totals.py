"""Requested / proposed / granted sums, computed in the database (exact Decimal, no floats).

A dossier's totals are stored (DossierTotals, kept by database triggers on the lines,
decision 0056) and read here: `sums_by_dossier`, `totals_of`, `dossier_totals`.
`nature_sum("recurring", prefix="projects__lines__")` sums lines where a page needs
fewer than a dossier (a sheet, a page of rows): an expression usable in `annotate()` or
`aggregate()` on any model that reaches funding lines through `prefix`, 0.00 (not NULL)
when there is no line."""

from decimal import Decimal

from django.db.models import Case, DecimalField, F, Sum, Value, When
from django.db.models.functions import Coalesce

from common.prepared import prepared
from dossiers.enums import LineNature
from dossiers.models import DossierTotals, FundingLine

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0.00")


def nature_sum(nature, *, prefix="", field="amount"):
    """Sum of `field` over the funding lines of one nature (Sum + Case/When)."""
    return Coalesce(
        Sum(
            Case(
                When(**{f"{prefix}nature": nature}, then=F(f"{prefix}{field}")),
                output_field=MONEY,
            )
        ),
        Value(ZERO, output_field=MONEY),
        output_field=MONEY,
    )


def requested_sums(prefix=""):
    """{"requested_recurring": expr, "requested_one_off": expr} for annotate/aggregate."""
    return {
        "requested_recurring": nature_sum(LineNature.RECURRING, prefix=prefix),
        "requested_one_off": nature_sum(LineNature.ONE_OFF, prefix=prefix),
    }


# The names of a dossier's totals (requested_…, proposed_…, granted_…) → the line field.
_TOTAL_FIELDS = {"requested": "amount", "proposed": "proposed", "granted": "granted"}
# LineNature.values builds its list (and the labels') at each reading.
_NATURES = tuple(LineNature.values)
_ZERO_SUMS = {f"{name}_{nature}": ZERO for name in _TOTAL_FIELDS for nature in _NATURES}


def stored_totals(dossiers):
    """The DossierTotals rows (kept by database triggers, decision 0056) of a queryset of
    dossiers, given as an `IN (subquery)`."""
    return DossierTotals.objects.filter(dossier_id__in=dossiers.values("id"))


def totals_of(dossiers, fields=("amount",)):
    """{"<field>_<nature>": Decimal or None} summed over a queryset of dossiers (None:
    nothing to sum), in one query over their stored totals, not their lines."""
    names = [f"{field}_{nature}" for field in fields for nature in LineNature.values]
    return stored_totals(dossiers).aggregate(
        **{name: Sum(name, output_field=MONEY) for name in names}
    )


def dossier_totals(dossier):
    """The dossier's totals ("requested_recurring", …, "granted_one_off"), 0.00 where
    there is nothing to sum: its stored totals row, one query."""
    rows = _stored_row(dossier.pk)
    if not rows:
        return dict(_ZERO_SUMS)
    return {name: value or ZERO for name, value in zip(_ZERO_SUMS, rows[0], strict=True)}


@prepared
def _stored_row(dossier_id):
    """The dossier's stored totals row (one at most), in _ZERO_SUMS's order."""
    columns = [f"{field}_{nature}" for field in _TOTAL_FIELDS.values() for nature in _NATURES]
    return DossierTotals.objects.filter(dossier_id=dossier_id).order_by().values_list(*columns)


def dossier_line_totals(dossier):
    """(totals of the dossier, {project_id: totals}) in two queries, named as
    dossier_totals names them, 0.00 where there is nothing to sum. The sheets' sums:
    one row per sheet and nature, three plain sums (FILTER clauses per nature cost more
    to build than to run)."""
    per_project = {}
    for project_id, nature, *values in (
        FundingLine.objects.filter(project__dossier_id=dossier.pk)
        .values_list("project_id", "nature")
        .annotate(*(Sum(field, output_field=MONEY) for field in _TOTAL_FIELDS.values()))
        .order_by()
    ):
        if nature not in _NATURES:
            continue
        sums = per_project.get(project_id)
        if sums is None:
            sums = per_project[project_id] = dict(_ZERO_SUMS)
        for name, value in zip(_TOTAL_FIELDS, values, strict=True):
            sums[f"{name}_{nature}"] = value or ZERO
    return dossier_totals(dossier), per_project


def sums_by_dossier(dossiers, fields=("amount", "proposed", "granted"), null=ZERO):
    """{dossier_id: {"<field>_<nature>": Decimal}} of a queryset of dossiers, in one query
    (e.g. "amount_recurring", "granted_one_off"); `null` where there is nothing to sum
    (no line of that nature, or none filled in: the pages show "—" for None). A dossier
    without lines is absent.

    Read from the dossiers' stored totals (DossierTotals, kept by database triggers on
    the lines, decision 0056): a campaign's few hundred rows, not its tens of thousands
    of lines."""
    names = [f"{field}_{nature}" for field in fields for nature in LineNature.values]
    return {
        row[0]: {
            name: null if value is None else value
            for name, value in zip(names, row[1:], strict=True)
        }
        for row in stored_totals(dossiers).values_list("dossier_id", *names).order_by()
    }
