"""Decisions export: XLSX, ODS and CSV built with pandas.

Three sheets, French headers:
- « Décisions »: one row per project sheet of every dossier from its submission on
  (drafts and withdrawn dossiers are left out, as in the budget view);
- « Synthèse par territoire »: per health territory, the dossiers of the filières
  covering it (a filière covering two territories counts in both), then a total row
  where every dossier counts once;
- « Synthèse par enveloppe »: recurring and one-off envelopes.

Amounts stay Decimal in the DataFrames and become float64 only when written
(spreadsheets store IEEE doubles; every amount below 10^13 € with cents
reads back exactly once rounded to the cent). Granted amounts are shown for
decided dossiers only. Text that a spreadsheet would read as a formula is
neutralised with a leading apostrophe, in every format. The CSV holds the
« Décisions » sheet only (UTF-8 with BOM, « ; » separator, decimal comma,
ISO dates: what French Excel and LibreOffice open directly)."""

import datetime as dt
import io
import math
import numbers
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

import pandas as pd
from django.conf import settings
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from accounts.rules import is_ars
from budget import queries
from budget.enums import EnvelopeKind
from campaign.queries import filiere_territory_links
from common.errors import InvalidInput
from common.money import CENT
from common.text import xml_safe
from dossiers.enums import SUBMITTED_STATES, DossierState, LineCategory, LineNature, Outcome
from dossiers.models import Dossier, FundingLine, Project
from scoring.domain.aggregate import campaign_weighted_means, q2, readable_score_dossiers

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "csv": "text/csv; charset=utf-8",
}
EXPORTED_STATES = sorted(SUBMITTED_STATES)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

SHEET_DECISIONS = "Décisions"
SHEET_TERRITORIES = "Synthèse par territoire"
SHEET_ENVELOPES = "Synthèse par enveloppe"

# Column headers (French): the amount columns are written with a euro number format.
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
COL_SCORE = "Score pondéré"
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

AMOUNT_KEYS = [
    ("requested_recurring", COL_REQ_REC),
    ("requested_one_off", COL_REQ_ONE),
    ("proposed_recurring", COL_PROP_REC),
    ("proposed_one_off", COL_PROP_ONE),
    ("granted_recurring", COL_GRANT_REC),
    ("granted_one_off", COL_GRANT_ONE),
]
AMOUNT_COLUMNS = [header for _key, header in AMOUNT_KEYS] + [
    "Montant de l'enveloppe (€)",
    "Demandé (€)",
    "Proposé (€)",
    "Accordé (€)",
    "Reste à accorder (€)",
]
DATE_COLUMNS = [
    COL_SUBMITTED,
    COL_DECIDED,
    COL_START,
    COL_END,
    COL_START_MONTH,
    "Mois de démarrage",
]
# Numbers with two decimals (scores, ETP), not amounts.
DECIMAL_COLUMNS = [COL_SCORE, "ETP"]

XLSX_AMOUNT_FORMAT = '#,##0.00 "€"'
XLSX_DATE_FORMAT = "DD/MM/YYYY"
XLSX_SCORE_FORMAT = "0.00"


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
    the envelopes nor the proposed totals; nobody sees the internal figures of a
    filière they write for."""

    all_proposals: bool = True  # proposed amounts of dossiers not yet decided
    budget: bool = True  # the envelopes sheet and the proposed totals per territory
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


def _dossier_columns(campaign, scores, reader=FULL_VIEW):
    """Per dossier, the columns shared by all its rows (each JSON document decoded once)."""

    territories = _territories_by_filiere(campaign)
    states = dict(DossierState.choices)
    outcomes = dict(Outcome.choices)
    dossiers = (
        Dossier.objects.filter(campaign=campaign, state__in=EXPORTED_STATES)
        .select_related("filiere")
        .only(
            "id",
            "state",
            "outcome",
            "recognised",
            "submitted_at",
            "decided_at",
            "identity",
            "filiere__id",
            "filiere__name",
        )
    )
    result = {}
    for dossier in dossiers:
        decided = dossier.state == DossierState.DECIDED
        covered = territories.get(dossier.filiere_id, [])
        identity = dossier.identity or {}
        lead = identity.get("lead_structure") or {}
        result[dossier.id] = (
            decided,
            {
                COL_DOSSIER_ID: dossier.id,
                COL_DOSSIER: identity.get("name") or dossier.filiere.name,
                COL_FILIERE: dossier.filiere.name,
                COL_TERRITORY: " ; ".join(f"{t.code} — {t.name}" for t in covered),
                COL_DEPARTEMENTS: ", ".join(
                    sorted({code for t in covered for code in (t.departements or [])})
                ),
                COL_LEAD: lead.get("name") or "",
                COL_STATE: str(states.get(dossier.state, dossier.state)),
                COL_OUTCOME: str(outcomes.get(dossier.outcome, "")) if decided else "",
                COL_RECOGNISED: (_("oui") if dossier.recognised else _("non")) if decided else "",
                COL_SUBMITTED: _local_date(dossier.submitted_at),
                COL_DECIDED: _local_date(dossier.decided_at) if decided else None,
                COL_SCORE: scores.get(dossier.id)
                if reader.shows_score(dossier.id, dossier.filiere_id)
                else None,
            },
            reader.shows_proposal(decided, dossier.filiere_id),
        )
    return result


def decision_rows(campaign, scores=None, reader=FULL_VIEW):
    """The « Décisions » sheet: one row per project sheet, amounts summed in the database."""

    per_dossier = _dossier_columns(campaign, scores or {}, reader)
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
    columns = [
        COL_DOSSIER_ID,
        COL_DOSSIER,
        COL_FILIERE,
        COL_TERRITORY,
        COL_DEPARTEMENTS,
        COL_LEAD,
        COL_STATE,
        COL_OUTCOME,
        COL_RECOGNISED,
        COL_SUBMITTED,
        COL_DECIDED,
        COL_SCORE,
        COL_PRIORITY,
        COL_PROJECT,
        COL_START,
        COL_END,
        *[header for _key, header in AMOUNT_KEYS],
        COL_START_MONTH,
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame[COL_DOSSIER_ID] = frame[COL_DOSSIER_ID].astype("Int64")
    frame[COL_PRIORITY] = frame[COL_PRIORITY].astype("Int64")
    return frame


def _min_start_month():
    return Min(
        "lines__start_month",
        filter=Q(lines__nature=LineNature.RECURRING, lines__granted__gt=0),
    )


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
    return frame


def envelope_rows(campaign):
    """« Synthèse par enveloppe »: the envelope rows of budget.queries.budget_summary."""

    envelopes = queries.budget_summary(campaign)["envelopes"]
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
    return pd.DataFrame(rows)


def decision_frames(campaign, scores=None, reader=FULL_VIEW):
    """{sheet name: DataFrame} in sheet order (the envelopes only for the budget's view)."""
    frames = {
        SHEET_DECISIONS: decision_rows(campaign, scores, reader),
        SHEET_TERRITORIES: territory_rows(campaign, reader),
    }
    if reader.budget:
        frames[SHEET_ENVELOPES] = envelope_rows(campaign)
    return frames


def _for_writing(frame):
    """Decimal → float64 (what spreadsheets store), text neutralised."""
    frame = frame.copy()
    for column in frame.columns:
        if column in AMOUNT_COLUMNS or column in DECIMAL_COLUMNS:
            frame[column] = pd.array(
                [float(v) if v is not None and not pd.isna(v) else None for v in frame[column]],
                dtype="Float64",
            ).astype("float64")
        elif column not in DATE_COLUMNS:
            frame[column] = frame[column].map(neutralise)
    return frame


def _column_width(frame, column):
    longest = len(str(column))
    sample = frame[column].head(500)
    for value in sample:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            continue
        if isinstance(value, float):
            longest = max(longest, len(f"{value:,.2f} €"))
        else:
            longest = max(longest, len(str(value)))
    return min(max(longest + 2, 10), 60)


def _xlsx_format(column):
    if column in AMOUNT_COLUMNS:
        return XLSX_AMOUNT_FORMAT
    if column in DECIMAL_COLUMNS:
        return XLSX_SCORE_FORMAT
    if column in DATE_COLUMNS:
        return XLSX_DATE_FORMAT
    return None


def _is_missing(value):
    if isinstance(value, float):
        return math.isnan(value)
    return value is None or value is pd.NA or value == ""


def write_xlsx(frames):
    """openpyxl in write-only (streaming) mode: bold header, widths, euro and date formats."""

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, frame in frames.items():
        frame = _for_writing(frame)
        sheet = workbook.create_sheet(title=name)
        sheet.freeze_panes = "A2"
        # Printed on A4 landscape, fitted to the width, the header row on every page.
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = "9"  # A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_title_rows = "1:1"
        columns = list(frame.columns)
        formats = [_xlsx_format(column) for column in columns]
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = _column_width(frame, column)
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=column)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for values in frame.itertuples(index=False, name=None):
            row = []
            for value, number_format in zip(values, formats, strict=True):
                if _is_missing(value):
                    row.append(None)
                elif number_format:
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = number_format
                    row.append(cell)
                else:
                    row.append(value)
            sheet.append(row)
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
    ' manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<office:document-content"
    ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"'
    ' xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"'
    ' office:version="1.2"><office:automatic-styles>'
    '<number:number-style style:name="N_AMOUNT"><number:number number:decimal-places="2"'
    ' number:min-decimal-places="2" number:min-integer-digits="1" number:grouping="true"/>'
    "<number:text> €</number:text></number:number-style>"
    '<number:number-style style:name="N_SCORE"><number:number number:decimal-places="2"'
    ' number:min-decimal-places="2" number:min-integer-digits="1"/></number:number-style>'
    '<number:date-style style:name="N_DATE"><number:day number:style="long"/>'
    '<number:text>/</number:text><number:month number:style="long"/>'
    '<number:text>/</number:text><number:year number:style="long"/></number:date-style>'
    '<style:style style:name="ce_amount" style:family="table-cell"'
    ' style:data-style-name="N_AMOUNT"/>'
    '<style:style style:name="ce_score" style:family="table-cell"'
    ' style:data-style-name="N_SCORE"/>'
    '<style:style style:name="ce_date" style:family="table-cell"'
    ' style:data-style-name="N_DATE"/>'
    '<style:style style:name="ce_head" style:family="table-cell">'
    '<style:text-properties fo:font-weight="bold"/></style:style>'
    "</office:automatic-styles><office:body><office:spreadsheet>"
)
ODS_TAIL = "</office:spreadsheet></office:body></office:document-content>"
# Characters XML 1.0 does not allow (control characters typed or pasted in a text).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _ods_text(value):
    text = _XML_INVALID.sub("", str(value))
    return "".join(f"<text:p>{escape(part)}</text:p>" for part in text.split("\n"))


def _ods_cell(value, style):
    """One table cell: numbers as floats, dates as dates, the rest as text."""
    if _is_missing(value) or value is pd.NaT:
        return "<table:table-cell/>"
    style_attr = f' table:style-name="{style}"' if style else ""
    if isinstance(value, bool):
        return (
            f'<table:table-cell office:value-type="boolean"'
            f' office:boolean-value="{str(value).lower()}"><text:p>{value}</text:p>'
            "</table:table-cell>"
        )
    if isinstance(value, numbers.Number):
        number = str(int(value)) if isinstance(value, numbers.Integral) else repr(float(value))
        return (
            f'<table:table-cell office:value-type="float" office:value="{number}"{style_attr}>'
            f"<text:p>{number}</text:p></table:table-cell>"
        )
    if isinstance(value, dt.datetime):
        iso = value.replace(tzinfo=None).isoformat()
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{iso}"{style_attr}>'
            f"<text:p>{value:%d/%m/%Y}</text:p></table:table-cell>"
        )
    if isinstance(value, dt.date):
        return (
            f'<table:table-cell office:value-type="date"'
            f' office:date-value="{value.isoformat()}"{style_attr}>'
            f"<text:p>{value:%d/%m/%Y}</text:p></table:table-cell>"
        )
    return f'<table:table-cell office:value-type="string">{_ods_text(value)}</table:table-cell>'


def _ods_style(column):
    if column in AMOUNT_COLUMNS:
        return "ce_amount"
    if column in DECIMAL_COLUMNS:
        return "ce_score"
    if column in DATE_COLUMNS:
        return "ce_date"
    return None


def write_ods(frames):
    """OpenDocument spreadsheet written as a stream of XML (pandas' odf engine builds a
    document tree: minutes for a national export). Bold header, euro amounts, dates
    shown DD/MM/YYYY; numbers are numbers and dates are dates."""
    chunks = [ODS_HEAD]
    for name, frame in frames.items():
        frame = _for_writing(frame)
        columns = list(frame.columns)
        styles = [_ods_style(column) for column in columns]
        chunks.append(f'<table:table table:name="{escape(name, {chr(34): "&quot;"})}">')
        chunks.append(
            f'<table:table-column table:number-columns-repeated="{len(columns)}"/>'
            "<table:table-row>"
            + "".join(
                '<table:table-cell table:style-name="ce_head" office:value-type="string">'
                f"{_ods_text(column)}</table:table-cell>"
                for column in columns
            )
            + "</table:table-row>"
        )
        for values in frame.itertuples(index=False, name=None):
            chunks.append(
                "<table:table-row>"
                + "".join(
                    _ods_cell(value, style) for value, style in zip(values, styles, strict=True)
                )
                + "</table:table-row>"
            )
        chunks.append("</table:table>")
    chunks.append(ODS_TAIL)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # The mimetype comes first, uncompressed (OpenDocument packaging).
        archive.writestr("mimetype", ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        archive.writestr("content.xml", "".join(chunks))
    return buffer.getvalue()


def write_csv(frames):
    return _csv_of(frames[SHEET_DECISIONS])


def _csv_of(frame):
    """UTF-8 with BOM, « ; » separators, decimal commas (what French spreadsheets open)."""
    frame = _for_writing(frame)
    text = frame.to_csv(
        sep=";", decimal=",", index=False, float_format="%.2f", lineterminator="\r\n"
    )
    return ("\ufeff" + text).encode("utf-8")


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
    frames = decision_frames(campaign, scores, reader)
    progress(1, 2)
    data = WRITERS[fmt](frames)
    progress(2, 2)
    return export_filename(campaign, fmt), FORMATS[fmt], data


SHEET_LINES = "Lignes de financement"
LINE_COLUMNS = [
    COL_DOSSIER_ID,
    COL_DOSSIER,
    COL_FILIERE,
    COL_PROJECT,
    COL_PRIORITY,
    "Ligne de financement",
    "Nature",
    "Catégorie",
    "ETP",
    "Demandé (€)",
    "Proposé (€)",
    "Accordé (€)",
    "Mois de démarrage",
    "FINESS bénéficiaire",
    "Établissement bénéficiaire",
]


def _establishments(identity):
    """{FINESS: name} of the lead structure and the members a dossier names."""
    names = {}
    lead = identity.get("lead_structure") or {}
    for item in [lead, *(identity.get("members") or [])]:
        if isinstance(item, dict) and item.get("finess"):
            names.setdefault(str(item["finess"]), item.get("name") or "")
    return names


def decision_line_rows(campaign, reader=FULL_VIEW):
    """One row per funding line of the submitted dossiers: what a FIR order or a CPOM
    amendment needs, per receiving establishment (api.md `decision_lines`); proposed
    amounts as `reader` may see them."""
    natures = dict(LineNature.choices)
    categories = dict(LineCategory.choices)
    lines = (
        FundingLine.objects.filter(
            project__dossier__campaign=campaign, project__dossier__state__in=EXPORTED_STATES
        )
        .select_related("project__dossier__filiere")
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
            identities[dossier.pk] = _establishments(identity)
        rows.append(
            {
                COL_DOSSIER_ID: dossier.pk,
                COL_DOSSIER: identity.get("name") or dossier.filiere.name,
                COL_FILIERE: dossier.filiere.name,
                COL_PROJECT: project.title,
                COL_PRIORITY: project.priority,
                "Ligne de financement": line.label,
                "Nature": str(natures.get(line.nature, line.nature)),
                "Catégorie": str(categories.get(line.category, line.category or "")),
                "ETP": line.etp,
                "Demandé (€)": line.amount,
                "Proposé (€)": line.proposed
                if reader.shows_proposal(decided, dossier.filiere_id)
                else None,
                "Accordé (€)": line.granted if decided else None,
                "Mois de démarrage": line.start_month if decided else None,
                "FINESS bénéficiaire": line.beneficiary_finess,
                "Établissement bénéficiaire": identities[dossier.pk].get(
                    line.beneficiary_finess, ""
                ),
            }
        )
    frame = pd.DataFrame(rows, columns=LINE_COLUMNS)
    frame[COL_DOSSIER_ID] = frame[COL_DOSSIER_ID].astype("Int64")
    frame[COL_PRIORITY] = frame[COL_PRIORITY].astype("Int64")
    return frame


LINE_FORMATS = {"xlsx": FORMATS["xlsx"], "csv": FORMATS["csv"]}


def export_decision_lines(campaign, fmt, reader=FULL_VIEW):
    """(filename, content type, bytes) of the per-line export (xlsx or csv), as `reader`
    may see it."""
    if fmt not in LINE_FORMATS:
        raise InvalidInput(
            _("Format d'export inconnu : « %(fmt)s » (xlsx ou csv).") % {"fmt": fmt},
            {"format": [_("Choisissez xlsx ou csv.")]},
        )
    frames = {SHEET_LINES: decision_line_rows(campaign, reader)}
    data = write_xlsx(frames) if fmt == "xlsx" else _csv_of(frames[SHEET_LINES])
    today = timezone.localdate()
    return f"lignes-decisions-{campaign.slug}-{today.isoformat()}.{fmt}", LINE_FORMATS[fmt], data


def exported_row_count(campaign):
    """Rows of the « Décisions » sheet: decides whether an export runs in the background."""

    return Project.objects.filter(
        dossier__campaign=campaign, dossier__state__in=EXPORTED_STATES
    ).count()
