"""DossierTotals and the triggers that keep it (decision 0056).

A line's insert, delete, or update of its amounts, nature or sheet refreshes its
dossier's row: the row is deleted and summed again from the dossier's lines (no row
when none is left). SQLite: a trigger per line. PostgreSQL: a trigger per statement,
which refreshes each dossier the statement touched once; the refresh first locks the
dossiers' rows (in id order), so that two transactions writing lines of one dossier
refresh its totals one after the other, each seeing the other's lines (SQLite writes
one transaction at a time)."""

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = (
    "amount_recurring, amount_one_off, proposed_recurring, proposed_one_off, "
    "granted_recurring, granted_one_off"
)


def sums(dossier):
    """SELECT of one dossier's totals row (nothing when it has no line)."""
    parts = ", ".join(
        f"SUM(CASE WHEN l.nature = '{nature}' THEN l.{field} END)"
        for field in ("amount", "proposed", "granted")
        for nature in ("recurring", "one_off")
    )
    return (
        f"SELECT p.dossier_id, {parts} FROM dossiers_fundingline l "
        "JOIN dossiers_project p ON p.id = l.project_id "
        f"WHERE p.dossier_id = {dossier} GROUP BY p.dossier_id"
    )


def refresh(dossier):
    return (
        f"DELETE FROM dossiers_dossiertotals WHERE dossier_id = {dossier}; "
        f"INSERT INTO dossiers_dossiertotals (dossier_id, {COLUMNS}) {sums(dossier)};"
    )


def dossier_of(row):
    return f"(SELECT dossier_id FROM dossiers_project WHERE id = {row}.project_id)"


LINE_COLUMNS = "amount, proposed, granted, nature, project_id"

SQLITE = [
    f"CREATE TRIGGER dossier_totals_line_insert AFTER INSERT ON dossiers_fundingline "
    f"BEGIN {refresh(dossier_of('NEW'))} END",
    f"CREATE TRIGGER dossier_totals_line_delete AFTER DELETE ON dossiers_fundingline "
    f"BEGIN {refresh(dossier_of('OLD'))} END",
    f"CREATE TRIGGER dossier_totals_line_update AFTER UPDATE OF {LINE_COLUMNS} "
    f"ON dossiers_fundingline BEGIN {refresh(dossier_of('OLD'))} "
    f"{refresh(dossier_of('NEW'))} END",
    "CREATE TRIGGER dossier_totals_dossier_delete AFTER DELETE ON dossiers_dossier "
    "BEGIN DELETE FROM dossiers_dossiertotals WHERE dossier_id = OLD.id; END",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS dossier_totals_{name}"
    for name in ("line_insert", "line_delete", "line_update", "dossier_delete")
]

# PostgreSQL: statement triggers with transition tables, each statement refreshes the
# dossiers it touched once (a bulk insert of thousands of lines refreshes each dossier
# once, not once per line).
POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION dossier_totals_refresh(targets bigint[]) RETURNS void AS $$
    BEGIN
        PERFORM 1 FROM dossiers_dossier WHERE id = ANY(targets) ORDER BY id FOR UPDATE;
        {refresh("ANY(targets)")}
    END $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION dossier_totals_lines_inserted() RETURNS trigger AS $$
    BEGIN
        PERFORM dossier_totals_refresh(ARRAY(
            SELECT DISTINCT p.dossier_id FROM new_lines n
            JOIN dossiers_project p ON p.id = n.project_id));
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION dossier_totals_lines_deleted() RETURNS trigger AS $$
    BEGIN
        PERFORM dossier_totals_refresh(ARRAY(
            SELECT DISTINCT p.dossier_id FROM old_lines o
            JOIN dossiers_project p ON p.id = o.project_id));
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION dossier_totals_lines_updated() RETURNS trigger AS $$
    BEGIN
        PERFORM dossier_totals_refresh(ARRAY(
            SELECT DISTINCT p.dossier_id FROM old_lines o
            JOIN new_lines n ON n.id = o.id
            JOIN dossiers_project p ON p.id IN (o.project_id, n.project_id)
            WHERE (o.amount, o.proposed, o.granted, o.nature, o.project_id)
                IS DISTINCT FROM (n.amount, n.proposed, n.granted, n.nature, n.project_id)));
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER dossier_totals_lines_inserted AFTER INSERT ON dossiers_fundingline
        REFERENCING NEW TABLE AS new_lines
        FOR EACH STATEMENT EXECUTE FUNCTION dossier_totals_lines_inserted()""",
    """CREATE TRIGGER dossier_totals_lines_deleted AFTER DELETE ON dossiers_fundingline
        REFERENCING OLD TABLE AS old_lines
        FOR EACH STATEMENT EXECUTE FUNCTION dossier_totals_lines_deleted()""",
    """CREATE TRIGGER dossier_totals_lines_updated AFTER UPDATE ON dossiers_fundingline
        REFERENCING OLD TABLE AS old_lines NEW TABLE AS new_lines
        FOR EACH STATEMENT EXECUTE FUNCTION dossier_totals_lines_updated()""",
    """CREATE OR REPLACE FUNCTION dossier_totals_dossier_deleted() RETURNS trigger AS $$
    BEGIN
        DELETE FROM dossiers_dossiertotals WHERE dossier_id = OLD.id;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER dossier_totals_dossier_deleted AFTER DELETE ON dossiers_dossier
        FOR EACH ROW EXECUTE FUNCTION dossier_totals_dossier_deleted()""",
]
POSTGRESQL_DROP = [
    *(
        f"DROP TRIGGER IF EXISTS dossier_totals_lines_{name} ON dossiers_fundingline"
        for name in ("inserted", "deleted", "updated")
    ),
    "DROP TRIGGER IF EXISTS dossier_totals_dossier_deleted ON dossiers_dossier",
    *(
        f"DROP FUNCTION IF EXISTS dossier_totals_lines_{name}()"
        for name in ("inserted", "deleted", "updated")
    ),
    "DROP FUNCTION IF EXISTS dossier_totals_dossier_deleted()",
    "DROP FUNCTION IF EXISTS dossier_totals_refresh(bigint[])",
]

BACKFILL = (
    f"INSERT INTO dossiers_dossiertotals (dossier_id, {COLUMNS}) "
    + sums("p.dossier_id").replace(" WHERE p.dossier_id = p.dossier_id", "")
)


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRESQL)
    else:
        raise NotImplementedError(f"dossier totals triggers: {vendor}")
    schema_editor.execute("DELETE FROM dossiers_dossiertotals")
    schema_editor.execute(BACKFILL)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, SQLITE_DROP if vendor == "sqlite" else POSTGRESQL_DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('dossiers', '0006_merge_triggers_versions_and_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='DossierTotals',
            fields=[
                ('dossier', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='dossiers.dossier')),
                ('amount_recurring', models.DecimalField(decimal_places=2, max_digits=16, null=True)),
                ('amount_one_off', models.DecimalField(decimal_places=2, max_digits=16, null=True)),
                ('proposed_recurring', models.DecimalField(decimal_places=2, max_digits=16, null=True)),
                ('proposed_one_off', models.DecimalField(decimal_places=2, max_digits=16, null=True)),
                ('granted_recurring', models.DecimalField(decimal_places=2, max_digits=16, null=True)),
                ('granted_one_off', models.DecimalField(decimal_places=2, max_digits=16, null=True)),
            ],
            options={
                'verbose_name': "totaux d'un dossier",
                'verbose_name_plural': 'totaux des dossiers',
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
