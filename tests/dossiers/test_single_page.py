"""One dossier page for everyone (issue 11, item 9; decision 0054): the staff find the
instruction panels registered by the apps above (dossiers.panels) on /dossiers/<id>/,
each for the roles of the dossier's region allowed to see it; the former workspace
address redirects there; the menu's entries lead to distinct pages; one button size
and at most one primary button per row."""

import html
import re

import pytest
from django.urls import reverse

from accounts.models import Role
from dossiers import panels
from dossiers.enums import DossierState as S
from scoring.domain.assignments import assign_reviewer
from tests.buttons import button_group_problems
from tests.factories import NORMANDIE, UserFactory, dossier_in, dossier_in_state, region

EVALUATION = 'id="evaluation"'
FINANCING = 'id="financement"'
INSTRUCTION = 'id="instruction"'


def page_of(client, user, dossier):
    client.force_login(user)
    return client.get(reverse("dossiers:detail", args=[dossier.pk]))


def text(response):
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def test_scoring_and_budget_register_their_panels():
    keys = [panel.key for panel in panels.registered()]
    assert keys == ["evaluation", "financement"]


# ---------------------------------------------------------------- panels by role


# role: (evaluation panel, financing panel) on a dossier in CARESP review.
SHOWN = {
    "lead": (False, False),
    "co_editor": (False, False),
    "caresp": (True, False),
    "instructor": (True, True),
    "decider": (True, True),
    "admin_user": (True, True),
}


@pytest.mark.parametrize("role", sorted(SHOWN))
def test_each_panel_is_shown_to_its_roles_only(client, request, in_review, role):
    response = page_of(client, request.getfixturevalue(role), in_review)
    assert response.status_code == 200
    page = response.content.decode()
    evaluation, financing = SHOWN[role]
    assert (EVALUATION in page) == evaluation
    assert (FINANCING in page) == financing
    assert (INSTRUCTION in page) == (evaluation or financing)
    if not evaluation:
        assert "Commentaires internes" not in page and "Relecteurs" not in page


@pytest.mark.parametrize("role", ["other_lead", "outsider"])
def test_the_page_is_unknown_to_others(client, request, in_review, role):
    assert page_of(client, request.getfixturevalue(role), in_review).status_code == 404


@pytest.mark.parametrize("role", [Role.CARESP_REVIEWER, Role.ARS_INSTRUCTOR, Role.ARS_DECIDER])
def test_staff_of_another_region_get_404(client, in_review, role):
    elsewhere = UserFactory(roles=[(role, region(NORMANDIE))])
    assert page_of(client, elsewhere, in_review).status_code == 404
    client.force_login(elsewhere)
    assert client.get(reverse("scoring:dossier", args=[in_review.pk])).status_code == 404


def test_staff_writing_for_the_filiere_see_no_instruction_panel(client, filiere, in_review):
    """Separation of duties: an ARS agent who is also one of the filière's editors reads
    their dossier as an applicant (as its history: public entries only)."""
    both = UserFactory(roles=[Role.ARS_INSTRUCTOR])
    filiere.editors.add(both)
    page = page_of(client, both, in_review).content.decode()
    assert INSTRUCTION not in page and EVALUATION not in page and FINANCING not in page


def test_panels_follow_the_state(client, campaign, instructor, decider):
    submitted, _lead = dossier_in(campaign, S.SUBMITTED, instructor=instructor, name="A")
    in_analysis, _lead = dossier_in(campaign, S.ARS_ANALYSIS, instructor=instructor, name="B")
    decided = dossier_in_state(S.DECIDED, dossier=in_analysis, decider=decider)
    in_analysis, _lead = dossier_in(campaign, S.ARS_ANALYSIS, instructor=instructor, name="C")
    # Submitted: nothing to propose yet.
    page = text(page_of(client, instructor, submitted))
    assert FINANCING in page
    assert "La proposition et la décision se saisissent pendant l'analyse ARS." in page
    assert reverse("budget:proposal", args=[submitted.pk]) not in page
    # In ARS analysis: the page one works on.
    proposal = reverse("budget:proposal", args=[in_analysis.pk])
    decision = reverse("budget:decision", args=[in_analysis.pk])
    page = page_of(client, instructor, in_analysis).content.decode()
    assert proposal in page and decision not in page
    page = page_of(client, decider, in_analysis).content.decode()
    assert decision in page and proposal not in page
    # Decided: both pages are read; the envelopes are no longer shown here.
    page = page_of(client, instructor, decided).content.decode()
    assert reverse("budget:proposal", args=[decided.pk]) in page
    assert reverse("budget:decision", args=[decided.pk]) in page
    assert "Reste disponible sur chaque enveloppe" not in page


def test_caresp_sees_its_review_but_never_the_money_before_the_decision(
    client, in_analysis, caresp
):
    page = page_of(client, caresp, in_analysis).content.decode()
    assert EVALUATION in page and FINANCING not in page
    assert "Proposé par l'instructeur" not in page


# ---------------------------------------------------------------- the former address


def test_the_former_workspace_redirects_to_the_instruction_panels(client, in_review, caresp):
    client.force_login(caresp)
    url = reverse("scoring:dossier", args=[in_review.pk])
    assert url == f"/evaluation/dossiers/{in_review.pk}/"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/dossiers/{in_review.pk}/#instruction"
    assert client.head(url).status_code == 302
    assert client.post(url).status_code == 405


def test_a_refused_form_comes_back_on_the_dossier_page(client, in_review, instructor):
    client.force_login(instructor)
    response = client.post(reverse("scoring:comment", args=[in_review.pk]), {"text": " "})
    assert response.status_code == 400
    page = text(response)
    # The whole dossier page, with its single history and the form's error.
    assert f'<h1 class="fr-mb-1w">{in_review.display_name}</h1>' in page
    assert page.count('id="historique-titre"') == 1
    assert "Historique des changements d'état" not in page  # the workspace's own table
    assert "Le dossier déposé" in page and EVALUATION in page
    assert "<title>Erreur : " in page


def test_one_history_style_for_staff(client, in_review, instructor):
    page = text(page_of(client, instructor, in_review))
    assert page.count(">Historique</h2>") == 1
    assert "Changements d'état du dossier" in page


def test_success_goes_back_to_the_panel(client, in_review, instructor):
    client.force_login(instructor)
    response = client.post(reverse("scoring:comment", args=[in_review.pk]), {"text": "Vu."})
    assert response.status_code == 302
    assert response["Location"] == f"/dossiers/{in_review.pk}/#commentaires"


# ---------------------------------------------------------------- menu


def nav_links(client):
    page = client.get("/", follow=True)
    nav = page.content.decode().split('id="navigation"', 1)[1].split("</nav>", 1)[0]
    return dict(
        (html.unescape(label).strip(), href)
        for href, label in re.findall(
            r'<a class="fr-nav__link" href="([^"]+)"[^>]*>([^<]+)</a>', nav
        )
    )


def test_staff_menu_has_instruction_not_a_second_home(client, instructor, in_review):
    client.force_login(instructor)
    links = nav_links(client)
    assert "Accueil" not in links
    assert links["Instruction"] == reverse("scoring:dashboard")


def test_staff_holding_the_lead_role_without_a_filiere_get_no_home_entry(client, db):
    """The role alone opens no home: « Accueil » would redirect to « Instruction »."""
    user = UserFactory(roles=[Role.ARS_INSTRUCTOR, Role.FILIERE_LEAD])
    client.force_login(user)
    assert "Accueil" not in nav_links(client)
    assert client.get("/")["Location"] == reverse("scoring:dashboard")


def test_the_lead_has_a_home_and_no_instruction(client, lead, draft):
    client.force_login(lead)
    links = nav_links(client)
    assert links["Accueil"] == "/" and "Instruction" not in links


def test_staff_writing_for_a_filiere_have_both_distinct_pages(client, filiere, in_review):
    both = UserFactory(roles=[Role.ARS_INSTRUCTOR, Role.FILIERE_LEAD])
    filiere.editors.add(both)
    client.force_login(both)
    links = nav_links(client)
    assert links["Accueil"] == "/" and links["Instruction"] == reverse("scoring:dashboard")
    assert client.get("/").status_code == 200  # the filières' home, not a redirect


@pytest.mark.parametrize("role", ["lead", "caresp", "instructor", "decider", "admin_user"])
def test_every_menu_entry_leads_to_its_own_page(client, request, in_review, role):
    client.force_login(request.getfixturevalue(role))
    targets = {}
    for label, href in nav_links(client).items():
        response = client.get(href, follow=True)
        final = response.redirect_chain[-1][0] if response.redirect_chain else href
        targets.setdefault(final, []).append(label)
    assert not {url: names for url, names in targets.items() if len(names) > 1}


# ---------------------------------------------------------------- buttons


def test_the_button_rule_helper_finds_both_faults():
    row = (
        '<ul class="fr-btns-group"><li><a class="fr-btn" href="#">A</a></li>'
        '<li><button class="fr-btn fr-btn--sm">B</button></li></ul>'
    )
    problems = button_group_problems(row)
    assert len(problems) == 2 and "A" in problems[1] and "B" in problems[1]
    good = (
        '<ul class="fr-btns-group fr-btns-group--sm"><li><a class="fr-btn" href="#">A</a></li>'
        '<li><a class="fr-btn fr-btn--secondary" href="#">B</a></li></ul>'
    )
    assert button_group_problems(good) == []


@pytest.mark.parametrize(
    ("role", "state"),
    [
        ("lead", "draft"),
        ("lead", "complete"),
        ("lead", "returned"),
        ("lead", "decided"),
        ("caresp", "in_review"),
        ("instructor", "submitted"),
        ("instructor", "in_review"),
        ("instructor", "in_analysis"),
        ("instructor", "returned"),
        ("decider", "in_analysis"),
        ("decider", "decided"),
        ("admin_user", "in_analysis"),
    ],
)
def test_one_size_and_one_primary_per_row_on_the_dossier_page(client, request, role, state):
    dossier = request.getfixturevalue(state)
    user = request.getfixturevalue(role)
    if role == "caresp":
        assign_reviewer(dossier, request.getfixturevalue("instructor"), user)
    response = page_of(client, user, dossier)
    assert response.status_code == 200
    assert button_group_problems(response.content.decode()) == []


def test_one_primary_on_the_other_staff_pages(client, campaign, returned, instructor, decider):
    in_analysis, _lead = dossier_in(campaign, S.ARS_ANALYSIS, instructor=instructor, name="B")
    pages = [
        (instructor, reverse("scoring:dashboard")),
        (instructor, reverse("dossiers:list")),
        (instructor, reverse("dossiers:due_date", args=[returned.pk])),
        (instructor, reverse("scoring:ranking", args=[campaign.slug])),
        (instructor, reverse("budget:proposal", args=[in_analysis.pk])),
        (decider, reverse("budget:decision", args=[in_analysis.pk])),
    ]
    for user, url in pages:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        assert button_group_problems(response.content.decode()) == [], url
