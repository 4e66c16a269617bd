"""A database built by the layout before the apps were reorganised and regions came
(accounts 0002, campaign 0004, dossiers 0001, scoring 0001) migrates without losing a
row: dossiers, lines, reviews, decisions, delegations, history, snapshots, envelopes,
extensions, jobs; the filières of one region that shared a slug become one, the
territories become their region's, the staff's roles are held per region."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("accounts", "0002_auth_failure_throttle"),
    ("campaign", "0004_outputs"),
    ("dossiers", "0001_initial"),
    ("scoring", "0001_initial"),
    ("budget", None),
    ("outputs", None),
]
AFTER = [
    ("accounts", "0003_roles_per_region"),
    ("campaign", "0007_filieres_of_regions"),
    ("dossiers", "0002_merge_filieres_of_a_region"),
    ("scoring", "0001_initial"),
    ("budget", "0002_rename_tables"),
    ("outputs", "0002_rename_table"),
]

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(targets):
    """Migrate the test database to these nodes; the project state they leave."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1]]).apps


@pytest.fixture
def migrator():
    yield migrate
    # Leave the schema as the rest of the suite expects it.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _old_world(apps):
    """Two Bretagne campaigns sharing the filière « armor » and the territory T7, and a
    Normandie campaign with its own « armor »: everything a decided dossier carries."""
    user = apps.get_model("accounts", "User")
    grant = apps.get_model("accounts", "RoleGrant")
    campaign = apps.get_model("campaign", "Campaign")
    territory = apps.get_model("campaign", "Territory")
    filiere = apps.get_model("campaign", "Filiere")
    extension = apps.get_model("campaign", "DeadlineExtension")
    reminder = apps.get_model("campaign", "ReminderLog")
    envelope = apps.get_model("campaign", "Envelope")
    amendment = apps.get_model("campaign", "EnvelopeAmendment")
    delegation = apps.get_model("campaign", "Delegation")
    job = apps.get_model("campaign", "OutputJob")
    dossier = apps.get_model("dossiers", "Dossier")
    project = apps.get_model("dossiers", "Project")
    line = apps.get_model("dossiers", "FundingLine")
    history = apps.get_model("dossiers", "HistoryEntry")
    snapshot = apps.get_model("dossiers", "Snapshot")
    review = apps.get_model("scoring", "Review")
    assignment = apps.get_model("scoring", "ReviewerAssignment")

    # The content types Django had made for the models that move (migrations run here
    # without their post_migrate signals).
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label__in=["budget", "outputs"]).delete()
    for model in ("envelope", "envelopeamendment", "delegation", "outputjob"):
        content_type.objects.get_or_create(app_label="campaign", model=model)
    now = timezone.now()
    lead = user.objects.create(username="lead", email="lead@example.fr")
    co_editor = user.objects.create(username="co", email="co@example.fr")
    instructor = user.objects.create(username="instructor", email="i@example.fr")
    admin = user.objects.create(username="admin", email="a@example.fr")
    grant.objects.create(user=instructor, role="ars_instructor")
    grant.objects.create(user=admin, role="admin")
    grant.objects.create(user=lead, role="filiere_lead")
    campaigns = {}
    for slug, region, year in [
        ("bretagne-2025", "Bretagne", 2025),
        ("bretagne-2027", "Bretagne", 2027),
        ("normandie-2026", "Normandie", 2026),
    ]:
        c = campaigns[slug] = campaign.objects.create(
            slug=slug,
            name=f"Campagne {region} {year}",
            region=region,
            opens_at=now - dt.timedelta(days=100),
            deadline=now - dt.timedelta(days=10),
        )
        t7 = territory.objects.create(campaign=c, code="T7", name="Armor", departements=["22"])
        f = filiere.objects.create(campaign=c, slug="armor", name=f"Armor {year}")
        f.territories.add(t7)
        f.editors.add(lead if year != 2027 else co_editor)
        extension.objects.create(campaign=c, filiere=f, until=now, reason="Retard")
        reminder.objects.create(filiere=f, kind="deadline", deadline=c.deadline, recipients=1)
        recurring = envelope.objects.create(campaign=c, kind="recurring", amount=Decimal("1600000"))
        amendment.objects.create(
            envelope=recurring,
            date=dt.date(2025, 1, 1),
            previous_amount=Decimal("1500000"),
            new_amount=Decimal("1600000"),
            reason="Stratégie décennale",
        )
        d = dossier.objects.create(
            campaign=c,
            filiere=f,
            state="decided",
            outcome="accepted",
            decided_at=now,
            submitted_at=now,
            identity={"name": f.name},
        )
        p = project.objects.create(dossier=d, priority=1, title="Équipe mobile")
        granted = line.objects.create(
            project=p,
            label="IDE",
            nature="recurring",
            amount=Decimal("52000.00"),
            first_year=year,
            granted=Decimal("52000.00"),
            start_month=dt.date(year, 7, 1),
        )
        delegation.objects.create(
            line=granted,
            date=dt.date(year, 7, 15),
            amount=Decimal("26000.00"),
            instrument="fir_arrete",
            beneficiary_finess="290000017",
        )
        history.objects.create(
            dossier=d, transition="submit", from_state="draft", to_state="submitted"
        )
        history.objects.create(
            dossier=d, transition="decide", from_state="ars_analysis", to_state="decided"
        )
        snapshot.objects.create(
            dossier=d, number=1, transition="submit", content={"x": 1}, content_sha256="0" * 64
        )
        assignment.objects.create(dossier=d, reviewer=instructor)
        review.objects.create(
            dossier=d, reviewer=instructor, opinion="favourable", submitted_at=now
        )
        job.objects.create(campaign=c, kind="decisions_csv", status="done")
    return campaigns


def test_a_database_of_the_earlier_layout_keeps_every_row(migrator):
    _old_world(migrator(BEFORE))
    apps = migrator(AFTER)
    count = {
        name: apps.get_model(app, name).objects.count()
        for app, name in [
            ("dossiers", "Dossier"),
            ("dossiers", "Project"),
            ("dossiers", "FundingLine"),
            ("dossiers", "HistoryEntry"),
            ("dossiers", "Snapshot"),
            ("scoring", "Review"),
            ("scoring", "ReviewerAssignment"),
            ("budget", "Envelope"),
            ("budget", "EnvelopeAmendment"),
            ("budget", "Delegation"),
            ("outputs", "OutputJob"),
            ("campaign", "DeadlineExtension"),
            ("campaign", "ReminderLog"),
        ]
    }
    assert count == {
        "Dossier": 3,
        "Project": 3,
        "FundingLine": 3,
        "HistoryEntry": 6,
        "Snapshot": 3,
        "Review": 3,
        "ReviewerAssignment": 3,
        "Envelope": 3,
        "EnvelopeAmendment": 3,
        "Delegation": 3,
        "OutputJob": 3,
        "DeadlineExtension": 3,
        "ReminderLog": 3,
    }
    line = apps.get_model("dossiers", "FundingLine")
    assert sorted(line.objects.values_list("granted", flat=True)) == [Decimal("52000.00")] * 3
    delegation = apps.get_model("budget", "Delegation")
    assert all(d.line_id for d in delegation.objects.all())

    region = apps.get_model("campaign", "Region")
    campaign = apps.get_model("campaign", "Campaign")
    filiere = apps.get_model("campaign", "Filiere")
    bretagne, normandie = region.objects.get(name="Bretagne"), region.objects.get(name="Normandie")
    assert bretagne.appeal_court == "tribunal administratif de Rennes"
    assert region.objects.count() == 18  # the reference regions, no duplicate
    by_slug = {c.slug: c for c in campaign.objects.all()}
    assert {s: c.region_id for s, c in by_slug.items()} == {
        "bretagne-2025": bretagne.pk,
        "bretagne-2027": bretagne.pk,
        "normandie-2026": normandie.pk,
    }
    # One « armor » per region: Bretagne's two became one, with both dossiers and editors.
    armor = filiere.objects.get(region=bretagne, slug="armor")
    assert filiere.objects.filter(slug="armor").count() == 2
    assert sorted(armor.campaigns.values_list("slug", flat=True)) == [
        "bretagne-2025",
        "bretagne-2027",
    ]
    assert armor.dossiers.count() == 2
    assert sorted(armor.editors.values_list("username", flat=True)) == ["co", "lead"]
    assert armor.extensions.count() == 2 and armor.reminders.count() == 2
    # T7 is one territory of Bretagne, covered by both of its campaigns.
    territory = apps.get_model("campaign", "Territory")
    assert territory.objects.filter(region=bretagne, code="T7").count() == 1
    assert list(armor.territories.values_list("code", flat=True)) == ["T7"]
    assert by_slug["bretagne-2027"].territories.get().code == "T7"
    # The instructor's national role is held in each region that has a campaign.
    grant = apps.get_model("accounts", "RoleGrant")
    assert sorted(
        grant.objects.filter(user__username="instructor").values_list("region__name", flat=True)
    ) == ["Bretagne", "Normandie"]
    assert grant.objects.get(user__username="admin").region_id is None
    # Content types followed the models (permissions and admin log kept).
    content_type = apps.get_model("contenttypes", "ContentType")
    assert content_type.objects.filter(app_label="budget", model="delegation").exists()
    assert not content_type.objects.filter(app_label="campaign", model="delegation").exists()
