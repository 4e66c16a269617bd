"""The staff list of dossiers: who may open it, filters, DB totals, pagination, queries."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from dossiers.domain.transitions import transition
from dossiers.enums import LineNature
from tests.dossiers.conftest import ROLES, STAFF
from tests.factories import (
    CampaignFactory,
    FiliereFactory,
    FundingLineFactory,
    TerritoryFactory,
    UserFactory,
    complete_dossier,
)

EUR = "\u00a0€"
NNBSP = "\u202f"


@pytest.fixture
def submitter(db):
    return UserFactory(username="porteur-multi", roles=[Role.FILIERE_LEAD])


@pytest.fixture
def make_submitted(campaign, submitter, instructor):
    counter = {"n": 0}

    def make(*, territories=(), recurring="1", one_off="0", name=None, review=False, camp=None):
        counter["n"] += 1
        filiere = FiliereFactory(
            campaign=camp or campaign,
            name=name or f"Filière {counter['n']:03d}",
            territories=list(territories),
        )
        filiere.editors.add(submitter)
        submitter.__dict__.pop("filiere_ids", None)
        dossier = complete_dossier(filiere=filiere)
        project = dossier.projects.get()
        line = project.lines.get()
        line.amount = Decimal(recurring)
        line.save()
        if Decimal(one_off):
            FundingLineFactory(project=project, nature=LineNature.ONE_OFF, amount=Decimal(one_off))
        dossier = transition(dossier, "submit", submitter)
        if review:
            dossier = transition(dossier, "start_caresp_review", instructor)
        return dossier

    return make


LIST_EXPECTED = {**dict.fromkeys(ROLES, 403), **dict.fromkeys(STAFF, 200), "anonymous": 302}


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_list_by_role(role, as_role, co_editor, make_submitted):
    make_submitted(recurring="100")
    response = as_role(role).get(reverse("dossiers:list"))
    assert response.status_code == LIST_EXPECTED[role]
    if response.status_code == 403:
        assert "réservée aux équipes de l&#x27;ARS et de la CARESP" in response.content.decode()


def test_staff_do_not_see_drafts(dossier, as_role, make_submitted):
    make_submitted(name="Filière déposée")
    page = as_role("caresp").get(reverse("dossiers:list")).content.decode()
    assert "Filière déposée" in page
    assert dossier.filiere.name not in page
    assert "1 dossier" in page


def test_columns_and_exact_totals(as_role, make_submitted, campaign):
    t1 = TerritoryFactory(campaign=campaign, code="T1", name="Brest")
    t2 = TerritoryFactory(campaign=campaign, code="T2", name="Quimper")
    first = make_submitted(territories=[t1, t2], recurring="52000.10", one_off="0.20", name="Alpha")
    make_submitted(territories=[t2], recurring="0.05", one_off="1000000.00", name="Bêta")
    page = as_role("instructor").get(reverse("dossiers:list")).content.decode()
    assert page.index("Alpha") < page.index("Bêta")
    assert "T1</abbr>, <abbr" in page
    assert "Déposé" in page and "fr-badge--info" in page
    local = first.submitted_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris"))
    assert local.strftime("%d/%m/%Y %H:%M") in page
    assert f"52{NNBSP}000,10{EUR}" in page and f"0,20{EUR}" in page
    assert f"1{NNBSP}000{NNBSP}000,00{EUR}" in page
    # Totals row of the whole set: 52 000,15 and 1 000 000,20.
    assert f'id="total-reconductible">52{NNBSP}000,15{EUR}' in page
    assert f'id="total-ponctuel">1{NNBSP}000{NNBSP}000,20{EUR}' in page
    assert reverse("dossiers:detail", args=[first.pk]) in page


def test_filters_by_campaign_state_and_territory(as_role, make_submitted, campaign):
    t1 = TerritoryFactory(campaign=campaign, code="T1", name="Brest")
    t2 = TerritoryFactory(campaign=campaign, code="T2", name="Quimper")
    make_submitted(territories=[t1], recurring="10", name="Alpha")
    make_submitted(territories=[t1, t2], recurring="20", name="Bêta", review=True)
    make_submitted(territories=[t2], recurring="40", name="Gamma")
    other = CampaignFactory(slug="pays-de-la-loire-2025", name="Pays de la Loire")
    make_submitted(recurring="80", name="Delta", camp=other)
    client = as_role("decider")

    def names(**params):
        page = client.get(reverse("dossiers:list"), params).content.decode()
        shown = [n for n in ("Alpha", "Bêta", "Gamma", "Delta") if f"<td>{n}<br>" in page]
        return shown, page

    shown, page = names()
    assert shown == ["Alpha", "Bêta", "Gamma", "Delta"]
    shown, page = names(campaign="bretagne-2025")
    assert shown == ["Alpha", "Bêta", "Gamma"]
    assert f'id="total-reconductible">70,00{EUR}' in page
    shown, page = names(state="caresp_review")
    assert shown == ["Bêta"]
    shown, page = names(territory=t1.pk)
    assert shown == ["Alpha", "Bêta"]
    assert f'id="total-reconductible">30,00{EUR}' in page  # Bêta counted once
    shown, page = names(territory=t2.pk, state="submitted")
    assert shown == ["Gamma"]
    shown, page = names(state="inconnu")
    assert shown == ["Alpha", "Bêta", "Gamma", "Delta"]
    assert "Sélectionnez un choix valide" in page


def test_list_escapes_user_text(as_role, make_submitted):
    make_submitted(name="<script>alert('liste')</script>")
    page = as_role("caresp").get(reverse("dossiers:list")).content.decode()
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(&#x27;liste&#x27;)&lt;/script&gt;" in page


def test_list_rows_escape_territories_and_campaign(as_role, make_submitted, campaign):
    """The rows are built in Python (dossiers/templatetags/dossier_list.py): every name is
    escaped; a filière without territory shows a dash."""
    territory = TerritoryFactory(campaign=campaign, code="A&B", name='<b>"Nord"</b>')
    campaign.name = "<i>Campagne</i>"
    campaign.save(update_fields=["name"])
    make_submitted(territories=[territory], name="Alpha")
    make_submitted(name="Bêta")
    page = as_role("instructor").get(reverse("dossiers:list")).content.decode()
    assert "<b>" not in page and "<i>Campagne" not in page
    assert '<abbr title="&lt;b&gt;&quot;Nord&quot;&lt;/b&gt;">A&amp;B</abbr>' in page
    assert '<span class="fr-text--xs">&lt;i&gt;Campagne&lt;/i&gt;</span>' in page
    assert "<td>—</td>" in page


def test_list_query_count_does_not_grow(as_role, make_submitted, django_assert_max_num_queries):
    client = as_role("instructor")
    campaign_territory = TerritoryFactory(code="T9")
    for _ in range(5):
        make_submitted(territories=[campaign_territory], recurring="1")
    # session, user, roles, filières, totals, row count, campaigns and territories (filter
    # form), one page of rows, their territories
    with django_assert_max_num_queries(10):
        response = client.get(reverse("dossiers:list"))
    assert response.content.decode().count('class="fr-link" href="/dossiers/') == 5
    for _ in range(35):
        make_submitted(territories=[campaign_territory], recurring="1")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("dossiers:list"), {"state": "submitted"})
    assert response.content.decode().count('class="fr-link" href="/dossiers/') == 40
    assert f'id="total-reconductible">40,00{EUR}' in response.content.decode()


def test_pagination_by_50(as_role, make_submitted):
    for _ in range(51):
        make_submitted(recurring="1.01")
    client = as_role("admin_user")
    first = client.get(reverse("dossiers:list"), {"state": "submitted"}).content.decode()
    assert first.count('class="fr-link" href="/dossiers/') == 50
    assert "fr-pagination" in first
    assert 'href="?state=submitted&amp;page=2"' in first
    assert f'id="total-reconductible">51,51{EUR}' in first  # the whole filtered set
    second = client.get(reverse("dossiers:list"), {"state": "submitted", "page": 2})
    assert second.content.decode().count('class="fr-link" href="/dossiers/') == 1
