"""Budget pages: dashboard, envelopes, proposal, decision, delegations; every role."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from budget.domain.decisions import decide
from budget.domain.delegations import record_delegation
from budget.models import Delegation, Envelope, EnvelopeAmendment
from budget.views import pages as budget_views
from budget.views.pages import DELEGATIONS_PER_PAGE, LINES_PER_PAGE
from common.identifiers import finess_with_key
from common.money import format_eur
from dossiers.enums import DossierState
from tests.budget.conftest import ONE_OFF, REC, grant_all, lines_of, make_dossier

FINESS = finess_with_key("29000001")
ARS = {"instructor", "decider", "admin_user"}
EVERYONE = [
    "anonymous",
    "lead",
    "other_lead",
    "caresp",
    "instructor",
    "decider",
    "admin_user",
    "outsider",
]


@pytest.fixture
def browse(request, client):
    def call(who, method, url, data=None):
        if who != "anonymous":
            client.force_login(request.getfixturevalue(who))
        return getattr(client, method)(url, data or {})

    return call


def assert_csp_friendly(html):
    assert " style=" not in html
    # No resource from elsewhere (links to other sites, as the DSFR footer's, are fine).
    assert not re.search(r'src="https?://', html)
    assert not re.search(r'<link[^>]+href="https?://', html)
    assert "<script>" not in html


# ---------------------------------------------------------------- dashboard


@pytest.mark.parametrize("who", EVERYONE)
def test_dashboard_is_for_ars_staff_only(browse, analysed, decider, who):
    decide(analysed, decider, "accepted", grant_all(analysed), "Accord.")
    response = browse(who, "get", reverse("budget:dashboard", args=["bretagne-2025"]))
    if who == "anonymous":
        assert response.status_code == 302 and "/comptes/" in response["Location"]
    elif who in ARS:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        html = response.content.decode()
        # No amount leaks (the CSRF token and names are random: look for amounts only).
        assert "52\u202f000" not in html and "52000" not in html and "52 000" not in html


def test_dashboard_shows_french_amounts_and_an_accessible_chart(browse, analysed, decider):
    decide(analysed, decider, "accepted", grant_all(analysed), "Accord.")
    html = browse(
        "instructor", "get", reverse("budget:dashboard", args=["bretagne-2025"])
    ).content.decode()
    assert "1\u202f600\u202f000,00\u00a0€" in html
    assert format_eur(Decimal("1548000")) in html  # remaining
    assert format_eur(Decimal("26000")) in html  # 2025 prorata
    assert '<svg viewBox="0 0 640 260"' in html and 'role="img"' in html
    assert '<title id="chart-title">' in html and "<desc id=" in html
    assert "Engagements par année (reconductible au prorata la première année)" in html
    assert reverse("budget:decision", args=[analysed.pk]) in html
    assert "avenant-recurring" not in html  # the instructor does not amend envelopes
    assert_csp_friendly(html)


@pytest.mark.parametrize("count", [2, 8])
def test_dashboard_query_count_does_not_grow(
    client, django_assert_max_num_queries, campaign, instructor, decider, territories, count
):
    for index in range(count):
        dossier = make_dossier(
            campaign,
            instructor,
            [(REC, "1000.00"), (ONE_OFF, "10.00")],
            territories=[territories[index % 4]],
        )
        decide(dossier, decider, "accepted", grant_all(dossier), "Accord.")
    url = reverse("budget:dashboard", args=["bretagne-2025"])
    client.force_login(decider)
    # session, user, roles, campaign, summary (7), envelopes + history (2), campaigns,
    # dossiers (count, one page, its stored totals)
    with django_assert_max_num_queries(17):
        response = client.get(url)
    assert response.status_code == 200


def test_dashboard_lists_the_dossiers_one_page_at_a_time(
    client, monkeypatch, campaign, instructor, decider
):
    monkeypatch.setattr(budget_views, "DOSSIERS_PER_PAGE", 2)
    for amount in ("1000.00", "2000.00", "3000.00"):
        make_dossier(campaign, instructor, [(REC, amount)])
    client.force_login(decider)
    url = reverse("budget:dashboard", args=["bretagne-2025"])
    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()
    assert "Page 1 sur 2 (3 dossiers)" in first and "Page 2 sur 2 (3 dossiers)" in second
    assert first.count('href="/campagnes/dossiers/') == 2 * 2  # proposal and decision links
    assert second.count('href="/campagnes/dossiers/') == 2
    # The envelope totals still count every dossier.
    assert format_eur(Decimal("6000.00")) in second


def test_budget_home_redirects_to_the_latest_campaign(browse, campaign):
    response = browse("decider", "get", reverse("budget:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("budget:dashboard", args=["bretagne-2025"])
    assert browse("lead", "get", reverse("budget:home")).status_code == 403


@pytest.mark.parametrize("who", ["lead", "caresp", "instructor", "decider", "admin_user"])
def test_nav_shows_budget_to_ars_roles_only(browse, campaign, who):
    # Staff are sent from the home page to the dossier list: read the page they land on.
    page = reverse("home") if who == "lead" else reverse("dossiers:list")
    html = browse(who, "get", page).content.decode()
    assert (reverse("budget:home") in html) == (who in ARS)


# ---------------------------------------------------------------- envelopes


def amend_url(kind="recurring"):
    return reverse("budget:amend_envelope", args=["bretagne-2025", kind])


def amendment_data(amount="1 800 000,00", kind="recurring"):
    return {
        f"{kind}-new_amount": amount,
        f"{kind}-date": "2025-09-01",
        f"{kind}-reason": "Stratégie décennale.",
    }


@pytest.mark.parametrize("who", EVERYONE)
def test_amend_envelope_per_role(browse, campaign, who):
    response = browse(who, "post", amend_url(), amendment_data())
    amount = Envelope.objects.get(campaign=campaign, kind="recurring").amount
    if who in {"decider", "admin_user"}:
        assert response.status_code == 302
        assert amount == Decimal("1800000.00")
        html = browse(who, "get", response["Location"].split("#")[0]).content.decode()
        assert "Stratégie décennale." in html and format_eur(Decimal("1800000")) in html
    else:
        assert response.status_code in {302, 403} and amount == Decimal("1600000.00")
        if who != "anonymous":
            assert response.status_code == 403


def test_amend_below_granted_shows_the_refusal_and_keeps_the_input(browse, analysed, decider):
    decide(analysed, decider, "accepted", grant_all(analysed), "Accord.")
    response = browse("decider", "post", amend_url(), amendment_data("51 999,99"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Modification refusée" in html and "de 0,01\u00a0€" in html
    assert 'value="51 999,99"' in html
    assert not EnvelopeAmendment.objects.exists()
    response = browse("decider", "post", amend_url(), amendment_data("abc"))
    assert response.status_code == 400
    assert "n&#x27;est pas un montant valide" in response.content.decode()


# ---------------------------------------------------------------- proposal


def proposal_url(dossier):
    return reverse("budget:proposal", args=[dossier.pk])


def proposal_data(dossier, amounts=("40 000,50", "0")):
    data = {}
    for line, amount in zip(lines_of(dossier), amounts, strict=True):
        data[f"proposed_{line.pk}"] = amount
        data[f"opinion_{line.pk}"] = "favourable"
    return data


@pytest.mark.parametrize("who", EVERYONE)
def test_proposal_page_per_role(browse, analysed, who):
    response = browse(who, "get", proposal_url(analysed))
    expected = {
        "anonymous": 302,
        "lead": 403,
        "other_lead": 404,
        "caresp": 403,
        "instructor": 200,
        "decider": 200,
        "admin_user": 200,
        "outsider": 404,
    }[who]
    assert response.status_code == expected
    if expected == 200:
        html = response.content.decode()
        assert ("Enregistrer la proposition" in html) == (who == "instructor")
        assert 'data-budget-after="recurring"' in html
        assert_csp_friendly(html)
    post = browse(who, "post", proposal_url(analysed), proposal_data(analysed))
    if who == "instructor":
        assert post.status_code == 302
        assert [line.proposed for line in lines_of(analysed)] == [
            Decimal("40000.50"),
            Decimal("0.00"),
        ]
    else:
        assert post.status_code == (302 if who == "anonymous" else 404 if expected == 404 else 403)
        assert [line.proposed for line in lines_of(analysed)] == [None, None]


def test_proposal_page_shows_remaining_envelopes(browse, campaign, instructor, analysed):
    other = make_dossier(campaign, instructor, [(REC, "100000.00")])
    browse("instructor", "post", proposal_url(other), proposal_data(other, ["90 000"]))
    html = browse("instructor", "get", proposal_url(analysed)).content.decode()
    assert format_eur(Decimal("90000")) in html  # proposed on the other dossier
    assert 'data-available="1510000.00"' in html  # 1 600 000 − 90 000
    assert "/static/js/budget.js" in html


def test_proposal_errors_keep_the_input(browse, campaign, instructor, analysed):
    response = browse(
        "instructor", "post", proposal_url(analysed), proposal_data(analysed, ["-3", "1,5"])
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Le montant ne peut pas être négatif." in html and 'value="-3"' in html
    submitted = make_dossier(campaign, instructor, [(REC, "1000.00")], state="submitted")
    response = browse(
        "instructor", "post", proposal_url(submitted), proposal_data(submitted, ["500"])
    )
    assert response.status_code == 409
    assert "Proposition impossible" in response.content.decode()


# ---------------------------------------------------------------- decision


def decision_url(dossier):
    return reverse("budget:decision", args=[dossier.pk])


def decision_data(dossier, amounts, outcome="accepted", month="2025-07"):
    data = {"outcome": outcome, "comment": "Motivation de la décision."}
    for line, amount in zip(lines_of(dossier), amounts, strict=True):
        data[f"granted_{line.pk}"] = amount
        data[f"start_month_{line.pk}"] = month
        data[f"justification_{line.pk}"] = ""
    return data


@pytest.mark.parametrize("who", EVERYONE)
def test_decision_page_per_role(browse, analysed, who, django_capture_on_commit_callbacks):
    response = browse(who, "get", decision_url(analysed))
    expected = {
        "anonymous": 302,
        "lead": 403,
        "other_lead": 404,
        "caresp": 403,
        "instructor": 200,
        "decider": 200,
        "admin_user": 200,
        "outsider": 404,
    }[who]
    assert response.status_code == expected
    if expected == 200:
        html = response.content.decode()
        assert ("Enregistrer la décision" in html) == (who == "decider")
        assert_csp_friendly(html)
    with django_capture_on_commit_callbacks(execute=True):
        post = browse(
            who, "post", decision_url(analysed), decision_data(analysed, ["52 000", "10 000,00"])
        )
    analysed.refresh_from_db()
    if who == "decider":
        assert post.status_code == 302
        assert analysed.state == DossierState.DECIDED and analysed.outcome == "accepted"
        assert [line.granted for line in lines_of(analysed)] == [
            Decimal("52000.00"),
            Decimal("10000.00"),
        ]
        assert any(m.to == ["porteur@example.fr"] for m in mail.outbox)
        html = browse(who, "get", decision_url(analysed)).content.decode()
        assert "Décision enregistrée le" in html and "Enregistrer la décision" not in html
    else:
        assert post.status_code == (302 if who == "anonymous" else 404 if expected == 404 else 403)
        assert analysed.state == DossierState.ARS_ANALYSIS


def test_decision_overflow_shows_the_overflow_and_keeps_the_input(
    browse, campaign, instructor, decider
):
    first = make_dossier(campaign, instructor, [(REC, "1000000.00")])
    decide(first, decider, "accepted", grant_all(first), "Accord.")
    second = make_dossier(campaign, instructor, [(REC, "700000.00")])
    response = browse(
        "decider",
        "post",
        decision_url(second),
        decision_data(second, ["600 000,01"], "partially_accepted"),
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert (
        "Décision refusée : l&#x27;enveloppe reconductible serait dépassée de 0,01\u00a0€." in html
    )
    assert 'value="600 000,01"' in html and "Motivation de la décision." in html
    second.refresh_from_db()
    assert second.state == DossierState.ARS_ANALYSIS
    response = browse(
        "decider",
        "post",
        decision_url(second),
        decision_data(second, ["600 000,00"], "partially_accepted"),
    )
    assert response.status_code == 302


def test_decision_form_errors_are_put_on_their_fields(browse, analysed):
    data = decision_data(analysed, ["52 000", "9 000"], "accepted")
    response = browse("decider", "post", decision_url(analysed), data)
    assert response.status_code == 400
    assert "choisissez « Partiellement accepté »" in response.content.decode()
    data = decision_data(analysed, ["60 000", "10 000"], "accepted", month="juillet")
    response = browse("decider", "post", decision_url(analysed), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Mois invalide" in html
    data = decision_data(analysed, ["60 000", "10 000"], "accepted")
    html = browse("decider", "post", decision_url(analysed), data).content.decode()
    assert "justifiez-le par écrit" in html
    line = lines_of(analysed)[0]
    assert f'href="#id_justification_{line.pk}"' in html


# ---------------------------------------------------------------- delegations


@pytest.fixture
def granted_line(campaign, instructor, decider):
    dossier = make_dossier(campaign, instructor, [(REC, "52000.00")])
    decide(dossier, decider, "accepted", grant_all(dossier), "Accord.")
    return lines_of(dossier)[0]


def delegation_data(line, amount="26 000,00"):
    return {
        "line": line.pk,
        "amount": amount,
        "date": "2025-07-15",
        "instrument": "fir_arrete",
        "beneficiary_finess": FINESS,
    }


@pytest.mark.parametrize("who", EVERYONE)
def test_delegations_page_per_role(browse, granted_line, who):
    url = reverse("budget:delegations", args=["bretagne-2025"])
    response = browse(who, "get", url)
    if who == "anonymous":
        assert response.status_code == 302
    elif who in ARS:
        assert response.status_code == 200
        html = response.content.decode()
        assert ("Enregistrer la délégation" in html) == (who == "decider")
        assert f'data-finess="{granted_line.beneficiary_finess}"' in html or who != "decider"
        assert_csp_friendly(html)
    else:
        assert response.status_code == 403
    post = browse(who, "post", url, delegation_data(granted_line))
    if who == "decider":
        assert post.status_code == 302
        delegation = Delegation.objects.get()
        assert (delegation.amount, delegation.created_by.username) == (
            Decimal("26000.00"),
            "decideur",
        )
        html = browse(who, "get", url).content.decode()
        assert "Première délégation :" in html and "15 juillet 2025" in html
    else:
        assert post.status_code in ({302} if who == "anonymous" else {403})
        assert not Delegation.objects.exists()


def test_delegation_above_granted_shows_the_overflow(browse, granted_line):
    url = reverse("budget:delegations", args=["bretagne-2025"])
    assert (
        browse("decider", "post", url, delegation_data(granted_line, "52 000")).status_code == 302
    )
    response = browse("decider", "post", url, delegation_data(granted_line, "0,01"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "dépasserait le montant accordé de 0,01\u00a0€" in html and 'value="0,01"' in html
    data = delegation_data(granted_line, "10")
    data["beneficiary_finess"] = "290000018"
    response = browse("decider", "post", url, data)
    assert response.status_code == 400
    assert "clé de contrôle" in response.content.decode()


@pytest.mark.parametrize("count", [1, 6])
def test_delegations_page_query_count_does_not_grow(
    client, django_assert_max_num_queries, campaign, instructor, decider, count
):
    for _ in range(count):
        dossier = make_dossier(campaign, instructor, [(REC, "1000.00"), (ONE_OFF, "10.00")])
        decide(dossier, decider, "accepted", grant_all(dossier), "Accord.")
        record_delegation(
            decider, lines_of(dossier)[0].pk, "500", "2025-07-15", "convention", FINESS
        )
    client.force_login(decider)
    # session, user, roles, campaign, granted lines (count, one page: the table and the
    # select), delegations (count and totals, one page)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("budget:delegations", args=["bretagne-2025"]))
    assert response.content.decode().count("Déléguer<span") == 2 * count  # 500 € and 10 € left


def test_delegations_page_shows_one_page_of_lines_and_accepts_any_line(
    client, campaign, instructor, decider
):
    dossier = make_dossier(campaign, instructor, [(REC, "100.00")] * (LINES_PER_PAGE + 3))
    decide(dossier, decider, "accepted", grant_all(dossier), "Accord.")
    lines = lines_of(dossier)
    for line in lines[: DELEGATIONS_PER_PAGE + 1]:
        record_delegation(decider, line.pk, "10", "2025-07-15", "convention", FINESS)
    client.force_login(decider)
    url = reverse("budget:delegations", args=["bretagne-2025"])
    first = client.get(url).content.decode()
    assert first.count("Déléguer<span") == LINES_PER_PAGE
    assert f"Page 1 sur 2 ({LINES_PER_PAGE + 3} lignes)" in first
    assert f"Page 1 sur 2 ({DELEGATIONS_PER_PAGE + 1} délégations)" in first
    # Total and first date count every delegation, not only the page shown.
    assert format_eur(Decimal(10 * (DELEGATIONS_PER_PAGE + 1))) in first
    assert f'value="{lines[-1].pk}"' not in first
    second = client.get(url + "?page=2").content.decode()
    assert second.count("Déléguer<span") == 3
    assert f'value="{lines[-1].pk}" data-finess' in second
    assert client.get(url + "?delegations=2").content.decode().count("convention") >= 1
    # The line chosen from another page stays selected; any delegable line is accepted.
    chosen = client.get(url + f"?ligne={lines[-1].pk}").content.decode()
    assert f'<option value="{lines[-1].pk}" selected data-finess=' in chosen
    response = client.post(url, delegation_data(lines[-1], "50"))
    assert response.status_code == 302
    assert Delegation.objects.filter(line=lines[-1]).get().amount == Decimal("50.00")


def test_delegations_page_rows_escape_user_text(client, campaign, instructor, decider):
    """The rows of both tables are built in Python (budget/templatetags/delegation_rows.py):
    what a lead typed is escaped, the recorder shows by name."""
    dossier = make_dossier(campaign, instructor, [(REC, "1000.00"), (REC, "20.00")])
    line = lines_of(dossier)[0]
    line.label = '<b>"Poste"</b> & co'
    line.save(update_fields=["label"])
    project = line.project
    project.title = "<i>Fiche</i>"
    project.save(update_fields=["title"])
    dossier.filiere.name = "<script>alert('x')</script>"
    dossier.filiere.save(update_fields=["name"])
    decide(dossier, decider, "accepted", grant_all(dossier), "Accord.")
    decider.first_name, decider.last_name = "Déa", "<Cideuse>"
    decider.save(update_fields=["first_name", "last_name"])
    record_delegation(decider, line.pk, "1000", "2025-07-15", "convention", FINESS)
    client.force_login(decider)
    html = client.get(reverse("budget:delegations", args=["bretagne-2025"])).content.decode()
    assert "<script>alert(" not in html and "<b>" not in html and "<i>Fiche" not in html
    assert "<td>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;</td>" in html
    assert "<td>&lt;b&gt;&quot;Poste&quot;&lt;/b&gt; &amp; co</td>" in html
    assert "&lt;i&gt;Fiche&lt;/i&gt;</td>" in html
    assert "<td>15/07/2025</td>" in html and "<td>Déa &lt;Cideuse&gt;</td>" in html
    # Fully delegated: no link; the other line keeps its "Déléguer" link.
    assert html.count("Déléguer<span") == 1
    assert '<td class="app-money">0,00\u00a0€</td>\n          <td></td>' in html
