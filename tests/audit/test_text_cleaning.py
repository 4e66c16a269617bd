"""V1: a control character typed by a lead never breaks a file for anyone.

One rule (common.text.clean_text) in the domain, for the pages and the API alike, and
writers (XLSX, ODS, CSV, decision letters, printable dossier) that remove what XML
cannot hold from texts stored before the rule."""

import csv
import io
import zipfile

import docx
import openpyxl
import pytest
from django.urls import reverse

from common.text import clean_text, xml_safe
from dossiers.domain.editing import part_fingerprint
from dossiers.domain.transitions import transition
from dossiers.models import Dossier, Project
from tests.factories import complete_dossier, dossier_in_state

NASTY = "Ctrl\u0001\u0002\u000b"
EVERY_CONTROL = "".join(chr(c) for c in range(0x20) if c not in (9, 10)) + "\x7f\x85\ufffe"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (NASTY, "Ctrl\n"),
        ("a\r\nb\rc\x0bd\x0ce\x85f", "a\nb\nc\nd\ne\nf"),
        ("tab\tkept", "tab\tkept"),
        ("x" + EVERY_CONTROL + "y", "x\n\n\n\ny"),
        ("é€😀 ordinaire", "é€😀 ordinaire"),
    ],
)
def test_the_rule(typed, stored):
    assert clean_text(typed) == stored
    assert xml_safe(stored) == stored


def test_api_text_is_cleaned_then_every_file_opens(
    api_as, lead, instructor, filiere, campaign, client
):
    """The audit's reproduction: a title with control characters through the API, then
    the XLSX export and the printable .docx (both answered 500 before)."""
    dossier = complete_dossier(filiere=filiere)
    project = dossier.projects.get()
    response = api_as(lead).request(
        "PATCH", f"dossiers/{dossier.pk}/projects/{project.pk}", {"title": NASTY}
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Ctrl"
    response = api_as(lead).request(
        "PATCH",
        f"dossiers/{dossier.pk}",
        {
            "version": Dossier.objects.get(pk=dossier.pk).version,
            "swot": {**dossier.swot, "strengths": [NASTY]},
        },
    )
    assert response.status_code == 200
    assert response.json()["swot"]["strengths"] == ["Ctrl"]
    transition(Dossier.objects.get(pk=dossier.pk), "submit", lead)
    staff = api_as(instructor)
    for fmt in ("xlsx", "ods", "csv"):
        assert (
            staff.request("GET", f"campaigns/{campaign.slug}/exports/decisions.{fmt}").status_code
            == 200
        )
    client.force_login(instructor)
    response = client.get(reverse("outputs:dossier_print_docx", args=[dossier.pk]))
    assert response.status_code == 200


def test_web_forms_clean_the_same_way(client, lead, draft):
    client.force_login(lead)
    url = reverse("dossiers:section", args=[draft.pk, "swot"])
    response = client.post(
        url,
        {
            "strengths": f"Équipe {NASTY}",
            "weaknesses": "Faible\u0007ment",
            "opportunities": "",
            "threats": "",
            "fingerprint": part_fingerprint(draft.swot),
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.swot["strengths"] == ["Équipe Ctrl"]
    assert draft.swot["weaknesses"] == ["Faiblement"]


@pytest.fixture
def stored_before_the_rule(filiere, lead, instructor, decider):
    """A decided dossier whose texts hold control characters written before the rule
    (straight into the database, as old data would), then submitted and decided."""
    dossier = complete_dossier(filiere=filiere)
    identity = dict(dossier.identity)
    identity["name"] = "Nom\x01\x02 ancien"
    identity["lead_structure"] = {
        **identity["lead_structure"],
        "name": "Structure\x0b porteuse",
        "address": "1 rue\x0c Haute\n29200 Brest",
    }
    swot = {**dossier.swot, "strengths": ["Fort\x1f"]}
    Dossier.objects.filter(pk=dossier.pk).update(identity=identity, swot=swot)
    Project.objects.filter(dossier=dossier).update(title="Fiche\x01\x02\x0b")
    dossier = dossier_in_state(
        "decided",
        dossier=Dossier.objects.get(pk=dossier.pk),
        lead=lead,
        instructor=instructor,
        decider=decider,
    )
    filiere.name = "Filière\x02"
    filiere.save()
    return dossier


def test_every_writer_copes_with_texts_stored_before_the_rule(
    client, instructor, campaign, stored_before_the_rule
):
    dossier = stored_before_the_rule
    client.force_login(instructor)
    exports = reverse("outputs:exports", args=[campaign.slug])
    xlsx = client.post(exports, {"format": "xlsx"})
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content))["Décisions"]
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "Fiche" in values and "Nom ancien" in values
    ods = client.post(exports, {"format": "ods"})
    assert ods.status_code == 200
    with zipfile.ZipFile(io.BytesIO(ods.content)) as archive:
        assert "Fiche" in archive.read("content.xml").decode()
    csv_response = client.post(exports, {"format": "csv"})
    assert csv_response.status_code == 200
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig")), delimiter=";"))
    assert all("\x01" not in cell for row in rows for cell in row)
    for fmt in ("xlsx", "csv"):
        url = f"/api/v1/campaigns/{campaign.slug}/exports/decision_lines.{fmt}"
        assert client.get(url).status_code == 200
    letter = client.get(reverse("outputs:dossier_letter", args=[dossier.pk]))
    assert letter.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(letter.content)).paragraphs)
    assert "Structure porteuse" in text and "Haute" in text
    printable = client.get(reverse("outputs:dossier_print_docx", args=[dossier.pk]))
    assert printable.status_code == 200
    document = docx.Document(io.BytesIO(printable.content))
    assert document.paragraphs[0].text == "Nom ancien"
    assert client.get(reverse("outputs:dossier_print", args=[dossier.pk])).status_code == 200
