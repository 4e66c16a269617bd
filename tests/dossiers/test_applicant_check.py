"""The completeness page: every problem at once, each a link to where it is fixed."""

import re
from urllib.parse import urlsplit

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tests.factories import DossierFactory, ProjectFactory


def links(page):
    # Page links only: the skip links of base.html ("#content"...) are not problems.
    return re.findall(r'<li><a class="fr-link" href="(/[^"]+)">([^<]+)</a></li>', page)


def test_every_problem_is_listed_with_a_working_link(client, lead, filiere):
    dossier = DossierFactory(filiere=filiere, identity={}, diagnostic={}, swot={})
    ProjectFactory(dossier=dossier, title="", objectives="")
    client.force_login(lead)
    response = client.get(reverse("dossiers:check", args=[dossier.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    found = [(url, text) for url, text in links(page) if not url.startswith("#")]
    messages = [message for _url, message in found]
    # identity (5) + diagnostic (population + 13 missions) + swot (4) + the project (title, objectives, lines)
    assert len(found) == 5 + 14 + 4 + 3
    assert "Fiche d&#x27;identité : le nom de la filière manque." in messages
    assert "Diagnostic : la population du territoire manque." in messages
    assert "AFOM : indiquez au moins un élément dans « menaces »." in messages
    assert "Une fiche projet n&#x27;a pas d&#x27;intitulé." in messages
    for heading in (
        "Fiche d&#x27;identité",
        "Diagnostic territorial",
        "Analyse AFOM (SWOT)",
        "Fiches projet",
    ):
        assert heading in page
    targets = dict((message, url) for url, message in found)
    assert targets["Fiche d&#x27;identité : le nom de la filière manque."] == (
        reverse("dossiers:section", args=[dossier.pk, "identity"]) + "#id_name"
    )
    assert targets["Diagnostic : la population du territoire manque."] == (
        reverse("dossiers:section", args=[dossier.pk, "diagnostic"]) + "#id_population"
    )
    pages = {}
    for url, message in found:
        parts = urlsplit(url.replace("&amp;", "&"))
        if parts.path not in pages:
            target = client.get(parts.path)
            assert target.status_code == 200, (url, message)
            pages[parts.path] = target.content.decode()
        if parts.fragment and parts.path.startswith(f"/dossiers/{dossier.pk}/rediger/"):
            assert f'id="{parts.fragment}"' in pages[parts.path], (url, message)


def test_mission_problem_links_to_its_fieldset(client, lead, filiere):
    dossier = DossierFactory(filiere=filiere, diagnostic={"population": 1000})
    client.force_login(lead)
    page = client.get(reverse("dossiers:check", args=[dossier.pk])).content.decode()
    url = reverse("dossiers:section", args=[dossier.pk, "diagnostic"]) + "#id_mission_rcp_status"
    assert f'href="{url}"' in page


def test_project_problems_link_to_the_project_sheet(client, lead, filiere):
    dossier = DossierFactory(filiere=filiere)
    project = ProjectFactory(dossier=dossier, objectives="")
    client.force_login(lead)
    page = client.get(reverse("dossiers:check", args=[dossier.pk])).content.decode()
    try:
        expected = (
            reverse("dossiers:project_edit", args=[dossier.pk, project.pk]) + "#id_objectives"
        )
    except NoReverseMatch:
        try:
            expected = reverse("dossiers:projects", args=[dossier.pk])
        except NoReverseMatch:
            expected = reverse("dossiers:edit", args=[dossier.pk])
    assert f'href="{expected}"' in page


def test_complete_dossier_says_so_and_offers_to_submit(client, lead, complete):
    client.force_login(lead)
    page = client.get(reverse("dossiers:check", args=[complete.pk])).content.decode()
    assert "Le dossier est complet" in page
    assert f'href="{reverse("dossiers:transition", args=[complete.pk, "submit"])}"' in page
    assert "Déposer le dossier" in page


def test_complete_returned_dossier_offers_to_resubmit(client, lead, returned):
    client.force_login(lead)
    page = client.get(reverse("dossiers:check", args=[returned.pk])).content.decode()
    assert f'href="{reverse("dossiers:transition", args=[returned.pk, "resubmit"])}"' in page
    assert "Redéposer le dossier complété" in page


def test_deadline_passed_hides_the_submit_button(client, lead, complete, campaign):
    campaign.deadline = timezone.now() - timezone.timedelta(hours=1)
    campaign.save()
    client.force_login(lead)
    page = client.get(reverse("dossiers:check", args=[complete.pk])).content.decode()
    assert "Le dossier est complet" in page
    assert "Date limite dépassée" in page
    assert reverse("dossiers:transition", args=[complete.pk, "submit"]) not in page
