"""The printable dossier: the last snapshot (exactly what was submitted), laid out once
as sections of fields, lists and tables, then rendered as an HTML page (print
stylesheet) or as a .docx (python-docx). Both renderings read the same structure,
so they always show the same content.

It opens on a one-page summary for a reviewer who reads eight of them (territory,
members by type, the actors the call names, requested totals per nature, the missions'
coverage at a glance, completeness); each project sheet ends with its subtotals. The
.docx has fixed column widths that fit the page (no word split over two lines), a
running header naming the dossier and « page N sur M »."""

import io
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from common.errors import NotFound
from common.money import format_eur
from common.text import xml_safe, xml_safe_all
from dossiers.domain.completeness import check_dossier
from dossiers.domain.participation import participation
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
from outputs.domain.coverage import departement_label
from outputs.domain.letters import french_date


@dataclass
class Table:
    headers: list
    rows: list
    numeric: set = field(default_factory=set)  # column indexes aligned right
    widths: list = field(default_factory=list)  # .docx column widths (cm), the text width
    footer: list = field(default_factory=list)  # totals rows, bold


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
    summary: PrintSection | None = None


# The text width of the .docx (A4 portrait, 2 cm margins): every table's widths add up to it.
TEXT_WIDTH_CM = 17.0
FIELD_WIDTHS = [5.5, 11.5]
# Tables in 8.5 pt: the widths above hold « Reconductible », « 1 234 567,89 € », a
# SIRET or « bénéficiaire » on one line.
TABLE_FONT = Pt(8.5)


def _label(choices, value):
    if value in (None, ""):
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _labels():
    """_label with each (choices, value)'s text read once: a lazy label's str() is a
    translation lookup, and a large dossier's lines repeat a few labels hundreds of
    times (a third of the printable page)."""
    texts = {}

    def label(choices, value):
        key = (choices, value)
        text = texts.get(key)
        if text is None:
            text = texts[key] = _label(choices, value)
        return text

    return label


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
            widths=[2.6, 6.6, 2.2, 2.9, 2.7],
        )
        if members
        else None,
        empty=_("Aucune structure membre."),
    )
    actors = participation(identity)
    actors_block = Block(
        title=_("Acteurs que l'appel demande d'associer"),
        fields=[
            (_("Membres de la filière"), ", ".join(actors.present) or _("aucun")),
            (_("Absents"), ", ".join(actors.missing) or _("aucun")),
        ]
        + (
            [(_("Justification des absences"), _text(actors.justification))]
            if actors.missing
            else []
        ),
    )
    return PrintSection(str(Section.IDENTITY.label), [general, member_block, actors_block])


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
            widths=[7.4, 2.4, 7.2],
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


def _project_texts():
    """The texts of every sheet's blocks, translated once per document (forty sheets
    asked for them twenty times each)."""
    return {
        "title": _("Priorité %(rank)s — %(title)s"),
        "objectives": _("Objectifs"),
        "actions": _("Actions"),
        "start": _("Début"),
        "end": _("Fin"),
        "pilot": _("Structure pilote"),
        "partners": _("Partenaires"),
        "indicators": _("Indicateurs"),
        "missions": _("Missions liées"),
        "swot_items": _("Éléments AFOM liés"),
        "funding": _("Demande de financement"),
        "label": _("Libellé"),
        "nature": _("Nature"),
        "category": _("Catégorie"),
        "etp": _("ETP"),
        "amount": _("Montant demandé"),
        "first_year": _("Première année"),
        "finess": _("FINESS bénéficiaire"),
        "no_line": _("Aucune ligne de financement."),
    }


def _project(project, label=_label, t=None):
    t = t or _project_texts()
    missions = ", ".join(label(Mission, code) for code in project.get("missions") or [])
    blocks = [
        Block(
            title=t["title"]
            % {"rank": _text(project.get("priority")) or "—", "title": _text(project.get("title"))},
            fields=[
                (t["objectives"], _text(project.get("objectives"))),
                (t["actions"], _text(project.get("actions"))),
                (t["start"], _date(project.get("start"))),
                (t["end"], _date(project.get("end"))),
                (t["pilot"], _text(project.get("pilot"))),
                (t["partners"], _text(project.get("partners"))),
                (t["indicators"], _text(project.get("indicators"))),
                (t["missions"], missions),
                (t["swot_items"], ", ".join(map(str, project.get("swot_items") or []))),
            ],
        )
    ]
    lines = project.get("lines") or []
    blocks.append(
        Block(
            title=t["funding"],
            table=Table(
                headers=[
                    t["label"],
                    t["nature"],
                    t["category"],
                    t["etp"],
                    t["amount"],
                    t["first_year"],
                    t["finess"],
                ],
                rows=[
                    [
                        _text(line.get("label"))
                        + (f" ({line['staff_profile']})" if line.get("staff_profile") else ""),
                        label(LineNature, line.get("nature")),
                        label(LineCategory, line.get("category")),
                        _decimal(line.get("etp")),
                        _amount(line.get("amount")),
                        _text(line.get("first_year")),
                        _text(line.get("beneficiary_finess")),
                    ]
                    for line in lines
                ],
                numeric={3, 4},
                widths=[3.7, 2.7, 2.6, 1.0, 2.8, 1.8, 2.4],
                footer=_subtotal_rows(lines),
            )
            if lines
            else None,
            empty=t["no_line"],
        )
    )
    return blocks


def _requested(lines):
    """(recurring, one-off) requested by funding lines of a snapshot (Decimal)."""
    totals = {LineNature.RECURRING: Decimal(0), LineNature.ONE_OFF: Decimal(0)}
    for line in lines:
        try:
            amount = Decimal(str(line.get("amount")))
        except (InvalidOperation, TypeError, ValueError):
            continue
        if line.get("nature") in totals and amount.is_finite():
            totals[line.get("nature")] += amount
    return totals[LineNature.RECURRING], totals[LineNature.ONE_OFF]


def _subtotal_rows(lines):
    """The sheet's subtotals, under its lines: recurring (per year) and one-off."""
    recurring, one_off = _requested(lines)
    return [
        [_("Sous-total reconductible (par an)"), "", "", "", _amount(recurring), "", ""],
        [_("Sous-total ponctuel"), "", "", "", _amount(one_off), "", ""],
    ]


def _projects(projects, totals):
    blocks = []
    label, texts = _labels(), _project_texts()
    for project in projects:
        blocks.extend(_project(project, label, texts))
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
                    widths=[9.0, 5.5, 2.5],
                )
                if attachments
                else None,
                empty=_("Aucune pièce jointe."),
            )
        ],
    )


def _summary(dossier, content, territories):
    """One page for a reviewer who reads eight dossiers: where, who, how much, which
    missions, and whether anything is missing."""
    identity = content.get("identity") or {}
    diagnostic = content.get("diagnostic") or {}
    lead = identity.get("lead_structure") or {}
    members = [m for m in identity.get("members") or [] if isinstance(m, dict)]
    by_type = Counter(m.get("type") for m in members)
    projects = content.get("projects") or []
    lines = [line for p in projects for line in p.get("lines") or [] if isinstance(line, dict)]
    recurring, one_off = _requested(lines)
    departements = sorted(
        {code for t in dossier.filiere.territories.all() for code in (t.departements or [])}
    )
    actors = participation(identity)
    where = Block(
        fields=[
            (_("Territoire de santé"), territories or "—"),
            (_("Départements"), ", ".join(departement_label(c) for c in departements) or "—"),
            (_("Communes ou EPCI"), _text(identity.get("communes")) or _("tout le territoire")),
            (_("Population"), _count(diagnostic.get("population")) or "—"),
            (
                _("Structure porteuse"),
                ", ".join(p for p in (_text(lead.get("name")), _text(lead.get("finess"))) if p),
            ),
            (
                _("Structures membres"),
                _("%(n)s : %(types)s")
                % {
                    "n": len(members),
                    "types": ", ".join(
                        f"{_label(MemberType, code)} {count}"
                        for code, count in sorted(
                            by_type.items(), key=lambda item: _type_rank(item[0])
                        )
                    )
                    or "—",
                },
            ),
            (_("Acteurs de l'appel absents"), _missing_actors(actors)),
            (_("Complétude"), _completeness(dossier)),
        ]
    )
    money = Block(
        title=_("Demande de financement"),
        table=Table(
            headers=[_("Nature"), _("Montant demandé"), _("Fiches projet"), _("Lignes")],
            rows=[
                [
                    _("Crédits reconductibles (par an)"),
                    _amount(recurring),
                    _count(_sheets_with(projects, LineNature.RECURRING)),
                    _count(sum(1 for line in lines if line.get("nature") == LineNature.RECURRING)),
                ],
                [
                    _("Crédits ponctuels"),
                    _amount(one_off),
                    _count(_sheets_with(projects, LineNature.ONE_OFF)),
                    _count(sum(1 for line in lines if line.get("nature") == LineNature.ONE_OFF)),
                ],
            ],
            numeric={1, 2, 3},
            widths=[7.0, 4.0, 3.0, 3.0],
            footer=[
                [
                    _("Total"),
                    _amount(recurring + one_off),
                    _count(len(projects)),
                    _count(len(lines)),
                ]
            ],
        ),
    )
    statuses = {m.get("code"): m.get("status") for m in diagnostic.get("missions") or []}
    counts = Counter(statuses.get(code) or "" for code in Mission.values)
    coverage = Block(
        title=_("Couverture des missions"),
        text=_("%(covered)s couvertes, %(partial)s partielles, %(missing)s absentes sur %(n)s.")
        % {
            "covered": counts[MissionStatus.COVERED],
            "partial": counts[MissionStatus.PARTIAL],
            "missing": counts[MissionStatus.MISSING],
            "n": len(Mission.values),
        },
        table=Table(
            headers=[_("Mission"), _("Couverture")],
            rows=[
                [str(label), _label(MissionStatus, statuses.get(code)) or _("Non renseignée")]
                for code, label in Mission.choices
            ],
            widths=[13.0, 4.0],
        ),
    )
    return PrintSection(_("Synthèse"), [where, money, coverage])


def _missing_actors(actors):
    if not actors.missing:
        return _("aucun")
    missing = ", ".join(actors.missing)
    if not actors.justified:
        return _("%(missing)s — absence non justifiée") % {"missing": missing}
    justification = actors.justification.strip()
    if len(justification) > 160:
        justification = justification[:159].rsplit(" ", 1)[0] + "…"
    return _("%(missing)s — justification : %(text)s") % {"missing": missing, "text": justification}


def _completeness(dossier):
    """The live dossier's completeness (what was submitted passed it; a dossier returned
    for completion may have changed since)."""
    problems = check_dossier(dossier)
    if not problems:
        return _("complet")
    return xml_safe(_("%(n)s point(s) à compléter : %(list)s")) % {
        "n": len(problems),
        "list": xml_safe(" ; ".join(p.message for p in problems[:5]))
        + (" ; …" if len(problems) > 5 else ""),
    }


TYPE_ORDER = list(MemberType.values)


def _type_rank(code):
    return TYPE_ORDER.index(code) if code in TYPE_ORDER else len(TYPE_ORDER)


def _sheets_with(projects, nature):
    return sum(
        1
        for p in projects
        if any(
            isinstance(line, dict) and line.get("nature") == nature for line in p.get("lines") or []
        )
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
        summary=_summary(dossier, content, territories),
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


def _field(paragraph, instruction):
    """A PAGE or NUMPAGES field at the end of the paragraph."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, f" {instruction} "), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _fixed_widths(table, widths_cm):
    """Fixed layout with the given widths (LibreOffice reads the grid, Word the cells):
    the table fits the page and a word never splits over two lines; the header row
    repeats on every page and no row breaks across pages."""
    properties = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    properties.append(layout)
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm, strict=True):
        column.set(qn("w:w"), str(int(width * 567)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _repeat_header(row):
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(repeat)


def _cell_text(cell, value, *, bold=False, right=False):
    paragraph = cell.paragraphs[0]
    for index, part in enumerate(str(value or "").split("\n")):
        if index:
            paragraph.add_run().add_break()
        run = paragraph.add_run(part)
        run.bold = bold
        run.font.size = TABLE_FONT
    paragraph.paragraph_format.space_after = Pt(0)
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def docx_block(document, block):
    if block.title:
        document.add_heading(block.title, level=2)
    if block.text:
        document.add_paragraph(block.text)
    if block.fields:
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in block.fields:
            cells = table.add_row().cells
            _cell_text(cells[0], label, bold=True)
            _cell_text(cells[1], value or "—")
        _fixed_widths(table, FIELD_WIDTHS)
    for item in block.items:
        document.add_paragraph(item, style="List Bullet")
    if block.table is not None:
        spec = block.table
        table = document.add_table(rows=1, cols=len(spec.headers))
        table.style = "Table Grid"
        for index, (cell, header) in enumerate(zip(table.rows[0].cells, spec.headers, strict=True)):
            _cell_text(cell, header, bold=True, right=index in spec.numeric)
        _repeat_header(table.rows[0])
        for row in spec.rows:
            cells = table.add_row().cells
            for index, (cell, value) in enumerate(zip(cells, row, strict=True)):
                _cell_text(cell, value, right=index in spec.numeric)
        for row in spec.footer:
            cells = table.add_row().cells
            for index, (cell, value) in enumerate(zip(cells, row, strict=True)):
                _cell_text(cell, value, bold=True, right=index in spec.numeric)
        if spec.widths:
            _fixed_widths(table, spec.widths)
    if not (block.fields or block.items or block.table or block.text) and block.empty:
        document.add_paragraph(block.empty).runs[0].italic = True


def a4_document(title, *, header, footer):
    """An empty A4 portrait Word document (2 cm margins, Arial 10): `header` runs at the
    top of every page, `footer` then « page N sur M » at the bottom."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(1.8)
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(10)
    for name in ("Header", "Footer"):
        document.styles[name].font.size = Pt(8)
    document.core_properties.title = title[:255]
    section.header.paragraphs[0].text = header
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(_("%(campaign)s — page ") % {"campaign": footer})
    _field(paragraph, "PAGE")
    paragraph.add_run(_(" sur "))
    _field(paragraph, "NUMPAGES")
    return document


def docx_bytes(document):
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def printable_docx(printable):
    """The same content as a Word document: the summary on its own first page, then the
    parts; a running header names the dossier, the footer numbers the pages."""

    document = a4_document(
        printable.title,
        header=_("Dossier n° %(id)s — %(filiere)s — dépôt n° %(n)s du %(date)s")
        % {
            "id": printable.dossier_id,
            "filiere": printable.filiere,
            "n": printable.snapshot_number,
            "date": printable.submitted_at,
        },
        footer=printable.campaign,
    )

    document.add_heading(printable.title, level=0)
    intro = document.add_paragraph()
    intro.add_run(
        _("Dossier n° %(id)s — %(campaign)s")
        % {"id": printable.dossier_id, "campaign": printable.campaign}
    ).bold = True
    document.add_paragraph(_("Filière : %(name)s") % {"name": printable.filiere})
    document.add_paragraph(
        _("Contenu déposé (dépôt n° %(n)s du %(date)s). État actuel : %(state)s.")
        % {
            "n": printable.snapshot_number,
            "date": printable.submitted_at,
            "state": printable.state_label,
        }
    )
    if printable.summary is not None:
        document.add_heading(printable.summary.title, level=1)
        for block in printable.summary.blocks:
            docx_block(document, block)
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    for part in printable.sections:
        document.add_heading(part.title, level=1)
        for block in part.blocks:
            docx_block(document, block)
    return docx_bytes(document)
