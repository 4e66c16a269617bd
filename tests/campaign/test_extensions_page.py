import datetime as dt

import pytest
from django.urls import reverse

from campaign.models import DeadlineExtension
from tests.factories import DossierFactory


@pytest.fixture
def url(campaign):
    return reverse("campaign:extensions", args=[campaign.slug])


@pytest.mark.parametrize(
    "who,status",
    [
        ("lead", 403),
        ("caresp", 403),
        ("decider", 403),
        ("outsider", 403),
        ("instructor", 200),
        ("admin_user", 200),
    ],
)
def test_only_instructors_and_admins_see_the_page(client, request, url, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == status


def test_anonymous_goes_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/comptes/connexion/" in response.url


def test_instructor_grants_an_extension_until_the_end_of_a_day(
    client, campaign, filiere, instructor, url
):
    campaign.deadline = dt.datetime(2025, 2, 14, 22, 59, 59, tzinfo=dt.UTC)
    campaign.save()
    client.force_login(instructor)
    response = client.post(
        url,
        {
            "filiere": filiere.pk,
            "until": "2025-02-28",
            "reason": "Hospitalisation du coordonnateur",
        },
    )
    assert response.status_code == 302
    extension = DeadlineExtension.objects.get()
    assert extension.until == dt.datetime(2025, 2, 28, 22, 59, 59, tzinfo=dt.UTC)
    assert extension.granted_by == instructor
    page = client.get(url).content.decode()
    assert "Hospitalisation du coordonnateur" in page and "28/02/2025 23:59" in page
    assert campaign.deadline_for(filiere) == extension.until


def test_bad_input_is_explained_and_kept(client, campaign, filiere, instructor, url):
    campaign.deadline = dt.datetime(2025, 2, 14, 22, 59, 59, tzinfo=dt.UTC)
    campaign.save()
    client.force_login(instructor)
    response = client.post(
        url, {"filiere": filiere.pk, "until": "2025-02-01", "reason": "<b>Retard</b>"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "doit être postérieure à la date limite de la campagne" in page
    assert "&lt;b&gt;Retard&lt;/b&gt;" in page
    assert not DeadlineExtension.objects.exists()
    response = client.post(url, {"filiere": filiere.pk, "until": "2025-03-01", "reason": ""})
    assert "Indiquez le motif de la prolongation." in response.content.decode()


def test_dashboard_links_to_the_page_for_instructors(client, campaign, instructor, caresp, url):
    DossierFactory(campaign=campaign, filiere__campaign=campaign, state="submitted")
    dashboard = reverse("scoring:dashboard") + f"?campagne={campaign.slug}"
    client.force_login(instructor)
    assert url in client.get(dashboard).content.decode()
    client.force_login(caresp)
    assert url not in client.get(dashboard).content.decode()
