"""The set-up pages of a call, as the region's ARS uses them: create, choose territories,
add filières and leads, import a spreadsheet (preview, an error per row, all or nothing),
publish; what others get there."""

import csv
import datetime as dt
import html
import io

import openpyxl
import pandas as pd
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from campaign.enums import CampaignState
from campaign.models import Campaign, Filiere, LeadNomination
from tests.factories import NORMANDIE, TerritoryFactory, UserFactory, region
from tests.setup.conftest import run_command

pytestmark = pytest.mark.django_db

HEADER = ["Filière", "Territoires", "Porteur", "Courriel du porteur"]


@pytest.fixture
def region_admin(db):
    return UserFactory(username="admin-bretagne", roles=[Role.REGION_ADMIN])


@pytest.fixture
def territories(db):
    return [
        TerritoryFactory(region=region(), code=f"T{n}", name=f"Territoire {n}") for n in range(1, 9)
    ]


def create_call(client, **overrides):
    today = timezone.localdate()
    data = {
        "region": region().pk,
        "name": "Reconnaissance des filières 2027",
        "opens_on": (today - dt.timedelta(days=1)).isoformat(),
        "deadline_on": (today + dt.timedelta(days=60)).isoformat(),
        "deadline_time": "",
        "decision_date": (today + dt.timedelta(days=150)).isoformat(),
        "first_delegation_date": (today + dt.timedelta(days=170)).isoformat(),
        "recurring": "1 600 000",
        "one_off": "400 000,00",
        "signatory_name": "Dr Anne Martin",
        "signatory_title": "",
        "appeal_court": "tribunal administratif de Rennes",
        **overrides,
    }
    return client.post(reverse("setup:campaign_create"), data)


def rows_csv(rows, header=HEADER, separator=";"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def eight_rows(bad=None):
    rows = [
        [f"Filière {n}", f"T{n}", f"Porteur {n}", f"porteur{n}@example.fr"] for n in range(1, 9)
    ]
    if bad is not None:
        rows[bad] = [f"Filière {bad + 1}", "T9", f"Porteur {bad + 1}", "pas-une-adresse"]
    return rows


def upload(client, slug, content, name="filieres.csv"):
    return client.post(
        reverse("setup:filieres_import", args=[slug]),
        {"file": SimpleUploadedFile(name, content)},
    )


def test_the_region_admin_creates_and_publishes_a_call(
    client, region_admin, territories, django_capture_on_commit_callbacks
):
    client.force_login(region_admin)
    assert client.get(reverse("setup:campaigns")).status_code == 200
    response = create_call(client)
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("setup:territories", args=[campaign.slug])
    assert campaign.state == CampaignState.DRAFT
    assert campaign.slug.startswith("bretagne-")
    assert timezone.localtime(campaign.deadline).time() == dt.time(23, 59, 59)
    assert {e.kind: str(e.amount) for e in campaign.envelopes.all()} == {
        "recurring": "1600000.00",
        "one_off": "400000.00",
    }
    response = client.post(
        reverse("setup:territories", args=[campaign.slug]),
        {"territories": [t.pk for t in territories]},
    )
    assert response.status_code == 302
    assert campaign.territories.count() == 8
    response = client.post(
        reverse("setup:filieres", args=[campaign.slug]),
        {
            "name": "Nord Finistère",
            "territories": [territories[0].pk],
            "lead_name": "Anne Le Goff",
            "lead_email": "anne@example.fr",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("setup:campaign", args=[campaign.slug]))
    assert page.status_code == 200
    assert "L'appel peut être publié" in page.content.decode()
    assert client.get(reverse("setup:publish", args=[campaign.slug])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("setup:publish", args=[campaign.slug]))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.PUBLISHED
    assert [m.to for m in mail.outbox] == [["anne@example.fr"]]
    public = client.get(reverse("public:call", args=[campaign.slug]))
    assert public.status_code == 200
    assert "Nord Finistère" not in public.content.decode()  # results are not published


def test_a_bad_form_keeps_what_was_typed(client, region_admin):
    client.force_login(region_admin)
    response = create_call(
        client, deadline_on="2020-01-01", recurring="beaucoup", name="Appel mal daté"
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Appel mal daté" in body and "beaucoup" in body
    assert not Campaign.objects.exists()


def test_the_import_refuses_the_whole_file_and_names_the_bad_row(client, region_admin, territories):
    client.force_login(region_admin)
    create_call(client)
    campaign = Campaign.objects.get()
    client.post(
        reverse("setup:territories", args=[campaign.slug]),
        {"territories": [t.pk for t in territories]},
    )
    response = upload(client, campaign.slug, rows_csv(eight_rows(bad=4)))
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert response.context["problems"] == [
        "Ligne 6 : territoire « T9 » inconnu de la campagne (territoires : T1, T2, T3, T4, "
        "T5, T6, T7, T8).",
        "Ligne 6 : « pas-une-adresse » n'est pas une adresse électronique.",
    ]
    assert "Ligne 6 : « pas-une-adresse » n'est pas une adresse électronique." in body
    assert 'name="payload"' not in body
    assert not Filiere.objects.filter(campaigns=campaign).exists()

    response = upload(client, campaign.slug, rows_csv(eight_rows()))
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert "Importer les 8 filières" in body
    payload = response.context["payload"]
    response = client.post(
        reverse("setup:filieres_import", args=[campaign.slug]), {"payload": payload}
    )
    assert response.status_code == 302
    assert campaign.filieres.count() == 8
    assert LeadNomination.objects.filter(campaign=campaign, invited_at__isnull=True).count() == 8
    assert mail.outbox == []  # a draft: the invitations leave at publication
    filiere = campaign.filieres.get(name="Filière 3")
    assert list(filiere.territories.values_list("code", flat=True)) == ["T3"]


def test_a_tampered_preview_is_refused(client, region_admin, territories):
    client.force_login(region_admin)
    create_call(client)
    campaign = Campaign.objects.get()
    response = client.post(
        reverse("setup:filieres_import", args=[campaign.slug]), {"payload": "faux:jeton"}
    )
    assert response.status_code == 302
    assert not campaign.filieres.exists()


@pytest.mark.parametrize("kind", ["xlsx", "ods", "csv-comma-latin1"])
def test_spreadsheets_of_every_kind_are_read(client, region_admin, territories, kind):
    client.force_login(region_admin)
    create_call(client)
    campaign = Campaign.objects.get()
    client.post(
        reverse("setup:territories", args=[campaign.slug]),
        {"territories": [t.pk for t in territories]},
    )
    rows = [["Cœur de Breizh", "T8, Territoire 7", "Loïc Le Bihan", "loic@example.fr"]]
    if kind == "xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["FILIERE", "territoires", "Nom du porteur", "E-mail"])
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        content, name = buffer.getvalue(), "filieres.xlsx"
    elif kind == "ods":
        buffer = io.BytesIO()
        pd.DataFrame(rows, columns=HEADER).to_excel(buffer, engine="odf", index=False)
        content, name = buffer.getvalue(), "filieres.ods"
    else:
        content = rows_csv(rows, separator=",").decode().encode("cp1252")
        name = "filieres.txt"
    response = upload(client, campaign.slug, content, name)
    assert response.status_code == 200, response.context["problems"]
    [row] = response.context["preview"].rows
    assert (row.name, row.territories, row.lead_email) == (
        "Cœur de Breizh",
        ["T8", "T7"],
        "loic@example.fr",
    )


def test_a_file_that_is_no_spreadsheet_is_refused(client, region_admin, territories):
    client.force_login(region_admin)
    create_call(client)
    campaign = Campaign.objects.get()
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = upload(client, campaign.slug, pdf, "filieres.xlsx")
    assert response.status_code == 400
    assert "XLSX, ODS ou CSV" in response.content.decode()
    response = upload(client, campaign.slug, rows_csv([], header=["Nom", "Autre"]))
    assert response.status_code == 400
    assert "Colonnes introuvables" in response.content.decode()


def test_others_get_no_set_up_page(client, region_admin, territories, lead, campaign):
    normandie_admin = UserFactory(roles=[(Role.REGION_ADMIN, region(NORMANDIE))])
    instructor = UserFactory(roles=[Role.ARS_INSTRUCTOR])
    url = reverse("setup:campaign", args=[campaign.slug])
    for user, status in ((normandie_admin, 404), (instructor, 403), (lead, 403)):
        client.force_login(user)
        assert client.get(url).status_code == status, user
        assert client.post(reverse("setup:publish", args=[campaign.slug])).status_code in (
            403,
            404,
        )
    client.force_login(normandie_admin)
    assert client.get(reverse("setup:region", args=["53"])).status_code == 404
    assert client.get(reverse("setup:region", args=["28"])).status_code == 200
    client.force_login(lead)
    assert client.get(reverse("setup:campaigns")).status_code == 403


def test_the_public_pages_show_published_calls_only(client, region_admin, campaign):
    client.force_login(region_admin)
    create_call(client)
    draft = Campaign.objects.get(state=CampaignState.DRAFT)
    client.logout()
    assert client.get(reverse("public:call", args=[draft.slug])).status_code == 404
    assert client.get(reverse("public:call", args=[campaign.slug])).status_code == 200
    calls = client.get(reverse("public:calls")).content.decode()
    assert campaign.name in calls and draft.name not in calls
    page = client.get(reverse("public:region", args=["bretagne"]))
    assert page.status_code == 200
    assert "carespbzh@gmail.com" in page.content.decode()
    normandie = client.get(reverse("public:region", args=["normandie"])).content.decode()
    assert "Christine Gojon" in normandie
    assert client.get(reverse("public:region", args=["atlantide"])).status_code == 404


def test_the_region_page_keeps_its_territories_and_cell(client, region_admin):
    client.force_login(region_admin)
    url = reverse("setup:region", args=["53"])
    response = client.post(
        url, {"action": "territory", "code": "T1", "name": "Brest", "departements": "29"}
    )
    assert response.status_code == 302
    response = client.post(
        url, {"action": "territory", "code": "T 1", "name": "", "departements": "99x"}
    )
    assert response.status_code == 400
    content = rows_csv(
        [["T2", "Quimper", "29"], ["T3", "Lorient", "56, 29"]],
        header=["Code", "Nom", "Départements"],
    )
    response = client.post(
        url, {"action": "import", "file": SimpleUploadedFile("territoires.csv", content)}
    )
    assert response.status_code == 302
    assert list(region().territories.values_list("code", "departements")) == [
        ("T1", ["29"]),
        ("T2", ["29"]),
        ("T3", ["56", "29"]),
    ]
    bad = rows_csv(
        [["T4", "Vannes", "56"], ["T5", "", "35"]], header=["Code", "Nom", "Départements"]
    )
    response = client.post(
        url, {"action": "import", "file": SimpleUploadedFile("territoires.csv", bad)}
    )
    assert response.status_code == 400
    assert "Ligne 3" in response.content.decode()
    assert not region().territories.filter(code="T4").exists()
    response = client.post(
        url,
        {
            "action": "cell",
            "acronym": "CARESP",
            "name": "Cellule bretonne",
            "emails": "caresp@example.fr",
            "contacts": "Jeanne Martin ; coordinatrice ; jeanne@example.fr ; 02 99 00 00 00",
        },
    )
    assert response.status_code == 302
    cell = region().coordination_cell
    assert cell.contacts == [
        {
            "name": "Jeanne Martin",
            "role": "coordinatrice",
            "email": "jeanne@example.fr",
            "phone": "02 99 00 00 00",
        }
    ]


def test_the_django_admin_shows_campaigns_read_only(client, admin_user, campaign):
    """The admin is no longer needed for a campaign: what it shows is read-only where a
    domain rule applies (state, calendar, territories, filières, editors, history)."""
    client.force_login(admin_user)
    assert (
        client.get(reverse("admin:campaign_campaign_change", args=[campaign.pk])).status_code == 200
    )
    for name in (
        "admin:campaign_campaign_add",
        "admin:campaign_filiere_add",
        "admin:campaign_deadlineextension_add",
        "admin:campaign_campaignevent_add",
        "admin:campaign_leadnomination_add",
    ):
        assert client.get(reverse(name)).status_code == 403, name
    response = client.post(
        reverse("admin:campaign_campaign_change", args=[campaign.pk]), {"name": "Autre"}
    )
    assert response.status_code == 403
    campaign.refresh_from_db()
    assert campaign.name != "Autre"


def test_the_territories_of_a_region_load_from_the_command_line(tmp_path):
    path = tmp_path / "normandie.csv"
    path.write_bytes(
        rows_csv(
            [["N1", "Caen – Bayeux", "14"], ["N2", "Rouen – Elbeuf", "76"]],
            header=["Code", "Nom", "Départements"],
        )
    )
    code, out, err = run_command("load_territories", "Normandie", str(path))
    assert code == 0, err
    assert "2 ajouté(s)" in out
    assert list(region(NORMANDIE).territories.values_list("code", flat=True)) == ["N1", "N2"]
    path.write_bytes(rows_csv([["N3", "Évreux", "99Z"]], header=["Code", "Nom", "Départements"]))
    code, _out, err = run_command("load_territories", "28", str(path))
    assert code == 1 and "Ligne 2" in err
    assert run_command("load_territories", "Atlantide", str(path))[0] == 1
