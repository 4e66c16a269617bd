"""Two regions loaded with load_campaign: each one's campaign, filières, roles, signatory
and mailboxes are its own, and a second campaign of a region reuses its filières."""

import copy
import datetime as dt

import pytest

from accounts.models import ApiToken, Role, User
from campaign.models import Campaign, Filiere, Region
from campaign.queries import visible_campaigns
from campaign.reference import load_reference_regions
from dossiers.domain.transitions import transition
from dossiers.models import Dossier
from tests.factories import complete_dossier
from tests.setup.conftest import run_command

pytestmark = pytest.mark.django_db

BEFORE_THE_DEADLINE = dt.datetime(2025, 2, 10, 12, 0, tzinfo=dt.UTC)


def normandie_file(example_data):
    data = copy.deepcopy(example_data)
    data.update(
        slug="normandie-2026",
        name="Reconnaissance des filières — Normandie 2026",
        region="Normandie",
        territories=[
            {"code": "T1", "name": "Caen – Bayeux", "departements": ["14"]},
            {"code": "T2", "name": "Rouen – Elbeuf", "departements": ["76"]},
        ],
        filieres=[{"slug": "nord-finistere", "name": "Calvados Nord", "territories": ["T1"]}],
        signatory={"name": "Claire Dupont", "title": "Directrice générale"},
        notification_emails=["filieres@ars-normandie.example.fr"],
        users=[
            {
                "username": "instruction.normandie",
                "email": "instruction@ars-normandie.example.fr",
                "password": "Pommier-Bocage-6720",
                "roles": ["ars_instructor", "ars_decider"],
            },
            {
                "username": "coordination.caen",
                "email": "coordination.caen@example.fr",
                "password": "Orne-Falaise-3318",
                "roles": ["filiere_lead"],
                "filieres": ["nord-finistere"],
            },
            # The Bretagne CARESP reviewer also reviews for Normandie.
            {
                "username": "relecture.caresp",
                "email": "caresp@example.fr",
                "roles": ["caresp_reviewer"],
            },
        ],
    )
    return data


@pytest.fixture
def two_regions(example_data, write_json):
    for data, name in ((example_data, "bretagne.json"), (normandie_file(example_data), "n.json")):
        code, out, err = run_command("load_campaign", write_json(data, name))
        assert (code, err) == (0, ""), err
    return Campaign.objects.get(slug="bretagne-2025"), Campaign.objects.get(slug="normandie-2026")


def test_each_region_has_its_own_campaign_filieres_and_territories(two_regions):
    bretagne, normandie = two_regions
    assert (bretagne.region.name, normandie.region.name) == ("Bretagne", "Normandie")
    # The same slug in two regions: two filières, each with its own leads.
    breton = Filiere.objects.get(region=bretagne.region, slug="nord-finistere")
    norman = Filiere.objects.get(region=normandie.region, slug="nord-finistere")
    assert breton != norman and norman.name == "Calvados Nord"
    assert list(norman.editors.values_list("username", flat=True)) == ["coordination.caen"]
    assert "coordination.caen" not in breton.editors.values_list("username", flat=True)
    assert sorted(normandie.territories.values_list("code", "region__name")) == [
        ("T1", "Normandie"),
        ("T2", "Normandie"),
    ]
    assert not bretagne.territories.filter(region=normandie.region).exists()


def test_signatory_and_mailboxes_are_the_campaign_and_region_own(two_regions):
    bretagne, normandie = two_regions
    assert (normandie.signatory_name, normandie.signatory_title) == (
        "Claire Dupont",
        "Directrice générale",
    )
    assert bretagne.signatory_name == ""
    assert Region.objects.get(name="Normandie").notification_emails == [
        "filieres@ars-normandie.example.fr"
    ]
    assert Region.objects.get(name="Bretagne").notification_emails == []
    assert "tribunal administratif de Caen" in normandie.appeal_text()
    assert "tribunal administratif de Rennes" in bretagne.appeal_text()
    # The example file's « affaire suivie par » and first yearly report.
    assert (bretagne.contact_name, bretagne.contact_email) == (
        "Prénom Nom",
        "ars-bretagne-autonomie@ars.sante.fr",
    )
    assert bretagne.first_report_date() == dt.date(2026, 4, 30)
    # The reference regions: where letters are signed, the agency's address.
    region = Region.objects.get(name="Bretagne")
    assert (region.seat_city, region.director_title) == ("Rennes", "la directrice générale")
    assert region.address.endswith("35042 Rennes Cedex")
    assert Region.objects.get(name="Normandie").seat_city == "Caen"


def test_roles_are_held_in_the_region_of_the_file(two_regions):
    bretagne, normandie = two_regions
    instructor = User.objects.get(username="instruction.normandie")
    assert instructor.has_role_in(normandie.region_id, Role.ARS_INSTRUCTOR)
    assert not instructor.has_role_in(bretagne.region_id, Role.ARS_INSTRUCTOR)
    assert list(visible_campaigns(instructor)) == [normandie]
    # Listed in both files: the reviewer holds the role in both regions.
    reviewer = User.objects.get(username="relecture.caresp")
    assert reviewer.staff_region_ids == {bretagne.region_id, normandie.region_id}
    breton_instructor = User.objects.get(username="referent.ars")
    assert list(visible_campaigns(breton_instructor)) == [bretagne]


def test_the_other_region_staff_get_404_on_its_dossiers_and_campaign(client, two_regions):
    bretagne, normandie = two_regions
    lead = User.objects.get(username="coordination.brest")
    dossier = transition(
        complete_dossier(filiere=bretagne.filieres.get(slug="nord-finistere")),
        "submit",
        lead,
        now=BEFORE_THE_DEADLINE,
    )
    instructor = User.objects.get(username="instruction.normandie")
    _token, raw = ApiToken.issue(instructor)
    headers = {"Authorization": f"Bearer {raw}"}
    me = client.get("/api/v1/me", headers=headers).json()
    assert me["regions"] == ["Normandie"] and me["national"] is False
    for path in (
        f"/api/v1/dossiers/{dossier.pk}",
        "/api/v1/campaigns/bretagne-2025",
        "/api/v1/campaigns/bretagne-2025/budget",
        "/api/v1/campaigns/bretagne-2025/exports/decisions.xlsx",
        f"/api/v1/dossiers/{dossier.pk}/letter.docx",
    ):
        assert client.get(path, headers=headers).status_code == 404, path
    assert client.get("/api/v1/dossiers", headers=headers).json() == []
    assert [c["slug"] for c in client.get("/api/v1/campaigns", headers=headers).json()] == [
        "normandie-2026"
    ]


def test_a_second_campaign_of_the_region_reuses_its_filieres(example_data, write_json, two_regions):
    bretagne, _normandie = two_regions
    filiere = Filiere.objects.get(region=bretagne.region, slug="nord-finistere")
    lead = User.objects.get(username="coordination.brest")
    first = transition(
        complete_dossier(filiere=filiere, campaign=bretagne),
        "submit",
        lead,
        now=BEFORE_THE_DEADLINE,
    )
    data = copy.deepcopy(example_data)
    data.update(
        slug="bretagne-2027",
        name="Reconnaissance des filières — Bretagne 2027",
        opens_at="2026-11-15T00:00:00+01:00",
        deadline="2027-02-14T23:59:59+01:00",
        decision_date="2027-06-30",
        first_delegation_date="2027-07-15",
        report_due_date="2028-04-30",
    )
    for user in data["users"]:
        user.pop("password", None)
    code, out, err = run_command("load_campaign", write_json(data, "b2027.json"))
    assert (code, err) == (0, ""), err
    assert "Filières : 0 créée" in out
    again = Filiere.objects.get(region=bretagne.region, slug="nord-finistere")
    assert again.pk == filiere.pk
    assert sorted(again.campaigns.values_list("slug", flat=True)) == [
        "bretagne-2025",
        "bretagne-2027",
    ]
    assert lead in again.editors.all()
    # Its 2025 dossier and history stay; it may write a 2027 dossier beside it.
    assert Dossier.objects.get(pk=first.pk).history.count() == first.history.count() >= 1
    second = complete_dossier(filiere=again, campaign=Campaign.objects.get(slug="bretagne-2027"))
    assert set(again.dossiers.values_list("pk", flat=True)) == {first.pk, second.pk}


def test_reloading_the_reference_regions_keeps_what_an_ars_completed(db):
    region = Region.objects.get(name="Bretagne")
    region.address, region.seat_city = "1 rue de l'ARS\n35000 Rennes", "Saint-Brieuc"
    region.save()
    load_reference_regions(Region)
    region.refresh_from_db()
    assert (region.address, region.seat_city) == ("1 rue de l'ARS\n35000 Rennes", "Saint-Brieuc")
    empty = Region.objects.get(name="Normandie")
    empty.address = ""
    empty.save()
    load_reference_regions(Region)
    empty.refresh_from_db()
    assert empty.address.startswith("Espace Claude Monet")


def test_the_appeal_mention_names_the_regions_director(db):
    bretagne, normandie = Region.objects.get(name="Bretagne"), Region.objects.get(name="Normandie")
    assert "recours gracieux auprès de la directrice générale" in bretagne.appeal_mention()
    assert "tribunal administratif de Rennes" in bretagne.appeal_mention()
    assert "recours gracieux auprès du directeur général" in normandie.appeal_mention()
