"""A dossier's stored name (DossierName, kept by database triggers, decision 0060) is
always what KT("identity__name") reads from its identity: after an insert, every kind of
identity write, a bulk insert and a deletion, on SQLite and on PostgreSQL. The ranking
and the instruction dashboard read it instead of the dossiers' identities."""

import importlib

import pytest
from django.db import connection
from django.db.models.fields.json import KT

from dossiers.models import Dossier, DossierName
from tests.factories import DossierFactory, FiliereFactory

MIGRATION = importlib.import_module("dossiers.migrations.0009_dossier_names")


def read(dossiers):
    """{id: (name read from the identity, stored name)}."""
    return {
        pk: (from_identity, stored)
        for pk, from_identity, stored in Dossier.objects.filter(
            pk__in=[d.pk for d in dossiers]
        ).values_list("pk", KT("identity__name"), "stored_name__name")
    }


def assert_kept(*dossiers):
    rows = read(dossiers)
    assert len(rows) == len(dossiers)
    for pk, (from_identity, stored) in rows.items():
        assert stored == from_identity, pk
        assert DossierName.objects.filter(dossier_id=pk).count() == 1


@pytest.fixture
def dossier(campaign):
    return DossierFactory(campaign=campaign, identity={"name": "Filière <Brest> & « Iroise »"})


def test_a_new_dossier_has_its_name(dossier):
    assert DossierName.objects.get(dossier_id=dossier.pk).name == "Filière <Brest> & « Iroise »"
    assert_kept(dossier)


@pytest.mark.parametrize(
    "identity",
    [
        {"name": "Nouveau nom"},
        {"name": ""},
        {"name": None},
        {"other": "no name"},
        {},
        {"name": "Dupont\nligne 2 — « é »"},
    ],
)
def test_a_saved_identity_rewrites_the_name(dossier, identity):
    dossier.identity = identity
    dossier.save()
    assert_kept(dossier)
    if identity.get("name"):
        assert DossierName.objects.get(dossier_id=dossier.pk).name == identity["name"]


def test_a_queryset_update_and_a_save_of_other_fields(dossier, campaign):
    other = DossierFactory(campaign=campaign, identity={"name": "Autre"})
    Dossier.objects.filter(pk__in=[dossier.pk, other.pk]).update(identity={"name": "Les deux"})
    assert_kept(dossier, other)
    assert DossierName.objects.get(dossier_id=other.pk).name == "Les deux"

    dossier.refresh_from_db()
    dossier.return_message = "Un autre champ"
    dossier.save(update_fields=["return_message"])
    assert DossierName.objects.get(dossier_id=dossier.pk).name == "Les deux"


def test_a_bulk_insert_and_deletions(campaign):
    filieres = [FiliereFactory(campaign=campaign) for _ in range(3)]
    for filiere in filieres:
        campaign.filieres.add(filiere)
    created = Dossier.objects.bulk_create(
        Dossier(campaign=campaign, filiere=f, identity={"name": f"Dossier {i}"})
        for i, f in enumerate(filieres)
    )
    created = list(Dossier.objects.filter(filiere__in=filieres))
    assert_kept(*created)
    assert sorted(DossierName.objects.values_list("name", flat=True)) == [
        "Dossier 0",
        "Dossier 1",
        "Dossier 2",
    ]

    created[0].delete()
    Dossier.objects.filter(pk=created[1].pk).delete()
    assert list(DossierName.objects.values_list("dossier_id", flat=True)) == [created[2].pk]


def test_the_backfill_gives_what_the_triggers_keep(dossier, campaign):
    DossierFactory(campaign=campaign, identity={})
    kept = set(DossierName.objects.values_list("dossier_id", "name"))
    assert len(kept) == 2
    DossierName.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(MIGRATION.backfill(connection.vendor))
    assert set(DossierName.objects.values_list("dossier_id", "name")) == kept
