"""Every outputs page and endpoint × every role.

Staff = CARESP reviewer, ARS instructor, ARS decider, administrator (api.md "staff").
A lead reads only its own filière's letter, once decided; another filière's
dossier is 404 (it may not know it exists)."""

import io
import zipfile

import openpyxl
import pytest

from accounts.models import ApiToken
from outputs.domain import jobs
from outputs.models import OutputJob

STAFF = ["caresp", "instructor", "decider", "admin"]
NOT_STAFF = ["lead", "other_lead", "outsider"]
ALL = STAFF + NOT_STAFF + ["anonymous"]


def api_get(client, user, url):
    headers = {}
    if user is not None:
        _token, raw = ApiToken.issue(user)
        headers["Authorization"] = f"Bearer {raw}"
    return client.get(url, headers=headers)


def web_client(client, user):
    if user is not None:
        client.force_login(user)
    return client


def expected_web(role, staff_code=200, other=403):
    if role == "anonymous":
        return 302
    return staff_code if role in STAFF else other


# ---------------------------------------------------------------- API


@pytest.mark.parametrize("role", ALL)
@pytest.mark.parametrize("fmt", ["xlsx", "ods", "csv"])
def test_api_export(client, scenario, campaign, roles, role, fmt):
    response = api_get(
        client, roles[role], f"/api/v1/campaigns/{campaign.slug}/exports/decisions.{fmt}"
    )
    expected = {"anonymous": 401}.get(role, 200 if role in STAFF else 403)
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Disposition"].startswith(
            f'attachment; filename="decisions-{campaign.slug}-'
        )
        if fmt == "xlsx":
            book = openpyxl.load_workbook(io.BytesIO(response.content))
            assert book["Décisions"].max_row == 6  # header, 4 project sheets, totals
    else:
        assert set(response.json()) == {"detail", "errors"}


def test_api_export_unknown_format_or_campaign(client, scenario, campaign, instructor):
    assert (
        api_get(
            client, instructor, f"/api/v1/campaigns/{campaign.slug}/exports/decisions.pdf"
        ).status_code
        == 404
    )
    response = api_get(client, instructor, "/api/v1/campaigns/inconnue/exports/decisions.xlsx")
    assert response.status_code == 404
    assert response.json()["detail"] == "Campagne introuvable."


@pytest.mark.parametrize("role", ALL)
def test_api_letter_of_decided_dossier(client, scenario, roles, role):
    response = api_get(client, roles[role], f"/api/v1/dossiers/{scenario['a'].id}/letter.docx")
    expected = {
        "anonymous": 401,
        "lead": 200,  # its own filière, decided
        "other_lead": 404,
        "outsider": 404,
    }.get(role, 200)
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        assert response.content[:2] == b"PK"


@pytest.mark.parametrize("role", ALL)
def test_api_letter_of_undecided_dossier(client, scenario, roles, role):
    # B belongs to other_lead's filière and is in ARS analysis.
    response = api_get(client, roles[role], f"/api/v1/dossiers/{scenario['b'].id}/letter.docx")
    expected = {"anonymous": 401, "lead": 404, "outsider": 404}.get(role, 409)
    assert response.status_code == expected
    if expected == 409:
        assert response.json()["detail"].startswith("Le courrier de décision n'existe qu'une fois")


def test_api_letter_of_draft_or_unknown_dossier_is_404(client, scenario, instructor):
    assert (
        api_get(client, instructor, f"/api/v1/dossiers/{scenario['d'].id}/letter.docx").status_code
        == 404
    )
    assert api_get(client, instructor, "/api/v1/dossiers/999999/letter.docx").status_code == 404


@pytest.mark.parametrize("role", ALL)
def test_api_letters_zip(client, scenario, campaign, roles, role):
    response = api_get(client, roles[role], f"/api/v1/campaigns/{campaign.slug}/letters.zip")
    expected = {"anonymous": 401}.get(role, 202 if role in STAFF else 403)
    assert response.status_code == expected
    if expected == 202:
        ready = api_get(client, roles[role], response["Location"])
        assert ready.status_code == 200
        assert len(zipfile.ZipFile(io.BytesIO(b"".join(ready.streaming_content))).namelist()) == 2


@pytest.mark.parametrize("role", ALL)
def test_api_job_polling_url(client, scenario, campaign, roles, role, instructor):
    job = OutputJob.objects.create(
        campaign=campaign, kind=OutputJob.Kind.LETTERS_ZIP, requested_by=instructor
    )
    response = api_get(client, roles[role], f"/api/v1/campaigns/{campaign.slug}/jobs/{job.pk}")
    assert response.status_code == {"anonymous": 401}.get(role, 202 if role in STAFF else 403)


@pytest.mark.parametrize("role", ALL)
def test_api_coverage(client, scenario, campaign, roles, role):
    response = api_get(client, roles[role], f"/api/v1/campaigns/{campaign.slug}/coverage")
    assert response.status_code == {"anonymous": 401}.get(role, 200 if role in STAFF else 403)


def test_api_endpoints_are_in_the_openapi_schema(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/campaigns/{slug}/exports/decisions.{fmt}",
        "/api/v1/campaigns/{slug}/letters.zip",
        "/api/v1/campaigns/{slug}/jobs/{job_id}",
        "/api/v1/dossiers/{dossier_id}/letter.docx",
        "/api/v1/campaigns/{slug}/coverage",
    ]:
        assert path in paths, path


# ---------------------------------------------------------------- web pages


@pytest.mark.parametrize("role", ALL)
@pytest.mark.parametrize("page", ["exports", "courriers", "couverture"])
def test_campaign_pages(client, scenario, campaign, roles, role, page):
    response = web_client(client, roles[role]).get(f"/campagnes/{campaign.slug}/{page}/")
    assert response.status_code == expected_web(role)
    if role == "anonymous":
        assert response["Location"].startswith("/comptes/connexion/")


def test_unknown_campaign_page_is_404(client, instructor, db):
    client.force_login(instructor)
    assert client.get("/campagnes/inconnue/exports/").status_code == 404


@pytest.mark.parametrize("role", ALL)
def test_web_export_download(client, scenario, campaign, roles, role):
    response = web_client(client, roles[role]).post(
        f"/campagnes/{campaign.slug}/exports/", {"format": "csv"}
    )
    assert response.status_code == expected_web(role)
    if role in STAFF:
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response.content.startswith("\ufeffN° dossier;".encode())


def test_web_export_bad_format_keeps_the_page(client, scenario, campaign, instructor):
    client.force_login(instructor)
    response = client.post(f"/campagnes/{campaign.slug}/exports/", {"format": "pdf"})
    assert response.status_code == 200
    assert "Choisissez le format xlsx, ods ou csv." in response.content.decode()


@pytest.mark.parametrize("role", ALL)
def test_web_letters_zip_start(client, scenario, campaign, roles, role):
    response = web_client(client, roles[role]).post(f"/campagnes/{campaign.slug}/courriers/zip/")
    assert response.status_code == expected_web(role, staff_code=302)
    assert OutputJob.objects.count() == (1 if role in STAFF else 0)


@pytest.mark.parametrize("role", ALL)
def test_web_job_status_and_download(client, scenario, campaign, roles, role, instructor):
    # An export job is its requester's (decision 0021): each staff member follows its own.
    owner = roles[role] if role in STAFF else instructor
    job = jobs.start_job(owner, campaign, OutputJob.Kind.DECISIONS_XLSX)
    c = web_client(client, roles[role])
    status = c.get(f"/campagnes/{campaign.slug}/generations/{job.pk}/")
    download = c.get(f"/campagnes/{campaign.slug}/generations/{job.pk}/fichier/")
    assert status.status_code == expected_web(role)
    assert download.status_code == expected_web(role)
    if role in STAFF:
        book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
        assert book.sheetnames[0] == "Décisions"


@pytest.mark.parametrize("role", ALL)
def test_web_letter(client, scenario, roles, role):
    c = web_client(client, roles[role])
    decided = c.get(f"/campagnes/dossiers/{scenario['a'].id}/courrier.docx")
    expected = {"anonymous": 302, "lead": 200, "other_lead": 404, "outsider": 404}.get(role, 200)
    assert decided.status_code == expected
    undecided = c.get(f"/campagnes/dossiers/{scenario['b'].id}/courrier.docx")
    expected = {"anonymous": 302, "lead": 404, "outsider": 404}.get(role, 409)
    assert undecided.status_code == expected
    if expected == 409:
        assert "n&#x27;existe qu&#x27;une fois le dossier décidé" in undecided.content.decode()


@pytest.mark.parametrize("role", ALL)
def test_web_letter_template_download(client, scenario, campaign, roles, role):
    response = web_client(client, roles[role]).get(
        f"/campagnes/{campaign.slug}/courriers/modele.docx"
    )
    assert response.status_code == expected_web(role)


@pytest.mark.parametrize("role", ALL)
def test_web_letter_settings(client, scenario, campaign, roles, role):
    response = web_client(client, roles[role]).post(
        f"/campagnes/{campaign.slug}/courriers/parametres/",
        {"signatory_name": "A", "signatory_title": "B", "appeal_mention": "C"},
    )
    expected = {"anonymous": 302, "admin": 302}.get(role, 403)
    assert response.status_code == expected


@pytest.mark.parametrize("role", ALL)
def test_web_print(client, scenario, roles, role):
    c = web_client(client, roles[role])
    for suffix in ["impression/", "impression.docx"]:
        response = c.get(f"/campagnes/dossiers/{scenario['a'].id}/{suffix}")
        expected = {"anonymous": 302, "other_lead": 404, "outsider": 404}.get(role, 200)
        assert response.status_code == expected, suffix


@pytest.mark.parametrize("role", ALL)
def test_outputs_home(client, scenario, campaign, roles, role):
    response = web_client(client, roles[role]).get("/campagnes/sorties/")
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert (f"/campagnes/{campaign.slug}/exports/" in html) == (role in STAFF)
    # The lead sees its own decided dossier's letter, never another filière's.
    own_letter = f"/campagnes/dossiers/{scenario['a'].id}/courrier.docx"
    assert (own_letter in html) == (role == "lead")
    assert (f"/campagnes/dossiers/{scenario['b'].id}/impression/" in html) == (role == "other_lead")


def nav_of(html):
    start = html.index('id="navigation"')
    return html[start : html.index("</nav>", start)]


def test_nav_entry(client, scenario, lead, instructor, outsider):
    client.force_login(instructor)
    assert "Exports, courriers et couverture" in nav_of(
        client.get("/", follow=True).content.decode()
    )
    client.force_login(lead)
    assert "Mes décisions" in nav_of(client.get("/").content.decode())
    client.force_login(outsider)
    nav = nav_of(client.get("/").content.decode())
    assert "Mes décisions" not in nav and "Exports, courriers" not in nav


@pytest.mark.parametrize("page", ["exports", "courriers", "couverture"])
def test_pages_have_a_fixed_number_of_queries(
    client, scenario, campaign, admin_user, page, django_assert_max_num_queries
):
    for kind in (OutputJob.Kind.LETTERS_ZIP, OutputJob.Kind.DECISIONS_XLSX):
        jobs.start_job(admin_user, campaign, kind)
    client.force_login(admin_user)
    with django_assert_max_num_queries(14):
        response = client.get(f"/campagnes/{campaign.slug}/{page}/")
    assert response.status_code == 200
