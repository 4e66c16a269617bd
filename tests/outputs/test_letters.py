"""Decision letters: content read back with python-docx, ZIP with zipfile, template validation."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import docx
import docxtpl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree

from common.errors import Conflict, Forbidden, InvalidInput, NotFound
from common.typography import typographic
from dossiers.enums import Outcome
from outputs.domain import exports, letters, template_limits
from outputs.letter_templates import build_default

NBSP, NNBSP = "\u00a0", "\u202f"


def text_of(data):
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    footer = document.sections[0].footer.paragraphs[0].text
    return paragraphs, tables, footer


def plain(text):
    """The text with ordinary spaces and apostrophes (the letter prints French typography)."""
    return text.replace(NBSP, " ").replace(NNBSP, " ").replace("\u2019", "'")


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
    body = plain("\n".join(paragraphs))
    assert "Anne Le Goff" in body  # addressee: the coordinator (no representative given)
    assert "CHU de Brest (FINESS 290000017)" in body  # lead structure
    assert "Copie : Anne Le Goff, coordination de la filière Nord Finistère" in body
    assert "T1 — Brest – Carhaix – Morlaix" in body and "29 Finistère" in body
    assert "ma décision : votre dossier est retenu." in body
    assert "Motivation : Projet conforme à l'instruction." in body
    assert "Délégation des crédits" in body and "Suivi annuel" in body
    assert "Directrice générale de l'ARS Bretagne" in plain("\n".join(paragraphs))
    assert "Élise Kervella" in paragraphs
    assert "Voies et délais de recours" in body and "tribunal administratif de Rennes" in body
    assert "deux mois" in body
    decided = a.decided_at.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert f"Rennes, le {letters.french_date(a.decided_at)}" in body
    assert str(decided.year) in letters.french_date(a.decided_at)
    assert f"réf. ARS-53-{a.campaign.slug}-{a.id}" in plain(footer)
    assert (
        "En conséquence, la filière Nord Finistère est reconnue comme filière "
        "territoriale de soins palliatifs pour le territoire de santé T1 — Brest – Carhaix – "
        f"Morlaix, à compter du {letters.french_date(a.decided_at)}." in body
    )
    table = tables[0]
    assert table[0] == [
        "Rang",
        "Fiche projet",
        "Demandé",
        "Accordé reconductible (par an)",
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
    assert "Le montant total accordé s'élève à 136 000,00 €" in body
    # Per funded sheet, its lines: the month recurring credits start from, one-off, and
    # the receiving establishment.
    sheet_one = [[plain(c) for c in row] for row in tables[1]]
    assert sheet_one[1][:5] == [
        sheet_one[1][0],
        "reconductible",
        "26 000,00 €",
        "26 000,00 €",
        "à compter de septembre 2025",
    ]
    assert sheet_one[2][1:5] == ["ponctuel", "12 345,67 €", "9 999,99 €", f"en {decided.year}"]
    assert sheet_one[1][5] == "CHU de Brest (FINESS 290000017)"


def test_yearly_amounts_come_from_the_budget_read_model(scenario, decider):
    """The first year of a recurring line is prorated from its start month (budget
    read model): 26 000 € from September 2025 is 8 666,67 € in 2025."""
    a = scenario["a"]
    _name, data = letters.letter_for(decider, a.id)
    _paragraphs, tables, _footer = text_of(data)
    decision_year = a.decided_at.year
    years = [[plain(c) for c in row] for row in tables[-1]]
    assert years[0] == ["Année", "Crédits reconductibles", "Crédits ponctuels", "Total"]
    by_year = {row[0]: row[1:] for row in years[1:]}
    assert by_year["2025"][0] == "8 666,67 €"
    assert by_year["2026"][0] == "126 000,01 €"  # both lines at their full rate
    assert by_year[str(decision_year)][1] == "9 999,99 €"  # the one-off, the decision year


def test_rejected_letter_has_no_amounts_but_the_appeal_mention(scenario, decider):
    _name, data = letters.letter_for(decider, scenario["c"].id)
    paragraphs, tables, _footer = text_of(data)
    body = "\n".join(paragraphs)
    body = plain(body)
    assert "votre dossier n'est pas retenu" in body
    assert "Diagnostic insuffisant." in body
    assert tables == []
    assert "Délégation des crédits" not in body and "Suivi annuel" not in body
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
    assert "Copie : Anne Le Goff, coordination de la filière Filière <Armor> & Argoat" in [
        plain(p) for p in paragraphs
    ]


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


def _parts(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_letter_is_the_same_whatever_was_rendered_before(scenario, campaign, decider):
    """The template is opened once per process and reused: an accepted letter rendered
    after a rejected one (and the other way round) is byte for byte the letter rendered
    from a freshly opened template; nothing of one filière leaks into the next."""
    a, c = scenario["a"], scenario["c"]
    letters._loaded_template.cache_clear()
    fresh_a = letters.letter_for(decider, a.id)[1]
    letters._loaded_template.cache_clear()
    fresh_c = letters.letter_for(decider, c.id)[1]
    # The same template object now renders C, then A, then C again.
    assert _parts(letters.letter_for(decider, a.id)[1]) == _parts(fresh_a)
    again_c = letters.letter_for(decider, c.id)[1]
    assert _parts(again_c) == _parts(fresh_c)
    assert "Nord Finistère" not in plain("\n".join(text_of(again_c)[0]))
    assert letters._loaded_template.cache_info().currsize == 1


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
    assert "Voies et délais de recours : deux mois." in [plain(p) for p in paragraphs]


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
    for tag in letters.TAGS + letters.PROJECT_TAGS + letters.LINE_TAGS + letters.YEAR_TAGS:
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
    assert (
        "la filière Lorient / Quimperlé n'est pas reconnue, par la présente décision, comme "
        "filière territoriale de soins palliatifs" in plain("\n".join(paragraphs))
    )


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
    paragraphs = [plain(p) for p in paragraphs]
    assert "Agence régionale de santé Bretagne" in paragraphs
    assert f"Réf. : {reference}" in paragraphs
    assert f"réf. {reference} — page" in plain(footer)
    document = docx.Document(io.BytesIO(data))
    footer_xml = document.sections[0].footer._element.xml
    assert " PAGE " in footer_xml and " NUMPAGES " in footer_xml  # « page 1 sur 3 »
    # Bretagne is headed by a directrice générale (campaign/data/regions.json).
    assert "Pour la directrice générale et par délégation," in paragraphs
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
    body = plain("\n".join(paragraphs))
    assert "2 avenue Foch" in body and "29200 Brest" in body
    assert "Copie : Anne Le Goff, coordination de la filière" in body


def test_the_committed_default_template_is_what_the_build_script_makes(tmp_path):
    built = build_default.build(tmp_path / "built.docx")
    with (
        zipfile.ZipFile(built) as fresh,
        zipfile.ZipFile(letters.DEFAULT_TEMPLATE) as committed,
    ):
        for part in ("word/document.xml", "word/footer1.xml", "word/styles.xml"):
            assert fresh.read(part) == committed.read(part), (
                f"{part} differs: run outputs/letter_templates/build_default.py"
            )


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("l'équipe mobile", "l\u2019équipe mobile"),
        (
            "Motivation: voir « le projet » ; fin !",
            "Motivation\u00a0: voir «\u00a0le projet\u00a0»\u202f; fin\u202f!",
        ),
        ("https://www.telerecours.fr à 14:30", "https://www.telerecours.fr à 14:30"),
        ("", ""),
    ],
)
def test_letters_print_french_typography(typed, printed):
    assert typographic(typed) == printed


def test_contact_report_date_and_caresp_recital(scenario, decider, admin_user):
    a = scenario["a"]
    campaign = a.campaign
    campaign.decision_date = dt.date(2025, 6, 30)
    campaign.save()
    letters.update_letter_settings(
        admin_user,
        campaign,
        signatory_name="Élise Kervella",
        signatory_title="Directrice générale de l'ARS Bretagne",
        appeal_mention=campaign.appeal_text(),
        contact={
            "contact_service": "Direction de l'offre de soins",
            "contact_name": "Gaëlle Le Du",
            "contact_email": "filieres@ars.example.fr",
            "contact_phone": "02 61 91 00 01",
        },
        report_due_date=dt.date(2026, 3, 31),
    )
    body = plain("\n".join(text_of(letters.letter_for(decider, a.id)[1])[0]))
    assert "Direction de l'offre de soins\n" in body
    assert "Affaire suivie par : Gaëlle Le Du" in body
    assert "Courriel : filieres@ars.example.fr" in body
    assert "au plus tard le 31 mars, un rapport d'activité" in body
    assert (
        "Le premier rapport, portant sur l'année 2025, est attendu au plus tard le 31 mars 2026."
        in body
    )
    # Scenario A went from submitted straight to the ARS analysis: no CARESP recital.
    assert "CARESP)," not in body and "Vu l'avis" not in body
    with pytest.raises(InvalidInput) as exc:
        letters.update_letter_settings(
            admin_user,
            campaign,
            signatory_name="Élise Kervella",
            signatory_title="Directrice générale",
            appeal_mention="Recours.",
            report_due_date=dt.date(2025, 6, 1),
        )
    assert "report_due_date" in exc.value.errors


def test_without_a_report_date_the_first_report_is_due_on_30_april_after_the_decision(
    scenario, decider
):
    a = scenario["a"]
    body = plain("\n".join(text_of(letters.letter_for(decider, a.id)[1])[0]))
    year = letters.timezone.localdate(a.decided_at).year
    assert f"attendu au plus tard le 30 avril {year + 1}" in body
    assert f"portant sur l'année {year}" in body


def test_line_and_year_tags_render_and_unknown_ones_are_refused():
    data = make_docx(
        "{{ place_and_date }} {{ contact_name }} {{ first_report_date }}",
        rows=[
            ["{%tr for p in funded_projects %}", ""],
            [
                "{{ p.title }} {{ p.years_text }}",
                "{% for l in p.lines %}{{ l.label }} {{ l.when }} {{ l.establishment }} {{ l.granted }}{% endfor %}",
            ],
            ["{%tr endfor %}", ""],
            ["{%tr for y in years %}", ""],
            ["{{ y.year }} {{ y.recurring }}", "{{ y.one_off }} {{ y.total }} {{ y.prorated }}"],
            ["{%tr endfor %}", ""],
        ],
    )
    assert letters.validate_template(data)
    bad = make_docx(
        "x",
        rows=[["{%tr for y in years %}"], ["{{ y.montant }}"], ["{%tr endfor %}"]],
    )
    with pytest.raises(InvalidInput) as exc:
        letters.validate_template(bad)
    assert "« y.montant »" in exc.value.message


def _canonical_parts(data):
    """Each part of a .docx: XML parts canonicalized (exclusive C14N: namespace
    declarations where they are used), others as bytes."""
    parts = {}
    for name, blob in _parts(data).items():
        if name.endswith((".xml", ".rels")):
            blob = etree.tostring(etree.fromstring(blob), method="c14n", exclusive=True)
        parts[name] = blob
    return parts


@pytest.mark.parametrize("which", ["a", "c"])
def test_a_letter_is_what_docxtpl_renders(scenario, which):
    """The letter writer (rendered body kept beside the document, listings resolved only
    where a text has a line break or a tab, unchanged members compressed once) gives,
    part by part, the document docxtpl itself renders from the same template and
    context, [Content_Types].xml first."""
    dossier = letters.letter_queryset().get(pk=scenario[which].pk)
    # Not saved: a decision is final (database trigger on PostgreSQL).
    dossier.decision_comment = "Premier alinéa.\nSecond alinéa\tavec une tabulation & <b>."
    data = letters.render_letter(dossier)
    expected = docxtpl.DocxTemplate(io.BytesIO(letters.template_bytes(dossier.campaign)))
    with template_limits.deadline():
        expected.render(
            letters.letter_context(dossier), jinja_env=letters.jinja_env(), autoescape=True
        )
    buffer = io.BytesIO()
    expected.save(buffer)
    assert _canonical_parts(data) == _canonical_parts(buffer.getvalue())
    assert zipfile.ZipFile(io.BytesIO(data)).namelist()[0] == "[Content_Types].xml"
    assert "Second alinéa" in plain("\n".join(text_of(data)[0]))
