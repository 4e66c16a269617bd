"""Loading a region's health territories from a spreadsheet (XLSX, ODS or CSV): columns
« Code », « Nom » and « Départements » (codes separated by commas). Every row is
checked first; one wrong row and nothing is loaded (its row named)."""

from django.db import transaction
from django.utils.translation import gettext as _

from campaign.domain.setup import check_can_set_up
from campaign.domain.territories import clean_territory, save_territory
from common.errors import InvalidInput
from setup.domain.spreadsheets import header_key, read_sheet

COLUMNS = {
    "code": ("code", "code du territoire"),
    "name": ("nom", "nom du territoire", "territoire", "libelle"),
    "departements": ("departements", "departement", "codes departements"),
}
MAX_ROWS = 200


def read_territories(upload):
    """[(row number, code, name, [départements])], or InvalidInput listing every problem."""
    frame = read_sheet(upload)
    header = [header_key(value) for value in frame.iloc[0].tolist()] if len(frame) else []
    columns = {}
    for name, aliases in COLUMNS.items():
        for index, title in enumerate(header):
            if title in aliases and index not in columns.values():
                columns[name] = index
                break
    if len(columns) < len(COLUMNS):
        message = _(
            "Colonnes attendues sur la première ligne : « Code », « Nom », « Départements »."
        )
        raise InvalidInput(message, {"file": [message]})
    if len(frame) - 1 > MAX_ROWS:
        message = _("Au plus %(n)d territoires par fichier.") % {"n": MAX_ROWS}
        raise InvalidInput(message, {"file": [message]})
    rows, problems, seen = [], [], {}
    for number, values in enumerate(frame.iloc[1:].itertuples(index=False), start=2):
        cells = {name: str(values[index]).strip() for name, index in columns.items()}
        if not any(cells.values()):
            continue
        errors = {}
        code, name, departements = clean_territory(
            cells["code"], cells["name"], cells["departements"], errors=errors
        )
        if code and code in seen:
            errors.setdefault("code", []).append(
                _("le code « %(code)s » figure déjà ligne %(line)d")
                % {"code": code, "line": seen[code]}
            )
        seen.setdefault(code, number)
        for messages in errors.values():
            for message in messages:
                problems.append(
                    _("Ligne %(n)d : %(error)s.") % {"n": number, "error": str(message).rstrip(".")}
                )
        rows.append((number, code, name, departements))
    if not rows:
        problems.append(_("Le tableau ne contient aucun territoire sous la ligne d'en-tête."))
    if problems:
        raise InvalidInput(
            _("Le tableau contient des erreurs : rien n'a été importé."), {"file": problems}
        )
    return rows


def apply_territories(region, user, rows):
    """Create or update the region's territories of the checked rows, in one transaction."""
    check_can_set_up(user, region)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        for _number, code, name, departements in rows:
            _territory, status = save_territory(
                region, user, code=code, name=name, departements=departements
            )
            counts[status] += 1
    return counts
