"""The receipt of a deposit (récépissé) as a Word document (issue 11): the same content
as the receipt page (dossiers.domain.receipts.build_receipt, read from the snapshot only:
the dossier's number, the deposit's Paris date and time, who, the parts and sheets
submitted with their requested amounts, the attachments and the SHA-256 fingerprint),
laid out with the printable dossier's helpers (A4, fixed table widths, « page N sur M »)
and French typography. Every text is passed through `xml_safe` at write time, so what a
lead typed cannot break the file."""

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from docx.shared import Pt

from common.money import format_eur
from common.text import xml_safe
from common.typography import typographic
from dossiers.domain.receipts import build_receipt
from dossiers.templatetags.dossier_display import filesize_fr
from outputs.domain.dossier_print import (
    Block,
    Table,
    a4_document,
    docx_block,
    docx_bytes,
)
from outputs.domain.letters import french_date

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
# A SHA-256 (64 hexadecimal digits) holds on one line of the fields' value column; the
# tables' widths add up to the text width (dossier_print.TEXT_WIDTH_CM).
HASH_FONT, HASH_SIZE = "Courier New", Pt(7)
PROJECT_WIDTHS = [1.2, 7.4, 1.4, 3.6, 3.4]
ATTACHMENT_WIDTHS = [4.4, 1.8, 10.8]


def paris_datetime(value):
    """« vendredi 14 février 2025 à 23:59:59 (heure de Paris) »."""
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return _("%(weekday)s %(date)s à %(time)s (heure de Paris)") % {
        "weekday": WEEKDAYS[local.weekday()],
        "date": french_date(local.date()),
        "time": f"{local:%H:%M:%S}",
    }


def receipt_filename(receipt):
    return f"recepisse-{slugify(receipt.reference)}-depot-{receipt.number}.docx"


def _monospace(table, row_index, column=1):
    for paragraph in table.rows[row_index].cells[column].paragraphs:
        for run in paragraph.runs:
            run.font.name = HASH_FONT
            run.font.size = HASH_SIZE


def receipt_docx(dossier, snapshot):
    """(bytes, filename) of the receipt of `snapshot`, a deposit of `dossier`."""
    receipt = build_receipt(dossier, snapshot)
    text = xml_safe  # what was typed: kept as typed, minus what XML cannot hold
    deposit = _("n°\u00a0%(number)d") % {"number": receipt.number}
    if snapshot.transition == "resubmit":
        deposit += " " + _("(redépôt après compléments)")
    document = a4_document(
        text(_("Récépissé de dépôt — %(reference)s") % {"reference": receipt.reference}),
        header=typographic(
            _("Récépissé de dépôt — dossier %(reference)s — dépôt n°\u00a0%(number)d")
            % {"reference": receipt.reference, "number": receipt.number}
        ),
        footer=text(receipt.campaign),
    )
    document.add_heading(typographic(_("Récépissé de dépôt")), level=0)
    document.add_paragraph(
        typographic(
            _(
                "Le dossier « %(name)s » de la filière %(filiere)s est déposé pour l'appel « %(campaign)s »."
            )
            % {
                "name": text(receipt.name),
                "filiere": text(receipt.filiere),
                "campaign": text(receipt.campaign),
            }
        )
    )
    docx_block(
        document,
        Block(
            fields=[
                (_("Numéro du dossier"), receipt.reference),
                (_("Dépôt"), deposit),
                (_("Déposé le"), paris_datetime(receipt.submitted_at)),
                (_("Déposé par"), text(receipt.submitted_by)),
                (_("Empreinte SHA-256 du contenu déposé"), receipt.sha256),
            ]
        ),
    )
    _monospace(document.tables[-1], -1)

    document.add_heading(typographic(_("Ce qui a été déposé")), level=1)
    for label, detail in receipt.parts:
        document.add_paragraph(typographic(f"{label} : {text(detail)}"), style="List Bullet")
    docx_block(
        document,
        Block(
            title=_("Fiches projet et montants demandés"),
            table=Table(
                headers=[
                    _("Rang"),
                    _("Fiche projet"),
                    _("Lignes"),
                    _("Reconductible (année pleine)"),
                    _("Ponctuel"),
                ],
                rows=[
                    [
                        project["rank"] or "—",
                        text(project["title"]),
                        project["lines"],
                        format_eur(project["recurring"]),
                        format_eur(project["one_off"]),
                    ]
                    for project in receipt.projects
                ],
                footer=[
                    [
                        "",
                        _("Total demandé"),
                        "",
                        format_eur(receipt.recurring),
                        format_eur(receipt.one_off),
                    ]
                ],
                numeric={0, 2, 3, 4},
                widths=PROJECT_WIDTHS,
            ),
        ),
    )
    if receipt.attachments:
        docx_block(
            document,
            Block(
                title=_("Pièces jointes déposées"),
                table=Table(
                    headers=[_("Fichier"), _("Taille"), _("Empreinte SHA-256")],
                    rows=[
                        [text(a["name"]), filesize_fr(a["size"]), a["sha256"] or "—"]
                        for a in receipt.attachments
                    ],
                    numeric={1},
                    widths=ATTACHMENT_WIDTHS,
                ),
            ),
        )
        table = document.tables[-1]
        for index in range(1, len(table.rows)):
            _monospace(table, index, column=2)
    else:
        docx_block(
            document,
            Block(title=_("Pièces jointes déposées"), empty=_("Aucune pièce jointe.")),
        )
    closing = document.add_paragraph(
        typographic(
            _(
                "L'empreinte permet de vérifier qu'une copie du dépôt est identique à ce "
                "qui a été déposé. Ce récépissé a aussi été envoyé par courriel au porteur."
            )
        )
    )
    closing.paragraph_format.space_before = Pt(12)
    return docx_bytes(document), receipt_filename(receipt)
