"""The XLSX writer renders the data rows itself (decision 0057): the file must hold what
xlsxwriter wrote cell by cell before, for hostile values too, and what a finance officer
prints (formats, widths, wrapping, heights, print settings, totals)."""

import datetime as dt
import io
import math
import numbers
import re
import zipfile
from decimal import Decimal

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from outputs.domain import exports
from outputs.domain.spreadsheets import (
    FONT,
    FONT_SIZE,
    LINE_HEIGHT_PT,
    XLSX_AMOUNT_FORMAT,
    XLSX_DATE_FORMAT,
    XLSX_DECIMAL_FORMAT,
    _as_datetime,
    _layout,
    _xlsx_header_text,
    _xlsx_totals,
    is_missing,
    write_xlsx,
)


def xlsxwriter_cell_by_cell(frames, **options):
    """The writer before decision 0057, verbatim: every cell through xlsxwriter."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    base = {"font_name": FONT, "font_size": FONT_SIZE, "valign": "top"}
    header = workbook.add_format(
        {**base, "bold": True, "text_wrap": True, "bottom": 1, "bg_color": "#E8EDF5"}
    )
    plain = workbook.add_format(base)
    wrapped = workbook.add_format({**base, "text_wrap": True})
    formats = {
        "amount": workbook.add_format({**base, "num_format": XLSX_AMOUNT_FORMAT}),
        "date": workbook.add_format({**base, "num_format": XLSX_DATE_FORMAT}),
        "decimal": workbook.add_format({**base, "num_format": XLSX_DECIMAL_FORMAT}),
        # Numbers that identify (dossier, rank) centred: never read as part of the
        # text of the next column.
        "count": workbook.add_format({**base, "align": "center"}),
        "text": plain,
    }
    totals_formats = {
        kind: workbook.add_format(
            {**base, "bold": True, "top": 1, **({"num_format": number} if number else {})}
        )
        for kind, number in (
            ("amount", XLSX_AMOUNT_FORMAT),
            ("decimal", XLSX_DECIMAL_FORMAT),
            ("text", None),
        )
    }
    for name, frame in frames.items():
        layout = _layout(frame, options)
        sheet = workbook.add_worksheet(name)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        # The width on one page (or on as few as keep it readable), as many pages down
        # as needed.
        sheet.fit_to_pages(layout.pages_wide, 0)
        sheet.repeat_rows(0)
        if layout.pages_wide > 1 and layout.repeat:
            sheet.repeat_columns(0, layout.repeat - 1)
        sheet.freeze_panes(1, layout.repeat if layout.pages_wide > 1 else 0)
        sheet.set_margins(left=0.3, right=0.3, top=0.6, bottom=0.6)
        sheet.set_header(f"&L&8{_xlsx_header_text(name)}")
        sheet.set_footer("&C&8Page &P sur &N")
        cell_formats = []
        for index, (kind, width, wraps) in enumerate(
            zip(layout.kinds, layout.widths, layout.wrapped, strict=True)
        ):
            cell_format = wrapped if wraps else formats[kind]
            sheet.set_column(index, index, width, cell_format)
            cell_formats.append(cell_format)
        sheet.set_row(0, LINE_HEIGHT_PT * layout.header_lines + 3)
        sheet.write_row(0, 0, [str(column) for column in layout.columns], header)
        row_index = 0
        for row_index, values in enumerate(frame.itertuples(index=False, name=None), start=1):
            if any(layout.wrapped):
                lines = layout.row_lines(values)
                if lines > 1:
                    sheet.set_row(row_index, LINE_HEIGHT_PT * lines + 2)
            for col, (value, kind, cell_format) in enumerate(
                zip(values, layout.kinds, cell_formats, strict=True)
            ):
                if is_missing(value):
                    continue
                if kind == "date":
                    sheet.write_datetime(row_index, col, _as_datetime(value), cell_format)
                elif isinstance(value, numbers.Number) and not isinstance(value, bool):
                    sheet.write_number(row_index, col, value, cell_format)
                else:
                    sheet.write_string(row_index, col, str(value), cell_format)
        if len(layout.columns):
            sheet.autofilter(0, 0, max(row_index, 1), len(layout.columns) - 1)
        totals = frame.attrs.get("totals")
        if totals:
            _xlsx_totals(sheet, row_index + 1, layout, totals, totals_formats)
    workbook.close()
    return buffer.getvalue()


# ---------------------------------------------------------------- comparing two files


def _parts(data):
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def _cell_styles(styles):
    """Each cellXfs entry with its font, fill, border and number format spelt out: the two
    writers number the same styles in another order (first used first)."""

    def items(tag):
        block = re.search(rf"<{tag}s[^>]*>(.*?)</{tag}s>", styles).group(1)
        return re.findall(rf"<{tag}>.*?</{tag}>|<{tag}/>", block)

    tables = {
        "fontId": dict(enumerate(items("font"))),
        "fillId": dict(enumerate(items("fill"))),
        "borderId": dict(enumerate(items("border"))),
    }
    numbers_ = dict(re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', styles))
    block = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles).group(1)

    def spelt(match):
        key, value = match.group(1), match.group(2)
        if key == "numFmtId":
            return f'{key}="{numbers_.get(value, value)}"'
        if key in tables:
            return f'{key}="{tables[key][int(value)]}"'
        return match.group(0)

    return [
        re.sub(r'(\w+)="([^"]*)"', spelt, xf) for xf in re.findall(r"<xf .*?(?:/>|</xf>)", block)
    ]


def normalised(data):
    """{part: text} with style numbers replaced by the styles they name, and without the
    creation date."""
    parts = _parts(data)
    styles = _cell_styles(parts["xl/styles.xml"])
    result = {}
    for name, text in parts.items():
        if name == "xl/styles.xml":
            text = sorted(styles)
        elif name.startswith("xl/worksheets/"):
            text = re.sub(
                r' (s|style)="(\d+)"', lambda m: f' {m.group(1)}="{styles[int(m.group(2))]}"', text
            )
        elif name == "docProps/core.xml":
            text = re.sub(r"<dcterms:(created|modified)[^<]*</dcterms:\1>", "", text)
        result[name] = text
    return result


def assert_same_file(ours, theirs):
    ours, theirs = normalised(ours), normalised(theirs)
    assert sorted(ours) == sorted(theirs)
    for name in theirs:
        assert ours[name] == theirs[name], name


# ---------------------------------------------------------------- hostile sheets

LONG = "Un titre de fiche projet qui ne tient pas sur une ligne de la colonne, loin de là"
HOSTILE_TEXTS = [
    "a & b < c > d \" e ' f",
    "\x01\x08\x0b\x0c\x0e\x1f contrôle",
    "\x1f en tête",
    "littéral _x0041_ et _x00e9_ et _xZZZZ_",
    "\ufffe\uffff",
    " espace devant",
    "espace derrière ",
    "\tune tabulation",
    "fin de ligne\n",
    "\u00a0insécable",
    "\u2028séparateur",
    "première ligne\nseconde ligne\n\ntroisième",
    LONG,
    LONG + "\n" + LONG + " " + LONG,
    "=SOMME(A1:A2)",
    "'=déjà neutralisé",
    "émoji 😀 et 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "x" * 40000,  # beyond Excel's 32,767 characters: cut
    "😀" * 17000,  # 34,000 UTF-16 units: cut between two characters
    "é" * 16384 + "😀",
    "",
    None,
]


def hostile_frames():
    count = len(HOSTILE_TEXTS)
    numbers_ = [
        0.0,
        -0.0,
        1.0,
        0.1 + 0.2,
        1e20,
        1e-7,
        123456789012.34,
        -5.5,
        2.0**53,
        float("nan"),
        1 / 3,
        1e16,
        12345678901234567.0,
    ]
    decisions = pd.DataFrame(
        {
            "N° dossier": pd.array(list(range(1, count)) + [None], dtype="Int64"),
            "Filière": [f"Filière {i}" for i in range(count)],
            "Fiche projet": HOSTILE_TEXTS,
            "Demandé (€)": [numbers_[i % len(numbers_)] for i in range(count)],
            "Score pondéré (/4)": [float("nan")] * (count - 2) + [3.75, 2.0],
            "Déposé le": [
                dt.date(2025, 1, 1),
                dt.datetime(2025, 3, 1, 12, 30, 15, 500000),
                pd.Timestamp("2025-06-30 08:00", tz="Europe/Paris"),
                dt.date(1900, 1, 1),
                dt.date(1900, 2, 28),
                dt.date(1900, 3, 1),
                None,
                pd.NaT,
            ]
            + [dt.date(2026, 12, 31)] * (count - 8),
            "Mêlé": [
                Decimal("12.50"),
                True,
                False,
                np.int64(7),
                np.float64(2.5),
                "texte",
                None,
                pd.NA,
                float("nan"),
                Decimal("-0.00"),
                42,
                dt.date(2025, 1, 2),
            ][:count]
            + [None] * (count - 12),
            "Vide": [None] * count,
            **{f"Col {i}": [f"v{i}"] * (count - 1) + [""] for i in range(24)},
        }
    )
    decisions.attrs["totals"] = {"Filière": "Total", "Demandé (€)": 1234.5, "Vide": "n/a"}
    decisions.attrs["repeat_columns"] = 3
    wrapped_last = pd.DataFrame(
        {"Texte": ["court", None, LONG + " " + LONG], "Nombre": [1.5, None, None]}
    )
    empty_last = pd.DataFrame({"Texte": ["un", None], "Nombre": [1.0, float("nan")]})
    return {
        "Décisions & co": decisions,
        "Une colonne": pd.DataFrame({"Seule": ["a", "b", None]}),
        "Sans ligne": pd.DataFrame({"A (€)": pd.Series([], dtype="float64"), "B": []}),
        "Sans colonne": pd.DataFrame(),
        "Dernière longue": wrapped_last,
        "Dernière vide": empty_last,
    }


OPTIONS = {
    "date_columns": ["Déposé le"],
    "decimal_columns": ["Score pondéré (/4)"],
    "amount_columns": [],
}


def test_rows_are_written_as_xlsxwriter_writes_them_cell_by_cell():
    frames = hostile_frames()
    assert_same_file(write_xlsx(frames, **OPTIONS), xlsxwriter_cell_by_cell(frames, **OPTIONS))


def test_the_decisions_export_is_the_file_written_cell_by_cell(scenario, campaign):
    frames = exports.decision_frames(campaign)
    written = {name: exports._for_writing(frame) for name, frame in frames.items()}
    options = exports._writer_options(written, {})
    assert_same_file(exports.write_xlsx(frames), xlsxwriter_cell_by_cell(written, **options))


def test_a_text_looking_like_rich_text_stays_text():
    """xlsxwriter wrote a text framed by <r> and </r> as raw XML (a lead's title could
    break the file); the rows now escape it."""
    frame = pd.DataFrame({"Titre": ["<r><t>gras</t></r>", "<r>x</r>"]})
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx({"Feuille": frame})))["Feuille"]
    assert [sheet["A2"].value, sheet["A3"].value] == ["<r><t>gras</t></r>", "<r>x</r>"]


@pytest.mark.parametrize("value", [math.inf, -math.inf, Decimal("NaN"), Decimal("Infinity")])
def test_infinite_numbers_are_refused_as_before(value):
    frame = pd.DataFrame({"Montant (€)": [1.0, value]})
    with pytest.raises(TypeError):
        xlsxwriter_cell_by_cell({"Feuille": frame})
    with pytest.raises(TypeError):
        write_xlsx({"Feuille": frame})


def for_writing_before(frame, formats=None):
    """exports._for_writing before decision 0057, verbatim."""
    formats = formats or {}
    attrs = dict(frame.attrs)
    frame = frame.copy()
    for column in frame.columns:
        kind = exports._kind(column, formats)
        if kind in ("date", "integer"):
            continue
        if kind in ("amount", "decimal"):
            frame[column] = pd.array(
                [float(v) if v is not None and not pd.isna(v) else None for v in frame[column]],
                dtype="Float64",
            ).astype("float64")
        elif not pd.api.types.is_integer_dtype(frame[column].dtype):
            frame[column] = frame[column].map(exports.neutralise)
    totals = attrs.get("totals")
    if totals:
        attrs["totals"] = {
            key: float(value) if isinstance(value, Decimal) else exports.neutralise(value)
            for key, value in totals.items()
        }
    frame.attrs = attrs
    return frame


def test_frames_are_prepared_for_writing_as_before():
    """Amounts to floats, texts neutralised only where needed (most columns are kept)."""
    texts = ["=1+1", "+33 6", "-x", "@a", "\tt", "\rr", "ok", "nul\x00ici", "\u00a0a", None, ""]
    count = len(texts)
    frame = pd.DataFrame(
        {
            "Texte": texts,
            "Propre": [f"t{i}" for i in range(count)],
            "Objets": [None, 1, "=x", Decimal("2.5"), True] + [None] * (count - 5),
            "Montant (€)": [Decimal("1.10"), None, float("nan"), 3, pd.NA, Decimal("-0.00")]
            + [Decimal("1e12")] * (count - 6),
            "Flottant (€)": [1.5] * count,
            "ETP": [Decimal("0.5")] * count,
            "N° dossier": pd.array(range(count), dtype="Int64"),
            "Déposé le": [dt.date(2025, 1, 1)] * count,
        }
    )
    frame.attrs = {"totals": {"Texte": "=Total", "Montant (€)": Decimal("9.99")}}
    ours, theirs = exports._for_writing(frame), for_writing_before(frame)
    pd.testing.assert_frame_equal(ours, theirs)
    assert ours.attrs == theirs.attrs


# ---------------------------------------------------------------- what a finance officer gets


def test_the_printed_decisions_hold_formats_widths_wrapping_heights_and_totals(scenario, campaign):
    long_title = "Renforcer l'équipe mobile de soins palliatifs sur tout le territoire du nord"
    project = scenario["a"].projects.order_by("priority").first()
    project.title = long_title
    project.save(update_fields=["title"])
    _name, _type, data = exports.export_decisions(campaign, "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Décisions"]
    headers = [cell.value for cell in sheet[1]]
    column = {header: index + 1 for index, header in enumerate(headers)}
    data_rows = list(sheet.iter_rows(min_row=2, max_row=sheet.max_row - 1))
    total_row = sheet.max_row

    # Every data cell in Arial 9, top-aligned; amounts, dates, scores and ranks formatted.
    for row in data_rows:
        for cell in row:
            if cell.value is None:
                continue
            assert (cell.font.name, cell.font.sz, cell.alignment.vertical) == (
                FONT,
                FONT_SIZE,
                "top",
            )
        amount = row[column["Demandé reconductible (€)"] - 1]
        assert amount.number_format == XLSX_AMOUNT_FORMAT
        assert isinstance(amount.value, int | float)  # a number, not a text
        assert row[column["Déposé le"] - 1].number_format == XLSX_DATE_FORMAT
        assert row[column["Déposé le"] - 1].is_date
        assert row[column["Rang de priorité"] - 1].alignment.horizontal == "center"
    # The long title wraps, and its row is tall enough for its lines.
    title_cells = [row[column["Fiche projet"] - 1] for row in data_rows]
    long_cell = next(cell for cell in title_cells if cell.value == long_title)
    assert long_cell.alignment.wrap_text
    width = sheet.column_dimensions[openpyxl.utils.get_column_letter(column["Fiche projet"])]
    assert width.width < len(long_title)
    height = sheet.row_dimensions[long_cell.row].height
    assert height >= 2 * LINE_HEIGHT_PT
    # The header: bold, wrapped, shaded, underlined; repeated on every printed page.
    header = sheet["A1"]
    assert header.font.b and header.alignment.wrap_text and header.border.bottom.style
    assert header.fill.fgColor.rgb.endswith("E8EDF5")
    assert sheet.print_title_rows == "$1:$1"
    # The filter covers the rows, not the totals; the totals row is bold with a rule above.
    assert (
        sheet.auto_filter.ref
        == f"A1:{openpyxl.utils.get_column_letter(len(headers))}{total_row - 1}"
    )
    assert sheet.cell(total_row, column["Filière"]).value == "Total"
    total = sheet.cell(total_row, column["Accordé reconductible (€)"])
    assert total.font.b and total.border.top.style and total.number_format == XLSX_AMOUNT_FORMAT
    assert sheet.dimensions == f"A1:{openpyxl.utils.get_column_letter(len(headers))}{total_row}"
    # Page header and footer: the sheet's name, « Page N sur M ».
    assert sheet.oddHeader.left.text == "Décisions"
    assert sheet.oddFooter.center.text == "Page &P sur &N"
    assert (sheet.page_margins.left, sheet.page_margins.top) == (0.3, 0.6)


def test_the_per_year_sheet_names_establishments_from_the_dossiers_already_read(scenario, campaign):
    dossiers = list(exports._exported_dossiers(campaign))
    read_again = exports.year_rows(campaign)
    pd.testing.assert_frame_equal(exports.year_rows(campaign, dossiers=dossiers), read_again)
    assert len(read_again)
