"""Build decision_default.docx, the default decision letter template (docxtpl tags).

Run from the project root after changing the text:
    .venv/bin/python outputs/letter_templates/build_default.py
The tags are documented in outputs.domain.letters.TAGS (and on the letters page);
the test suite checks that this template only uses documented tags."""

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

OUTPUT = Path(__file__).resolve().parent / "decision_default.docx"

CONDITIONS = (
    "Conditions : les crédits reconductibles sont délégués au prorata de l'année de "
    "démarrage du projet, puis en année pleine, à compter du {{ first_delegation_date }}, "
    "par arrêté de délégation du fonds d'intervention régional (FIR) ou par avenant au "
    "contrat pluriannuel d'objectifs et de moyens (CPOM) de la structure bénéficiaire. "
    "Les crédits ponctuels non reconductibles sont délégués en une fois. Les crédits sont "
    "exclusivement affectés à la mise en œuvre des fiches projet ci-dessus ; toute "
    "modification substantielle d'un projet (objet, calendrier, structure bénéficiaire) "
    "est soumise à l'accord préalable de l'agence."
)
REPORTING = (
    "Obligations de compte rendu : la filière transmet chaque année à l'agence, au plus "
    "tard le 30 avril, un rapport d'activité renseignant les indicateurs de chaque fiche "
    "projet ainsi qu'un compte rendu financier de l'emploi des crédits de l'année écoulée. "
    "Les crédits non employés conformément à leur objet peuvent donner lieu à reprise."
)


def paragraph(document, text="", *, bold=False, size=None, align=None, space_after=6):
    p = document.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(space_after)
    return p


def page_number(paragraph_):
    """A PAGE field at the end of the paragraph (Word and LibreOffice number it)."""
    run = paragraph_.add_run()
    run.font.size = Pt(8)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def build(path=OUTPUT):
    document = Document()
    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = Cm(1.8)
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10.5)

    footer = section.footer.paragraphs[0]
    footer.text = "{{ agency_name }} — réf. {{ reference }} — page "
    footer.runs[0].font.size = Pt(8)
    page_number(footer)

    paragraph(document, "{{ agency_name }}", bold=True, size=12)
    paragraph(document, "Direction de l'offre de soins — soins palliatifs", size=9, space_after=0)
    paragraph(document, "Réf. : {{ reference }}", size=9)
    paragraph(document, "Le {{ decision_date }}", align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=12)

    paragraph(
        document,
        "{{ addressee_name }}{% if addressee_title %}, {{ addressee_title }}{% endif %}",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        space_after=0,
    )
    paragraph(
        document,
        "{{ lead_structure_name }}{% if lead_structure_finess %} (FINESS {{ lead_structure_finess }}){% endif %}",
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        space_after=0,
    )
    paragraph(
        document, "{{ lead_structure_address }}", align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=0
    )
    paragraph(
        document,
        "Copie : {{ coordinator_name }}, coordination de la filière {{ filiere_name }}",
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        size=9,
        space_after=18,
    )

    paragraph(
        document,
        "Objet : {{ campaign_name }} — décision relative au dossier n° {{ dossier_id }} "
        "de la filière {{ filiere_name }}",
        bold=True,
        space_after=12,
    )
    paragraph(document, "Madame, Monsieur,")
    paragraph(
        document,
        "Dans le cadre de l'appel à candidatures « {{ campaign_name }} » pour la "
        "reconnaissance des filières territoriales de soins palliatifs (instruction "
        "interministérielle n° DGOS/R4/DGS/DGCS/2023/76 du 21 juin 2023), vous avez déposé "
        "le {{ submitted_date }} le dossier de la filière {{ filiere_name }}, qui couvre "
        "le territoire suivant : {{ territories }} (départements : {{ departements }}).",
    )
    paragraph(
        document,
        "Après analyse de votre dossier par l'agence régionale de santé, avec l'appui de la "
        "cellule d'animation régionale de soins palliatifs (CARESP), j'ai l'honneur de vous "
        "informer de ma décision : {{ outcome_sentence }}.",
    )
    paragraph(document, "Au vu de cette décision, {{ recognition_sentence }}.")
    paragraph(document, "{%p if decision_comment %}")
    paragraph(document, "Motivation : {{ decision_comment }}")
    paragraph(document, "{%p endif %}")

    paragraph(document, "{%p if accepted %}")
    paragraph(
        document,
        "Les crédits accordés à chaque fiche projet sont les suivants (crédits reconductibles "
        "en montant annuel, année pleine) :",
    )
    table = document.add_table(rows=5, cols=6)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    headers = [
        "Rang",
        "Fiche projet",
        "Demandé",
        "Accordé reconductible",
        "Accordé ponctuel",
        "Décision",
    ]
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    table.rows[1].cells[0].text = "{%tr for p in projects %}"
    values = [
        "{{ p.priority }}",
        "{{ p.title }}",
        "{{ p.requested_total }}",
        "{{ p.granted_recurring }}",
        "{{ p.granted_one_off }}",
        "{{ p.status }}",
    ]
    for index, (cell, text) in enumerate(zip(table.rows[2].cells, values, strict=True)):
        cell.text = text
        if 2 <= index <= 4:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    table.rows[3].cells[0].text = "{%tr endfor %}"
    total = [
        "",
        "Total",
        "{{ total_requested }}",
        "{{ total_recurring }}",
        "{{ total_one_off }}",
        "",
    ]
    for index, (cell, text) in enumerate(zip(table.rows[4].cells, total, strict=True)):
        cell.text = text
        if text:
            cell.paragraphs[0].runs[0].bold = True
        if 2 <= index <= 4:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    widths = [Cm(1.2), Cm(5.4), Cm(2.7), Cm(2.7), Cm(2.5), Cm(2.5)]
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    paragraph(document, "", space_after=0)
    paragraph(
        document,
        "Le montant total accordé s'élève à {{ total }}, dont {{ total_recurring }} de crédits "
        "reconductibles (par an) et {{ total_one_off }} de crédits ponctuels non reconductibles.",
    )
    paragraph(document, CONDITIONS)
    paragraph(document, REPORTING)
    paragraph(document, "{%p endif %}")

    paragraph(
        document,
        "Je vous prie d'agréer, Madame, Monsieur, l'expression de ma considération distinguée.",
        space_after=18,
    )
    paragraph(document, "{%p if by_delegation %}")
    paragraph(
        document,
        "Pour le directeur général de l'agence régionale de santé et par délégation,",
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        space_after=0,
    )
    paragraph(document, "{%p endif %}")
    # Room to sign between the title and the name.
    paragraph(document, "{{ signatory_title }}", align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=54)
    paragraph(
        document, "{{ signatory_name }}", bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=24
    )
    paragraph(document, "{{ appeal_mention }}", size=8)

    document.core_properties.title = "Décision — appel à candidatures des filières palliatives"
    document.core_properties.author = "ARS"
    document.save(path)
    return path


if __name__ == "__main__":
    print(build())
