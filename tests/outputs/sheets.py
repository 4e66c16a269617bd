"""Reading the exports' sheets back: data rows, and the totals row written under them."""

import io

import openpyxl

TOTAL = "Total"


def workbook(data):
    return openpyxl.load_workbook(io.BytesIO(data), data_only=True)


def _split(sheet):
    values = list(sheet.iter_rows(values_only=True))
    headers = values[0]
    rows = [dict(zip(headers, row, strict=True)) for row in values[1:]]
    if rows and TOTAL in rows[-1].values() and rows[-1].get("N° dossier") is None:
        return rows[:-1], rows[-1]
    return rows, None


def rows_of(sheet):
    """The data rows (the totals row left out)."""
    return _split(sheet)[0]


def totals_of(sheet):
    """The totals row, or None."""
    return _split(sheet)[1]
