"""The staff pages of the review for every role, and their forms (the review panel
is on the dossier page, /dossiers/<id>/: decision 0054)."""

import html
import re

import pytest
from django.urls import NoReverseMatch, reverse

from dossiers.domain.transitions import transition
from dossiers.enums import DossierState as S
from dossiers.models import Dossier
from scoring.domain.assignments import assign_reviewer, declare_conflict
from scoring.domain.grid import get_grid, grid_criteria
from scoring.domain.reviews import save_review
from scoring.models import (
    ConflictOfInterest,
    Criterion,
    InternalComment,
    Review,
    ReviewerAssignment,
)
from scoring.views import ranking as ranking_views
from scoring.views import workspace as workspace_views
from scoring.views.workspace import transition_links
from tests.factories import (
    DossierFactory,
    FiliereFactory,
    TerritoryFactory,
    UserFactory,
    dossier_in,
    dossier_in_state,
    due_date,
)
from tests.scoring.helpers import full_scores

ROLES = ["lead", "other_lead", "caresp", "instructor", "decider", "admin_user", "outsider", None]
STAFF = {"caresp", "instructor", "decider", "admin_user"}


def login(client, request, role):
    if role is not None:
        client.force_login(request.getfixturevalue(role))


def assert_login_redirect(response):
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def text(response):
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


# ---------------------------------------------------------------- dashboard


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_per_role(client, request, in_review, role):
    login(client, request, role)
    response = client.get(reverse("scoring:dashboard"))
    if role is None:
        assert_login_redirect(response)
    elif role in STAFF:
        assert response.status_code == 200
        page = text(response)
        assert "Instruction des dossiers" in page
        assert "Nord Finistère" in page
        assert ("Dossiers par territoire de santé" in page) == (role != "caresp")
    else:
        assert response.status_code == 403


def test_dashboard_shows_returned_late_and_missing_reviews(
    client, campaign, instructor, caresp, caresp2
):
    brest = TerritoryFactory(campaign=campaign, code="T1", name="Brest")
    returned, _lead = dossier_in(
        campaign, "returned_from_caresp", instructor=instructor, name="Alpha", territories=[brest]
    )

    Dossier.objects.filter(pk=returned.pk).update(return_due_date="2020-01-31")
    waiting, _lead = dossier_in(campaign, S.CARESP_REVIEW, instructor=instructor, name="Bravo")
    assign_reviewer(waiting, instructor, caresp)
    assign_reviewer(waiting, instructor, caresp2)
    save_review(
        waiting, caresp, {"scores": full_scores(campaign, 2), "opinion": "reserved"}, submit=True
    )
    lonely, _lead = dossier_in(campaign, S.ARS_ANALYSIS, instructor=instructor, name="Charlie")
    client.force_login(instructor)
    page = text(client.get(reverse("scoring:dashboard")))
    assert "31 janvier 2020" in page and "En retard" in page
    assert "Merci de préciser la gouvernance." in page
    assert "T1 — Brest" in page
    assert "1 / 2" in page  # Bravo: one review of two
    assert str(caresp2) in page
    assert "Aucun relecteur désigné" in page  # Charlie
    # The CARESP reviewer sees its own to-do list.
    client.force_login(caresp2)
    page = text(client.get(reverse("scoring:dashboard")))
    assert "Mes dossiers attribués" in page and "1 évaluation à faire" in page
    assert "Dossiers renvoyés pour compléments" not in page


def test_dashboard_filters_by_state(client, campaign, in_review, instructor):
    dossier_in(campaign, S.SUBMITTED, instructor=instructor, name="Zoulou")
    client.force_login(instructor)
    page = text(client.get(reverse("scoring:dashboard") + "?etat=submitted"))
    assert "Zoulou" in page
    assert reverse("dossiers:detail", args=[in_review.pk]) not in page.split('id="dossiers"')[1]


def test_dashboard_pages_its_list_with_the_review_counts(
    client, monkeypatch, campaign, in_review, instructor, caresp
):
    """The list's pages (scoring.queries.dossier_listing_page): the count comes from the
    state tiles, each row keeps its own review counts, with and without a state filter."""
    monkeypatch.setattr(workspace_views, "DASHBOARD_PAGE_SIZE", 1)
    zoulou, _lead = dossier_in(campaign, S.SUBMITTED, instructor=instructor, name="Zoulou")
    assign_reviewer(in_review, instructor, caresp)
    client.force_login(instructor)
    url = reverse("scoring:dashboard")
    pages = [text(client.get(f"{url}?page={n}")).split('id="dossiers"')[1] for n in (1, 2)]
    assert "1 / 2" in pages[0] and "2 / 2" in pages[1]
    rows = {zoulou.pk: "0 / 0", in_review.pk: "0 / 1"}
    for page in pages:
        (pk,) = [pk for pk in rows if reverse("dossiers:detail", args=[pk]) in page]
        assert rows.pop(pk) in page
    assert rows == {}
    filtered = text(client.get(f"{url}?etat=submitted")).split('id="dossiers"')[1]
    assert "Zoulou" in filtered and "0 / 0" in filtered and "Page suivante" not in filtered


def test_dashboard_names_assigned_dossiers_by_their_identity(
    client, campaign, in_review, instructor, caresp
):
    """The reviewer's rows are read as values (scoring.queries.my_assignments): the name
    is the identity's, else the filière's, as Dossier.display_name."""
    assign_reviewer(in_review, instructor, caresp)
    in_review.identity = {**in_review.identity, "name": "Projet Armor & Argoat"}
    in_review.save(update_fields=["identity"])
    client.force_login(caresp)
    mine = text(client.get(reverse("scoring:dashboard"))).split('id="mes-dossiers"')[1]
    assert "Projet Armor & Argoat" in mine.split("</table>")[0]
    assert "À faire" in mine.split("</table>")[0]
    in_review.identity = {**in_review.identity, "name": ""}
    in_review.save(update_fields=["identity"])
    mine = text(client.get(reverse("scoring:dashboard"))).split('id="mes-dossiers"')[1]
    assert in_review.filiere.name in mine.split("</table>")[0]


def test_nav_has_an_instruction_entry_for_staff_only(client, in_review, instructor, lead):
    client.force_login(instructor)
    assert 'href="/evaluation/"' in client.get(reverse("home"), follow=True).content.decode()
    client.force_login(lead)
    assert 'href="/evaluation/"' not in client.get(reverse("home"), follow=True).content.decode()


# ---------------------------------------------------------------- workspace

WORKSPACE_STATUS = {
    "lead": 403,
    "other_lead": 404,
    "caresp": 200,
    "instructor": 200,
    "decider": 200,
    "admin_user": 200,
    "outsider": 404,
}


@pytest.mark.parametrize("role", ROLES)
def test_workspace_per_role(client, request, in_review, role):
    """The former workspace address sends the staff to the dossier page's instruction
    panels (decision 0054); the others are refused as before (403, or 404 when they may
    not know the dossier)."""
    login(client, request, role)
    response = client.get(reverse("scoring:dossier", args=[in_review.pk]))
    if role is None:
        assert_login_redirect(response)
    elif WORKSPACE_STATUS[role] == 200:
        assert response.status_code == 302
        assert response["Location"] == f"/dossiers/{in_review.pk}/#instruction"
        assert client.get(response["Location"]).status_code == 200
    else:
        assert response.status_code == WORKSPACE_STATUS[role]


def test_draft_is_invisible_to_staff(client, filiere, instructor):
    draft = DossierFactory(filiere=filiere)
    client.force_login(instructor)
    assert client.get(reverse("scoring:dossier", args=[draft.pk])).status_code == 404


def test_workspace_for_the_instructor(client, in_review, instructor, caresp):
    client.force_login(instructor)
    page = text(client.get(reverse("dossiers:detail", args=[in_review.pk])))
    assert 'id="instruction"' in page
    # Transition buttons (links once the confirmation page exists).
    assert "Passer en analyse ARS" in page and "Demander des compléments" in page
    assert "Attribuer le dossier" in page
    assert str(caresp) in page  # offered in the assignment form
    assert "Ce dossier ne vous est pas attribué pour évaluation." in page


def test_transition_links_point_to_the_confirmation_page_when_installed(in_review, instructor):
    links = transition_links(in_review, instructor)
    assert [name for name, _label, _url in links] == ["start_ars_analysis", "return_for_completion"]
    try:
        expected = reverse("dossiers:transition", args=[in_review.pk, "start_ars_analysis"])
    except NoReverseMatch:
        expected = None
    assert links[0][2] == expected


def test_assign_through_the_page(client, in_review, instructor, caresp):
    client.force_login(instructor)
    response = client.post(reverse("scoring:assign", args=[in_review.pk]), {"reviewer": caresp.pk})
    assert response.status_code == 302
    assert ReviewerAssignment.objects.filter(dossier=in_review, reviewer=caresp).exists()
    page = text(client.get(response["Location"]))
    assert "qui en est averti par courriel" in page


def test_assign_a_conflicted_reviewer_shows_the_reason(client, in_review, instructor, caresp):
    declare_conflict(in_review, caresp, "Lien")
    client.force_login(instructor)
    response = client.post(
        reverse("scoring:assign", args=[in_review.pk]), {"reviewer": caresp.pk}, follow=True
    )
    assert "a déclaré un conflit d'intérêts sur ce dossier" in text(response)
    assert not ReviewerAssignment.objects.exists()


def test_assign_form_errors_are_shown(client, in_review, instructor):
    client.force_login(instructor)
    response = client.post(reverse("scoring:assign", args=[in_review.pk]), {"reviewer": ""})
    assert response.status_code == 400
    assert "Ce champ est obligatoire" in text(response)


@pytest.mark.parametrize("role", ["lead", "caresp", "decider", "admin_user"])
def test_only_instructors_assign_or_unassign(client, request, in_review, caresp, instructor, role):
    login(client, request, role)
    response = client.post(reverse("scoring:assign", args=[in_review.pk]), {"reviewer": caresp.pk})
    assert response.status_code == 403
    assign_reviewer(in_review, instructor, caresp)
    response = client.post(reverse("scoring:unassign", args=[in_review.pk, caresp.pk]))
    assert response.status_code == 403
    assert ReviewerAssignment.objects.count() == 1


def test_unassign_through_the_page(client, in_review, instructor, caresp):
    assign_reviewer(in_review, instructor, caresp)
    client.force_login(instructor)
    response = client.post(reverse("scoring:unassign", args=[in_review.pk, caresp.pk]))
    assert response.status_code == 302
    assert not ReviewerAssignment.objects.exists()


def test_declare_conflict_through_the_page(client, in_review, instructor, caresp):
    assign_reviewer(in_review, instructor, caresp)
    client.force_login(caresp)
    url = reverse("scoring:conflict", args=[in_review.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    response = client.post(url, {"reason": "Ancien salarié du CHU."}, follow=True)
    page = text(response)
    assert "Votre conflit d'intérêts est enregistré" in page
    assert "vous ne pouvez ni l'évaluer ni lui être attribué" in page
    assert ConflictOfInterest.objects.filter(reviewer=caresp).exists()
    assert not ReviewerAssignment.objects.exists()
    # A second declaration is refused with the reason.
    response = client.post(url, {"reason": "Encore"}, follow=True)
    assert "déjà déclaré" in text(response)


@pytest.mark.parametrize("role", ["lead", "decider", "admin_user"])
def test_only_reviewers_declare_conflicts_through_the_page(client, request, in_review, role):
    login(client, request, role)
    response = client.post(reverse("scoring:conflict", args=[in_review.pk]), {"reason": "x"})
    assert response.status_code == 403


# ---------------------------------------------------------------- my review form


@pytest.fixture
def assigned(in_review, instructor, caresp):
    assign_reviewer(in_review, instructor, caresp)
    return in_review


def form_data(campaign, project, value="3", action="save", **extra):
    data = {"action": action, "opinion": "favourable", "comment": "Solide."}
    for criterion in grid_criteria(get_grid(campaign)):
        data[f"score_{criterion.code}"] = value
        data[f"comment_{criterion.code}"] = f"Sur {criterion.code}"
    data[f"project_{project.id}_opinion"] = "reserved"
    data[f"project_{project.id}_comment"] = "Coût à préciser."
    data.update(extra)
    return data


def test_reviewer_saves_a_draft_then_submits(client, assigned, campaign, caresp):
    project = assigned.projects.get()
    client.force_login(caresp)
    page = text(client.get(reverse("dossiers:detail", args=[assigned.pk])))
    assert "Soumettre l'évaluation" in page and "Qualité du diagnostic territorial" in page
    url = reverse("scoring:review", args=[assigned.pk])
    response = client.post(url, form_data(campaign, project))
    assert response.status_code == 302
    review = Review.objects.get(reviewer=caresp)
    assert review.submitted_at is None
    assert review.project_opinions.get().comment == "Coût à préciser."
    assert review.scores.get(criterion__code="call_compliance").comment == "Sur call_compliance"
    # The draft is shown again in the form.
    page = text(client.get(reverse("dossiers:detail", args=[assigned.pk])))
    assert "Coût à préciser." in page
    # Submitting is confirmed (the DSFR modal adds confirm_submit); without it, the page
    # asks first, above the form, what was typed kept, nothing submitted.
    response = client.post(url, form_data(campaign, project, action="submit"))
    assert response.status_code == 200
    assert "Soumettre votre évaluation ?" in text(response)
    assert "Coût à préciser." in text(response)
    review.refresh_from_db()
    assert review.submitted_at is None
    response = client.post(url, form_data(campaign, project, action="submit", confirm_submit="on"))
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.submitted_at is not None
    page = text(client.get(response["Location"]))
    assert "Votre évaluation est soumise" in page
    assert "elle n'est plus modifiable" in page
    assert "Soumettre l'évaluation" not in page
    # Read-only afterwards.
    response = client.post(url, form_data(campaign, project, value="0"), follow=True)
    assert "n'est plus modifiable" in text(response)
    assert set(review.scores.values_list("score", flat=True)) == {3}


def test_incomplete_submission_keeps_what_was_typed(client, assigned, campaign, caresp):
    project = assigned.projects.get()
    client.force_login(caresp)
    data = form_data(campaign, project, action="submit", confirm_submit="on")
    data["score_public_information"] = ""
    data["comment"] = "Mon commentaire général"
    response = client.post(reverse("scoring:review", args=[assigned.pk]), data)
    assert response.status_code == 400
    page = text(response)
    assert "Notez le critère « Information du public » avant de soumettre." in page
    assert "Mon commentaire général" in page
    assert not Review.objects.filter(submitted_at__isnull=False).exists()


def test_invalid_score_in_the_form(client, assigned, campaign, caresp):
    client.force_login(caresp)
    data = form_data(campaign, assigned.projects.get(), value="7")
    response = client.post(reverse("scoring:review", args=[assigned.pk]), data)
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in text(response)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("lead", 403),
        ("instructor", 403),
        ("decider", 403),
        ("admin_user", 403),
        ("other_lead", 404),
    ],
)
def test_review_form_refused_to_others(client, request, assigned, campaign, role, status):
    login(client, request, role)
    response = client.post(
        reverse("scoring:review", args=[assigned.pk]), form_data(campaign, assigned.projects.get())
    )
    assert response.status_code == status
    assert not Review.objects.exists()


def test_review_form_in_the_wrong_state_explains(client, assigned, campaign, caresp, instructor):
    transition(
        assigned, "return_for_completion", instructor, comment="Compléments", due_date=due_date()
    )
    client.force_login(caresp)
    page = text(client.get(reverse("dossiers:detail", args=[assigned.pk])))
    assert "Les évaluations se saisissent pendant la revue CARESP ou l'analyse ARS." in page
    response = client.post(
        reverse("scoring:review", args=[assigned.pk]),
        form_data(campaign, assigned.projects.get()),
        follow=True,
    )
    assert "les évaluations se font pendant la revue CARESP" in text(response)
    assert not Review.objects.exists()


def test_others_scores_hidden_on_the_page_until_submission(
    client, assigned, campaign, caresp, caresp2, instructor
):
    assign_reviewer(assigned, instructor, caresp2)
    save_review(
        assigned,
        caresp2,
        {
            "scores": full_scores(campaign, 1),
            "opinion": "unfavourable",
            "comment": "Commentaire secret de caresp2",
        },
        submit=True,
    )
    client.force_login(caresp)
    page = text(client.get(reverse("dossiers:detail", args=[assigned.pk])))
    assert "Commentaire secret de caresp2" not in page
    assert "vous seront visibles une fois la vôtre soumise" in page
    save_review(
        assigned, caresp, {"scores": full_scores(campaign, 3), "opinion": "favourable"}, submit=True
    )
    page = text(client.get(reverse("dossiers:detail", args=[assigned.pk])))
    assert "Commentaire secret de caresp2" in page
    assert "Note pondérée" in page and "2,00 / 4" in page
    # The instructor (ARS) sees both and the aggregate.
    client.force_login(instructor)
    page = text(client.get(reverse("dossiers:detail", args=[assigned.pk])))
    assert "Commentaire secret de caresp2" in page and "2,00 / 4" in page


# ---------------------------------------------------------------- internal comments


def test_internal_comments_and_ars_only_notes(client, in_review, instructor, caresp, lead):
    url = reverse("scoring:comment", args=[in_review.pk])
    client.force_login(instructor)
    client.post(url, {"text": "Note pour tous les relecteurs"})
    client.post(url, {"text": "Note réservée ARS", "ars_only": "on"})
    client.force_login(caresp)
    client.post(url, {"text": "Remarque CARESP", "ars_only": "on"})  # ignored: not ARS
    assert InternalComment.objects.filter(ars_only=True).count() == 1
    page = text(client.get(reverse("dossiers:detail", args=[in_review.pk])))
    assert "Note pour tous les relecteurs" in page and "Remarque CARESP" in page
    assert "Note réservée ARS" not in page
    assert "Réservé à l'ARS (invisible" not in page  # no such checkbox for CARESP
    client.force_login(instructor)
    page = text(client.get(reverse("dossiers:detail", args=[in_review.pk])))
    assert "Note réservée ARS" in page
    # Never to the applicant.
    client.force_login(lead)
    assert client.post(url, {"text": "Je suis le porteur"}).status_code == 403
    assert client.get(reverse("scoring:dossier", args=[in_review.pk])).status_code == 403
    for page_url in (reverse("dossiers:detail", args=[in_review.pk]), reverse("home")):
        assert "Note pour tous les relecteurs" not in client.get(page_url).content.decode()


def test_empty_comment_is_refused(client, in_review, instructor):
    client.force_login(instructor)
    response = client.post(reverse("scoring:comment", args=[in_review.pk]), {"text": " "})
    assert response.status_code == 400
    assert not InternalComment.objects.exists()


# ---------------------------------------------------------------- snapshots diff


@pytest.fixture
def resubmitted(filiere, lead, instructor):
    dossier = dossier_in_state(
        "returned_from_caresp", filiere=filiere, lead=lead, instructor=instructor
    )
    Dossier.objects.filter(pk=dossier.pk).update(
        identity={**dossier.identity, "governance": "Comité mensuel"}
    )
    return transition(dossier, "resubmit", lead)


DIFF_STATUS = {
    "lead": 403,
    "other_lead": 404,
    "caresp": 200,
    "instructor": 200,
    "decider": 200,
    "admin_user": 200,
    "outsider": 404,
}


@pytest.mark.parametrize("role", ROLES)
def test_diff_page_per_role(client, request, resubmitted, role):
    login(client, request, role)
    response = client.get(reverse("scoring:diff", args=[resubmitted.pk, 1, 2]))
    if role is None:
        assert_login_redirect(response)
        return
    assert response.status_code == DIFF_STATUS[role]
    if response.status_code == 200:
        page = text(response)
        assert "Changements entre les dépôts n° 1 et n° 2" in page
        assert "Gouvernance" in page and "Comité de pilotage trimestriel" in page
        assert "Comité mensuel" in page


def test_workspace_links_consecutive_snapshots(client, resubmitted, instructor):
    client.force_login(instructor)
    page = client.get(reverse("dossiers:detail", args=[resubmitted.pk])).content.decode()
    assert reverse("scoring:diff", args=[resubmitted.pk, 1, 2]) in page
    assert "Voir les changements" in page


def test_diff_of_unknown_snapshot_is_404(client, resubmitted, instructor):
    client.force_login(instructor)
    assert client.get(reverse("scoring:diff", args=[resubmitted.pk, 1, 9])).status_code == 404


# ---------------------------------------------------------------- ranking page

RANKING_STATUS = {
    "lead": 403,
    "other_lead": 403,
    "caresp": 200,
    "instructor": 200,
    "decider": 200,
    "admin_user": 200,
    "outsider": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_ranking_page_per_role(client, request, in_review, campaign, instructor, caresp2, role):
    assign_reviewer(in_review, instructor, caresp2)
    save_review(
        in_review,
        caresp2,
        {"scores": full_scores(campaign, 3), "opinion": "favourable"},
        submit=True,
    )
    login(client, request, role)
    response = client.get(reverse("scoring:ranking", args=[campaign.slug]))
    if role is None:
        assert_login_redirect(response)
        return
    assert response.status_code == RANKING_STATUS[role]
    if response.status_code == 200:
        page = text(response)
        # caresp has not reviewed it: the row is hidden from it.
        assert ("Nord Finistère" in page) == (role != "caresp")
        assert ("3,00" in page) == (role != "caresp")


def test_ranking_page_shows_the_ranks_one_page_at_a_time(
    client, monkeypatch, in_review, campaign, instructor, caresp2
):
    monkeypatch.setattr(ranking_views, "RANKING_PAGE_SIZE", 1)
    other_lead = UserFactory(roles=["filiere_lead"])
    other = FiliereFactory(campaign=campaign, name="Filière du Léon")
    other.editors.add(other_lead)
    dossier_in_state("submitted", filiere=other, lead=other_lead, instructor=instructor)
    assign_reviewer(in_review, instructor, caresp2)
    save_review(
        in_review,
        caresp2,
        {"scores": full_scores(campaign, 3), "opinion": "favourable"},
        submit=True,
    )
    client.force_login(instructor)
    url = reverse("scoring:ranking", args=[campaign.slug])
    first, second = text(client.get(url)), text(client.get(url + "?page=2"))
    assert "Page 1 sur 2 (2 dossiers)" in first and "Page 2 sur 2 (2 dossiers)" in second
    # The scored dossier is ranked first; the unscored one comes on the second page.
    assert "3,00" in first and "Filière du Léon" not in first
    assert "Filière du Léon" in second and "3,00" not in second


def test_ranking_page_unknown_campaign(client, instructor):
    client.force_login(instructor)
    assert client.get(reverse("scoring:ranking", args=["nope"])).status_code == 404


# ---------------------------------------------------------------- grid page


@pytest.mark.parametrize("role", ROLES)
def test_grid_page_per_role(client, request, campaign, role):
    login(client, request, role)
    response = client.get(reverse("scoring:grid", args=[campaign.slug]))
    if role is None:
        assert_login_redirect(response)
        return
    assert response.status_code == (200 if role in STAFF else 403)
    if response.status_code == 200:
        page = text(response)
        assert "Conformité à l'instruction du 21 juin 2023" in page
        assert ("Enregistrer la grille" in page) == (role == "admin_user")


def management(prefix, total, initial):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def grid_post(campaign, *, weight0="2", extra=None, delete_last=False, scale_max="4"):
    criteria = grid_criteria(get_grid(campaign))
    data = {"scale_min": "0", "scale_max": scale_max}
    data.update(management("criteres", len(criteria) + 1, len(criteria)))
    for index, c in enumerate(criteria):
        data.update(
            {
                f"criteres-{index}-id": str(c.id),
                f"criteres-{index}-position": str(c.position),
                f"criteres-{index}-code": c.code,
                f"criteres-{index}-label": c.label,
                f"criteres-{index}-group": c.group,
                f"criteres-{index}-weight": weight0
                if index == 0
                else str(c.weight).replace(".", ","),
                f"criteres-{index}-description": "",
            }
        )
    if delete_last:
        data[f"criteres-{len(criteria) - 1}-DELETE"] = "on"
    for key, value in (extra or {}).items():
        data[f"criteres-{len(criteria)}-{key}"] = value
    return data


def test_admin_edits_the_grid_through_the_page(client, campaign, admin_user):
    client.force_login(admin_user)
    url = reverse("scoring:grid", args=[campaign.slug])
    data = grid_post(
        campaign,
        weight0="2,5",
        delete_last=True,
        extra={
            "code": "coverage",
            "label": "Couverture du territoire",
            "group": "guiding_principle",
            "weight": "1",
            "position": "20",
        },
        scale_max="5",
    )
    response = client.post(url, data)
    assert response.status_code == 302, text(response)[:3000]
    grid = get_grid(campaign)
    codes = [c.code for c in grid_criteria(grid)]
    assert codes[-1] == "coverage" and "public_information" not in codes
    assert str(grid_criteria(grid)[0].weight) == "2.50"
    assert grid.scale_max == 5


def test_untouched_blank_criterion_is_ignored(client, campaign, admin_user):
    client.force_login(admin_user)
    data = grid_post(
        campaign, weight0="3", extra={"group": "analysis_basis", "code": "", "weight": ""}
    )
    response = client.post(reverse("scoring:grid", args=[campaign.slug]), data)
    assert response.status_code == 302
    assert Criterion.objects.count() == 9
    assert str(grid_criteria(get_grid(campaign))[0].weight) == "3.00"


def test_grid_page_errors_keep_the_input(client, campaign, admin_user):
    client.force_login(admin_user)
    data = grid_post(
        campaign,
        extra={"code": "Pas Bon", "label": "Nouveau", "group": "analysis_basis", "weight": "1"},
    )
    response = client.post(reverse("scoring:grid", args=[campaign.slug]), data)
    assert response.status_code == 400
    page = text(response)
    assert "Code attendu en minuscules" in page and 'value="Pas Bon"' in page
    assert Criterion.objects.count() == 9


@pytest.mark.parametrize("role", ["caresp", "instructor", "decider", "lead"])
def test_only_the_admin_posts_the_grid(client, request, campaign, role):
    login(client, request, role)
    response = client.post(
        reverse("scoring:grid", args=[campaign.slug]), grid_post(campaign, weight0="9")
    )
    assert response.status_code == 403
    assert str(grid_criteria(get_grid(campaign))[0].weight) == "2.00"


def test_grid_page_is_read_only_once_locked(
    client, campaign, admin_user, in_review, instructor, caresp
):
    assign_reviewer(in_review, instructor, caresp)
    save_review(
        in_review, caresp, {"scores": full_scores(campaign, 2), "opinion": "reserved"}, submit=True
    )
    client.force_login(admin_user)
    url = reverse("scoring:grid", args=[campaign.slug])
    page = text(client.get(url))
    assert "Grille verrouillée" in page and "Enregistrer la grille" not in page
    response = client.post(url, grid_post(campaign, weight0="9"), follow=True)
    assert "La grille est verrouillée" in text(response)
    assert str(grid_criteria(get_grid(campaign))[0].weight) == "2.00"
