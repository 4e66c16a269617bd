"""Import of a campaign's filières and leads from a spreadsheet (XLSX, ODS or CSV, read
with pandas): one row per filière with its name, its territories (codes of the
campaign's territories, or their names) and its lead's name and e-mail.

Two steps, as a person checks before committing: `read_rows` reads and checks every row
(an error per row, in French, naming the row as the spreadsheet numbers it) and gives
the preview; `apply_rows` imports them all in one transaction, through the same domain
functions as the one-by-one form (add_filiere, nominate_lead), or nothing when one row
is wrong."""

import re
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from campaign.domain.setup import add_filiere, check_can_set_up, clean_filiere, record
from campaign.enums import CampaignAction
from common.errors import InvalidInput
from setup.domain.leads import clean_lead, nominate_lead
from setup.domain.spreadsheets import header_key, read_sheet

MAX_ROWS = 300

# The columns, by what their header says (accents, case and punctuation ignored).
COLUMNS = {
    "name": ("filiere", "nom de la filiere", "nom filiere", "filiere territoriale", "nom"),
    "territories": ("territoires", "territoire", "territoires de sante", "codes territoires"),
    "lead_name": ("porteur", "nom du porteur", "porteur nom", "nom et prenom du porteur"),
    "lead_email": (
        "courriel",
        "courriel du porteur",
        "email",
        "e mail",
        "adresse electronique",
        "mel",
        "email du porteur",
        "e mail du porteur",
        "adresse electronique du porteur",
    ),
}
LABELS = {
    "name": "Filière",
    "territories": "Territoires",
    "lead_name": "Porteur",
    "lead_email": "Courriel du porteur",
}


@dataclass
class Row:
    number: int  # as the spreadsheet numbers it (the header is row 1)
    name: str = ""
    slug: str = ""
    territories: list = field(default_factory=list)
    lead_name: str = ""
    lead_email: str = ""
    existing: bool = False  # the filière already takes part: updated
    errors: list = field(default_factory=list)


@dataclass
class Preview:
    rows: list
    problems: list  # file-level problems (no row to name)

    @property
    def ok(self):
        return not self.problems and not any(row.errors for row in self.rows)

    @property
    def error_count(self):
        return len(self.problems) + sum(1 for row in self.rows if row.errors)

    def payload(self):
        """What the confirmation step sends back (signed by the page)."""
        return [
            {k: v for k, v in asdict(row).items() if k not in ("errors", "existing")}
            for row in self.rows
        ]


def _columns(frame):
    """{field: column index} from the header row, and the problems."""
    header = [header_key(value) for value in frame.iloc[0].tolist()] if len(frame) else []
    found, problems = {}, []
    for name, aliases in COLUMNS.items():
        for index, title in enumerate(header):
            if title in aliases and index not in found.values():
                found[name] = index
                break
    missing = [LABELS[name] for name in COLUMNS if name not in found]
    if missing:
        problems.append(
            _(
                "Colonnes introuvables sur la première ligne : %(missing)s (colonnes attendues : "
                "« Filière », « Territoires », « Porteur », « Courriel du porteur »)."
            )
            % {"missing": ", ".join(f"« {m} »" for m in missing)}
        )
    return found, problems


def _territory_codes(text, campaign_territories):
    """The campaign's territory codes a cell names (codes or names), and the unknown."""
    by_name = {header_key(t.name): t.code for t in campaign_territories}
    codes = {t.code.upper(): t.code for t in campaign_territories}
    found, unknown = [], []
    for part in re.split(r"[,;/+\n]+", text):
        part = part.strip()
        if not part:
            continue
        code = codes.get(part.upper()) or by_name.get(header_key(part))
        if code is None:
            unknown.append(part)
        elif code not in found:
            found.append(code)
    return found, unknown


def read_rows(campaign, upload):
    """Read and check the spreadsheet: a Preview with an error list per row."""
    frame = read_sheet(upload)
    columns, problems = _columns(frame)
    if problems:
        return Preview([], problems)
    body = frame.iloc[1:]
    if len(body) > MAX_ROWS:
        return Preview([], [_("Au plus %(n)d filières par fichier.") % {"n": MAX_ROWS}])
    territories = list(campaign.territories.all())
    existing = {f.slug for f in campaign.filieres.all()}
    rows = []
    for offset, values in enumerate(body.itertuples(index=False), start=2):
        cells = {name: str(values[index]).strip() for name, index in columns.items()}
        if not any(cells.values()):
            continue  # an empty line
        rows.append(_check_row(campaign, offset, cells, territories, existing))
    if not rows:
        problems.append(_("Le tableau ne contient aucune filière sous la ligne d'en-tête."))
    _check_duplicates(rows)
    return Preview(rows, problems)


def _check_row(campaign, number, cells, territories, existing):
    row = Row(number=number, lead_name=cells["lead_name"], lead_email=cells["lead_email"])
    errors = {}
    codes, unknown = _territory_codes(cells["territories"], territories)
    name, slug, _chosen = clean_filiere(
        campaign, name=cells["name"], territories=codes, errors=errors
    )
    row.name, row.slug, row.territories = name, slug, codes
    if unknown:
        known = ", ".join(sorted(t.code for t in territories)) or _("aucun")
        errors.setdefault("territories", []).insert(
            0,
            _("territoire « %(value)s » inconnu de la campagne (territoires : %(known)s)")
            % {"value": ", ".join(unknown), "known": known},
        )
        errors["territories"] = [
            m for m in errors["territories"] if "Indiquez au moins" not in str(m)
        ]
    email, lead_name = clean_lead(cells["lead_email"], cells["lead_name"], errors=errors)
    row.lead_email, row.lead_name = email, lead_name
    if not lead_name and "name" not in errors:
        errors.setdefault("lead_name", []).append(_("Indiquez le nom du porteur."))
    row.existing = slug in existing
    row.errors = [_message(str(message)) for messages in errors.values() for message in messages]
    return row


def _message(text):
    """Row errors read as « Ligne 5 : … » : lower-case start, no final full stop."""
    text = text.rstrip(".")
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _check_duplicates(rows):
    seen = {}
    for row in rows:
        if not row.slug:
            continue
        first = seen.setdefault(row.slug, row.number)
        if first != row.number:
            row.errors.append(
                _("la filière « %(name)s » figure déjà ligne %(line)d")
                % {"name": row.name, "line": first}
            )


def row_problems(preview):
    """Every problem, one sentence each: « Ligne 5 : territoire « T9 » inconnu… »."""
    lines = list(preview.problems)
    for row in preview.rows:
        for error in row.errors:
            lines.append(_("Ligne %(n)d : %(error)s.") % {"n": row.number, "error": error})
    return lines


def apply_rows(campaign, user, rows, *, filename=""):
    """Import the checked rows (Preview.payload()): all of them, or nothing. Every row is
    checked again (the campaign may have changed since the preview)."""
    check_can_set_up(user, campaign)
    territories = list(campaign.territories.all())
    existing = {f.slug for f in campaign.filieres.all()}
    checked = [
        _check_row(
            campaign,
            int(item.get("number", 0)),
            {
                "name": str(item.get("name", "")),
                "territories": ", ".join(str(code) for code in item.get("territories", [])),
                "lead_name": str(item.get("lead_name", "")),
                "lead_email": str(item.get("lead_email", "")),
            },
            territories,
            existing,
        )
        for item in rows
    ]
    _check_duplicates(checked)
    preview = Preview(checked, [] if checked else [_("Aucune filière à importer.")])
    if not preview.ok:
        problems = row_problems(preview)
        raise InvalidInput(
            _("Le tableau contient %(n)d erreur(s) : rien n'a été importé.")
            % {"n": preview.error_count},
            {"file": problems},
        )
    with transaction.atomic():
        for row in checked:
            filiere, _created = add_filiere(
                campaign,
                user,
                name=row.name,
                slug=row.slug,
                territories=row.territories,
                record_event=False,
            )
            if not campaign.lead_nominations.filter(
                filiere=filiere, email__iexact=row.lead_email
            ).exists():
                nominate_lead(campaign, filiere, user, email=row.lead_email, name=row.lead_name)
        record(
            campaign,
            CampaignAction.FILIERES_IMPORTED,
            user,
            {"file": filename[:200], "filieres": [row.slug for row in checked]},
        )
    return checked
