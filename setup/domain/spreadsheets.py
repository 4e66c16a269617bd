"""Reading the spreadsheets the ARS imports (filières and leads, territories): XLSX, ODS
or CSV recognised by their content (never their name), size-bounded, read with pandas
as text, so that « 29 » stays « 29 » and « 02 » keeps its zero."""

import csv
import io
import re
import unicodedata
import zipfile

import pandas as pd
from django.utils.translation import gettext as _

from common.errors import InvalidInput
from dossiers.domain.attachments import UNREADABLE_ZIP, sniff_content_type

MAX_BYTES = 2 * 1024 * 1024
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODS = "application/vnd.oasis.opendocument.spreadsheet"


def header_key(text):
    """A header or a name to compare: no accents, no case, no punctuation."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _refuse(message):
    raise InvalidInput(message, {"file": [message]})


def read_sheet(upload):
    """The first sheet as a DataFrame of strings (the content decides the format)."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        _refuse(_("Le fichier dépasse 2 Mo : un tableau à importer est bien plus petit."))
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        _refuse(_("Le fichier dépasse 2 Mo : un tableau à importer est bien plus petit."))
    if not data.strip():
        _refuse(_("Le fichier est vide."))
    buffer = io.BytesIO(data)
    kind = sniff_content_type(buffer)
    read = {"dtype": str, "keep_default_na": False, "header": None}
    try:
        if kind in (XLSX, ODS):
            with zipfile.ZipFile(buffer) as archive:
                if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                    _refuse(_("Le tableur décompressé est trop volumineux."))
            buffer.seek(0)
            engine = "openpyxl" if kind == XLSX else "odf"
            return pd.read_excel(buffer, sheet_name=0, engine=engine, **read)
        if kind is not None or b"\x00" in data[:4096]:
            _refuse(_("Format refusé : le tableau doit être un fichier XLSX, ODS ou CSV."))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
            separator = dialect.delimiter
        except csv.Error:
            separator = ";"
        return pd.read_csv(io.StringIO(text), sep=separator, engine="python", **read)
    except InvalidInput:
        raise
    except (*UNREADABLE_ZIP, pd.errors.ParserError, pd.errors.EmptyDataError, ImportError):
        _refuse(_("Le fichier n'a pas pu être lu : est-ce bien un tableau XLSX, ODS ou CSV ?"))
