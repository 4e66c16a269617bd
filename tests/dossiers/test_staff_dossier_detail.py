"""The read-only dossier page and the snapshot page: who sees what, in which state."""

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import formats
from django.utils.html import escape

from dossiers.domain.editing import update_project
from dossiers.domain.transitions import transition
from dossiers.enums import DossierState, LineNature
from dossiers.models import FundingLine, HistoryEntry
from tests.dossiers.conftest import ROLES, STAFF
from tests.factories import FundingLineFactory, ProjectFactory

EUR = "\u00a0€"
NNBSP = "\u202f"


def detail(client, dossier):
    return client.get(reverse("dossiers:detail", args=[dossier.pk]))


DRAFT_EXPECTED = {
    **dict.fromkeys(ROLES, 404),
    "lead": 200,
    "co_editor": 200,
    "anonymous": 302,
}


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_detail_of_a_draft_by_role(role, dossier, as_role, co_editor):
    assert detail(as_role(role), dossier).status_code == DRAFT_EXPECTED[role]


@pytest.mark.parametrize(
    "state",
    [
        DossierState.SUBMITTED,
        DossierState.CARESP_REVIEW,
        DossierState.ARS_ANALYSIS,
        DossierState.RETURNED,
        DossierState.DECIDED,
        DossierState.WITHDRAWN,
    ],
)
@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_detail_of_a_submitted_dossier_by_role(role, state, in_state, as_role, co_editor):
    dossier = in_state(state)
    expected = {**DRAFT_EXPECTED, **dict.fromkeys(STAFF, 200)}
    response = detail(as_role(role), dossier)
    assert response.status_code == expected[role]
    if response.status_code == 200:
        page = response.content.decode()
        assert dossier.get_state_display() in page and "fr-badge" in page
        assert "Renforcer l&#x27;équipe mobile" in page
        assert f"52{NNBSP}000,00{EUR}" in page


def test_detail_shows_every_part(dossier, as_role):
    page = detail(as_role("lead"), dossier).content.decode()
    for text in [
        "Fiche d&#x27;identité",
        "CHU de Brest",
        "USP du CHU de Brest",  # members table
        "HAD du Ponant",
        "Requérant",
        "Diagnostic territorial",
        f"560{NNBSP}000",  # population
        "Offre graduée (domicile et hôpital, 3 niveaux)",
        "Partielle",  # mission coverage badge
        "Analyse AFOM",
        "Difficultés de recrutement médical",
        "Projet territorial",
        "Totaux du dossier",
        "Pas encore déposé",
    ]:
        assert text in page, text
    # The lead of an editable dossier gets a way to edit; no staff columns.
    assert reverse("dossiers:projects", args=[dossier.pk]) in page
    assert "Proposé" not in page and "Accordé" not in page
    assert "Déposer le dossier" in page  # the transition this lead may fire now


def test_transition_buttons_follow_the_workflow(in_state, as_role):
    dossier = in_state(DossierState.SUBMITTED)
    staff_page = detail(as_role("instructor"), dossier).content.decode()
    assert "Passer en revue CARESP" in staff_page and "Passer en analyse ARS" in staff_page
    assert "Retirer le dossier" not in staff_page
    lead_page = detail(as_role("lead"), dossier).content.decode()
    assert "Retirer le dossier" in lead_page and "Passer en revue CARESP" not in lead_page
    assert reverse("dossiers:projects", args=[dossier.pk]) not in lead_page  # frozen
    caresp_page = detail(as_role("caresp"), dossier).content.decode()
    assert "Passer en revue CARESP" not in caresp_page


def test_submitted_at_is_shown_in_paris_time(in_state, as_role):
    dossier = in_state(DossierState.SUBMITTED)
    local = dossier.submitted_at.astimezone(ZoneInfo("Europe/Paris"))
    page = detail(as_role("caresp"), dossier).content.decode()

    assert formats.date_format(local, "j F Y à H:i") in page  # e.g. "8 février 2025 à 16:25"


def set_amounts(dossier, *, proposed, granted=None):
    FundingLine.objects.filter(project__dossier=dossier).update(proposed=proposed, granted=granted)


def test_lead_never_sees_proposed_amounts(in_state, as_role):
    dossier = in_state(DossierState.ARS_ANALYSIS)
    set_amounts(dossier, proposed=Decimal("41234.56"), granted=Decimal("39876.54"))
    lead_page = detail(as_role("lead"), dossier).content.decode()
    assert "41" + NNBSP + "234,56" not in lead_page and "Proposé" not in lead_page
    # Not decided yet: the granted amount is not shown to the lead either.
    assert "39" + NNBSP + "876,54" not in lead_page and "Accordé" not in lead_page
    for role in STAFF:
        page = detail(as_role(role), dossier).content.decode()
        if role == "caresp":
            # Neither proposals nor decisions before the decision is notified (0021).
            assert f"41{NNBSP}234,56{EUR}" not in page and f"39{NNBSP}876,54{EUR}" not in page
        else:
            assert f"41{NNBSP}234,56{EUR}" in page and f"39{NNBSP}876,54{EUR}" in page


def test_lead_sees_granted_once_decided_but_never_proposed(in_state, as_role, co_editor, decider):
    dossier = in_state(DossierState.ARS_ANALYSIS)
    set_amounts(dossier, proposed=Decimal("41234.56"), granted=Decimal("40000.00"))
    dossier = transition(dossier, "decide", decider, outcome="partially_accepted", comment="Ok")
    for role in ("lead", "co_editor"):
        page = detail(as_role(role), dossier).content.decode()
        assert f"40{NNBSP}000,00{EUR}" in page and "Accordé" in page
        assert "41" + NNBSP + "234,56" not in page and "Proposé" not in page
        assert "Partiellement accepté" in page
    staff_page = detail(as_role("decider"), dossier).content.decode()
    assert f"41{NNBSP}234,56{EUR}" in staff_page and f"40{NNBSP}000,00{EUR}" in staff_page


def test_history_public_entries_for_the_lead_all_for_staff(in_state, as_role, instructor):
    dossier = in_state(DossierState.RETURNED)
    HistoryEntry.objects.create(
        dossier=dossier,
        transition="note",
        from_state="returned",
        to_state="returned",
        by=instructor,
        comment="Note interne : vérifier le FINESS",
        is_public=False,
    )
    lead_page = detail(as_role("lead"), dossier).content.decode()
    assert "Merci de préciser le calendrier." in lead_page  # the public return message
    assert "Note interne" not in lead_page
    staff_page = detail(as_role("caresp"), dossier).content.decode()
    assert "Note interne : vérifier le FINESS" in staff_page


def test_snapshots_are_listed_and_readable(in_state, as_role, co_editor):
    dossier = in_state(DossierState.RETURNED)
    url = reverse("dossiers:snapshot", args=[dossier.pk, 1])
    page = detail(as_role("lead"), dossier).content.decode()
    assert "Voir le dépôt n° 1" in page and url in page
    for role in ("lead", "co_editor", *STAFF):
        response = as_role(role).get(url)
        assert response.status_code == 200, role
        content = response.content.decode()
        assert "Dépôt n° 1" in content and "Contenu brut du dépôt (JSON)" in content
        assert f"52{NNBSP}000,00{EUR}" in content
    for role in ("other_lead", "outsider"):
        assert as_role(role).get(url).status_code == 404
    assert as_role("anonymous").get(url).status_code == 302
    assert (
        as_role("lead").get(reverse("dossiers:snapshot", args=[dossier.pk, 2])).status_code == 404
    )


def test_snapshot_shows_what_was_submitted_not_later_edits(in_state, as_role, lead):
    dossier = in_state(DossierState.RETURNED)
    project = dossier.projects.get()
    update_project(dossier, lead, project.pk, {"title": "Titre modifié après retour"})
    snapshot = as_role("lead").get(reverse("dossiers:snapshot", args=[dossier.pk, 1]))
    assert "Titre modifié après retour" not in snapshot.content.decode()
    assert "Titre modifié après retour" in detail(as_role("lead"), dossier).content.decode()


def test_detail_escapes_user_text(dossier, as_role, lead):
    dossier.identity = {**dossier.identity, "name": "<script>alert('nom')</script>"}
    dossier.swot = {**dossier.swot, "strengths": ["<img src=x onerror=alert(1)>"]}
    dossier.save()
    project = dossier.projects.get()
    project.objectives = "<b>gras</b>\nligne 2"
    project.save()
    page = detail(as_role("lead"), dossier).content.decode()
    assert "<script>alert(" not in page and "<img src=x" not in page and "<b>gras" not in page
    assert escape("<script>alert('nom')</script>") in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;b&gt;gras&lt;/b&gt;<br>ligne 2" in page


def test_project_totals_are_exact(dossier, as_role):
    project = dossier.projects.get()
    FundingLineFactory(project=project, amount=Decimal("0.10"))
    FundingLineFactory(project=project, amount=Decimal("0.20"))
    FundingLineFactory(project=project, nature=LineNature.ONE_OFF, amount=Decimal("999999.99"))
    FundingLineFactory(project=project, nature=LineNature.ONE_OFF, amount=Decimal("0.01"))
    page = detail(as_role("lead"), dossier).content.decode()
    assert f"52{NNBSP}000,30{EUR}" in page
    assert f"1{NNBSP}000{NNBSP}000,00{EUR}" in page


@pytest.mark.parametrize("sheets,lines", [(1, 1), (12, 5)])
def test_detail_query_count_is_bounded(
    sheets, lines, in_state, as_role, dossier, django_assert_max_num_queries
):
    for rank in range(2, sheets + 1):
        project = ProjectFactory(dossier=dossier, priority=rank)
        for _ in range(lines):
            FundingLineFactory(project=project)
    dossier = in_state(DossierState.CARESP_REVIEW)
    client = as_role("instructor")
    # The page (13) and, for the instructor, its instruction panels (decision 0054: the
    # review panel with the grid created at first use, the financing panel): none grows
    # with the sheets or the lines.
    with django_assert_max_num_queries(36):
        response = detail(client, dossier)
    assert response.status_code == 200
