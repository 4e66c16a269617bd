"""The printable dossier: the last snapshot (exactly what was submitted), laid out once
as sections of fields, lists and tables, then rendered as an HTML page (print
stylesheet) or as a .docx (python-docx). Both renderings read the same structure,
so they always show the same content."""

import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from common.errors import NotFound
from common.money import format_eur
from common.text import xml_safe, xml_safe_all
from dossiers.enums import (
    DIAGNOSTIC_ANALYSES,
    DIAGNOSTIC_FIGURES,
    LegalStatus,
    LineCategory,
    LineNature,
    MemberRole,
    MemberType,
    Mission,
    MissionStatus,
    Section,
)
from outputs.domain.letters import french_date


@dataclass
class Table:
    headers: list
    rows: list
    numeric: set = field(default_factory=set)  # column indexes aligned right


@dataclass
class Block:
    title: str = ""
    fields: list = field(default_factory=list)  # [(label, value)]
    items: list = field(default_factory=list)  # bullet list
    table: Table | None = None
    text: str = ""
    empty: str = ""  # shown when the block has nothing


@dataclass
class PrintSection:
    title: str
    blocks: list


@dataclass
class PrintableDossier:
    dossier_id: int
    title: str
    filiere: str
    campaign: str
    territories: str
    snapshot_number: int
    submitted_at: str
    state_label: str
    sections: list


def _label(choices, value):
    if value in (None, ""):
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    return str(value)


def _count(value):
    if value in (None, ""):
        return ""
    try:
        return f"{int(value):,}".replace(",", "\u202f")
    except (TypeError, ValueError):
        return str(value)


def _decimal(value):
    """A French decimal: « 0,6 » ETP, not "0.60"."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{number.normalize():f}" if number == number.to_integral() else f"{number:f}"
    return text.rstrip("0").rstrip(".").replace(".", ",") if "." in text else text


def _amount(value):
    if value in (None, ""):
        return ""
    try:
        return format_eur(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


def _date(value):
    if not value:
        return ""
    parsed = parse_date(value) if isinstance(value, str) else value
    return french_date(parsed) if parsed else str(value)


def _identity(identity):
    lead = identity.get("lead_structure") or {}
    coordinator = identity.get("coordinator") or {}
    general = Block(
        fields=[
            (_("Nom de la filière"), _text(identity.get("name"))),
            (_("Structure porteuse"), _text(lead.get("name"))),
            (_("FINESS de la structure porteuse"), _text(lead.get("finess"))),
            (_("Statut juridique"), _label(LegalStatus, lead.get("legal_status"))),
            (_("Adresse postale"), _text(lead.get("address"))),
            (
                _("Représentant légal"),
                ", ".join(
                    part
                    for part in (lead.get("representative_name"), lead.get("representative_title"))
                    if part
                ),
            ),
            (_("Coordinateur"), _text(coordinator.get("name"))),
            (_("Courriel"), _text(coordinator.get("email"))),
            (_("Téléphone"), _text(coordinator.get("phone"))),
            (_("Gouvernance"), _text(identity.get("governance"))),
            (_("Convention de partenariat signée"), _text(identity.get("convention_signed"))),
        ]
        + [
            (label, _text(identity.get(key)))
            for key, label in (
                ("communes", _("Communes ou EPCI")),
                ("territory_notes", _("Précisions sur le territoire")),
            )
            if identity.get(key)
        ]
    )
    members = identity.get("members") or []
    member_block = Block(
        title=_("Structures membres"),
        table=Table(
            headers=[_("Type"), _("Nom"), _("FINESS"), _("SIRET"), _("Rôle")],
            rows=[
                [
                    _label(MemberType, m.get("type")),
                    _text(m.get("name")),
                    _text(m.get("finess")),
                    _text(m.get("siret")),
                    _label(MemberRole, m.get("role")),
                ]
                for m in members
            ],
        )
        if members
        else None,
        empty=_("Aucune structure membre."),
    )
    return PrintSection(str(Section.IDENTITY.label), [general, member_block])


def _diagnostic(diagnostic):
    figures = Block(
        title=_("Paramètres de population et configuration de l'offre"),
        fields=[
            (
                str(label),
                _count(diagnostic.get(key)) if key != "area_km2" else _text(diagnostic.get(key)),
            )
            for key, label in DIAGNOSTIC_FIGURES
        ]
        + [(_("Accès et temps de trajet"), _text(diagnostic.get("access_notes")))]
        + [(str(label), _text(diagnostic.get(key))) for key, label in DIAGNOSTIC_ANALYSES],
    )
    missions = diagnostic.get("missions") or []
    mission_block = Block(
        title=_("Missions de la filière (instruction du 21 juin 2023)"),
        table=Table(
            headers=[_("Mission"), _("Couverture"), _("Commentaire")],
            rows=[
                [
                    _label(Mission, m.get("code")),
                    _label(MissionStatus, m.get("status")) or _("Non renseignée"),
                    _text(m.get("comment")),
                ]
                for m in missions
            ],
        )
        if missions
        else None,
        empty=_("Aucune mission renseignée."),
    )
    return PrintSection(str(Section.DIAGNOSTIC.label), [figures, mission_block])


def _swot(swot):
    blocks = [
        Block(title=title, items=list(swot.get(key) or []), empty=_("Aucun élément."))
        for key, title in (
            ("strengths", _("Forces")),
            ("weaknesses", _("Faiblesses")),
            ("opportunities", _("Opportunités")),
            ("threats", _("Menaces")),
        )
    ]
    return PrintSection(str(Section.SWOT.label), blocks)


def _project(project):
    missions = ", ".join(_label(Mission, code) for code in project.get("missions") or [])
    blocks = [
        Block(
            title=_("Priorité %(rank)s — %(title)s")
            % {"rank": _text(project.get("priority")) or "—", "title": _text(project.get("title"))},
            fields=[
                (_("Objectifs"), _text(project.get("objectives"))),
                (_("Actions"), _text(project.get("actions"))),
                (_("Début"), _date(project.get("start"))),
                (_("Fin"), _date(project.get("end"))),
                (_("Structure pilote"), _text(project.get("pilot"))),
                (_("Partenaires"), _text(project.get("partners"))),
                (_("Indicateurs"), _text(project.get("indicators"))),
                (_("Missions liées"), missions),
                (_("Éléments AFOM liés"), ", ".join(map(str, project.get("swot_items") or []))),
            ],
        )
    ]
    lines = project.get("lines") or []
    blocks.append(
        Block(
            title=_("Demande de financement"),
            table=Table(
                headers=[
                    _("Libellé"),
                    _("Nature"),
                    _("Catégorie"),
                    _("ETP"),
                    _("Montant demandé"),
                    _("Première année"),
                    _("FINESS bénéficiaire"),
                ],
                rows=[
                    [
                        _text(line.get("label"))
                        + (f" ({line['staff_profile']})" if line.get("staff_profile") else ""),
                        _label(LineNature, line.get("nature")),
                        _label(LineCategory, line.get("category")),
                        _decimal(line.get("etp")),
                        _amount(line.get("amount")),
                        _text(line.get("first_year")),
                        _text(line.get("beneficiary_finess")),
                    ]
                    for line in lines
                ],
                numeric={3, 4},
            )
            if lines
            else None,
            empty=_("Aucune ligne de financement."),
        )
    )
    return blocks


def _projects(projects, totals):
    blocks = []
    for project in projects:
        blocks.extend(_project(project))
    if not projects:
        blocks.append(Block(empty=_("Aucune fiche projet.")))
    blocks.append(
        Block(
            title=_("Total demandé"),
            fields=[
                (_("Crédits reconductibles (par an)"), _amount(totals.get("requested_recurring"))),
                (_("Crédits ponctuels"), _amount(totals.get("requested_one_off"))),
            ],
        )
    )
    return PrintSection(str(Section.PROJECTS.label), blocks)


def _attachments(attachments):
    sections = dict(Section.choices)
    return PrintSection(
        _("Pièces jointes"),
        [
            Block(
                table=Table(
                    headers=[_("Fichier"), _("Partie"), _("Taille")],
                    rows=[
                        [
                            _text(a.get("name")),
                            str(sections.get(a.get("section"), a.get("section") or "")),
                            _("%(n)s Ko") % {"n": _count(round((a.get("size") or 0) / 1024))},
                        ]
                        for a in attachments
                    ],
                    numeric={2},
                )
                if attachments
                else None,
                empty=_("Aucune pièce jointe."),
            )
        ],
    )


def printable_dossier(dossier):
    """The PrintableDossier of the last snapshot; NotFound when never submitted."""
    snapshot = dossier.snapshots.order_by("-number").first()
    if snapshot is None:
        raise NotFound(_("Ce dossier n'a pas encore été déposé : il n'y a rien à imprimer."))
    # Texts stored before the text-cleaning rule may hold control characters that a
    # .docx cannot: cleaned here too (common.text).
    content = xml_safe_all(snapshot.content or {})
    submitted = parse_datetime(content.get("submitted_at") or "") or snapshot.created_at
    submitted_local = timezone.localtime(submitted)
    territories = " ; ".join(
        f"{t.code} — {t.name}" for t in dossier.filiere.territories.order_by("code")
    )
    identity = content.get("identity") or {}
    return PrintableDossier(
        dossier_id=dossier.id,
        title=xml_safe(identity.get("name") or dossier.filiere.name),
        filiere=xml_safe(dossier.filiere.name),
        campaign=xml_safe(dossier.campaign.name),
        territories=xml_safe(territories),
        snapshot_number=snapshot.number,
        submitted_at=f"{french_date(submitted_local.date())} à {submitted_local:%H:%M}",
        state_label=str(dossier.get_state_display()),
        sections=[
            _identity(identity),
            _diagnostic(content.get("diagnostic") or {}),
            _swot(content.get("swot") or {}),
            _projects(content.get("projects") or [], content.get("totals") or {}),
            _attachments(content.get("attachments") or []),
        ],
    )


def printable_filename(printable):
    return f"dossier-{printable.dossier_id}-{slugify(printable.filiere)}.docx"


def printable_docx(printable):
    """The same content as a Word document."""

    document = Document()
    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(2)
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(10)
    document.core_properties.title = printable.title
    document.add_heading(printable.title, level=0)
    intro = document.add_paragraph()
    intro.add_run(
        _("Dossier n° %(id)s — %(campaign)s")
        % {"id": printable.dossier_id, "campaign": printable.campaign}
    ).bold = True
    document.add_paragraph(_("Filière : %(name)s") % {"name": printable.filiere})
    if printable.territories:
        document.add_paragraph(_("Territoire : %(t)s") % {"t": printable.territories})
    document.add_paragraph(
        _("Contenu déposé (dépôt n° %(n)s du %(date)s). État actuel : %(state)s.")
        % {
            "n": printable.snapshot_number,
            "date": printable.submitted_at,
            "state": printable.state_label,
        }
    )
    for part in printable.sections:
        document.add_heading(part.title, level=1)
        for block in part.blocks:
            if block.title:
                document.add_heading(block.title, level=2)
            if block.fields:
                table = document.add_table(rows=0, cols=2)
                table.style = "Table Grid"
                for label, value in block.fields:
                    cells = table.add_row().cells
                    cells[0].text = str(label)
                    cells[0].paragraphs[0].runs[0].bold = True
                    cells[1].text = value or "—"
                    cells[0].width, cells[1].width = Cm(6), Cm(11)
            for item in block.items:
                document.add_paragraph(item, style="List Bullet")
            if block.table is not None:
                table = document.add_table(rows=1, cols=len(block.table.headers))
                table.style = "Table Grid"
                for cell, header in zip(table.rows[0].cells, block.table.headers, strict=True):
                    cell.text = str(header)
                    cell.paragraphs[0].runs[0].bold = True
                for row in block.table.rows:
                    cells = table.add_row().cells
                    for index, (cell, value) in enumerate(zip(cells, row, strict=True)):
                        cell.text = value or ""
                        if index in block.table.numeric:
                            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if block.text:
                document.add_paragraph(block.text)
            if not (block.fields or block.items or block.table or block.text) and block.empty:
                document.add_paragraph(block.empty).runs[0].italic = True
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
