"""DossierName and the triggers that keep it (decision 0060).

A dossier's insert writes its row; an update of its identity rewrites it; its deletion
deletes it. The name is read as KT("identity__name") reads it on each database (the
same SQL expression), so that the pages show what they showed. Row triggers on both
databases: one dossier's row is one small write."""

import django.db.models.deletion
from django.db import migrations, models


NAME = {
    # KT("identity__name") on SQLite (django.db.models.fields.json.KeyTransform).
    "sqlite": (
        "CASE WHEN JSON_TYPE({0}.identity, '$.\"name\"') IN ('false', 'true', 'null') "
        "THEN JSON_TYPE({0}.identity, '$.\"name\"') "
        "ELSE JSON_EXTRACT({0}.identity, '$.\"name\"') END"
    ),
    "postgresql": "({0}.identity ->> 'name')",
}
TABLE = "dossiers_dossiername"

SQLITE = [
    "CREATE TRIGGER dossier_name_insert AFTER INSERT ON dossiers_dossier BEGIN "
    f"INSERT OR REPLACE INTO {TABLE} (dossier_id, name) "
    f"VALUES (NEW.id, {NAME['sqlite'].format('NEW')}); END",
    "CREATE TRIGGER dossier_name_update AFTER UPDATE OF identity, id ON dossiers_dossier BEGIN "
    f"DELETE FROM {TABLE} WHERE dossier_id = OLD.id; "
    f"INSERT OR REPLACE INTO {TABLE} (dossier_id, name) "
    f"VALUES (NEW.id, {NAME['sqlite'].format('NEW')}); END",
    "CREATE TRIGGER dossier_name_delete AFTER DELETE ON dossiers_dossier BEGIN "
    f"DELETE FROM {TABLE} WHERE dossier_id = OLD.id; END",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS dossier_name_{name}" for name in ("insert", "update", "delete")
]

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION dossier_name_written() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND OLD.id <> NEW.id THEN
            DELETE FROM {TABLE} WHERE dossier_id = OLD.id;
        END IF;
        INSERT INTO {TABLE} (dossier_id, name) VALUES (NEW.id, {NAME['postgresql'].format('NEW')})
            ON CONFLICT (dossier_id) DO UPDATE SET name = EXCLUDED.name;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER dossier_name_inserted AFTER INSERT ON dossiers_dossier
        FOR EACH ROW EXECUTE FUNCTION dossier_name_written()""",
    """CREATE TRIGGER dossier_name_updated AFTER UPDATE OF identity, id ON dossiers_dossier
        FOR EACH ROW EXECUTE FUNCTION dossier_name_written()""",
    f"""CREATE OR REPLACE FUNCTION dossier_name_deleted() RETURNS trigger AS $$
    BEGIN
        DELETE FROM {TABLE} WHERE dossier_id = OLD.id;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER dossier_name_deleted AFTER DELETE ON dossiers_dossier
        FOR EACH ROW EXECUTE FUNCTION dossier_name_deleted()""",
]
POSTGRESQL_DROP = [
    *(
        f"DROP TRIGGER IF EXISTS dossier_name_{name} ON dossiers_dossier"
        for name in ("inserted", "updated", "deleted")
    ),
    "DROP FUNCTION IF EXISTS dossier_name_written()",
    "DROP FUNCTION IF EXISTS dossier_name_deleted()",
]


def backfill(vendor):
    return (
        f"INSERT INTO {TABLE} (dossier_id, name) "
        f"SELECT d.id, {NAME[vendor].format('d')} FROM dossiers_dossier d"
    )


def install(apps, schema_editor):
    """The triggers, then every dossier's row (backfill)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = SQLITE
    elif vendor == "postgresql":
        statements = POSTGRESQL
    else:
        raise NotImplementedError(f"dossier name triggers: {vendor}")
    for statement in statements:
        schema_editor.execute(statement)
    schema_editor.execute(f"DELETE FROM {TABLE}")
    schema_editor.execute(backfill(vendor))


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in SQLITE_DROP if vendor == "sqlite" else POSTGRESQL_DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('dossiers', '0008_campaign_state_filiere_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='DossierName',
            fields=[
                ('dossier', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='stored_name', serialize=False, to='dossiers.dossier')),
                ('name', models.TextField(null=True)),
            ],
            options={
                'verbose_name': "nom d'un dossier",
                'verbose_name_plural': 'noms des dossiers',
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
