"""Writing the identity sheet, the diagnostic and the SWOT: drafts, format errors, conflicts."""

import re

import pytest
from django.urls import NoReverseMatch, reverse

from dossiers.domain.editing import update_parts
from dossiers.domain.transitions import transition
from dossiers.enums import DossierState, Mission
from tests.dossiers.form_data import (
    diagnostic_data,
    field_error_block,
    fingerprint,
    identity_data,
    input_value,
    swot_data,
)
from tests.factories import DossierFactory


def section(dossier, part):
    return reverse("dossiers:section", args=[dossier.pk, part])


@pytest.fixture
def empty_draft(filiere, lead):
    return DossierFactory(filiere=filiere, identity={}, diagnostic={}, swot={})


def test_identity_is_stored_exactly(client, lead, empty_draft):
    client.force_login(lead)
    members = [
        {"type": "USP", "name": "USP de l'Hôpital Morvan", "finess": "290000025", "role": "expert"},
        {"type": "EHPAD", "name": "EHPAD Ker Héol", "role": "requérant", "DELETE": True},
        {
            "type": "bénévoles",
            "name": "JALMALV Brest",
            "siret": "73282932000074",
            "role": "requérant",
        },
        {},  # the empty extra row is ignored
    ]
    data = identity_data(empty_draft, members, communes="Brest métropole, Pays d'Iroise")
    response = client.post(section(empty_draft, "identity"), data)
    assert response.status_code == 302
    assert response.url == section(empty_draft, "identity")
    empty_draft.refresh_from_db()
    assert empty_draft.identity == {
        "name": "Filière Nord Finistère — Léon & Iroise",
        "communes": "Brest métropole, Pays d'Iroise",
        "lead_structure": {
            "name": "Centre hospitalier régional universitaire de Brest",
            "finess": "290000017",
            "legal_status": "public",
            "address": "2 avenue Foch\n29200 Brest",
            "representative_name": "Jean-Yves Cozan",
            "representative_title": "Directeur général",
        },
        "coordinator": {
            "name": "Maëlle Le Bihan",
            "email": "maelle.lebihan@chu-brest.fr",
            "phone": "02 98 22 33 33",
        },
        "members": [
            {
                "type": "USP",
                "name": "USP de l'Hôpital Morvan",
                "finess": "290000025",
                "siret": "",
                "role": "expert",
            },
            {
                "type": "bénévoles",
                "name": "JALMALV Brest",
                "finess": "",
                "siret": "73282932000074",
                "role": "requérant",
            },
        ],
        "governance": "Comité de pilotage trimestriel ; bureau mensuel.",
        "convention_signed": True,
        "actors_justification": "",
    }
    page = client.get(response.url).content.decode()
    assert "Brouillon enregistré." in page
    assert input_value(page, "members-1-name") == "JALMALV Brest"
    assert 'value="yes" id="id_convention_signed_0" checked' in page


@pytest.mark.parametrize("answer,stored", [("yes", True), ("no", False), ("", None)])
def test_convention_answer(client, lead, empty_draft, answer, stored):
    client.force_login(lead)
    client.post(
        section(empty_draft, "identity"), identity_data(empty_draft, convention_signed=answer)
    )
    empty_draft.refresh_from_db()
    assert empty_draft.identity["convention_signed"] is stored


def test_incomplete_draft_is_saved(client, lead, empty_draft):
    client.force_login(lead)
    data = identity_data(
        empty_draft,
        name="",
        lead_name="",
        lead_finess="",
        lead_legal_status="",
        coordinator_name="",
        coordinator_email="",
        coordinator_phone="",
        governance="",
        convention_signed="",
    )
    assert client.post(section(empty_draft, "identity"), data).status_code == 302
    response = client.post(section(empty_draft, "diagnostic"), diagnostic_data(empty_draft))
    assert response.status_code == 302
    assert client.post(section(empty_draft, "swot"), swot_data(empty_draft)).status_code == 302
    empty_draft.refresh_from_db()
    assert empty_draft.identity["name"] == "" and empty_draft.identity["members"] == []
    assert empty_draft.diagnostic["population"] is None
    assert [m["status"] for m in empty_draft.diagnostic["missions"]] == [""] * 13
    assert empty_draft.swot == {
        "strengths": [],
        "weaknesses": [],
        "opportunities": [],
        "threats": [],
    }
    assert empty_draft.state == DossierState.DRAFT


def test_invalid_finess_is_shown_next_to_the_field_and_input_kept(client, lead, draft):
    client.force_login(lead)
    before = fingerprint(draft, "identity")
    data = identity_data(draft, lead_finess="290000018", name="Nouveau nom <tapé>")
    response = client.post(section(draft, "identity"), data)
    assert response.status_code == 400
    page = response.content.decode()
    message = "Le numéro FINESS « 290000018 » est invalide (clé de contrôle)."
    block = field_error_block(page, "id_lead_finess")
    assert "fr-input-group--error" in block and message in block
    assert (
        f'<a href="#id_lead_finess">Numéro FINESS de la structure porteuse : {message}</a>' in page
    )
    assert "rien n'a été enregistré" in page
    assert input_value(page, "lead_finess") == "290000018"
    assert input_value(page, "name") == "Nouveau nom &lt;tapé&gt;"
    assert fingerprint(draft, "identity") == before


def test_invalid_member_finess_is_shown_on_its_row(client, lead, empty_draft):
    client.force_login(lead)
    members = [
        {"type": "USP", "name": "Retirée", "DELETE": True},
        {"type": "HAD", "name": "HAD Ponant", "finess": "12345", "role": "requérant"},
        {"type": "CPTS", "name": "CPTS Brest", "siret": "123", "role": "requérant"},
    ]
    response = client.post(section(empty_draft, "identity"), identity_data(empty_draft, members))
    assert response.status_code == 400
    page = response.content.decode()
    finess_block = field_error_block(page, "id_members-1-finess")
    assert "Le numéro FINESS doit comporter 9 caractères" in finess_block
    assert "Le numéro SIRET doit comporter 14 chiffres." in field_error_block(
        page, "id_members-2-siret"
    )
    assert '<a href="#id_members-1-finess">Structure membre n° 2 — FINESS : ' in page
    assert input_value(page, "members-2-siret") == "123"
    empty_draft.refresh_from_db()
    assert empty_draft.identity == {}


def test_invalid_email_is_refused(client, lead, draft):
    client.force_login(lead)
    data = identity_data(draft, coordinator_email="anne.legoff@@chu")
    response = client.post(section(draft, "identity"), data)
    page = response.content.decode()
    assert "Adresse électronique invalide." in field_error_block(page, "id_coordinator_email")
    assert input_value(page, "coordinator_email") == "anne.legoff@@chu"
    draft.refresh_from_db()
    assert draft.identity["coordinator"]["email"] == "coordination@example.fr"


@pytest.mark.parametrize("phone", ["abc", "02 98", "12 98 22 33 33", "+33", "02 98 22 33 33 99"])
def test_invalid_phone_is_refused_and_kept(client, lead, draft, phone):
    client.force_login(lead)
    response = client.post(
        section(draft, "identity"), identity_data(draft, coordinator_phone=phone)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Numéro de téléphone invalide" in field_error_block(page, "id_coordinator_phone")
    assert input_value(page, "coordinator_phone") == phone
    # One place for every form: the title says the page answers a failed save.
    assert re.search(r"<title>Erreur : ", page)
    draft.refresh_from_db()
    assert draft.identity["coordinator"]["phone"] == "02 98 00 00 00"


@pytest.mark.parametrize(
    "phone",
    ["02 98 22 33 33", "02.98.22.33.33", "0298223333", "+33 2 98 22 33 33", "+44 20 7946 0958"],
)
def test_usual_phone_numbers_are_accepted(client, lead, draft, phone):
    client.force_login(lead)
    response = client.post(
        section(draft, "identity"), identity_data(draft, coordinator_phone=phone)
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.identity["coordinator"]["phone"] == phone


def test_a_page_without_errors_has_no_error_title(client, lead, draft):
    client.force_login(lead)
    page = client.get(section(draft, "identity")).content.decode()
    assert "<title>Erreur" not in page


def test_diagnostic_is_stored_exactly(client, lead, empty_draft):
    client.force_login(lead)
    fields = {
        "population": "560 000",
        "minors": "110000",
        "over_75": "62000",
        "area_km2": "3500,5",
        "access_notes": "Îles d'Ouessant et de Molène : plus d'une heure d'accès.",
        "lisp_beds": "40",
        "ehpad_residents": "6400",
        "mission_graduated_offer_status": "covered",
        "mission_graduated_offer_comment": "Trois niveaux gradués, à domicile et à l'hôpital.",
        "mission_bereavement_status": "missing",
    }
    response = client.post(
        section(empty_draft, "diagnostic"),
        {**diagnostic_data(empty_draft, **fields), "continue": "1"},
    )
    assert response.status_code == 302
    assert response.url == section(empty_draft, "swot")
    empty_draft.refresh_from_db()
    diagnostic = empty_draft.diagnostic
    assert diagnostic["population"] == 560000
    assert diagnostic["minors"] == 110000 and diagnostic["over_75"] == 62000
    assert diagnostic["area_km2"] == "3500.5"
    assert diagnostic["access_notes"] == fields["access_notes"]
    assert diagnostic["lisp_beds"] == 40 and diagnostic["usp_beds"] is None
    missions = {m["code"]: m for m in diagnostic["missions"]}
    assert [m["code"] for m in diagnostic["missions"]] == list(Mission.values)
    assert missions["graduated_offer"] == {
        "code": "graduated_offer",
        "status": "covered",
        "comment": "Trois niveaux gradués, à domicile et à l'hôpital.",
    }
    assert missions["bereavement"]["status"] == "missing"
    assert missions["rcp"]["status"] == ""
    page = client.get(section(empty_draft, "diagnostic")).content.decode()
    assert input_value(page, "area_km2") == "3500,5"
    assert 'value="missing" id="id_mission_bereavement_status_2" checked' in page


@pytest.mark.parametrize("value", ["-5", "12,5", "beaucoup"])
def test_negative_or_non_integer_count_is_refused(client, lead, draft, value):
    client.force_login(lead)
    response = client.post(section(draft, "diagnostic"), diagnostic_data(draft, population=value))
    assert response.status_code == 400
    page = response.content.decode()
    block = field_error_block(page, "id_population")
    assert "Nombre entier positif ou nul attendu." in block
    assert input_value(page, "population") == value
    assert '<a href="#id_population">Population du territoire (habitants) : ' in page
    draft.refresh_from_db()
    assert draft.diagnostic["population"] == 560000


def test_unknown_mission_status_is_refused(client, lead, draft):
    client.force_login(lead)
    data = diagnostic_data(draft, mission_rcp_status="peut-être")
    page = client.post(section(draft, "diagnostic"), data).content.decode()
    assert 'id="id_mission_rcp_status"' in page and "fr-fieldset--error" in page
    assert '<a href="#id_mission_rcp_status">' in page


def test_swot_is_stored_as_lists(client, lead, empty_draft):
    client.force_login(lead)
    data = swot_data(
        empty_draft,
        strengths="Équipes mobiles expérimentées\r\n\r\n  Culture palliative partagée  \r\n",
        weaknesses="Couverture inégale du centre Bretagne",
        opportunities="Stratégie décennale",
        threats="Démographie médicale\nIsolement des îles",
    )
    response = client.post(section(empty_draft, "swot"), data)
    assert response.status_code == 302
    empty_draft.refresh_from_db()
    assert empty_draft.swot == {
        "strengths": ["Équipes mobiles expérimentées", "Culture palliative partagée"],
        "weaknesses": ["Couverture inégale du centre Bretagne"],
        "opportunities": ["Stratégie décennale"],
        "threats": ["Démographie médicale", "Isolement des îles"],
    }
    page = client.get(section(empty_draft, "swot")).content.decode()
    assert "Démographie médicale\nIsolement des îles</textarea>" in page


def test_too_long_swot_item_names_its_line(client, lead, draft):
    client.force_login(lead)
    data = swot_data(draft, strengths="Court\n" + "x" * 2001)
    page = client.post(section(draft, "swot"), data).content.decode()
    assert "Élément n° 2 : Ce texte dépasse 2000 caractères." in field_error_block(
        page, "id_strengths"
    )


def test_save_and_continue_goes_to_the_next_step(client, lead, draft):
    client.force_login(lead)
    response = client.post(section(draft, "identity"), {**identity_data(draft), "continue": "1"})
    assert response.url == section(draft, "diagnostic")
    response = client.post(section(draft, "swot"), {**swot_data(draft), "continue": "1"})
    try:
        expected = reverse("dossiers:projects", args=[draft.pk])
    except NoReverseMatch:
        expected = reverse("dossiers:edit", args=[draft.pk])
    assert response.url == expected


def test_concurrent_edit_of_the_same_part_is_refused_and_input_kept(client, lead, co_editor, draft):
    client.force_login(lead)
    page = client.get(section(draft, "identity")).content.decode()
    stale = input_value(page, "fingerprint")
    # Meanwhile, the co-editor saves the identity sheet.
    theirs = {**draft.identity, "name": "Nom choisi par la co-rédactrice"}
    update_parts(draft, co_editor, {"identity": theirs})
    data = identity_data(draft, name="Mon nouveau nom", governance="Ma gouvernance")
    data["fingerprint"] = stale
    response = client.post(section(draft, "identity"), data)
    assert response.status_code == 409
    page = response.content.decode()
    assert (
        "Cette partie a été modifiée par une autre personne pendant que vous la modifiiez." in page
    )
    assert input_value(page, "name") == "Mon nouveau nom"
    assert "Ma gouvernance</textarea>" in page
    draft.refresh_from_db()
    assert draft.identity["name"] == "Nom choisi par la co-rédactrice"
    assert draft.identity["governance"] == "Comité de pilotage trimestriel"


def test_co_editor_editing_another_part_does_not_block(client, lead, co_editor, draft):
    client.force_login(lead)
    page = client.get(section(draft, "identity")).content.decode()
    loaded = input_value(page, "fingerprint")
    update_parts(draft, co_editor, {"swot": {**draft.swot, "threats": ["Nouvelle menace"]}})
    data = identity_data(draft, name="Mon nouveau nom")
    data["fingerprint"] = loaded
    assert client.post(section(draft, "identity"), data).status_code == 302
    draft.refresh_from_db()
    assert draft.identity["name"] == "Mon nouveau nom"
    assert draft.swot["threats"] == ["Nouvelle menace"]


def test_co_editor_saves_a_section(client, co_editor, draft):
    client.force_login(co_editor)
    response = client.post(section(draft, "swot"), swot_data(draft, threats="Une menace"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.swot["threats"] == ["Une menace"]


def test_saving_after_the_dossier_was_submitted_meanwhile(client, lead, co_editor, complete):
    client.force_login(lead)
    data = identity_data(complete, name="Modifié trop tard")
    transition(complete, "submit", co_editor)
    response = client.post(section(complete, "identity"), data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Le dossier est « Déposé » : il ne peut plus être modifié." in page
    assert input_value(page, "name") == "Modifié trop tard"
    complete.refresh_from_db()
    assert complete.identity["name"] != "Modifié trop tard"


def test_add_a_row_without_javascript_keeps_the_input(client, lead, draft):
    client.force_login(lead)
    members = [{"type": "USP", "name": "USP Morvan", "role": "expert"}]
    data = {**identity_data(draft, members, name="Saisi non enregistré"), "add_member": "1"}
    before = fingerprint(draft, "identity")
    response = client.post(section(draft, "identity"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert input_value(page, "members-TOTAL_FORMS") == "2"
    assert input_value(page, "members-0-name") == "USP Morvan"
    assert input_value(page, "members-1-name") is None
    assert "Structure membre n° 2" in page
    assert input_value(page, "name") == "Saisi non enregistré"
    assert fingerprint(draft, "identity") == before


def test_formset_script_is_a_static_module_and_no_inline_script(client, lead, draft):
    client.force_login(lead)
    for part in ("identity", "diagnostic", "swot"):
        page = client.get(section(draft, part)).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
        assert " style=" not in page
    page = client.get(section(draft, "identity")).content.decode()
    assert '<script type="module" src="/static/js/formset.js"></script>' in page
    assert "<template data-formset-empty>" in page and "members-__prefix__-name" in page
    assert client.get("/static/js/formset.js").status_code in (200, 404)  # served by runserver only


def test_tampered_management_form_does_not_crash(client, lead, draft):
    client.force_login(lead)
    data = identity_data(draft)
    del data["members-TOTAL_FORMS"]
    response = client.post(section(draft, "identity"), data)
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.identity["name"] == "Nord Finistère"


def test_user_text_is_escaped_on_hub_and_section_pages(client, lead, draft):
    client.force_login(lead)
    data = identity_data(
        draft,
        [{"type": "USP", "name": "<script>alert('membre')</script>", "role": "expert"}],
        name="<script>alert('xss')</script>",
    )
    assert client.post(section(draft, "identity"), data).status_code == 302
    for url in (reverse("dossiers:edit", args=[draft.pk]), section(draft, "identity")):
        page = client.get(url).content.decode()
        assert "<script>alert(" not in page
        assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in page
    page = client.get(section(draft, "identity")).content.decode()
    assert "&lt;script&gt;alert(&#x27;membre&#x27;)&lt;/script&gt;" in page
