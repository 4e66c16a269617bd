"""The writing hub: state of each part, actions, editors; a bounded number of queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from tests.factories import DossierFactory, FundingLineFactory, ProjectFactory, UserFactory


def hub(dossier):
    return reverse("dossiers:edit", args=[dossier.pk])


def test_hub_shows_each_part_and_its_problems(client, lead, filiere):
    dossier = DossierFactory(filiere=filiere, swot={"strengths": ["Une force"]})
    client.force_login(lead)
    page = client.get(hub(dossier)).content.decode()
    for part in ("identity", "diagnostic", "swot"):
        assert f'href="{reverse("dossiers:section", args=[dossier.pk, part])}"' in page
    assert page.count("Complète ✓") == 2  # identity and diagnostic
    assert "3 points à compléter" in page  # swot: weaknesses, opportunities, threats
    assert "1 point à compléter" in page  # no project yet
    assert "Vérifier le dossier (4 points à compléter)" in page
    assert (
        f'href="{reverse("dossiers:transition", args=[dossier.pk, "submit"])}">Déposer le dossier</a>'
        in page
    )
    assert "Date limite de dépôt" in page


def test_hub_lists_the_editors_and_invitation_link(client, lead, co_editor, draft):
    client.force_login(lead)
    page = client.get(hub(draft)).content.decode()
    assert co_editor.email in page and lead.email in page and "(vous)" in page
    assert f'href="{reverse("dossiers:invite", args=[draft.pk])}"' in page


def test_hub_of_a_returned_dossier_offers_resubmit_and_withdraw(client, lead, returned):
    client.force_login(lead)
    page = client.get(hub(returned)).content.decode()
    assert "Redéposer le dossier complété" in page
    assert "Retirer le dossier" in page
    assert "Date limite de dépôt" not in page


def _make_projects(dossier, n):
    for i in range(n):
        project = ProjectFactory(dossier=dossier, priority=i + 1)
        for _ in range(3):
            FundingLineFactory(project=project)


def test_hub_query_count_is_bounded(client, lead, filiere, campaign, django_assert_max_num_queries):
    dossier = DossierFactory(filiere=filiere)
    _make_projects(dossier, 1)
    client.force_login(lead)
    with CaptureQueriesContext(connection) as small:
        assert client.get(hub(dossier)).status_code == 200
    _make_projects(dossier, 20)
    for _n in range(5):
        filiere.editors.add(UserFactory(roles=[Role.FILIERE_LEAD]))
    with django_assert_max_num_queries(12):
        assert client.get(hub(dossier)).status_code == 200
    with CaptureQueriesContext(connection) as large:
        client.get(hub(dossier))
    assert len(large) == len(small)
