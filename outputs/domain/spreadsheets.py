"""Spreadsheet writers of the exports (XLSX, ODS, CSV) and their layout.

A sheet is a pandas DataFrame whose `attrs` may hold `totals` ({header: value}, a bold
row written under the rows, outside the filter) and `repeat_columns` (how many columns
on the left identify a row: frozen on screen, repeated on every printed page). The
layout is decided once, here, for both spreadsheet formats (decision 0010):

- each column gets a kind from its header and values: amounts (headers ending in
  « (€) »: `# ##0,00 €`), dates, integers, decimals, short or wrapped text;
- widths in characters from the kind and the longest values (text capped, then wrapped
  on whole words), headers wrapped on whole words, so that every column reads on
  screen and on paper;
- printing: A4 landscape, fitted to the width — on one page when the columns fit at a
  readable scale (80 % at least), else on as few pages side by side as keep them
  readable, the identifying columns repeated on each —, header row repeated on each
  page, the sheet's name in the page header and « Page N sur M » in the footer; header
  row (and identifying columns) frozen on screen; Arial 9.

XLSX is written by xlsxwriter in constant-memory mode, its data rows rendered here as
xlsxwriter renders them (decision 0057); ODS by a streaming XML writer of our own
(stream-write-ods has no number formats, widths or print settings). Text that a
spreadsheet would read as a formula is neutralised by the caller (exports.neutralise)."""

import datetime as dt
import io
import math
import numbers
import re
import textwrap
import zipfile
from xml.sax.saxutils import escape

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

AMOUNT_SUFFIX = "(€)"
FONT = "Arial"
FONT_SIZE = 9
# Widths in characters of the default font (Arial 9).
WIDTH = {"amount": 13, "date": 10.5, "decimal": 7, "count": 7}
# What an A4 landscape page holds at the smallest scale still read comfortably (80 %):
# 28 cm of printable width, about 0.19 cm a character of Arial 9 at 100 %.
PAGE_CHARACTERS = 28 / 0.19 / 0.8
TEXT_MIN, TEXT_MAX = 6, 28
LINE_HEIGHT_PT = 11.5

XLSX_AMOUNT_FORMAT = '#,##0.00 "€"'
XLSX_DATE_FORMAT = "DD/MM/YYYY"
XLSX_DECIMAL_FORMAT = "0.00"

# Characters XML 1.0 does not allow (control characters typed or pasted in a text).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def is_missing(value):
    if isinstance(value, float):
        return math.isnan(value)
    return value is None or value is pd.NA or value is pd.NaT or value == ""


class Layout:
    """Kinds, widths and wrapping of a sheet's columns, from its headers and values."""

    def __init__(self, frame, *, date_columns=(), decimal_columns=(), amount_columns=()):
        self.columns = list(frame.columns)
        self.kinds = []
        self.widths = []
        for column in self.columns:
            kind = self._kind(frame, column, date_columns, decimal_columns, amount_columns)
            self.kinds.append(kind)
            self.widths.append(self._width(frame, column, kind))
        self.wrapped = [
            kind == "text" and self._longest(frame, column) > width
            for column, kind, width in zip(self.columns, self.kinds, self.widths, strict=True)
        ]
        self.header_lines = max(
            (
                len(textwrap.wrap(str(c), int(w), break_long_words=False)) or 1
                for c, w in zip(self.columns, self.widths, strict=True)
            ),
            default=1,
        )

        self.repeat = min(int(frame.attrs.get("repeat_columns") or 0), len(self.columns))
        self.pages_wide = self._pages_wide()

    @staticmethod
    def _kind(frame, column, date_columns, decimal_columns, amount_columns):
        if str(column).endswith(AMOUNT_SUFFIX) or column in amount_columns:
            return "amount"
        if column in date_columns:
            return "date"
        if column in decimal_columns:
            return "decimal"
        if pd.api.types.is_integer_dtype(frame[column].dtype):
            return "count"
        return "text"

    @staticmethod
    def _longest(frame, column):
        longest = 0
        for value in frame[column].head(2000):
            if not is_missing(value):
                longest = max(longest, max(len(part) for part in str(value).split("\n")))
        return longest

    def _width(self, frame, column, kind):
        # A header is wrapped, never cut inside a word: its longest word sets a minimum.
        longest_word = max((len(word) for word in str(column).split()), default=4) + 1
        if kind in WIDTH:
            return max(WIDTH[kind], longest_word)
        longest = self._longest(frame, column) + 1
        return max(TEXT_MIN, longest_word, min(longest, TEXT_MAX))

    def _pages_wide(self):
        """Pages side by side a printout needs to stay readable (the repeated columns on
        each); 1 when everything fits."""
        total = sum(self.widths)
        if total <= PAGE_CHARACTERS:
            return 1
        repeated = sum(self.widths[: self.repeat])
        room = max(PAGE_CHARACTERS - repeated, PAGE_CHARACTERS / 2)
        return math.ceil((total - repeated) / room)

    @staticmethod
    def text_lines(value, width):
        """How many lines a text takes wrapped in a column of `width` (an estimate: a
        column holds about 1.3 average letters per width unit, the unit being a digit's
        width; it rather leaves a line too many than cuts one)."""
        per_line = max(int(width * 1.3), 1)
        return sum(-(-len(part) // per_line) or 1 for part in value.split("\n"))

    def row_lines(self, values):
        """How many lines the tallest wrapped cell of a row takes."""
        lines = 1
        for value, wrapped, width in zip(values, self.wrapped, self.widths, strict=True):
            if wrapped and isinstance(value, str):
                lines = max(lines, self.text_lines(value, width))
        return lines


def _layout(frame, options):
    return Layout(
        frame,
        date_columns=options.get("date_columns", ()),
        decimal_columns=options.get("decimal_columns", ()),
        amount_columns=options.get("amount_columns", ()),
    )


# ---------------------------------------------------------------- XLSX


def write_xlsx(frames, **options):
    """One worksheet per frame. xlsxwriter (constant memory) writes the workbook: styles,
    column widths and formats, header and totals rows, panes, filter and print settings;
    the data rows are then rendered here as xlsxwriter renders them (`_xlsx_rows`) and put
    into its sheets: its per-cell path (about 6 µs a cell) made most of the time of a
    national export (decision 0057)."""
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
    bodies = {}
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
        # Every cell of a column has the column's format (its style in the file).
        for index, (kind, width, wraps) in enumerate(
            zip(layout.kinds, layout.widths, layout.wrapped, strict=True)
        ):
            sheet.set_column(index, index, width, wrapped if wraps else formats[kind])
        sheet.set_row(0, LINE_HEIGHT_PT * layout.header_lines + 3)
        sheet.write_row(0, 0, [str(column) for column in layout.columns], header)
        rows = len(frame)
        if len(layout.columns):
            sheet.autofilter(0, 0, max(rows, 1), len(layout.columns) - 1)
            # xlsxwriter names its sheets' parts in the order they are added.
            bodies[f"xl/worksheets/sheet{len(workbook.worksheets())}.xml"] = (frame, layout)
        totals = frame.attrs.get("totals")
        if totals:
            _xlsx_totals(sheet, rows + 1, layout, totals, totals_formats)
    workbook.close()
    return _xlsx_with_rows(buffer.getvalue(), bodies)


# What xlsxwriter writes for a text cell (constant memory: inline strings): at most 32,767
# UTF-16 units; `_xHHHH_` for control characters (and `_x005F` before a literal one); XML
# escapes for & < >; xml:space="preserve" with a leading or trailing space.
XLSX_STRING_MAX = 32767
_XLSX_TEXT_WORK = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_XLSX_LITERAL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_XLSX_CONTROL = re.compile("([\x00-\x08\x0b-\x1f])")
_EXCEL_EPOCH = dt.datetime(1899, 12, 31)
_XLSX_COL_STYLE = re.compile(r'<col min="(\d+)" max="(\d+)"[^>]*? style="(\d+)"')
_XLSX_DIMENSION = re.compile(r'<dimension ref="([A-Z]+)1(?::([A-Z]+)(\d+))?"/>')
# zlib's fastest level: a third of the time of its default (6) for 1.4 times the bytes.
XLSX_COMPRESSION = 1


def _xlsx_text(string):
    """A text cell's `<t>` attributes and content, as xlsxwriter writes them."""
    if len(string) > XLSX_STRING_MAX // 2:
        string = _utf16_truncate(string, XLSX_STRING_MAX)
    if _XLSX_TEXT_WORK.search(string):
        string = _XLSX_LITERAL_ESCAPE.sub(r"_x005F\1", string)
        string = _XLSX_CONTROL.sub(lambda match: f"_x{ord(match.group(1)):04X}_", string)
        string = string.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
        string = string.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if string[:1].isspace() or string[-1:].isspace():
        return f' xml:space="preserve">{string}'
    return f">{string}"


def _utf16_truncate(string, limit):
    """At most `limit` UTF-16 units, never half a character above U+FFFF."""
    length = 0
    for index, char in enumerate(string):
        length += 2 if ord(char) > 0xFFFF else 1
        if length > limit:
            return string[:index]
    return string


def _excel_serial(value):
    """A date as Excel's serial number (1900 system), written as xlsxwriter writes it."""
    moment = _as_datetime(value)
    delta = moment - _EXCEL_EPOCH
    serial = delta.days + (float(delta.seconds) + float(delta.microseconds) / 1e6) / 86400
    if moment.isocalendar() == (1900, 1, 1):
        serial -= 1
    if serial > 59:  # Excel's 29 February 1900
        serial += 1
    return f"{serial:.16G}"


def _xlsx_number(value):
    if math.isnan(value) or math.isinf(value):
        raise TypeError("NAN/INF not supported in write_number()")
    return f"{value:.16G}"


def _xlsx_cells(values, letter, style, kind, row_numbers):
    """The `<c>` elements of one column, "" for an empty cell (the type decided per
    column for dates, per value otherwise: number, text or nothing)."""
    start = f'<c r="{letter}'
    number = f'" s="{style}"><v>'
    text = f'" s="{style}" t="inlineStr"><is><t'
    cells = []
    append = cells.append
    if kind == "date":
        serials = {}
        for row, value in zip(row_numbers, values, strict=True):
            if is_missing(value):
                append("")
                continue
            serial = serials.get(value)
            if serial is None:
                serial = serials[value] = _excel_serial(value)
            append(f"{start}{row}{number}{serial}</v></c>")
        return cells
    for row, value in zip(row_numbers, values, strict=True):
        value_type = type(value)
        if value_type is float:
            if value != value:
                append("")
                continue
            written = f"{value:.16G}"
            if written[-1] == "F":  # INF
                _xlsx_number(value)
            append(f"{start}{row}{number}{written}</v></c>")
        elif value_type is str:
            append(f"{start}{row}{text}{_xlsx_text(value)}</t></is></c>" if value else "")
        elif value_type is int:
            append(f"{start}{row}{number}{value:.16G}</v></c>")
        elif is_missing(value):
            append("")
        elif isinstance(value, numbers.Number) and not isinstance(value, bool):
            append(f"{start}{row}{number}{_xlsx_number(value)}</v></c>")
        else:
            append(f"{start}{row}{text}{_xlsx_text(str(value))}</t></is></c>")
    return cells


def _xlsx_heights(frame, layout):
    """Per data row, the `<row>` attributes of its height ("" when one line): the lines
    of its tallest wrapped cell (Layout.text_lines), in points as set_row() writes them."""
    heights = [""] * len(frame)
    tallest = {}
    for index, (wraps, width) in enumerate(zip(layout.wrapped, layout.widths, strict=True)):
        if not wraps:
            continue
        for row, value in enumerate(frame.iloc[:, index].tolist()):
            if isinstance(value, str):
                lines = Layout.text_lines(value, width)
                if lines > 1:
                    tallest[row] = max(tallest.get(row, 1), lines)
    for row, lines in tallest.items():
        pixels = int((LINE_HEIGHT_PT * lines + 2) * 4.0 / 3.0 + 0.5)
        heights[row] = f' ht="{pixels * 0.75:.16g}" customHeight="1"'
    return heights


def _xlsx_rows(frame, layout, styles):
    """(the data rows' `<row>` elements, the last row number written or None)."""
    row_numbers = [str(row) for row in range(2, len(frame) + 2)]
    columns = [
        _xlsx_cells(
            frame.iloc[:, index].tolist(), xl_col_to_name(index), styles[index], kind, row_numbers
        )
        for index, kind in enumerate(layout.kinds)
    ]
    heights = _xlsx_heights(frame, layout)
    rows, last = [], None
    for row, height, cells in zip(row_numbers, heights, zip(*columns, strict=True), strict=True):
        body = "".join(cells)
        if body:
            rows.append(f'<row r="{row}"{height}>{body}</row>')
        elif height:
            rows.append(f'<row r="{row}"{height}/>')
        else:
            continue
        last = row
    return rows, last


def _xlsx_sheet_with_rows(xml, frame, layout):
    """A sheet written by xlsxwriter (header row, maybe the totals row) with its data rows
    put after the header row, and its dimension extended to them."""
    styles = {}
    for first, last, style in _XLSX_COL_STYLE.findall(xml):
        for column in range(int(first) - 1, int(last)):
            styles[column] = style
    rows, last_row = _xlsx_rows(frame, layout, styles)
    split = xml.index("</row>", xml.index("<sheetData>")) + len("</row>")
    head, tail = xml[:split], xml[split:]
    if last_row is not None:
        match = _XLSX_DIMENSION.search(head)
        first_col = match.group(1)
        last_col = match.group(2) or first_col
        end = max(int(match.group(3) or 1), int(last_row))
        head = (
            head[: match.start()]
            + f'<dimension ref="{first_col}1:{last_col}{end}"/>'
            + head[match.end() :]
        )
    return head + "".join(rows) + tail


def _xlsx_with_rows(data, bodies):
    """xlsxwriter's package with the data rows of `bodies` ({part: (frame, layout)}) put
    into their sheets, every other part as it is; compressed faster than xlsxwriter does
    (XLSX_COMPRESSION)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info)
            if info.filename in bodies:
                xml = _xlsx_sheet_with_rows(content.decode("utf-8"), *bodies[info.filename])
                content = xml.encode("utf-8")
            part = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            part.external_attr = info.external_attr
            archive.writestr(
                part, content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=XLSX_COMPRESSION
            )
    return buffer.getvalue()


def _xlsx_header_text(name):
    return name.replace("&", "&&")


def _xlsx_totals(sheet, row, layout, totals, formats):
    for col, (column, kind) in enumerate(zip(layout.columns, layout.kinds, strict=True)):
        value = totals.get(column)
        cell_format = formats.get(kind, formats["text"])
        if is_missing(value):
            sheet.write_blank(row, col, None, cell_format)
        elif isinstance(value, numbers.Number):
            sheet.write_number(row, col, float(value), cell_format)
        else:
            sheet.write_string(row, col, str(value), formats["text"])


def _as_datetime(value):
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    return dt.datetime(value.year, value.month, value.day)


# ---------------------------------------------------------------- ODS

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_NS = (
    ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    ' xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"'
    ' xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"'
)
ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
    ' manifest:version="1.3">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="settings.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def ods_styles(layouts):
    """styles.xml: per width in pages a page layout (A4 landscape, fitted to that many
    pages wide) and its master page (the sheet's name in the header, « Page N sur M » in
    the footer)."""
    pages = sorted({layout.pages_wide for layout in layouts}) or [1]
    page_layouts = "".join(
        f'<style:page-layout style:name="pm{n}"><style:page-layout-properties'
        ' fo:page-width="29.7cm" fo:page-height="21cm" style:print-orientation="landscape"'
        ' fo:margin-top="0.8cm" fo:margin-bottom="0.8cm" fo:margin-left="0.8cm"'
        f' fo:margin-right="0.8cm" style:scale-to-X="{n}" style:print-page-order="ltr"/>'
        '<style:header-style><style:header-footer-properties fo:min-height="0.5cm"'
        ' fo:margin-bottom="0.2cm"/></style:header-style>'
        '<style:footer-style><style:header-footer-properties fo:min-height="0.5cm"'
        ' fo:margin-top="0.2cm"/></style:footer-style></style:page-layout>'
        for n in pages
    )
    masters = "".join(
        f'<style:master-page style:name="MP{n}" style:page-layout-name="pm{n}">'
        '<style:header><text:p text:style-name="mp_text"><text:sheet-name>?</text:sheet-name>'
        "</text:p></style:header>"
        '<style:footer><text:p text:style-name="mp_text">Page '
        "<text:page-number>1</text:page-number> sur <text:page-count>1</text:page-count>"
        "</text:p></style:footer></style:master-page>"
        for n in pages
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<office:document-styles{_NS} office:version="1.3"><office:styles>'
        '<style:default-style style:family="table-cell">'
        f'<style:text-properties fo:font-family="{FONT}" fo:font-size="{FONT_SIZE}pt"/>'
        "</style:default-style></office:styles>"
        f"<office:automatic-styles>{page_layouts}"
        '<style:style style:name="mp_text" style:family="paragraph">'
        '<style:text-properties fo:font-size="8pt"/></style:style>'
        f"</office:automatic-styles><office:master-styles>{masters}</office:master-styles>"
        "</office:document-styles>"
    )


def page_styles(layouts):
    """content.xml's table styles: each sheet prints with the master page of its width."""
    return "".join(
        f'<style:style style:name="ta{n}" style:family="table" style:master-page-name="MP{n}">'
        '<style:table-properties table:display="true"/></style:style>'
        for n in sorted({layout.pages_wide for layout in layouts}) or [1]
    )


def _ods_text(value):
    text = _XML_INVALID.sub("", str(value))
    return "".join(f"<text:p>{escape(part)}</text:p>" for part in text.split("\n"))


def _ods_attr(value):
    return escape(_XML_INVALID.sub("", str(value)), {'"': "&quot;"})


def _ods_head(layouts):
    """content.xml's start: number and cell styles, one column style per width."""
    widths = sorted({width for layout in layouts for width in layout.widths})
    column_styles = "".join(
        f'<style:style style:name="co{index}" style:family="table-column">'
        f'<style:table-column-properties style:column-width="{_cm(width)}cm"/></style:style>'
        for index, width in enumerate(widths)
    )
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<office:document-content{_NS} office:version="1.3"><office:automatic-styles>'
        '<number:number-style style:name="N_AMOUNT"><number:number number:decimal-places="2"'
        ' number:min-decimal-places="2" number:min-integer-digits="1" number:grouping="true"/>'
        "<number:text> €</number:text></number:number-style>"
        '<number:number-style style:name="N_DECIMAL"><number:number number:decimal-places="2"'
        ' number:min-decimal-places="2" number:min-integer-digits="1"/></number:number-style>'
        '<number:date-style style:name="N_DATE"><number:day number:style="long"/>'
        '<number:text>/</number:text><number:month number:style="long"/>'
        '<number:text>/</number:text><number:year number:style="long"/></number:date-style>'
        '<style:style style:name="ce_amount" style:family="table-cell"'
        ' style:data-style-name="N_AMOUNT"><style:table-cell-properties'
        ' style:vertical-align="top"/></style:style>'
        '<style:style style:name="ce_decimal" style:family="table-cell"'
        ' style:data-style-name="N_DECIMAL"><style:table-cell-properties'
        ' style:vertical-align="top"/></style:style>'
        '<style:style style:name="ce_date" style:family="table-cell"'
        ' style:data-style-name="N_DATE"><style:table-cell-properties'
        ' style:vertical-align="top"/></style:style>'
        '<style:style style:name="ce_text" style:family="table-cell">'
        '<style:table-cell-properties style:vertical-align="top"/></style:style>'
        '<style:style style:name="ce_count" style:family="table-cell">'
        '<style:table-cell-properties style:vertical-align="top"/>'
        '<style:paragraph-properties fo:text-align="center"/></style:style>'
        '<style:style style:name="ce_wrap" style:family="table-cell">'
        '<style:table-cell-properties fo:wrap-option="wrap" style:vertical-align="top"/>'
        "</style:style>"
        '<style:style style:name="ce_head" style:family="table-cell">'
        '<style:table-cell-properties fo:wrap-option="wrap" style:vertical-align="top"'
        ' fo:background-color="#e8edf5" fo:border-bottom="0.5pt solid #000000"/>'
        '<style:text-properties fo:font-weight="bold"/></style:style>'
        '<style:style style:name="ce_total" style:family="table-cell">'
        '<style:table-cell-properties fo:border-top="0.5pt solid #000000"/>'
        '<style:text-properties fo:font-weight="bold"/></style:style>'
        '<style:style style:name="ce_total_amount" style:family="table-cell"'
        ' style:data-style-name="N_AMOUNT">'
        '<style:table-cell-properties fo:border-top="0.5pt solid #000000"/>'
        '<style:text-properties fo:font-weight="bold"/></style:style>'
        f"{page_styles(layouts)}{column_styles}</office:automatic-styles>"
        "<office:body><office:spreadsheet>"
    )
    return head, {width: f"co{index}" for index, width in enumerate(widths)}


def _cm(width):
    """A width in characters of Arial 9 as centimetres (about 0.19 cm a character)."""
    return f"{width * 0.19 + 0.2:.2f}"


ODS_TAIL = "</office:spreadsheet></office:body></office:document-content>"


def _ods_cell(value, style):
    """One table cell: numbers as floats, dates as dates, the rest as text."""
    if is_missing(value):
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
    return (
        f'<table:table-cell office:value-type="string"{style_attr}>'
        f"{_ods_text(value)}</table:table-cell>"
    )


def _ods_styles(layout):
    styles = {
        "amount": "ce_amount",
        "date": "ce_date",
        "decimal": "ce_decimal",
        "count": "ce_count",
        "text": "ce_text",
    }
    return [
        "ce_wrap" if wraps else styles[kind]
        for kind, wraps in zip(layout.kinds, layout.wrapped, strict=True)
    ]


def _ods_settings(layouts):
    """The header row (and the identifying columns of a wide sheet) frozen on screen:
    LibreOffice's view settings."""

    def item(name, kind, value):
        return (
            f'<config:config-item config:name="{name}" config:type="{kind}">{value}'
            "</config:config-item>"
        )

    tables = ""
    for name, layout in layouts.items():
        columns = layout.repeat if layout.pages_wide > 1 else 0
        tables += (
            f'<config:config-item-map-entry config:name="{_ods_attr(name)}">'
            + item("HorizontalSplitMode", "short", 2 if columns else 0)
            + item("VerticalSplitMode", "short", 2)
            + item("HorizontalSplitPosition", "int", columns)
            + item("VerticalSplitPosition", "int", 1)
            + item("ActiveSplitRange", "short", 3 if columns else 2)
            + item("PositionLeft", "int", 0)
            + item("PositionRight", "int", columns)
            + item("PositionTop", "int", 0)
            + item("PositionBottom", "int", 1)
            + "</config:config-item-map-entry>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<office:document-settings xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0" office:version="1.3">'
        '<office:settings><config:config-item-set config:name="ooo:view-settings">'
        '<config:config-item-map-indexed config:name="Views"><config:config-item-map-entry>'
        + item("ViewId", "string", "view1")
        + f'<config:config-item-map-named config:name="Tables">{tables}'
        "</config:config-item-map-named></config:config-item-map-entry>"
        "</config:config-item-map-indexed></config:config-item-set></office:settings>"
        "</office:document-settings>"
    )


def write_ods(frames, **options):
    """OpenDocument spreadsheet written as a stream of XML (pandas' odf engine builds a
    document tree: minutes for a national export)."""
    layouts = {name: _layout(frame, options) for name, frame in frames.items()}
    head, column_styles = _ods_head(layouts.values())
    chunks = [head]
    for name, frame in frames.items():
        layout = layouts[name]
        styles = _ods_styles(layout)
        chunks.append(
            f'<table:table table:name="{_ods_attr(name)}" table:style-name="ta{layout.pages_wide}">'
        )
        columns = [
            f'<table:table-column table:style-name="{column_styles[width]}"'
            f' table:default-cell-style-name="{style}"/>'
            for width, style in zip(layout.widths, styles, strict=True)
        ]
        repeat = layout.repeat if layout.pages_wide > 1 else 0
        if repeat:
            # The identifying columns, repeated on every printed page.
            chunks.append("<table:table-header-columns>")
            chunks.extend(columns[:repeat])
            chunks.append("</table:table-header-columns>")
        chunks.extend(columns[repeat:])
        chunks.append(
            "<table:table-header-rows><table:table-row>"
            + "".join(
                f'<table:table-cell table:style-name="ce_head" office:value-type="string">'
                f"{_ods_text(column)}</table:table-cell>"
                for column in layout.columns
            )
            + "</table:table-row></table:table-header-rows>"
        )
        for values in frame.itertuples(index=False, name=None):
            chunks.append(
                "<table:table-row>"
                + "".join(
                    _ods_cell(value, style) for value, style in zip(values, styles, strict=True)
                )
                + "</table:table-row>"
            )
        totals = frame.attrs.get("totals")
        if totals:
            chunks.append(
                "<table:table-row>"
                + "".join(
                    _ods_cell(
                        totals.get(column),
                        "ce_total_amount" if kind == "amount" else "ce_total",
                    )
                    if not is_missing(totals.get(column))
                    else '<table:table-cell table:style-name="ce_total"/>'
                    for column, kind in zip(layout.columns, layout.kinds, strict=True)
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
        archive.writestr("styles.xml", ods_styles(layouts.values()))
        archive.writestr("settings.xml", _ods_settings(layouts))
        archive.writestr("content.xml", "".join(chunks))
    return buffer.getvalue()


# ---------------------------------------------------------------- CSV


def write_csv(frame):
    """UTF-8 with BOM, « ; » separators, decimal commas (what French spreadsheets open).
    Rows only: no totals row, so that a program reading the file counts only rows."""
    text = frame.to_csv(
        sep=";", decimal=",", index=False, float_format="%.2f", lineterminator="\r\n"
    )
    return ("\ufeff" + text).encode("utf-8")
