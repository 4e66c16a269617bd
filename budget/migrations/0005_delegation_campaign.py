"""Delegation.campaign: the campaign of the delegation's line's dossier, written by a
database trigger on insert, whatever writes the row (decision 0059), as the stored
totals of decisions 0056 and 0058; then filled in for the rows already there.

- SQLite: a row trigger after insert (and after an update of the line, which only a
  shell could do: SQLite has no append-only guard) sets the row's campaign.
- PostgreSQL: a row trigger before insert sets NEW.campaign_id (delegations are
  append-only there, decision 0025: the backfill lifts that guard for its own UPDATE,
  in this migration's transaction).

A dossier never changes campaign and a line stays in its dossier, so the column never
goes stale. The column has no index of its own (the (campaign, date, id) index starts
with it): unapplied, SQLite drops it with ALTER TABLE DROP COLUMN instead of rebuilding
the table, which would lose the delegated amounts' triggers of 0004."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


CAMPAIGN_OF_LINE = (
    "(SELECT d.campaign_id FROM dossiers_fundingline l "
    "JOIN dossiers_project p ON p.id = l.project_id "
    "JOIN dossiers_dossier d ON d.id = p.dossier_id WHERE l.id = {})"
)
APPEND_ONLY = "pgtrigger_append_only_9ff75"  # budget/migrations/0003 (pgtrigger)

SQLITE = [
    "CREATE TRIGGER delegation_campaign_insert AFTER INSERT ON budget_delegation "
    "BEGIN UPDATE budget_delegation SET campaign_id = {} WHERE id = NEW.id; END".format(
        CAMPAIGN_OF_LINE.format("NEW.line_id")
    ),
    "CREATE TRIGGER delegation_campaign_update AFTER UPDATE OF line_id ON budget_delegation "
    "BEGIN UPDATE budget_delegation SET campaign_id = {} WHERE id = NEW.id; END".format(
        CAMPAIGN_OF_LINE.format("NEW.line_id")
    ),
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS delegation_campaign_insert",
    "DROP TRIGGER IF EXISTS delegation_campaign_update",
]
POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION delegation_campaign() RETURNS trigger AS $$
    BEGIN
        NEW.campaign_id := {CAMPAIGN_OF_LINE.format("NEW.line_id")};
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER delegation_campaign BEFORE INSERT ON budget_delegation "
    "FOR EACH ROW EXECUTE FUNCTION delegation_campaign()",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS delegation_campaign ON budget_delegation",
    "DROP FUNCTION IF EXISTS delegation_campaign()",
]
BACKFILL = "UPDATE budget_delegation SET campaign_id = {}".format(
    CAMPAIGN_OF_LINE.format("budget_delegation.line_id")
)


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = [*SQLITE, BACKFILL]
    elif vendor == "postgresql":
        statements = [
            *POSTGRESQL,
            f"ALTER TABLE budget_delegation DISABLE TRIGGER {APPEND_ONLY}",
            BACKFILL,
            f"ALTER TABLE budget_delegation ENABLE TRIGGER {APPEND_ONLY}",
        ]
    else:
        raise NotImplementedError(f"delegation campaign trigger: {vendor}")
    for statement in statements:
        schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in SQLITE_DROP if vendor == "sqlite" else POSTGRESQL_DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('budget', '0004_stored_commitments'),
        ('campaign', '0013_merge_kind_and_triggers'),
        ('dossiers', '0008_campaign_state_filiere_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='delegation',
            name='campaign',
            field=models.ForeignKey(db_constraint=False, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='campaign.campaign'),
        ),
        migrations.AddIndex(
            model_name='delegation',
            index=models.Index(fields=['campaign', 'date', 'id'], name='delegation_campaign_date_idx'),
        ),
        migrations.RunPython(install, uninstall),
    ]
