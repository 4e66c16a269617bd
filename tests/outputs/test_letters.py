"""Decision letters: content read back with python-docx, ZIP with zipfile, template validation."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from common.errors import Conflict, Forbidden, InvalidInput, NotFound
from dossiers.enums import Outcome
from outputs.domain import exports, letters

NBSP, NNBSP = "\u00a0", "\u202f"


def text_of(data):
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    footer = document.sections[0].footer.paragraphs[0].text
    return paragraphs, tables, footer


def plain(text):
    return text.replace(NBSP, " ").replace(NNBSP, " ")


def make_docx(*paragraphs, rows=None):
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if rows:
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for row, values in zip(table.rows, rows, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_accepted_letter_states_everything(scenario, decider):
    a = scenario["a"]
    filename, data = letters.letter_for(decider, a.id)
    assert filename == f"courrier-decision-{a.id}-nord-finistere.docx"
    paragraphs, tables, footer = text_of(data)
    body = "\n".join(paragraphs)
    assert "Anne Le Goff" in body  # addressee: the coordinator
    assert "CHU de Brest (FINESS 290000017)" in body  # lead structure
    assert "Copie : Anne Le Goff, coordination de la filière Nord Finistère" in body
    assert "T1 — Brest – Carhaix – Morlaix" in body and "29 Finistère" in body
    assert "ma décision : votre dossier est retenu." in body
    assert "Motivation : Projet conforme à l'instruction." in body
    assert "Conditions :" in body and "Obligations de compte rendu" in body
    assert "Directrice générale de l'ARS Bretagne" in paragraphs
    assert "Élise Kervella" in paragraphs
    assert "Voies et délais de recours" in body and "tribunal administratif de Rennes" in body
    assert "deux mois" in body
    decided = a.decided_at.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert f"Le {letters.french_date(a.decided_at)}" in paragraphs
    assert str(decided.year) in letters.french_date(a.decided_at)
    assert f"réf. ARS-53-{a.campaign.slug}-{a.id}" in footer
    assert (
        "Au vu de cette décision, la filière Nord Finistère est reconnue comme filière "
        "territoriale de soins palliatifs pour le territoire de santé T1 — Brest – Carhaix – "
        f"Morlaix, à compter du {letters.french_date(a.decided_at)}." in body
    )
    table = tables[0]
    assert table[0] == [
        "Rang",
        "Fiche projet",
        "Demandé",
        "Accordé reconductible",
        "Accordé ponctuel",
        "Décision",
    ]
    # Requested beside granted, and what became of each sheet in words.
    assert [plain(c) for c in table[1]] == [
        "1",
        "Renforcer l'équipe mobile",
        "38 345,67 €",
        "26 000,00 €",
        "9 999,99 €",
        "retenue partiellement",
    ]
    assert table[1][3] == f"26{NNBSP}000,00{NBSP}€"
    assert [plain(c) for c in table[2][2:]] == [
        "1 234 567,89 €",
        "100 000,01 €",
        "0,00 €",
        "retenue partiellement",
    ]
    assert [plain(c) for c in table[3]] == [
        "",
        "Total",
        "1 272 913,56 €",
        "126 000,01 €",
        "9 999,99 €",
        "",
    ]
    assert len(table) == 4  # header, two projects, total
    assert "Le montant total accordé s'élève à 136 000,00 €" in plain(body)


def test_rejected_letter_has_no_amounts_but_the_appeal_mention(scenario, decider):
    _name, data = letters.letter_for(decider, scenario["c"].id)
    paragraphs, tables, _footer = text_of(data)
    body = "\n".join(paragraphs)
    assert "votre dossier n'est pas retenu" in body
    assert "Diagnostic insuffisant." in body
    assert tables == []
    assert "Conditions :" not in body
    assert "Voies et délais de recours" in body


def test_french_dates():
    assert letters.french_date(dt.date(2025, 6, 30)) == "30 juin 2025"
    assert letters.french_date(dt.date(2025, 7, 1)) == "1er juillet 2025"
    assert letters.french_date(dt.date(2025, 2, 14)) == "14 février 2025"
    assert letters.french_date(None) == ""


def test_special_characters_do_not_break_the_document(scenario, decider):
    a = scenario["a"]
    filiere = a.filiere
    filiere.name = "Filière <Armor> & Argoat"
    filiere.save()
    _name, data = letters.letter_for(decider, a.id)
    paragraphs, _tables, _footer = text_of(data)
    assert "Copie : Anne Le Goff, coordination de la filière Filière <Armor> & Argoat" in paragraphs


def test_letter_not_decided_is_a_conflict_and_others_get_not_found(
    scenario, lead, other_lead, outsider, decider
):
    with pytest.raises(Conflict):
        letters.letter_for(other_lead, scenario["b"].id)  # its own, in analysis
    with pytest.raises(NotFound):
        letters.letter_for(other_lead, scenario["a"].id)  # another filière's
    with pytest.raises(NotFound):
        letters.letter_for(outsider, scenario["a"].id)
    with pytest.raises(NotFound):
        letters.letter_for(decider, scenario["d"].id)  # a draft: staff do not see it
    assert letters.letter_for(lead, scenario["a"].id)[0].endswith(".docx")


def test_zip_has_one_letter_per_decided_dossier(scenario, campaign):
    buffer = io.BytesIO()
    progress = []
    count = letters.write_letters_zip(campaign, buffer, lambda d, t: progress.append((d, t)))
    assert count == 2
    assert progress[0] == (0, 2) and progress[-1] == (2, 2)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        names = sorted(archive.namelist())
        assert names == sorted(
            [
                f"courrier-decision-{scenario['a'].id}-nord-finistere.docx",
                f"courrier-decision-{scenario['c'].id}-lorient.docx",
            ]
        )
        for name in names:
            paragraphs, _t, _f = text_of(archive.read(name))
            assert "Élise Kervella" in paragraphs


def test_letter_queries_do_not_grow_with_projects(
    scenario, campaign, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        dossiers = list(letters.decided_dossiers(campaign))
        for dossier in dossiers:
            letters.letter_context(dossier)


# ---------------------------------------------------------------- templates


def test_default_template_uses_only_documented_tags():
    assert letters.validate_template(letters.DEFAULT_TEMPLATE.read_bytes())


def test_every_documented_tag_renders():
    tags = " ".join("{{ " + t.name + " }}" for t in letters.TAGS if t.name != "projects")
    data = make_docx(
        tags,
        rows=[
            ["{%tr for p in projects %}", ""],
            [
                "{{ p.priority }} {{ p.title }} {{ p.requested_recurring }} {{ p.requested_one_off }}",
                "{{ p.granted_recurring }} {{ p.granted_one_off }} {{ p.granted_total }} {{ p.start_month }} {{ p.funded }}",
            ],
            ["{%tr endfor %}", ""],
        ],
    )
    assert letters.validate_template(data)


def test_unknown_tag_is_refused_with_its_name():
    data = make_docx("Montant : {{ montant_total }}", "{{ filiere_name }} {{ signataire }}")
    with pytest.raises(InvalidInput) as exc:
        letters.validate_template(data)
    assert "« montant_total »" in exc.value.message and "« signataire »" in exc.value.message
    assert exc.value.message.startswith("Balises inconnues")


def test_unknown_project_attribute_is_refused():
    data = make_docx(
        "Début",
        rows=[["{%tr for p in projects %}"], ["{{ p.amount }}"], ["{%tr endfor %}"]],
    )
    with pytest.raises(InvalidInput) as exc:
        letters.validate_template(data)
    assert "« p.amount »" in exc.value.message


@pytest.mark.parametrize(
    "paragraph",
    [
        "Montant : {{ total }",
        "{% if accepted %}sans fin",
        "{{ total | filtre_inconnu }}",
    ],
)
def test_broken_syntax_is_refused_with_its_place(paragraph):
    data = make_docx("Madame, Monsieur,", paragraph, "Cordialement")
    with pytest.raises(InvalidInput) as exc:
        letters.validate_template(data)
    assert "erreur de syntaxe" in exc.value.message
    assert "paragraphe n°" in exc.value.message or "ligne" in exc.value.message


def test_syntax_error_names_the_paragraph():
    data = make_docx("Madame, Monsieur,", "Total : {{ total }", "Fin")
    with pytest.raises(InvalidInput) as exc:
        letters.validate_template(data)
    assert "Total : {{ total }" in exc.value.message


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7 not a word document",
        b"",
        b"PK\x03\x04 broken zip",
    ],
)
def test_not_a_docx_is_refused(data):
    with pytest.raises(InvalidInput) as exc:
        letters.validate_template(data)
    assert exc.value.message == "Le fichier n'est pas un document Word (.docx) valide."


def test_a_spreadsheet_renamed_docx_is_refused(scenario, campaign):
    _n, _t, xlsx = exports.export_decisions(campaign, "xlsx")
    with pytest.raises(InvalidInput) as exc:
        letters.validate_template(xlsx)
    assert "document Word" in exc.value.message


def test_only_admin_updates_letter_settings(campaign, instructor, admin_user):
    with pytest.raises(Forbidden):
        letters.update_letter_settings(
            instructor, campaign, signatory_name="X", signatory_title="Y", appeal_mention="Z"
        )
    letters.update_letter_settings(
        admin_user,
        campaign,
        signatory_name="Élise Kervella",
        signatory_title="Directrice générale",
        appeal_mention="Recours : deux mois.",
        template_data=make_docx("Décision pour {{ filiere_name }} : {{ outcome }}."),
    )
    campaign.refresh_from_db()
    assert campaign.letter_template.name.startswith(f"letter_templates/{campaign.pk}/")
    assert campaign.signatory_name == "Élise Kervella"


def test_uploaded_template_is_used_and_can_be_reset(
    client, scenario, campaign, admin_user, decider
):
    client.force_login(admin_user)
    upload = SimpleUploadedFile(
        "mon-modele.docx",
        make_docx("Décision pour {{ filiere_name }} : {{ outcome }} — {{ total }}."),
        content_type=letters.DOCX_CONTENT_TYPE,
    )
    response = client.post(
        f"/campagnes/{campaign.slug}/courriers/parametres/",
        {
            "signatory_name": "Élise Kervella",
            "signatory_title": "Directrice générale",
            "appeal_mention": "Voies et délais de recours : deux mois.",
            "template": upload,
        },
    )
    assert response.status_code == 302
    _name, data = letters.letter_for(decider, scenario["a"].id)
    paragraphs, _t, _f = text_of(data)
    assert plain(paragraphs[0]) == "Décision pour Nord Finistère : Accepté — 136 000,00 €."
    response = client.post(
        f"/campagnes/{campaign.slug}/courriers/parametres/",
        {
            "signatory_name": "Élise Kervella",
            "signatory_title": "Directrice générale",
            "appeal_mention": "Voies et délais de recours : deux mois.",
            "reset_template": "on",
        },
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert not campaign.letter_template
    paragraphs, _t, _f = text_of(letters.letter_for(decider, scenario["a"].id)[1])
    assert "Voies et délais de recours : deux mois." in paragraphs


def test_invalid_upload_shows_the_message_and_keeps_the_old_template(client, campaign, admin_user):
    client.force_login(admin_user)
    upload = SimpleUploadedFile("modele.docx", make_docx("{{ montant_inconnu }}"))
    response = client.post(
        f"/campagnes/{campaign.slug}/courriers/parametres/",
        {
            "signatory_name": "Nom saisi",
            "signatory_title": "Directeur",
            "appeal_mention": "Recours.",
            "template": upload,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Balise inconnue dans le modèle : « montant_inconnu »" in html
    assert 'value="Nom saisi"' in html  # what was typed is kept
    campaign.refresh_from_db()
    assert not campaign.letter_template and campaign.signatory_name == "Élise Kervella"


def test_upload_page_documents_the_tags(client, campaign, admin_user, instructor):
    client.force_login(admin_user)
    html = client.get(f"/campagnes/{campaign.slug}/courriers/").content.decode()
    for tag in letters.TAGS + letters.PROJECT_TAGS:
        assert f"<code>{tag.name}</code>" in html
    assert 'enctype="multipart/form-data"' in html
    client.force_login(instructor)
    html = client.get(f"/campagnes/{campaign.slug}/courriers/").content.decode()
    assert 'enctype="multipart/form-data"' not in html  # no upload form
    assert "<code>filiere_name</code>" in html


def test_instructor_cannot_upload_a_template(client, campaign, instructor):
    client.force_login(instructor)
    response = client.post(
        f"/campagnes/{campaign.slug}/courriers/parametres/",
        {"signatory_name": "X", "signatory_title": "Y", "appeal_mention": "Z"},
    )
    assert response.status_code == 403


def test_outcome_sentences_cover_every_outcome():
    assert set(letters.OUTCOME_SENTENCES) == set(Outcome.values)


@pytest.mark.parametrize(
    ("requested", "granted", "status"),
    [
        ("100.00", "100.00", "retenue"),
        ("100.00", "150.00", "retenue"),
        ("100.00", "99.99", "retenue partiellement"),
        ("100.00", "0", "non retenue"),
    ],
)
def test_each_sheet_says_whether_it_is_retained(requested, granted, status):
    assert letters.sheet_status(Decimal(requested), Decimal(granted)) == status


def test_a_letter_without_recognition_says_so(scenario, decider):
    _name, data = letters.letter_for(decider, scenario["c"].id)
    paragraphs, _tables, _footer = text_of(data)
    assert "la présente décision ne vaut pas reconnaissance de la filière" in "\n".join(paragraphs)


def test_the_letter_is_an_act_reference_agency_delegation_page_numbers(scenario, decider):
    a = scenario["a"]
    campaign = a.campaign
    campaign.signatory_name, campaign.signatory_title = (
        "Yann Le Bihan",
        "Directeur de l'offre de soins",
    )
    campaign.save()
    _name, data = letters.letter_for(decider, a.id)
    paragraphs, _tables, footer = text_of(data)
    reference = f"ARS-53-{campaign.slug}-{a.id}"
    assert "Agence régionale de santé Bretagne" in paragraphs
    assert f"Réf. : {reference}" in paragraphs
    assert f"réf. {reference} — page" in footer
    document = docx.Document(io.BytesIO(data))
    assert "PAGE" in document.sections[0].footer._element.xml  # a page number field
    assert (
        "Pour le directeur général de l'agence régionale de santé et par délégation," in paragraphs
    )
    assert "Directeur de l'offre de soins" in paragraphs and "Yann Le Bihan" in paragraphs


@pytest.mark.parametrize(
    ("title", "by_delegation"),
    [
        ("Directrice générale de l'ARS Bretagne", False),
        ("Directeur général de l'agence régionale de santé", False),
        ("Directeur général adjoint", True),
        ("Directrice de l'offre de soins", True),
    ],
)
def test_only_the_director_general_signs_without_delegation(title, by_delegation):
    assert letters.signs_by_delegation(title) is by_delegation


def test_no_letter_without_a_signatory(scenario, decider):
    campaign = scenario["a"].campaign
    campaign.signatory_name = ""
    campaign.save()
    with pytest.raises(Conflict) as exc:
        letters.letter_for(decider, scenario["a"].id)
    assert "sans signataire" in exc.value.message
    with pytest.raises(Conflict):
        letters.write_letters_zip(campaign, io.BytesIO())


def test_the_letter_goes_to_the_legal_representative_at_the_postal_address(scenario, decider):
    a = scenario["a"]
    identity = a.identity
    identity["lead_structure"].update(
        address="2 avenue Foch\n29200 Brest",
        representative_name="Marie Quéré",
        representative_title="Directrice générale",
    )
    type(a).objects.filter(pk=a.pk).update(identity=identity)
    _name, data = letters.letter_for(decider, a.id)
    paragraphs, _tables, _footer = text_of(data)
    assert "Marie Quéré, Directrice générale" in paragraphs
    body = "\n".join(paragraphs)
    assert "2 avenue Foch" in body and "29200 Brest" in body
    assert "Copie : Anne Le Goff, coordination de la filière" in body
