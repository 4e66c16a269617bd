"""Decisions export: XLSX, ODS and CSV built with pandas (writers and layout:
outputs.domain.spreadsheets).

Sheets, French headers:
- « Décisions »: one row per project sheet of every dossier from its submission on
  (drafts and withdrawn dossiers are left out, as in the budget view), the money first,
  then a totals row equal to the budget read model;
- « Engagements par année »: every granted line of the decided dossiers with its cost in
  each of the budget's years (first year prorated), then the totals of the budget page;
- « Synthèse par territoire »: per health territory, the dossiers of the filières
  covering it (a filière covering two territories counts in both), then a total row
  where every dossier counts once;
- « Synthèse par enveloppe »: recurring and one-off envelopes;
- « Dossiers »: one row per dossier, what the identity sheet and the diagnostic say
  (lead structure's address and legal representative, the actors the call names and
  the justification of those missing, the diagnostic's counts).

Amounts stay Decimal in the DataFrames and become float64 only when written
(spreadsheets store IEEE doubles; every amount below 10^13 € with cents
reads back exactly once rounded to the cent). Granted amounts are shown for
decided dossiers only. Text that a spreadsheet would read as a formula is
neutralised with a leading apostrophe, in every format. The CSV holds the
« Décisions » rows only, without totals (UTF-8 with BOM, « ; » separator, decimal
comma, ISO dates: what French Excel and LibreOffice open directly)."""

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from django.conf import settings
from django.db.models import Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import is_ars
from budget import queries
from budget.enums import EnvelopeKind
from campaign.queries import filiere_territory_links
from common.errors import InvalidInput
from common.money import CENT
from common.text import xml_safe
from dossiers.domain.participation import participation
from dossiers.domain.parts import establishment_names
from dossiers.enums import (
    DIAGNOSTIC_FIGURES,
    SUBMITTED_STATES,
    DossierState,
    LegalStatus,
    LineCategory,
    LineNature,
    MissionStatus,
    Outcome,
)
from dossiers.models import Dossier, FundingLine, Project
from outputs.domain import spreadsheets
from scoring.domain.aggregate import campaign_weighted_means, q2, readable_score_dossiers
from scoring.models import Grid

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "csv": "text/csv; charset=utf-8",
}
EXPORTED_STATES = sorted(SUBMITTED_STATES)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

SHEET_DECISIONS = "Décisions"
SHEET_YEARS = "Engagements par année"
SHEET_TERRITORIES = "Synthèse par territoire"
SHEET_ENVELOPES = "Synthèse par enveloppe"
SHEET_DOSSIERS = "Dossiers"
SHEET_LINES = "Lignes de financement"

# Column headers (French): a header ending in « (€) » is an amount (euro number format).
COL_DOSSIER_ID = "N° dossier"
COL_DOSSIER = "Dossier"
COL_FILIERE = "Filière"
COL_TERRITORY = "Territoire(s)"
COL_DEPARTEMENTS = "Département(s)"
COL_LEAD = "Structure porteuse"
COL_STATE = "État"
COL_OUTCOME = "Décision"
COL_RECOGNISED = "Filière reconnue"
COL_SUBMITTED = "Déposé le"
COL_DECIDED = "Décidé le"
COL_SCORE = "Score pondéré"  # followed by the grid's scale: « Score pondéré (/4) »
COL_PRIORITY = "Rang de priorité"
COL_PROJECT = "Fiche projet"
COL_START = "Début"
COL_END = "Fin"
COL_REQ_REC = "Demandé reconductible (€)"
COL_REQ_ONE = "Demandé ponctuel (€)"
COL_PROP_REC = "Proposé reconductible (€)"
COL_PROP_ONE = "Proposé ponctuel (€)"
COL_GRANT_REC = "Accordé reconductible (€)"
COL_GRANT_ONE = "Accordé ponctuel (€)"
COL_START_MONTH = "Démarrage des crédits reconductibles"
COL_LINE = "Ligne de financement"
COL_NATURE = "Nature"
COL_CATEGORY = "Catégorie"
COL_ETP = "ETP"
COL_REQUESTED = "Demandé (€)"
COL_PROPOSED = "Proposé (€)"
COL_GRANTED = "Accordé (€)"
COL_MONTH = "Mois de démarrage"
COL_FINESS = "FINESS bénéficiaire"
COL_ESTABLISHMENT = "Établissement bénéficiaire"
TOTAL_LABEL = "Total"

AMOUNT_KEYS = [
    ("requested_recurring", COL_REQ_REC),
    ("requested_one_off", COL_REQ_ONE),
    ("proposed_recurring", COL_PROP_REC),
    ("proposed_one_off", COL_PROP_ONE),
    ("granted_recurring", COL_GRANT_REC),
    ("granted_one_off", COL_GRANT_ONE),
]
DATE_COLUMNS = [
    COL_SUBMITTED,
    COL_DECIDED,
    COL_START,
    COL_END,
    COL_START_MONTH,
    COL_MONTH,
]
# Numbers with two decimals (ETP), not amounts; scores are found by their header.
DECIMAL_COLUMNS = [COL_ETP]
# Kinds another app may give the writers for its own columns (`formats`).
FORMAT_KINDS = ("amount", "decimal", "date", "integer")


def sync_max_rows():
    """Up to this many project sheets, an export is answered at once; above, in the
    background (setting OUTPUTS_EXPORT_SYNC_MAX_ROWS)."""
    return getattr(settings, "OUTPUTS_EXPORT_SYNC_MAX_ROWS", 1000)


def neutralise(value):
    """Text a spreadsheet would take for a formula gets a leading apostrophe; control
    characters a spreadsheet cannot hold are removed (common.text: texts stored before
    the rule)."""
    value = xml_safe(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass(frozen=True)
class ExportReader:
    """What the person requesting an export may see in it (decision 0021), so that an
    export never shows more than the pages: the ARS sees everything; a CARESP reviewer
    sees the scores of the dossiers whose own review it submitted (not set aside by a
    conflict of interest), proposed amounts once the decision is notified, and neither
    the envelopes, the per-year commitments nor the proposed totals; nobody sees the
    internal figures of a filière they write for."""

    all_proposals: bool = True  # proposed amounts of dossiers not yet decided
    budget: bool = True  # envelopes, per-year commitments and proposed totals
    scored: frozenset | None = None  # dossiers whose score is shown (None: all)
    own_filieres: frozenset = frozenset()

    def shows_score(self, dossier_id, filiere_id):
        if filiere_id in self.own_filieres:
            return False
        return self.scored is None or dossier_id in self.scored

    def shows_proposal(self, decided, filiere_id):
        if filiere_id in self.own_filieres:
            return False
        return self.all_proposals or decided


FULL_VIEW = ExportReader()


def reader_for(user, campaign):
    """The ExportReader of `user` for `campaign` (staff of its region: checked before)."""
    ars = is_ars.test(user, campaign)
    scored = readable_score_dossiers(user, campaign)
    return ExportReader(
        all_proposals=ars,
        budget=ars,
        scored=frozenset(scored) if scored is not None else None,
        own_filieres=frozenset(user.filiere_ids),
    )


def campaign_scores(campaign):
    """{dossier_id: weighted mean on the grid's scale, two decimals} from the scoring app."""

    return {pk: q2(mean) for pk, mean in campaign_weighted_means(campaign).items()}


def score_header(campaign):
    """« Score pondéré (/4) »: the weighted mean is on the grid's scale (read, never
    created here: a campaign without a grid has the default scale)."""
    scale = (
        Grid.objects.filter(campaign=campaign).values_list("scale_max", flat=True).first()
        or Grid._meta.get_field("scale_max").get_default()
    )
    return f"{COL_SCORE} (/{scale})"


def _cents(value):
    """Database sums come back with the backend's precision (SQLite: 10 digits)."""
    if value is None:
        return None
    return Decimal(value).quantize(CENT)


def _local_date(value):
    return timezone.localdate(value) if value else None


def _territories_by_filiere(campaign):
    through = filiere_territory_links(campaign).select_related("territory")
    result = defaultdict(list)
    for link in through.order_by("territory__code"):
        result[link.filiere_id].append(link.territory)
    return result


DOSSIER_FIELDS = (
    "id",
    "state",
    "outcome",
    "recognised",
    "submitted_at",
    "decided_at",
    "identity",
    "diagnostic",
    "filiere_id",
    "filiere__name",
)


def _exported_dossiers(campaign):
    """The exported dossiers as plain values (thousands of them: no model instances)."""
    return (
        Dossier.objects.filter(campaign=campaign, state__in=EXPORTED_STATES)
        .order_by("filiere__name", "id")
        .values(*DOSSIER_FIELDS)
    )


def _dossier_columns(dossiers, territories, scores, score_column, reader=FULL_VIEW):
    """Per dossier, the columns shared by all its rows (each JSON document decoded once)."""

    states = {key: str(label) for key, label in DossierState.choices}
    outcomes = {key: str(label) for key, label in Outcome.choices}
    yes, no = _("oui"), _("non")
    result = {}
    for dossier in dossiers:
        decided = dossier["state"] == DossierState.DECIDED
        covered = territories.get(dossier["filiere_id"], [])
        identity = dossier["identity"] or {}
        lead = identity.get("lead_structure") or {}
        result[dossier["id"]] = (
            decided,
            {
                COL_DOSSIER_ID: dossier["id"],
                COL_DOSSIER: identity.get("name") or dossier["filiere__name"],
                COL_FILIERE: dossier["filiere__name"],
                COL_TERRITORY: " ; ".join(f"{t.code} — {t.name}" for t in covered),
                COL_DEPARTEMENTS: ", ".join(
                    sorted({code for t in covered for code in (t.departements or [])})
                ),
                COL_LEAD: lead.get("name") or "",
                COL_STATE: states.get(dossier["state"], dossier["state"]),
                COL_OUTCOME: outcomes.get(dossier["outcome"], "") if decided else "",
                COL_RECOGNISED: (yes if dossier["recognised"] else no) if decided else "",
                COL_SUBMITTED: _local_date(dossier["submitted_at"]),
                COL_DECIDED: _local_date(dossier["decided_at"]) if decided else None,
                score_column: scores.get(dossier["id"])
                if reader.shows_score(dossier["id"], dossier["filiere_id"])
                else None,
            },
            reader.shows_proposal(decided, dossier["filiere_id"]),
        )
    return result


def _with_totals(frame, totals, *, label_column, repeat_columns=1):
    """The frame with its totals row ({header: value}) and its printed layout."""
    frame.attrs["totals"] = {label_column: TOTAL_LABEL, **totals} if totals else None
    frame.attrs["repeat_columns"] = repeat_columns
    return frame


def decision_rows(
    campaign,
    scores=None,
    reader=FULL_VIEW,
    *,
    summary=None,
    dossiers=None,
    territories=None,
    totals=True,
):
    """The « Décisions » sheet: one row per project sheet, amounts summed in the database,
    as `reader` may see them; its totals row is the budget read model's (budget_summary's
    envelopes; without the budget's view, no proposed totals). `totals=False` (the CSV):
    the rows only."""

    score_column = score_header(campaign)
    if dossiers is None:
        dossiers = _exported_dossiers(campaign)
    if territories is None:
        territories = _territories_by_filiere(campaign)
    per_dossier = _dossier_columns(dossiers, territories, scores or {}, score_column, reader)
    projects = (
        Project.objects.filter(dossier__campaign=campaign, dossier__state__in=EXPORTED_STATES)
        .values("id", "dossier_id", "priority", "title", "start", "end")
        .annotate(**queries.line_sums("lines__"), start_month=_min_start_month())
        .order_by("dossier__filiere__name", "dossier_id", "priority", "id")
    )
    rows = []
    for project in projects:
        decided, shared, proposals = per_dossier[project["dossier_id"]]
        row = {
            **shared,
            COL_PRIORITY: project["priority"],
            COL_PROJECT: project["title"],
            COL_START: project["start"],
            COL_END: project["end"],
        }
        for key, header in AMOUNT_KEYS:
            value = _cents(project[key])
            if (key.startswith("granted") and not decided) or (
                key.startswith("proposed") and not proposals
            ):
                value = None
            row[header] = value
        row[COL_START_MONTH] = project["start_month"] if decided else None
        rows.append(row)
    # The money first (what a finance officer prints), then the dossier's context.
    columns = [
        COL_DOSSIER_ID,
        COL_FILIERE,
        COL_PRIORITY,
        COL_PROJECT,
        *[header for _key, header in AMOUNT_KEYS],
        COL_START_MONTH,
        COL_OUTCOME,
        COL_RECOGNISED,
        COL_STATE,
        score_column,
        COL_START,
        COL_END,
        COL_SUBMITTED,
        COL_DECIDED,
        COL_DOSSIER,
        COL_TERRITORY,
        COL_DEPARTEMENTS,
        COL_LEAD,
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame[COL_DOSSIER_ID] = frame[COL_DOSSIER_ID].astype("Int64")
    frame[COL_PRIORITY] = frame[COL_PRIORITY].astype("Int64")
    row_totals = None
    if totals:
        envelopes = (summary or queries.budget_summary(campaign))["envelopes"]
        row_totals = {}
        for key, header in AMOUNT_KEYS:
            step, kind = key.split("_", 1)
            if step == "proposed" and not reader.budget:
                continue
            row_totals[header] = _cents(envelopes[kind][step])
    return _with_totals(frame, row_totals, label_column=COL_FILIERE, repeat_columns=4)


def _min_start_month():
    return Min(
        "lines__start_month",
        filter=Q(lines__nature=LineNature.RECURRING, lines__granted__gt=0),
    )


def year_rows(campaign, summary=None, dossiers=None):
    """« Engagements par année »: every granted line with its cost in each of the budget's
    years (budget.queries.granted_lines_by_year: the first year prorated); the totals row
    is budget_summary()["by_year"], what the budget page shows. `dossiers`: the exported
    dossiers' values when already read (their identity names the establishments)."""
    years, lines = queries.granted_lines_by_year(campaign)
    natures = {key: str(label) for key, label in LineNature.choices}
    wanted = {line["project__dossier_id"] for line, _costs in lines}
    if dossiers is None:
        # Without order_by(), the dossiers' default ordering joins the campaign and the
        # filière: SQLite then checks the id list for each filière (quadratic).
        dossiers = Dossier.objects.filter(pk__in=wanted).order_by().values("id", "identity")
    names = {
        row["id"]: establishment_names(row["identity"]) for row in dossiers if row["id"] in wanted
    }
    year_headers = [f"{year} (€)" for year in years]
    rows = []
    for line, costs in lines:
        dossier_id = line["project__dossier_id"]
        rows.append(
            {
                COL_DOSSIER_ID: dossier_id,
                COL_FILIERE: line["project__dossier__filiere__name"],
                COL_PRIORITY: line["project__priority"],
                COL_LINE: line["label"],
                COL_NATURE: natures.get(line["nature"], line["nature"]),
                COL_GRANTED: line["granted"],
                COL_MONTH: line["start_month"],
                **dict(zip(year_headers, costs, strict=True)),
                COL_FINESS: line["beneficiary_finess"],
                COL_ESTABLISHMENT: names[dossier_id].get(line["beneficiary_finess"], ""),
            }
        )
    columns = [
        COL_DOSSIER_ID,
        COL_FILIERE,
        COL_PRIORITY,
        COL_LINE,
        COL_NATURE,
        COL_GRANTED,
        COL_MONTH,
        *[f"{year} (€)" for year in years],
        COL_FINESS,
        COL_ESTABLISHMENT,
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame[COL_DOSSIER_ID] = frame[COL_DOSSIER_ID].astype("Int64")
    frame[COL_PRIORITY] = frame[COL_PRIORITY].astype("Int64")
    summary = summary or queries.budget_summary(campaign)
    by_year = {row["year"]: row["total"] for row in summary["by_year"]}
    totals = {f"{year} (€)": _cents(by_year.get(year, Decimal(0))) for year in years}
    totals[COL_GRANTED] = _cents(
        sum(summary["envelopes"][kind]["granted"] for kind in ("recurring", "one_off"))
    )
    return _with_totals(frame, totals, label_column=COL_FILIERE, repeat_columns=4)


def territory_rows(campaign, reader=FULL_VIEW):
    """« Synthèse par territoire »: budget.queries.by_covered_territory (a filière covering
    two territories counts in both), then the total where every dossier counts once.
    Without the budget's view (CARESP), no proposed totals."""

    summary = queries.by_covered_territory(campaign)

    def row(code, name, departements, sums):
        return {
            "Code": code,
            "Territoire": name,
            "Départements": ", ".join(departements),
            "Dossiers": sums["dossiers"],
            "Fiches projet": sums["projects"],
            **{header: sums[key] for key, header in AMOUNT_KEYS},
        }

    rows = [row(t["code"], t["name"], t["departements"], t) for t in summary["territories"]]
    if summary["unassigned"]:
        rows.append(row("", _("Filières sans territoire renseigné"), [], summary["unassigned"]))
    rows.append(
        row("", _("Total de la campagne (chaque dossier compté une fois)"), [], summary["total"])
    )
    frame = pd.DataFrame(rows)
    if not reader.budget:
        frame = frame.drop(columns=[COL_PROP_REC, COL_PROP_ONE])
    return _with_totals(frame, None, label_column="Territoire", repeat_columns=2)


def envelope_rows(campaign, summary=None):
    """« Synthèse par enveloppe »: the envelope rows of budget.queries.budget_summary."""

    envelopes = (summary or queries.budget_summary(campaign))["envelopes"]
    rows = []
    for kind in (EnvelopeKind.RECURRING, EnvelopeKind.ONE_OFF):
        money = envelopes[kind.value]
        rows.append(
            {
                "Enveloppe": str(kind.label),
                "Montant de l'enveloppe (€)": money["envelope"],
                "Demandé (€)": _cents(money["requested"]),
                "Proposé (€)": _cents(money["proposed"]),
                "Accordé (€)": _cents(money["granted"]),
                "Délégué (€)": _cents(money["delegated"]),
                "Reste à accorder (€)": _cents(money["remaining"]),
                "Dossiers décidés": money["decided_dossiers"],
            }
        )
    return _with_totals(pd.DataFrame(rows), None, label_column="Enveloppe")


COL_LEAD_FINESS = "FINESS de la structure porteuse"
COL_LEGAL_STATUS = "Statut juridique"
COL_COORDINATOR = "Coordinateur"
COL_COORDINATOR_EMAIL = "Courriel du coordinateur"
COL_MEMBERS = "Structures membres"
COL_ADDRESS = "Adresse postale de la structure porteuse"
COL_REPRESENTATIVE = "Représentant légal"
COL_MISSING = "Acteurs de l'appel absents"
COL_JUSTIFICATION = "Justification des absences"


def dossier_rows(dossiers):
    """« Dossiers »: one row per dossier, its identity sheet and diagnostic as submitted
    (dossiers without the fields added since show them empty)."""
    statuses = {key: str(label) for key, label in LegalStatus.choices}
    figures = [(key, str(label)) for key, label in DIAGNOSTIC_FIGURES]
    missions = [
        (status, _("Missions : %(status)s") % {"status": str(label).lower()})
        for status, label in MissionStatus.choices
    ]
    rows = []
    for dossier in dossiers:
        identity = dossier["identity"] or {}
        diagnostic = dossier["diagnostic"] or {}
        lead = identity.get("lead_structure") or {}
        coordinator = identity.get("coordinator") or {}
        actors = participation(identity)
        statuses_given = [
            m.get("status") for m in diagnostic.get("missions") or [] if isinstance(m, dict)
        ]
        representative = ", ".join(
            part
            for part in (lead.get("representative_name"), lead.get("representative_title"))
            if part
        )
        row = {
            COL_DOSSIER_ID: dossier["id"],
            COL_FILIERE: dossier["filiere__name"],
            COL_LEAD: lead.get("name") or "",
            COL_LEAD_FINESS: lead.get("finess") or "",
            COL_LEGAL_STATUS: statuses.get(lead.get("legal_status"), ""),
            COL_ADDRESS: lead.get("address") or "",
            COL_REPRESENTATIVE: representative,
            COL_COORDINATOR: coordinator.get("name") or "",
            COL_COORDINATOR_EMAIL: coordinator.get("email") or "",
            COL_MEMBERS: len(identity.get("members") or []),
            COL_MISSING: ", ".join(actors.missing),
            COL_JUSTIFICATION: actors.justification,
        }
        for key, label in figures:
            value = diagnostic.get(key)
            if key == "area_km2":
                value = Decimal(str(value)) if value not in (None, "") else None
            row[label] = value
        for status, label in missions:
            row[label] = statuses_given.count(status)
        rows.append(row)
    text_columns = [
        COL_DOSSIER_ID,
        COL_FILIERE,
        COL_LEAD,
        COL_LEAD_FINESS,
        COL_LEGAL_STATUS,
        COL_ADDRESS,
        COL_REPRESENTATIVE,
        COL_COORDINATOR,
        COL_COORDINATOR_EMAIL,
        COL_MEMBERS,
        COL_MISSING,
        COL_JUSTIFICATION,
    ]
    frame = pd.DataFrame(
        rows,
        columns=text_columns + [label for _k, label in figures] + [m for _s, m in missions],
    )
    counts = [COL_DOSSIER_ID, COL_MEMBERS, *[label for _s, label in missions]]
    counts += [label for key, label in figures if key != "area_km2"]
    for column in counts:
        frame[column] = frame[column].astype("Int64")
    return _with_totals(frame, None, label_column=COL_FILIERE, repeat_columns=2)


def decision_frames(campaign, scores=None, reader=FULL_VIEW):
    """{sheet name: DataFrame} in sheet order (the per-year commitments and the envelopes
    only for the budget's view)."""
    summary = queries.budget_summary(campaign)
    dossiers = list(_exported_dossiers(campaign))
    frames = {
        SHEET_DECISIONS: decision_rows(
            campaign,
            scores,
            reader,
            summary=summary,
            dossiers=dossiers,
            territories=_territories_by_filiere(campaign),
        )
    }
    if reader.budget:
        frames[SHEET_YEARS] = year_rows(campaign, summary, dossiers)
    frames[SHEET_TERRITORIES] = territory_rows(campaign, reader)
    if reader.budget:
        frames[SHEET_ENVELOPES] = envelope_rows(campaign, summary)
    frames[SHEET_DOSSIERS] = dossier_rows(dossiers)
    return frames


def _kind(column, formats):
    kind = formats.get(column)
    if kind:
        return kind
    if str(column).endswith(spreadsheets.AMOUNT_SUFFIX):
        return "amount"
    if column in DATE_COLUMNS:
        return "date"
    if column in DECIMAL_COLUMNS or str(column).startswith(COL_SCORE):
        return "decimal"
    return None


def _as_float(value):
    """An amount as the double a spreadsheet stores (NaN: empty cell)."""
    if value is None:
        return math.nan
    if type(value) in (Decimal, float, int):
        return float(value)
    return math.nan if pd.isna(value) else float(value)


def _needs_neutralising(values):
    """Whether neutralise() would change one of `values` (most columns: no, and they are
    kept as they are). Checked on the texts joined, at C speed: every text starts after a
    NUL in `starts`."""
    texts = [value for value in values if isinstance(value, str)]
    starts = "\x00" + "\x00".join(texts)
    return not " ".join(texts).isprintable() or any(
        f"\x00{prefix}" in starts for prefix in FORMULA_PREFIXES
    )


def _for_writing(frame, formats=None):
    """Decimal → float64 (what spreadsheets store), text neutralised; the frame's layout
    (`attrs`) and its totals row follow."""
    formats = formats or {}
    attrs = dict(frame.attrs)
    frame = frame.copy()
    for column in frame.columns:
        kind = _kind(column, formats)
        if kind in ("date", "integer"):
            continue
        if kind in ("amount", "decimal"):
            if frame[column].dtype != "float64":
                frame[column] = pd.Series(
                    [
                        float(v) if type(v) is Decimal else _as_float(v)
                        for v in frame[column].tolist()
                    ],
                    index=frame.index,
                    dtype="float64",
                )
        elif not pd.api.types.is_integer_dtype(frame[column].dtype) and _needs_neutralising(
            frame[column].tolist()
        ):
            frame[column] = frame[column].map(neutralise)
    totals = attrs.get("totals")
    if totals:
        attrs["totals"] = {
            key: float(value) if isinstance(value, Decimal) else neutralise(value)
            for key, value in totals.items()
        }
    frame.attrs = attrs
    return frame


def _writer_options(frames, formats):
    columns = {column for frame in frames.values() for column in frame.columns}
    return {
        "date_columns": [c for c in columns if _kind(c, formats) == "date"],
        "decimal_columns": [c for c in columns if _kind(c, formats) == "decimal"],
        "amount_columns": [c for c in columns if _kind(c, formats) == "amount"],
    }


def write_xlsx(frames, formats=None):
    """The sheets as an XLSX workbook (outputs.domain.spreadsheets). `formats`: {column:
    kind of FORMAT_KINDS} for the columns of another app that the rules above miss."""
    formats = formats or {}
    frames = {name: _for_writing(frame, formats) for name, frame in frames.items()}
    return spreadsheets.write_xlsx(frames, **_writer_options(frames, formats))


def write_ods(frames, formats=None):
    formats = formats or {}
    frames = {name: _for_writing(frame, formats) for name, frame in frames.items()}
    return spreadsheets.write_ods(frames, **_writer_options(frames, formats))


def write_csv_frame(frame, formats=None):
    """One sheet as CSV, its rows only (another app's export: `formats` as for write_xlsx)."""
    return spreadsheets.write_csv(_for_writing(frame, formats))


def write_csv(frames):
    return write_csv_frame(frames[SHEET_DECISIONS])


WRITERS = {"xlsx": write_xlsx, "ods": write_ods, "csv": write_csv}


def export_filename(campaign, fmt, today=None):
    today = today or timezone.localdate()
    return f"decisions-{campaign.slug}-{today.isoformat()}.{fmt}"


def check_format(fmt):
    if fmt not in FORMATS:
        raise InvalidInput(
            _("Format d'export inconnu : « %(fmt)s » (xlsx, ods ou csv).") % {"fmt": fmt},
            {"format": [_("Choisissez xlsx, ods ou csv.")]},
        )
    return fmt


def export_decisions(campaign, fmt, scores=None, progress=None, reader=FULL_VIEW):
    """(filename, content type, bytes) of the decisions export in `fmt`.

    `reader`: what the requesting person may see (`reader_for(user, campaign)`: every
    page, API call and job passes it). `progress(done, total)` is called between the
    steps (background jobs)."""
    check_format(fmt)
    progress = progress or (lambda done, total: None)
    progress(0, 2)
    if scores is None:
        scores = campaign_scores(campaign)
    if fmt == "csv":
        frames = {SHEET_DECISIONS: decision_rows(campaign, scores, reader, totals=False)}
    else:
        frames = decision_frames(campaign, scores, reader)
    progress(1, 2)
    data = WRITERS[fmt](frames)
    progress(2, 2)
    return export_filename(campaign, fmt), FORMATS[fmt], data


LINE_COLUMNS = [
    COL_DOSSIER_ID,
    COL_DOSSIER,
    COL_FILIERE,
    COL_PROJECT,
    COL_PRIORITY,
    COL_LINE,
    COL_NATURE,
    COL_CATEGORY,
    COL_ETP,
    COL_REQUESTED,
    COL_PROPOSED,
    COL_GRANTED,
    COL_MONTH,
    COL_FINESS,
    COL_ESTABLISHMENT,
]


def decision_line_rows(campaign, reader=FULL_VIEW, summary=None):
    """One row per funding line of the submitted dossiers: what a FIR order or a CPOM
    amendment needs, per receiving establishment (api.md `decision_lines`); proposed
    amounts as `reader` may see them; the totals row is the budget read model's."""
    natures = dict(LineNature.choices)
    categories = dict(LineCategory.choices)
    lines = (
        FundingLine.objects.filter(
            project__dossier__campaign=campaign, project__dossier__state__in=EXPORTED_STATES
        )
        .select_related("project__dossier__filiere")
        .defer(
            "project__objectives",
            "project__actions",
            "project__partners",
            "project__indicators",
            "project__dossier__diagnostic",
            "project__dossier__swot",
        )
        .order_by(
            "project__dossier__filiere__name",
            "project__dossier_id",
            "project__priority",
            "project_id",
            "pk",
        )
    )
    rows = []
    identities = {}
    for line in lines:
        project = line.project
        dossier = project.dossier
        decided = dossier.state == DossierState.DECIDED
        identity = dossier.identity or {}
        if dossier.pk not in identities:
            identities[dossier.pk] = establishment_names(identity)
        rows.append(
            {
                COL_DOSSIER_ID: dossier.pk,
                COL_DOSSIER: identity.get("name") or dossier.filiere.name,
                COL_FILIERE: dossier.filiere.name,
                COL_PROJECT: project.title,
                COL_PRIORITY: project.priority,
                COL_LINE: line.label,
                COL_NATURE: str(natures.get(line.nature, line.nature)),
                COL_CATEGORY: str(categories.get(line.category, line.category or "")),
                COL_ETP: line.etp,
                COL_REQUESTED: line.amount,
                COL_PROPOSED: line.proposed
                if reader.shows_proposal(decided, dossier.filiere_id)
                else None,
                COL_GRANTED: line.granted if decided else None,
                COL_MONTH: line.start_month if decided else None,
                COL_FINESS: line.beneficiary_finess,
                COL_ESTABLISHMENT: identities[dossier.pk].get(line.beneficiary_finess, ""),
            }
        )
    frame = pd.DataFrame(rows, columns=LINE_COLUMNS)
    frame[COL_DOSSIER_ID] = frame[COL_DOSSIER_ID].astype("Int64")
    frame[COL_PRIORITY] = frame[COL_PRIORITY].astype("Int64")
    envelopes = (summary or queries.budget_summary(campaign))["envelopes"]
    etp = FundingLine.objects.filter(
        project__dossier__campaign=campaign, project__dossier__state__in=EXPORTED_STATES
    ).aggregate(total=Sum("etp"))["total"]
    totals = {
        COL_ETP: etp,
        COL_REQUESTED: _cents(sum(envelopes[k]["requested"] for k in ("recurring", "one_off"))),
        COL_PROPOSED: _cents(sum(envelopes[k]["proposed"] for k in ("recurring", "one_off")))
        if reader.budget
        else None,
        COL_GRANTED: _cents(sum(envelopes[k]["granted"] for k in ("recurring", "one_off"))),
    }
    return _with_totals(frame, totals, label_column=COL_FILIERE, repeat_columns=3)


LINE_FORMATS = {"xlsx": FORMATS["xlsx"], "csv": FORMATS["csv"]}


def export_decision_lines(campaign, fmt, reader=FULL_VIEW):
    """(filename, content type, bytes) of the per-line export (xlsx or csv), as `reader`
    may see it."""
    if fmt not in LINE_FORMATS:
        raise InvalidInput(
            _("Format d'export inconnu : « %(fmt)s » (xlsx ou csv).") % {"fmt": fmt},
            {"format": [_("Choisissez xlsx ou csv.")]},
        )
    frame = decision_line_rows(campaign, reader)
    data = write_xlsx({SHEET_LINES: frame}) if fmt == "xlsx" else write_csv_frame(frame)
    today = timezone.localdate()
    return f"lignes-decisions-{campaign.slug}-{today.isoformat()}.{fmt}", LINE_FORMATS[fmt], data


def exported_row_count(campaign):
    """Rows of the « Décisions » sheet: decides whether an export runs in the background."""

    return Project.objects.filter(
        dossier__campaign=campaign, dossier__state__in=EXPORTED_STATES
    ).count()
