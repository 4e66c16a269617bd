import copy
import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from accounts.models import Role, RoleGrant, User
from budget.models import EnvelopeAmendment
from campaign.models import Campaign
from dossiers.domain.transitions import transition
from tests.factories import complete_dossier
from tests.setup.conftest import EXAMPLE_FILE, row_counts, run_command

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def test_example_file_imports_everything():
    code, out, err = run_command("load_campaign", str(EXAMPLE_FILE))
    assert (code, err) == (0, "")
    assert "(bretagne-2025) créée" in out
    assert "Territoires : 8 créés" in out and "territoires de référence de la région" in out
    assert "Filières : 8 créées" in out and "Utilisateurs : 6 créés" in out

    campaign = Campaign.objects.get(slug="bretagne-2025")
    assert campaign.region.name == "Bretagne"
    assert campaign.deadline == dt.datetime(2025, 2, 14, 22, 59, 59, tzinfo=UTC)
    assert campaign.opens_at == dt.datetime(2024, 11, 14, 23, 0, tzinfo=UTC)
    assert campaign.decision_date == dt.date(2025, 6, 30)
    assert campaign.first_delegation_date == dt.date(2025, 7, 15)
    envelopes = dict(campaign.envelopes.values_list("kind", "amount"))
    assert envelopes == {"recurring": Decimal("1600000.00"), "one_off": Decimal("400000.00")}
    assert EnvelopeAmendment.objects.count() == 0

    territories = {t.code: t for t in campaign.territories.all()}
    assert sorted(territories) == [f"T{i}" for i in range(1, 9)]
    assert territories["T3"].name == "Lorient – Quimperlé"
    assert territories["T3"].departements == ["56", "29"]
    filiere = campaign.filieres.get(slug="nord-finistere")
    assert filiere.name == "Nord Finistère"
    assert list(filiere.territories.values_list("code", flat=True)) == ["T1"]

    lead = User.objects.get(username="coordination.brest")
    assert lead.check_password("Goemon-Iroise-7391")
    assert "Goemon" not in lead.password  # stored hashed
    assert lead.role_codes == {Role.FILIERE_LEAD}
    assert list(lead.filieres.values_list("slug", flat=True)) == ["nord-finistere"]
    assert (lead.first_name, lead.last_name, lead.email) == (
        "Anne",
        "Le Goff",
        "coordination.brest@example.fr",
    )
    admin = User.objects.get(username="administration.ars")
    assert admin.is_staff and admin.is_superuser and admin.role_codes == {Role.ADMIN}
    reviewer = User.objects.get(username="relecture.caresp")
    assert not reviewer.is_staff and reviewer.filiere_ids == frozenset()


def test_reimport_is_idempotent():
    run_command("load_campaign", str(EXAMPLE_FILE))
    before = row_counts()
    hashes = dict(User.objects.values_list("username", "password"))
    code, out, err = run_command("load_campaign", str(EXAMPLE_FILE))
    assert (code, err) == (0, "")
    assert row_counts() == before
    assert dict(User.objects.values_list("username", "password")) == hashes
    assert "(bretagne-2025) inchangée" in out
    assert "Enveloppes : 0 créée, 0 mise à jour, 2 inchangées" in out
    assert "Territoires : 0 créé, 0 mis à jour, 8 inchangés" in out
    assert "Utilisateurs : 0 créé, 0 mis à jour, 6 inchangés" in out


def test_update_changes_fields_and_records_envelope_amendment(example_data, write_json):
    run_command("load_campaign", str(EXAMPLE_FILE))
    data = copy.deepcopy(example_data)
    data["envelopes"]["recurring"] = "2200000"
    data["name"] = "Filières palliatives — Bretagne 2025 (avenant)"
    data["filieres"][0]["territories"] = ["T1", "T2"]
    data["users"][0]["roles"] = ["filiere_lead", "caresp_reviewer"]
    data["users"][0]["password"] = "Nouveau-Secret-Abers-4402"
    data["users"].append(
        {
            "username": "coredaction.brest",
            "email": "coredaction.brest@example.fr",
            "password": "Ecume-Molene-7710",
            "roles": ["filiere_lead"],
            "filieres": ["nord-finistere"],
        }
    )
    code, out, err = run_command("load_campaign", write_json(data))
    assert (code, err) == (0, "")
    assert "mise à jour" in out and "Enveloppes : 0 créée, 1 mise à jour, 1 inchangée" in out
    assert "Utilisateurs : 1 créé, 1 mis à jour, 5 inchangés" in out
    assert "Avenant enregistré" in out and "2\u202f200\u202f000,00\u00a0€" in out

    campaign = Campaign.objects.get(slug="bretagne-2025")
    assert campaign.name == "Filières palliatives — Bretagne 2025 (avenant)"
    envelope = campaign.envelopes.get(kind="recurring")
    assert envelope.amount == Decimal("2200000.00")
    amendment = EnvelopeAmendment.objects.get()
    assert (amendment.envelope, amendment.previous_amount, amendment.new_amount) == (
        envelope,
        Decimal("1600000.00"),
        Decimal("2200000.00"),
    )
    assert amendment.reason == "Import du fichier de campagne"
    filiere = campaign.filieres.get(slug="nord-finistere")
    assert sorted(filiere.territories.values_list("code", flat=True)) == ["T1", "T2"]
    assert sorted(filiere.editors.values_list("username", flat=True)) == [
        "coordination.brest",
        "coredaction.brest",
    ]
    lead = User.objects.get(username="coordination.brest")
    assert lead.role_codes == {Role.FILIERE_LEAD, Role.CARESP_REVIEWER}
    assert lead.check_password("Nouveau-Secret-Abers-4402")


def _decide_with_granted(campaign, amount):
    """A decided dossier of the campaign with `amount` granted on a recurring line."""

    filiere = campaign.filieres.get(slug="armor")
    lead = User.objects.get(username="coordination.brest")
    filiere.editors.add(lead)
    lead.__dict__.pop("filiere_ids", None)
    instructor = User.objects.get(username="referent.ars")
    decider = User.objects.get(username="direction.ars")
    RoleGrant.objects.get_or_create(user=decider, role=Role.ARS_DECIDER, region=campaign.region)
    dossier = complete_dossier(filiere=filiere)
    at = dt.datetime(2025, 2, 10, 12, 0, tzinfo=UTC)
    dossier = transition(dossier, "submit", lead, now=at)
    dossier = transition(dossier, "start_ars_analysis", instructor, now=at)
    line = dossier.projects.get().lines.get()
    line.amount = line.granted = Decimal(amount)
    line.save()
    return transition(dossier, "decide", decider, outcome="accepted", comment="Accordé.", now=at)


def test_lowering_an_envelope_below_what_is_granted_is_refused(example_data, write_json):
    run_command("load_campaign", str(EXAMPLE_FILE))
    campaign = Campaign.objects.get(slug="bretagne-2025")
    _decide_with_granted(campaign, "900000.00")
    before = row_counts()

    data = copy.deepcopy(example_data)
    data["envelopes"]["recurring"] = "899999.99"
    code, out, err = run_command("load_campaign", write_json(data))
    assert code == 1 and out == ""
    assert "impossible d'abaisser l'enveloppe « Crédits reconductibles »" in err
    assert "900\u202f000,00\u00a0€ sont déjà accordés" in err
    assert row_counts() == before
    assert campaign.envelopes.get(kind="recurring").amount == Decimal("1600000.00")

    data["envelopes"]["recurring"] = "900000.00"  # exactly what is granted: allowed
    code, out, err = run_command("load_campaign", write_json(data))
    assert (code, err) == (0, "")
    assert EnvelopeAmendment.objects.get().new_amount == Decimal("900000.00")


def _mutate(data, path, value):
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value


_DELETE = object()

INVALID_CASES = [
    ("missing slug", [(["slug"], _DELETE)], ["« slug » : clé obligatoire absente."]),
    ("missing envelopes", [(["envelopes"], _DELETE)], ["« envelopes » : clé obligatoire absente."]),
    ("name not text", [(["name"], 12)], ["« name » : une chaîne de caractères est attendue."]),
    ("bad slug", [(["slug"], "Bretagne 2025")], ["« slug » : « Bretagne 2025 » n'est pas"]),
    (
        "datetime without offset",
        [(["deadline"], "2025-02-14T23:59:59")],
        ["« deadline » : « 2025-02-14T23:59:59 » doit indiquer son décalage horaire"],
    ),
    (
        "not a datetime",
        [(["opens_at"], "15/11/2024")],
        ["« opens_at » : « 15/11/2024 » n'est pas une date et heure ISO 8601 valide"],
    ),
    (
        "deadline before opening",
        [(["deadline"], "2024-11-01T00:00:00+01:00")],
        ["« deadline » : la date limite de dépôt doit être postérieure à l'ouverture"],
    ),
    (
        "bad date",
        [(["decision_date"], "2025-02-30")],
        ["« decision_date » : « 2025-02-30 » n'est pas une date existante."],
    ),
    (
        "float amount",
        [(["envelopes", "recurring"], 1600000.5)],
        ["« envelopes.recurring » : Le montant doit être une chaîne de caractères"],
    ),
    (
        "negative amount",
        [(["envelopes", "one_off"], "-5")],
        ["« envelopes.one_off » : Le montant ne peut pas être négatif."],
    ),
    (
        "three decimals",
        [(["envelopes", "one_off"], "400000.005")],
        ["« envelopes.one_off » : Le montant ne peut pas avoir plus de deux décimales."],
    ),
    (
        "exponent amount",
        [(["envelopes", "one_off"], "4e5")],
        ["« envelopes.one_off » : « 4e5 » n'est pas un montant valide"],
    ),
    (
        "unknown envelope",
        [(["envelopes", "exceptional"], "10")],
        ["« envelopes.exceptional » : clé inconnue"],
    ),
    (
        "unknown role",
        [(["users", 2, "roles"], ["reviewer"])],
        ["« users[2].roles » : rôle « reviewer » inconnu"],
    ),
    (
        "unknown territory code in a filière",
        [(["filieres", 1, "territories"], ["T2", "T12"])],
        ["« filieres[1].territories » : territoire « T12 » inconnu"],
    ),
    (
        "unknown filière in a user",
        [(["users", 0, "filieres"], ["nord-finistere", "iroise"])],
        ["« users[0].filieres » : filière « iroise » inconnue."],
    ),
    (
        "duplicate territory codes",
        [
            (
                ["territories"],
                [
                    {"code": "T1", "name": "Brest", "departements": ["29"]},
                    {"code": "T1", "name": "Quimper", "departements": ["29"]},
                ],
            )
        ],
        ["« territories[1] » : le code de territoire « T1 » apparaît plusieurs fois."],
    ),
    (
        "duplicate filière slugs",
        [(["filieres", 1, "slug"], "nord-finistere")],
        ["« filieres[1] » : l'identifiant de filière « nord-finistere » apparaît plusieurs fois."],
    ),
    (
        "duplicate usernames",
        [(["users", 1, "username"], "coordination.brest")],
        ["« users[1] » : l'utilisateur « coordination.brest » apparaît plusieurs fois."],
    ),
    (
        "weak password",
        [(["users", 3, "password"], "12345678")],
        ["« users[3].password » : mot de passe refusé : Ce mot de passe est trop courant."],
    ),
    (
        "missing password for a new user",
        [(["users", 4, "password"], _DELETE)],
        ["« users[4].password » : mot de passe obligatoire pour créer l'utilisateur"],
    ),
    (
        "bad e-mail",
        [(["users", 1, "email"], "yann.kerjean")],
        ["« users[1].email » : « yann.kerjean » n'est pas une adresse électronique."],
    ),
    (
        "unknown key",
        [(["filieres", 0, "territoire"], ["T1"])],
        ["« filieres[0].territoire » : clé inconnue"],
    ),
    (
        "bad departement",
        [(["territories"], [{"code": "T1", "name": "Brest", "departements": ["290"]}])],
        ["« territories[0].departements » : « 290 » n'est pas un code de département"],
    ),
]


@pytest.mark.parametrize(
    "changes,expected", [c[1:] for c in INVALID_CASES], ids=[c[0] for c in INVALID_CASES]
)
def test_invalid_file_is_refused_whole(example_data, write_json, changes, expected):
    data = copy.deepcopy(example_data)
    for path, value in changes:
        _mutate(data, path, value)
    before = row_counts()
    code, out, err = run_command("load_campaign", write_json(data))
    assert code == 1 and out == ""
    assert "refusé" in err and "rien n'a été importé" in err
    for message in expected:
        assert message in err
    assert row_counts() == before


def test_every_problem_is_listed_at_once_and_nothing_changes(example_data, write_json):
    run_command("load_campaign", str(EXAMPLE_FILE))
    before = row_counts()
    data = copy.deepcopy(example_data)
    data["name"] = "Nouveau nom valide"  # valid on its own: must not be applied either
    data["envelopes"]["recurring"] = "1700000.00"
    data["opens_at"] = "2024-11-15"
    data["filieres"][2]["territories"] = ["T42"]
    data["users"][0]["roles"] = ["porteur"]
    data["users"][5]["filieres"] = ["atlantide"]
    data["users"].append({"username": "nouveau.venu", "roles": ["caresp_reviewer"]})
    code, out, err = run_command("load_campaign", write_json(data))
    assert code == 1
    assert "5 problèmes" in err
    for fragment in ("opens_at", "T42", "porteur", "atlantide", "nouveau.venu"):
        assert fragment in err
    assert row_counts() == before
    assert Campaign.objects.get().name != "Nouveau nom valide"
    assert EnvelopeAmendment.objects.count() == 0


@pytest.mark.parametrize(
    "text,expected",
    [
        ('{"slug": "a",\n  "name": "b" "region": "c"}', "ligne 2, colonne 15 : virgule attendue"),
        ('{"slug": "a",}', "ligne 1, colonne 14 : nom de clé entre guillemets doubles attendu"),
        ("", "ligne 1, colonne 1 : valeur attendue"),
        ('["bretagne-2025"]', "Le fichier doit contenir un objet JSON"),
        ('{"slug": "a", "slug": "b"}', "la clé « slug » apparaît deux fois"),
    ],
)
def test_malformed_json_is_reported_with_its_position(write_json, text, expected, db):
    code, out, err = run_command("load_campaign", write_json(text))
    assert code == 1 and out == ""
    assert expected in err
    assert Campaign.objects.count() == 0


def test_missing_file(tmp_path):
    code, _out, err = run_command("load_campaign", str(tmp_path / "absent.json"))
    assert code == 1 and "introuvable" in err


def test_explicit_territories_replace_the_reference_ones(example_data, write_json):
    data = copy.deepcopy(example_data)
    data["slug"] = "bretagne-2026"
    data["territories"] = [
        {"code": "TDS1", "name": "Finistère – Penn ar Bed", "departements": ["29"]},
        {"code": "TDS2", "name": "Morbihan", "departements": ["56"]},
    ]
    data["filieres"] = [{"slug": "finistere", "name": "Finistère", "territories": ["TDS1"]}]
    data["users"] = []
    code, out, err = run_command("load_campaign", write_json(data))
    assert (code, err) == (0, "")
    campaign = Campaign.objects.get(slug="bretagne-2026")
    assert sorted(campaign.territories.values_list("code", flat=True)) == ["TDS1", "TDS2"]
    assert "territoires de référence" not in out


def test_existing_user_needs_no_password(example_data, write_json):
    run_command("load_campaign", str(EXAMPLE_FILE))
    data = copy.deepcopy(example_data)
    for user in data["users"]:
        del user["password"]
    code, _out, err = run_command("load_campaign", write_json(data))
    assert (code, err) == (0, "")
    assert User.objects.get(username="referent.ars").check_password("Aber-Wrach-2674")


def test_real_exit_status_and_stderr(tmp_path):
    """The command run as cron or a shell would: exit status 1, French on stderr."""
    bad = tmp_path / "bad.json"
    bad.write_text('{"slug": "bretagne-2025", ', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'absent.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "manage.py", "load_campaign", str(bad)],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "JSON invalide ligne 1, colonne 27" in result.stderr
    assert "rien n'a été importé" in result.stderr


def test_update_without_filiere_territories_keeps_them(example_data, write_json):
    run_command("load_campaign", str(EXAMPLE_FILE))
    data = copy.deepcopy(example_data)
    del data["filieres"][0]["territories"]
    data["filieres"][0]["name"] = "Nord Finistère — Penn ar Bed"
    code, out, err = run_command("load_campaign", write_json(data))
    assert (code, err) == (0, "")
    assert "Filières : 0 créée, 1 mise à jour, 7 inchangées" in out
    filiere = Campaign.objects.get().filieres.get(slug="nord-finistere")
    assert list(filiere.territories.values_list("code", flat=True)) == ["T1"]


REGION_CASES = [
    (
        "unknown region",
        {"region": "Armorique"},
        "« region » : région « Armorique » inconnue (régions connues : Auvergne-Rhône-Alpes,",
    ),
    (
        "signatory without a name",
        {"signatory": {"title": "Directrice générale"}},
        "« signatory.name » : clé obligatoire absente.",
    ),
    (
        "contact without a name",
        {"contact": {"email": "filieres@ars.example.fr"}},
        "« contact.name » : clé obligatoire absente.",
    ),
    (
        "bad contact address",
        {"contact": {"name": "Gaëlle Le Du", "email": "gaelle"}},
        "« contact.email » : « gaelle » n'est pas une adresse électronique.",
    ),
    (
        "yearly report before the decision",
        {"report_due_date": "2025-06-01"},
        "« report_due_date » : le premier rapport annuel est dû après la décision (decision_date).",
    ),
    (
        "bad notification address",
        {"notification_emails": ["filieres@ars.example.fr", "ars-bretagne"]},
        "« notification_emails[1] » : « ars-bretagne » n'est pas une adresse électronique.",
    ),
]


@pytest.mark.parametrize(
    "changes,expected", [c[1:] for c in REGION_CASES], ids=[c[0] for c in REGION_CASES]
)
def test_region_signatory_and_mailboxes_are_checked(example_data, write_json, changes, expected):
    before = row_counts()
    code, out, err = run_command("load_campaign", write_json({**example_data, **changes}))
    assert code == 1 and out == ""
    assert expected in err
    assert row_counts() == before
