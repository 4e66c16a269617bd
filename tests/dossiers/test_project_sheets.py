"""Project sheets and funding lines pages: who may open and write them, in which state,
money input, duplicate ranks, concurrent edits."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from dossiers.domain.editing import update_project
from dossiers.enums import DossierState, LineNature
from dossiers.models import FundingLine, Project
from tests.dossiers.conftest import ROLES, STAFF
from tests.factories import DossierFactory, FundingLineFactory, ProjectFactory

EUR = "\u00a0€"
NNBSP = "\u202f"


def sheet_urls(dossier):
    project = dossier.projects.first()
    line = project.lines.first()
    return {
        "projects": reverse("dossiers:projects", args=[dossier.pk]),
        "project_create": reverse("dossiers:project_create", args=[dossier.pk]),
        "project_edit": reverse("dossiers:project_edit", args=[dossier.pk, project.pk]),
        "project_delete": reverse("dossiers:project_delete", args=[dossier.pk, project.pk]),
        "line_edit": reverse("dossiers:line_edit", args=[dossier.pk, project.pk, line.pk]),
        "line_delete": reverse("dossiers:line_delete", args=[dossier.pk, project.pk, line.pk]),
    }


def sheet_data(project, **overrides):
    data = {
        "priority": project.priority or "",
        "title": project.title,
        "objectives": project.objectives,
        "actions": project.actions,
        "start": project.start.isoformat() if project.start else "",
        "end": project.end.isoformat() if project.end else "",
        "pilot": project.pilot,
        "partners": project.partners,
        "indicators": project.indicators,
        "missions": project.missions,
        "swot_items": project.swot_items,
        "version": project.version,
    }
    data.update(overrides)
    return data


def line_data(**overrides):
    data = {
        "label": "Psychologue de l'équipe mobile",
        "nature": "recurring",
        "category": "staff",
        "etp": "0,5",
        "staff_profile": "Psychologue clinicien",
        "amount": "26 000,00",
        "first_year": "2025",
        "beneficiary_finess": "",
    }
    data.update(overrides)
    return data


EDITABLE_EXPECTED = {
    "lead": 200,
    "co_editor": 200,
    "other_lead": 404,
    # Staff never see a draft; they do not edit a returned dossier either.
    "caresp": 404,
    "instructor": 404,
    "decider": 404,
    "admin_user": 404,
    "outsider": 404,
    "anonymous": 302,
}


@pytest.mark.parametrize("view", ["projects", "project_create", "project_edit", "line_edit"])
@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_sheet_pages_on_a_draft_by_role(role, view, dossier, as_role, co_editor):
    response = as_role(role).get(sheet_urls(dossier)[view])
    assert response.status_code == EDITABLE_EXPECTED[role]
    if role == "anonymous":
        assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("view", ["projects", "project_create", "project_edit", "line_edit"])
@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_sheet_pages_on_a_returned_dossier_by_role(role, view, in_state, as_role, co_editor):
    dossier = in_state(DossierState.RETURNED)
    expected = {**EDITABLE_EXPECTED, **dict.fromkeys(STAFF, 403)}
    response = as_role(role).get(sheet_urls(dossier)[view])
    assert response.status_code == expected[role]
    if expected[role] == 403:
        assert "Seuls les porteurs de la filière" in response.content.decode()


@pytest.mark.parametrize(
    "state",
    [
        DossierState.SUBMITTED,
        DossierState.CARESP_REVIEW,
        DossierState.ARS_ANALYSIS,
        DossierState.DECIDED,
        DossierState.WITHDRAWN,
    ],
)
@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_sheet_pages_of_a_frozen_dossier(role, state, in_state, as_role, co_editor):
    dossier = in_state(state)
    client = as_role(role)
    response = client.get(sheet_urls(dossier)["projects"])
    if role in ("lead", "co_editor"):
        # Back to the read-only dossier, saying why.
        assert response.status_code == 302
        assert response["Location"] == reverse("dossiers:detail", args=[dossier.pk])
        page = client.get(response["Location"]).content.decode()
        assert "il ne peut plus être modifié" in page
    elif role in STAFF:
        assert response.status_code == 403
    elif role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(
    "view,method_data",
    [
        ("project_create", {"title": "Nouvelle fiche"}),
        ("project_edit", None),
        ("project_delete", {}),
        ("line_create", None),
        ("line_edit", None),
        ("line_delete", {}),
    ],
)
@pytest.mark.parametrize("role", ["lead", "co_editor", *STAFF, "other_lead", "outsider"])
def test_writes_on_a_submitted_dossier_are_refused(
    role, view, method_data, in_state, as_role, co_editor
):
    dossier = in_state(DossierState.SUBMITTED)
    project = dossier.projects.get()
    line = project.lines.get()
    urls = sheet_urls(dossier)
    urls["line_create"] = reverse("dossiers:line_create", args=[dossier.pk, project.pk])
    data = method_data
    if data is None:
        data = line_data() if view.startswith("line") else sheet_data(project, title="Changé")
    response = as_role(role).post(urls[view], data)
    page = response.content.decode()
    if role in ("lead", "co_editor"):
        assert response.status_code == 409
        assert "« Déposé » : il ne peut plus être modifié" in page
    elif role in STAFF:
        assert response.status_code == 403
        assert "Seuls les porteurs de la filière peuvent modifier ce dossier." in page
    else:
        assert response.status_code == 404
    project.refresh_from_db()
    assert project.title != "Changé"
    assert Project.objects.filter(dossier=dossier).count() == 1
    assert FundingLine.objects.get(pk=line.pk).amount == Decimal("52000.00")


def test_projects_page_lists_sheets_by_rank_with_db_totals(dossier, as_role):
    first = dossier.projects.get()
    second = ProjectFactory(dossier=dossier, priority=2, title="Astreinte territoriale")
    FundingLineFactory(project=second, nature=LineNature.ONE_OFF, amount=Decimal("0.10"))
    FundingLineFactory(project=second, nature=LineNature.ONE_OFF, amount=Decimal("0.20"))
    FundingLineFactory(project=first, amount=Decimal("1234.56"))
    ProjectFactory(dossier=dossier, priority=3, title="Fiche vide")
    page = as_role("lead").get(reverse("dossiers:projects", args=[dossier.pk])).content.decode()
    assert (
        page.index(escape(first.title))
        < page.index("Astreinte territoriale")
        < page.index("Fiche vide")
    )
    assert "Étape 4 sur 4" in page and "fr-stepper" in page
    assert "Ajouter une fiche projet" in page
    # 52 000,00 + 1 234,56 recurring; 0,10 + 0,20 one-off: exact.
    assert f"53{NNBSP}234,56{EUR}" in page
    assert f"0,30{EUR}" in page
    assert f"0,00{EUR}" in page  # the empty sheet
    assert 'data-confirm="Supprimer la fiche' in page
    assert "Rang en double" not in page


def test_duplicate_ranks_are_flagged(dossier, as_role):
    ProjectFactory(dossier=dossier, priority=1, title="Deuxième fiche de rang 1")
    ProjectFactory(dossier=dossier, priority=2, title="Seule de rang 2")
    page = as_role("lead").get(reverse("dossiers:projects", args=[dossier.pk])).content.decode()
    assert page.count("Rang en double</p>") == 2
    assert "Le rang 1 est utilisé par plusieurs fiches" in page


def test_saving_a_duplicate_rank_warns(dossier, as_role):
    response = as_role("lead").post(
        reverse("dossiers:project_create", args=[dossier.pk]),
        {"priority": "1", "title": "Formation des soignants"},
        follow=True,
    )
    assert "Le rang de priorité 1 est aussi celui de" in response.content.decode()


def test_create_sheet_with_missions_and_swot_items(dossier, as_role):
    client = as_role("lead")
    form_page = client.get(reverse("dossiers:project_create", args=[dossier.pk])).content.decode()
    assert "Force : Équipes mobiles expérimentées" in form_page
    assert "Menace : Difficultés de recrutement médical" in form_page
    response = client.post(
        reverse("dossiers:project_create", args=[dossier.pk]),
        {
            "priority": "",
            "title": "Ligne d'appui territoriale",
            "objectives": "Un numéro unique pour les soignants.",
            "start": "2025-09-01",
            "end": "2026-08-31",
            "missions": ["territorial_support", "professional_support"],
            "swot_items": ["Couverture inégale du centre Bretagne"],
        },
    )
    project = Project.objects.get(dossier=dossier, title="Ligne d'appui territoriale")
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:project_edit", args=[dossier.pk, project.pk])
    assert project.priority == 2  # next free rank
    assert project.missions == ["territorial_support", "professional_support"]
    assert project.swot_items == ["Couverture inégale du centre Bretagne"]
    assert str(project.start) == "2025-09-01"


def test_sheet_form_errors_keep_the_input(dossier, as_role):
    project = dossier.projects.get()
    response = as_role("lead").post(
        reverse("dossiers:project_edit", args=[dossier.pk, project.pk]),
        sheet_data(project, title="Titre <modifié>", start="2026-01-01", end="2025-01-01"),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "La fin ne peut pas précéder le début." in page
    assert 'value="Titre &lt;modifié&gt;"' in page
    project.refresh_from_db()
    assert project.title != "Titre <modifié>"


def test_edit_sheet_saves_and_bumps_version(dossier, as_role):
    project = dossier.projects.get()
    response = as_role("lead").post(
        reverse("dossiers:project_edit", args=[dossier.pk, project.pk]),
        sheet_data(project, title="Équipe mobile renforcée", priority="3"),
        follow=True,
    )
    assert "Fiche projet enregistrée." in response.content.decode()
    project.refresh_from_db()
    assert (project.title, project.priority, project.version) == ("Équipe mobile renforcée", 3, 2)


def test_concurrent_edit_of_the_same_sheet_is_refused_and_input_kept(
    dossier, lead, co_editor, as_role
):
    project = dossier.projects.get()
    client = as_role("lead")
    page = client.get(reverse("dossiers:project_edit", args=[dossier.pk, project.pk]))
    assert f'name="version" value="{project.version}"' in page.content.decode()
    stale = sheet_data(project, title="Ma version de la fiche", objectives="Mes objectifs")
    # Meanwhile the co-editor saves the same sheet.
    update_project(dossier, co_editor, project.pk, {"title": "Version du co-rédacteur"}, version=1)
    response = client.post(reverse("dossiers:project_edit", args=[dossier.pk, project.pk]), stale)
    content = response.content.decode()
    assert response.status_code == 409
    assert "modifiée par une autre personne" in content
    assert 'value="Ma version de la fiche"' in content and "Mes objectifs" in content
    project.refresh_from_db()
    assert project.title == "Version du co-rédacteur"


def test_project_of_another_dossier_is_404(dossier, as_role, other_lead):
    foreign = ProjectFactory(dossier=DossierFactory(filiere=other_lead.filieres.get()))
    client = as_role("lead")
    assert (
        client.get(reverse("dossiers:project_edit", args=[dossier.pk, foreign.pk])).status_code
        == 404
    )
    assert (
        client.post(reverse("dossiers:project_delete", args=[dossier.pk, foreign.pk])).status_code
        == 404
    )
    assert Project.objects.filter(pk=foreign.pk).exists()


def test_delete_sheet_confirmation_page_and_post(dossier, as_role):
    project = dossier.projects.get()
    client = as_role("lead")
    url = reverse("dossiers:project_delete", args=[dossier.pk, project.pk])
    confirm = client.get(url).content.decode()
    assert "Confirmer la suppression" in confirm and escape(project.title) in confirm
    assert Project.objects.filter(pk=project.pk).exists()
    response = client.post(url, follow=True)
    assert "supprimée" in response.content.decode()
    assert not Project.objects.filter(pk=project.pk).exists()


# ---------------------------------------------------------------- funding lines


def post_line(client, dossier, **overrides):
    project = dossier.projects.get()
    return client.post(
        reverse("dossiers:line_create", args=[dossier.pk, project.pk]), line_data(**overrides)
    )


def test_french_amount_is_accepted_exactly(dossier, as_role):
    response = post_line(as_role("lead"), dossier, amount="52 000,50", label="Médecin")
    assert response.status_code == 302
    line = FundingLine.objects.get(label="Médecin")
    assert line.amount == Decimal("52000.50")
    assert line.etp == Decimal("0.50")
    page = as_role("lead").get(response["Location"]).content.decode()
    assert f"52{NNBSP}000,50{EUR}" in page
    # 52 000,00 (existing) + 52 000,50
    assert f"104{NNBSP}000,50{EUR}" in page


@pytest.mark.parametrize(
    "amount,message",
    [
        ("-100", "Le montant ne peut pas être négatif."),
        ("12,345", "Le montant ne peut pas avoir plus de deux décimales."),
        ("1e5", "n&#x27;est pas un montant valide"),
        ("abc", "n&#x27;est pas un montant valide"),
        ("", "Ce champ est obligatoire."),
    ],
)
def test_bad_amounts_are_refused_next_to_the_field(dossier, as_role, amount, message):
    response = post_line(as_role("lead"), dossier, amount=amount, label="Ligne refusée")
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert 'id="id_amount-desc-error"' in page  # the message sits under the field
    assert f'value="{amount}"' in page or amount == ""
    assert 'value="Ligne refusée"' in page
    assert not FundingLine.objects.filter(label="Ligne refusée").exists()


def test_invalid_beneficiary_finess_and_year(dossier, as_role):
    response = post_line(
        as_role("lead"), dossier, beneficiary_finess="290000018", first_year="1999"
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "est invalide (clé de contrôle)" in page
    assert "Année attendue" in page


def test_bad_etp_is_refused(dossier, as_role):
    response = post_line(as_role("lead"), dossier, etp="100000")
    assert response.status_code == 400
    assert "Le nombre d&#x27;ETP doit être compris entre 0 et 999,99." in response.content.decode()


def test_edit_and_delete_a_line(dossier, as_role):
    project = dossier.projects.get()
    line = project.lines.get()
    client = as_role("lead")
    url = reverse("dossiers:line_edit", args=[dossier.pk, project.pk, line.pk])
    form = client.get(url).content.decode()
    assert 'value="52 000,00"' in form  # shown the French way, re-accepted as is
    response = client.post(url, line_data(amount="48 500", nature="one_off", label="Ponctuel"))
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.amount, line.nature, line.label) == (Decimal("48500.00"), "one_off", "Ponctuel")
    delete = reverse("dossiers:line_delete", args=[dossier.pk, project.pk, line.pk])
    assert "Confirmer la suppression" in client.get(delete).content.decode()
    client.post(delete)
    assert not FundingLine.objects.filter(pk=line.pk).exists()


def test_co_editor_may_add_lines(dossier, as_role, co_editor):
    response = post_line(as_role("co_editor"), dossier, label="Par le co-rédacteur")
    assert response.status_code == 302
    assert FundingLine.objects.filter(label="Par le co-rédacteur").exists()


def test_sheet_page_escapes_user_text(dossier, as_role):
    project = dossier.projects.get()
    project.title = "<script>alert('titre')</script>"
    project.save()
    line = project.lines.get()
    line.label = "<img src=x onerror=alert(1)>"
    line.save()
    page = (
        as_role("lead")
        .get(reverse("dossiers:project_edit", args=[dossier.pk, project.pk]))
        .content.decode()
    )
    assert "<script>alert(" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize("sheets", [2, 15])
def test_projects_page_query_count_is_fixed(
    sheets, dossier, as_role, django_assert_max_num_queries
):
    for rank in range(2, sheets + 1):
        FundingLineFactory(project=ProjectFactory(dossier=dossier, priority=rank))
    client = as_role("lead")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("dossiers:projects", args=[dossier.pk]))
    assert response.content.decode().count("Rang en double</p>") == 0
    assert f"{52 * sheets}{NNBSP}000,00{EUR}" in response.content.decode()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_without_javascript_a_file_sent_with_the_sheet_saves_the_sheet_first(dossier, as_role):
    """Issue 11, item 1: « Envoyer le fichier » belongs to the sheet's form (form="fiche"),
    so the typed sheet is saved, then the file added to this sheet."""
    project = dossier.projects.get()
    response = as_role("lead").post(
        reverse("dossiers:project_edit", args=[dossier.pk, project.pk]),
        {
            **sheet_data(project, actions="Actions tapées avant l'envoi"),
            "upload_attachment": "1",
            "file": SimpleUploadedFile("budget.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    assert response.url.endswith(f"#pieces-jointes-projects-{project.pk}")
    project.refresh_from_db()
    assert project.actions == "Actions tapées avant l'envoi"
    assert dossier.attachments.get().project_id == project.pk


def test_a_refused_sheet_sends_no_file(dossier, as_role):
    project = dossier.projects.get()
    response = as_role("lead").post(
        reverse("dossiers:project_edit", args=[dossier.pk, project.pk]),
        {
            **sheet_data(project, start="2027-01-01", end="2025-01-01"),
            "upload_attachment": "1",
            "file": SimpleUploadedFile("budget.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 400
    assert not dossier.attachments.exists()
