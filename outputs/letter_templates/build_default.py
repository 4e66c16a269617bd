"""Build decision_default.docx, the default decision letter template (docxtpl tags).

Run from the project root after changing the text:
    .venv/bin/python outputs/letter_templates/build_default.py
The tags are documented in outputs.domain.letters.TAGS (and on the letters page);
the test suite checks that this template only uses documented tags and that the
committed file is what this script builds.

The text follows French typography: typographic apostrophes, a no-break space before
« : » and inside « », narrow no-break spaces before « ; » (common.typography.typographic
is applied to every literal below). Tables have fixed column widths that add up to
the text width, so LibreOffice and Word lay them out the same way and never split a
word."""

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from common.typography import typographic  # noqa: E402 (the project on sys.path first)

OUTPUT = Path(__file__).resolve().parent / "decision_default.docx"
MARGIN = Cm(2.2)
TEXT_WIDTH_CM = 21.0 - 2 * 2.2  # A4 portrait
ADDRESS_INDENT = Cm(8.8)
TABLE_FONT = Pt(8.5)

RECITALS = [
    "Vu le code de la santé publique, notamment ses articles L. 1435-8 à L. 1435-11 relatifs "
    "au fonds d'intervention régional ;",
    "Vu l'instruction interministérielle n° DGOS/R4/DGS/DGCS/2023/76 du 21 juin 2023 et son "
    "annexe 1, cadre d'orientation pour la structuration des filières de soins palliatifs ;",
    "Vu l'appel à candidatures « {{ campaign_name }} », ouvert le {{ call_date }} ;",
    "Vu le dossier de candidature de la filière {{ filiere_name }} (dossier n° {{ dossier_id }}), "
    "pour le territoire {{ territories }} (départements : {{ departements }}), déposé le "
    "{{ submitted_date }} ;",
]
CARESP_RECITAL = (
    "Vu l'avis de la cellule d'animation régionale de soins palliatifs (CARESP), rendu à "
    "l'issue de sa revue du dossier achevée le {{ caresp_review_date }} ;"
)
ANALYSIS = (
    "Après analyse de votre dossier par l'agence régionale de santé, avec l'appui de la "
    "CARESP, au regard du diagnostic territorial, de l'instruction du 21 juin 2023, du cahier "
    "des charges de l'appel à candidatures et de la capacité opérationnelle du projet, j'ai "
    "l'honneur de vous informer de ma décision : {{ outcome_sentence }}."
)
DELEGATION = (
    "Délégation des crédits : les crédits sont délégués à l'établissement bénéficiaire de "
    "chaque ligne de financement, par arrêté de délégation au titre du fonds d'intervention "
    "régional (FIR) ou par avenant à son contrat pluriannuel d'objectifs et de moyens (CPOM), "
    "à compter du {{ first_delegation_date }}. Les crédits reconductibles sont délégués la "
    "première année au prorata de leur mois de démarrage, puis en année pleine ; les crédits "
    "ponctuels non reconductibles sont délégués en une seule fois."
)
USE_OF_FUNDS = (
    "Emploi des crédits : les crédits sont exclusivement affectés à la mise en œuvre des "
    "fiches projet et des lignes de financement retenues ci-dessus ; toute modification "
    "substantielle d'un projet (objet, calendrier, établissement bénéficiaire) est soumise "
    "à l'accord préalable de l'agence."
)
RECOVERY = (
    "Récupération des crédits non employés : les crédits non employés, ou employés à un "
    "autre objet que celui pour lequel ils ont été accordés, font l'objet d'une récupération "
    "par l'agence, par reprise sur les délégations suivantes ou par émission d'un titre de "
    "recette."
)
REPORTING = (
    "Suivi annuel : la filière transmet chaque année à l'agence, au plus tard le "
    "{{ report_day }}, un rapport d'activité renseignant les indicateurs de suivi des filières "
    "(annexe 1 de l'instruction du 21 juin 2023) et les indicateurs de ses fiches projet"
    "{% if funded %}, accompagné d'un compte rendu financier de l'emploi des crédits de "
    "l'année écoulée{% endif %}. Le premier rapport, portant sur l'année "
    "{{ first_report_year }}, est attendu au plus tard le {{ first_report_date }}."
)
CLOSING = "Je vous prie d'agréer, Madame, Monsieur, l'expression de ma considération distinguée."


def paragraph(
    document,
    text="",
    *,
    bold=False,
    size=None,
    align=None,
    space_after=6,
    indent=None,
    keep_with_next=False,
):
    p = document.add_paragraph()
    if text:
        run = p.add_run(typographic(text))
        run.bold = bold
        if size:
            run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    if indent is not None:
        p.paragraph_format.left_indent = indent
    p.paragraph_format.space_after = Pt(space_after)
    p.paragraph_format.keep_with_next = keep_with_next
    return p


def control(document, tag):
    """A paragraph holding only a docxtpl {%p … %} tag (removed when rendered)."""
    p = document.add_paragraph()
    p.add_run(tag)
    return p


def field(paragraph_, instruction, size):
    """A field (PAGE, NUMPAGES) at the end of the paragraph: Word and LibreOffice fill it."""
    run = paragraph_.add_run()
    run.font.size = size
    for kind, text in (("begin", None), (None, f" {instruction} "), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def set_widths(table, widths_cm):
    """Fixed layout: the grid, the table and every cell get their width (LibreOffice reads
    the grid, Word the cells); a header row repeated on each page."""
    assert abs(sum(widths_cm) - TEXT_WIDTH_CM) < 0.05, (widths_cm, TEXT_WIDTH_CM)
    tbl = table._tbl
    properties = tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    properties.append(layout)
    width = properties.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        properties.append(width)
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(int(sum(widths_cm) * 567)))
    grid = tbl.tblGrid
    for column, value in zip(grid.findall(qn("w:gridCol")), widths_cm, strict=True):
        column.set(qn("w:w"), str(int(value * 567)))
    for row in table.rows:
        for cell, value in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(value)
    for index, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))  # a row never breaks across pages
        if index == 0:
            repeat = OxmlElement("w:tblHeader")
            repeat.set(qn("w:val"), "true")
            properties.append(repeat)


def fill(cells, texts, *, bold=False, right=()):
    for index, (cell, text) in enumerate(zip(cells, texts, strict=True)):
        p = cell.paragraphs[0]
        if text:
            run = p.add_run(typographic(text))
            run.bold = bold
            run.font.size = TABLE_FONT
        p.paragraph_format.space_after = Pt(0)
        if index in right:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def loop_table(document, headers, values, widths, *, loop, right=(), total=None):
    """A table whose middle row repeats ({%tr for … %} … {%tr endfor %}), with an
    optional total row."""
    rows = 4 + (1 if total else 0)
    table = document.add_table(rows=rows, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    fill(table.rows[0].cells, headers, bold=True)
    table.rows[1].cells[0].text = "{%tr for " + loop + " %}"
    fill(table.rows[2].cells, values, right=right)
    table.rows[3].cells[0].text = "{%tr endfor %}"
    if total:
        fill(table.rows[4].cells, total, bold=True, right=right)
    set_widths(table, widths)
    return table


def heading(document, text):
    return paragraph(document, text, bold=True, size=11, space_after=4, keep_with_next=True)


def build(path=OUTPUT):
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = MARGIN
    section.top_margin = Cm(1.8)
    section.bottom_margin = Cm(2.0)
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10.5)
    style.paragraph_format.widow_control = True

    document.styles["Footer"].font.size = Pt(8)  # the page number fields too
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = footer.add_run(typographic("{{ agency_name }} — réf. {{ reference }} — page "))
    run.font.size = Pt(8)
    field(footer, "PAGE", Pt(8))
    run = footer.add_run(" sur ")
    run.font.size = Pt(8)
    field(footer, "NUMPAGES", Pt(8))

    # The agency: name, service, address; who follows the case, the reference.
    paragraph(document, "{{ agency_name }}", bold=True, size=12, space_after=0)
    control(document, "{%p if agency_service %}")
    paragraph(document, "{{ agency_service }}", size=9, space_after=0)
    control(document, "{%p endif %}")
    paragraph(document, "{{ agency_address }}", size=9, space_after=8)
    control(document, "{%p if contact_name %}")
    paragraph(document, "Affaire suivie par : {{ contact_name }}", size=9, space_after=0)
    control(document, "{%p if contact_email %}")
    paragraph(document, "Courriel : {{ contact_email }}", size=9, space_after=0)
    control(document, "{%p endif %}")
    control(document, "{%p if contact_phone %}")
    paragraph(document, "Téléphone : {{ contact_phone }}", size=9, space_after=0)
    control(document, "{%p endif %}")
    control(document, "{%p endif %}")
    paragraph(document, "Réf. : {{ reference }}", size=9, space_after=12)

    # Place and date, then the addressee (the lead structure's legal representative).
    paragraph(document, "{{ place_and_date }}", indent=ADDRESS_INDENT, space_after=12)
    paragraph(
        document,
        "{{ addressee_name }}{% if addressee_title %}, {{ addressee_title }}{% endif %}",
        bold=True,
        indent=ADDRESS_INDENT,
        space_after=0,
    )
    paragraph(
        document,
        "{{ lead_structure_name }}{% if lead_structure_finess %} (FINESS {{ lead_structure_finess }}){% endif %}",
        indent=ADDRESS_INDENT,
        space_after=0,
    )
    paragraph(document, "{{ lead_structure_address }}", indent=ADDRESS_INDENT, space_after=6)
    paragraph(
        document,
        "Copie : {{ coordinator_name }}, coordination de la filière {{ filiere_name }}",
        size=9,
        indent=ADDRESS_INDENT,
        space_after=18,
    )

    paragraph(
        document,
        "Objet : {{ campaign_name }} — décision relative à la candidature de la filière "
        "{{ filiere_name }} (dossier n° {{ dossier_id }})",
        bold=True,
        space_after=12,
    )
    for text in RECITALS:
        paragraph(document, text, size=9.5, space_after=2)
    control(document, "{%p if caresp_review_date %}")
    paragraph(document, CARESP_RECITAL, size=9.5, space_after=2)
    control(document, "{%p endif %}")
    paragraph(document, "", space_after=6)
    paragraph(document, "Madame, Monsieur,")
    paragraph(document, ANALYSIS)

    heading(document, "Reconnaissance de la filière")
    paragraph(document, "En conséquence, {{ recognition_sentence }}.")
    control(document, "{%p if decision_comment %}")
    paragraph(document, "Motivation : {{ decision_comment }}")
    control(document, "{%p endif %}")

    control(document, "{%p if funded %}")
    heading(document, "Fiches projet")
    paragraph(
        document,
        "Pour chaque fiche projet, le montant demandé et le montant accordé (crédits "
        "reconductibles en montant annuel, en année pleine) :",
        keep_with_next=True,
    )
    loop_table(
        document,
        [
            "Rang",
            "Fiche projet",
            "Demandé",
            "Accordé reconductible (par an)",
            "Accordé ponctuel",
            "Décision",
        ],
        [
            "{{ p.priority }}",
            "{{ p.title }}",
            "{{ p.requested_total }}",
            "{{ p.granted_recurring }}",
            "{{ p.granted_one_off }}",
            "{{ p.status }}",
        ],
        [1.4, 5.0, 2.6, 2.6, 2.5, 2.5],
        loop="p in projects",
        right=(2, 3, 4),
        total=[
            "",
            "Total",
            "{{ total_requested }}",
            "{{ total_recurring }}",
            "{{ total_one_off }}",
            "",
        ],
    )
    paragraph(document, "", space_after=0)
    paragraph(
        document,
        "Le montant total accordé s'élève à {{ total }}, dont {{ total_recurring }} de crédits "
        "reconductibles par an et {{ total_one_off }} de crédits ponctuels non reconductibles. "
        "Les lignes de financement de chaque fiche retenue, leur calendrier et leur "
        "établissement bénéficiaire sont détaillés ci-dessous.",
    )
    control(document, "{%p for p in funded_projects %}")
    paragraph(
        document,
        "Fiche n° {{ p.priority }} — {{ p.title }} ({{ p.status }})",
        bold=True,
        size=10,
        space_after=3,
        keep_with_next=True,
    )
    loop_table(
        document,
        [
            "Ligne de financement",
            "Nature",
            "Demandé",
            "Accordé",
            "Calendrier",
            "Établissement bénéficiaire",
        ],
        [
            "{{ l.label }}",
            "{{ l.nature }}",
            "{{ l.requested }}",
            "{{ l.granted }}",
            "{{ l.when }}",
            "{{ l.establishment }}",
        ],
        [3.9, 2.3, 2.3, 2.3, 2.4, 3.4],
        loop="l in p.lines",
        right=(2, 3),
    )
    amounts = paragraph(document, "Montants par année : {{ p.years_text }}.", size=9, space_after=8)
    amounts.paragraph_format.space_before = Pt(3)
    control(document, "{%p endfor %}")

    heading(document, "Échéancier")
    paragraph(
        document,
        "Les crédits accordés se répartissent ainsi par année, les crédits reconductibles "
        "étant comptés la première année au prorata de leur mois de démarrage :",
        keep_with_next=True,
    )
    loop_table(
        document,
        ["Année", "Crédits reconductibles", "Crédits ponctuels", "Total"],
        ["{{ y.year }}", "{{ y.recurring }}", "{{ y.one_off }}", "{{ y.total }}"],
        [2.2, 4.8, 4.8, 4.8],
        loop="y in years",
        right=(1, 2, 3),
    )
    paragraph(document, "", space_after=0)
    control(document, "{%p if full_rate_year %}")
    paragraph(
        document,
        "À compter de {{ full_rate_year }}, les crédits reconductibles accordés s'élèvent à "
        "{{ total_recurring }} par an.",
    )
    control(document, "{%p endif %}")

    heading(document, "Conditions")
    paragraph(document, DELEGATION)
    paragraph(document, USE_OF_FUNDS)
    paragraph(document, RECOVERY)
    control(document, "{%p endif %}")
    control(document, "{%p if recognised %}")
    paragraph(document, REPORTING)
    control(document, "{%p endif %}")

    paragraph(document, CLOSING, space_after=18)
    control(document, "{%p if by_delegation %}")
    paragraph(
        document, "{{ delegation_line }}", indent=ADDRESS_INDENT, space_after=0, keep_with_next=True
    )
    control(document, "{%p endif %}")
    # Room to sign between the title and the name.
    paragraph(
        document,
        "{{ signatory_title }}",
        indent=ADDRESS_INDENT,
        space_after=54,
        keep_with_next=True,
    )
    paragraph(document, "{{ signatory_name }}", bold=True, indent=ADDRESS_INDENT, space_after=24)
    paragraph(document, "{{ appeal_mention }}", size=8)

    document.core_properties.title = "Décision — appel à candidatures des filières palliatives"
    document.core_properties.author = "ARS"
    document.save(path)
    return path


if __name__ == "__main__":
    print(build())
