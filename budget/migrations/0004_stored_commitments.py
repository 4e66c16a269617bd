"""GrantedCommitment and DelegatedAmount, and the triggers that keep them (decision 0058).

As dossiers.DossierTotals (dossiers/0007, decision 0056), each table holds rows per
dossier, refreshed by database triggers whatever writes the rows they are made of: the
dossier's rows are deleted and summed again. SQLite: a trigger per row. PostgreSQL: a
trigger per statement, which refreshes each dossier the statement touched once, after
locking the dossiers' rows in id order (two transactions writing one dossier refresh it
one after the other, each seeing the other's rows).

- GrantedCommitment, from the dossier's lines granted more than 0: refreshed by an
  insert or delete of such a line, and an update of a line's granted amount, start
  month, nature or sheet when it is (or was) granted more than 0 (the lead's edits,
  before any decision, fire nothing).
- DelegatedAmount, from the delegations on the dossier's lines: refreshed by an insert,
  delete or update of a delegation, and an update of the nature or sheet of a line that
  has delegations.
- Both: a dossier's deletion deletes its rows.

Money is summed in integer cents, the same on both databases (SQLite holds decimals as
binary floats): c = an amount in cents. The first-year cost of a recurring line granted
from month m is (c × (13 − m) + 6) div 12, i.e. c × (13 − m) / 12 rounded half up, which
is budget.queries.first_year_cost line by line (tests/budget/test_stored_commitments.py)."""

import django.db.models.deletion
from django.db import migrations, models

COMMITMENTS = "budget_grantedcommitment"
COMMITMENT_COLUMNS = "dossier_id, nature, start_year, first_year, granted"
DELEGATED = "budget_delegatedamount"
DELEGATED_COLUMNS = "dossier_id, nature, year, first_date, amount"

# The month and year of a date column, per database (SQLite keeps dates as ISO text).
DATE_PARTS = {
    "sqlite": {
        "month": "CAST(substr({}, 6, 2) AS INTEGER)",
        "year": "CAST(substr({}, 1, 4) AS INTEGER)",
    },
    "postgresql": {
        "month": "CAST(EXTRACT(MONTH FROM {}) AS INTEGER)",
        "year": "CAST(EXTRACT(YEAR FROM {}) AS INTEGER)",
    },
}


def cents(column):
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


def commitment_sums(vendor, where):
    """SELECT of the commitments rows of the dossiers matching `where` (on p.dossier_id)."""
    month = DATE_PARTS[vendor]["month"].format("l.start_month")
    year = DATE_PARTS[vendor]["year"].format("l.start_month")
    first = (
        f"CASE WHEN l.nature = 'recurring' AND l.start_month IS NOT NULL "
        f"THEN ({cents('l.granted')} * (13 - {month}) + 6) / 12 ELSE {cents('l.granted')} END"
    )
    return (
        f"SELECT p.dossier_id, l.nature, {year}, "
        f"SUM({first}) / 100.0, SUM({cents('l.granted')}) / 100.0 "
        "FROM dossiers_fundingline l JOIN dossiers_project p ON p.id = l.project_id "
        f"WHERE l.granted > 0 AND {where} "
        f"GROUP BY p.dossier_id, l.nature, {year}"
    )


def delegated_sums(vendor, where):
    """SELECT of the delegated rows of the dossiers matching `where` (on p.dossier_id)."""
    year = DATE_PARTS[vendor]["year"].format("d.date")
    return (
        f"SELECT p.dossier_id, l.nature, {year}, MIN(d.date), "
        f"SUM({cents('d.amount')}) / 100.0 "
        "FROM budget_delegation d JOIN dossiers_fundingline l ON l.id = d.line_id "
        "JOIN dossiers_project p ON p.id = l.project_id "
        f"WHERE {where} GROUP BY p.dossier_id, l.nature, {year}"
    )


TABLES = {
    "granted_commitments": (COMMITMENTS, COMMITMENT_COLUMNS, commitment_sums),
    "delegated_amounts": (DELEGATED, DELEGATED_COLUMNS, delegated_sums),
}


def refresh(name, vendor, dossier):
    table, columns, sums = TABLES[name]
    return (
        f"DELETE FROM {table} WHERE dossier_id = {dossier}; "
        f"INSERT INTO {table} ({columns}) {sums(vendor, f'p.dossier_id = {dossier}')};"
    )


def dossier_of_line(line_id):
    return f"(SELECT dossier_id FROM dossiers_project WHERE id = {line_id})"


def dossier_of_delegation(row):
    return (
        "(SELECT dp.dossier_id FROM dossiers_fundingline dl "
        f"JOIN dossiers_project dp ON dp.id = dl.project_id WHERE dl.id = {row}.line_id)"
    )


def sqlite_triggers():
    commit = "granted_commitments"
    delegated = "delegated_amounts"
    line_of = dossier_of_line
    has_delegations = "EXISTS (SELECT 1 FROM budget_delegation WHERE line_id = NEW.id)"
    return [
        f"CREATE TRIGGER {commit}_line_insert AFTER INSERT ON dossiers_fundingline "
        f"WHEN NEW.granted > 0 BEGIN {refresh(commit, 'sqlite', line_of('NEW.project_id'))} END",
        f"CREATE TRIGGER {commit}_line_delete AFTER DELETE ON dossiers_fundingline "
        f"WHEN OLD.granted > 0 BEGIN {refresh(commit, 'sqlite', line_of('OLD.project_id'))} END",
        "CREATE TRIGGER {0}_line_update AFTER UPDATE OF granted, start_month, nature, "
        "project_id ON dossiers_fundingline WHEN OLD.granted > 0 OR NEW.granted > 0 "
        "BEGIN {1} {2} END".format(
            commit,
            refresh(commit, "sqlite", line_of("OLD.project_id")),
            refresh(commit, "sqlite", line_of("NEW.project_id")),
        ),
        f"CREATE TRIGGER {delegated}_line_update AFTER UPDATE OF nature, project_id "
        f"ON dossiers_fundingline WHEN {has_delegations} "
        f"BEGIN {refresh(delegated, 'sqlite', line_of('OLD.project_id'))} "
        f"{refresh(delegated, 'sqlite', line_of('NEW.project_id'))} END",
        f"CREATE TRIGGER {delegated}_insert AFTER INSERT ON budget_delegation "
        f"BEGIN {refresh(delegated, 'sqlite', dossier_of_delegation('NEW'))} END",
        f"CREATE TRIGGER {delegated}_delete AFTER DELETE ON budget_delegation "
        f"BEGIN {refresh(delegated, 'sqlite', dossier_of_delegation('OLD'))} END",
        f"CREATE TRIGGER {delegated}_update AFTER UPDATE OF line_id, date, amount "
        f"ON budget_delegation BEGIN {refresh(delegated, 'sqlite', dossier_of_delegation('OLD'))} "
        f"{refresh(delegated, 'sqlite', dossier_of_delegation('NEW'))} END",
        "CREATE TRIGGER stored_commitments_dossier_delete AFTER DELETE ON dossiers_dossier "
        f"BEGIN DELETE FROM {COMMITMENTS} WHERE dossier_id = OLD.id; "
        f"DELETE FROM {DELEGATED} WHERE dossier_id = OLD.id; END",
    ]


SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "granted_commitments_line_insert",
        "granted_commitments_line_delete",
        "granted_commitments_line_update",
        "delegated_amounts_line_update",
        "delegated_amounts_insert",
        "delegated_amounts_delete",
        "delegated_amounts_update",
        "stored_commitments_dossier_delete",
    )
]


def postgresql_triggers():
    """Statement triggers with transition tables (a bulk insert refreshes each dossier
    once, not once per row)."""
    statements = []
    for name, (table, columns, sums) in TABLES.items():
        statements.append(
            f"""CREATE OR REPLACE FUNCTION {name}_refresh(targets bigint[]) RETURNS void AS $$
            BEGIN
                PERFORM 1 FROM dossiers_dossier WHERE id = ANY(targets) ORDER BY id FOR UPDATE;
                DELETE FROM {table} WHERE dossier_id = ANY(targets);
                INSERT INTO {table} ({columns}) {sums("postgresql", "p.dossier_id = ANY(targets)")};
            END $$ LANGUAGE plpgsql"""
        )
    # (function, table, event, transition tables, the dossiers to refresh)
    triggers = [
        (
            "granted_commitments_lines_inserted",
            "dossiers_fundingline",
            "INSERT",
            "NEW TABLE AS new_rows",
            "granted_commitments",
            "SELECT p.dossier_id FROM new_rows n JOIN dossiers_project p "
            "ON p.id = n.project_id WHERE n.granted > 0",
        ),
        (
            "granted_commitments_lines_deleted",
            "dossiers_fundingline",
            "DELETE",
            "OLD TABLE AS old_rows",
            "granted_commitments",
            "SELECT p.dossier_id FROM old_rows o JOIN dossiers_project p "
            "ON p.id = o.project_id WHERE o.granted > 0",
        ),
        (
            "granted_commitments_lines_updated",
            "dossiers_fundingline",
            "UPDATE",
            "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            "granted_commitments",
            "SELECT p.dossier_id FROM old_rows o JOIN new_rows n ON n.id = o.id "
            "JOIN dossiers_project p ON p.id IN (o.project_id, n.project_id) "
            "WHERE (o.granted > 0 OR n.granted > 0) "
            "AND (o.granted, o.start_month, o.nature, o.project_id) "
            "IS DISTINCT FROM (n.granted, n.start_month, n.nature, n.project_id)",
        ),
        (
            "delegated_amounts_lines_updated",
            "dossiers_fundingline",
            "UPDATE",
            "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            "delegated_amounts",
            "SELECT p.dossier_id FROM old_rows o JOIN new_rows n ON n.id = o.id "
            "JOIN dossiers_project p ON p.id IN (o.project_id, n.project_id) "
            "WHERE (o.nature, o.project_id) IS DISTINCT FROM (n.nature, n.project_id) "
            "AND EXISTS (SELECT 1 FROM budget_delegation d WHERE d.line_id = n.id)",
        ),
        (
            "delegated_amounts_inserted",
            "budget_delegation",
            "INSERT",
            "NEW TABLE AS new_rows",
            "delegated_amounts",
            "SELECT p.dossier_id FROM new_rows n JOIN dossiers_fundingline l "
            "ON l.id = n.line_id JOIN dossiers_project p ON p.id = l.project_id",
        ),
        (
            "delegated_amounts_deleted",
            "budget_delegation",
            "DELETE",
            "OLD TABLE AS old_rows",
            "delegated_amounts",
            "SELECT p.dossier_id FROM old_rows o JOIN dossiers_fundingline l "
            "ON l.id = o.line_id JOIN dossiers_project p ON p.id = l.project_id",
        ),
        (
            "delegated_amounts_updated",
            "budget_delegation",
            "UPDATE",
            "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            "delegated_amounts",
            "SELECT p.dossier_id FROM old_rows o JOIN new_rows n ON n.id = o.id "
            "JOIN dossiers_fundingline l ON l.id IN (o.line_id, n.line_id) "
            "JOIN dossiers_project p ON p.id = l.project_id",
        ),
    ]
    for function, table, event, transitions, refreshed, dossiers in triggers:
        statements += [
            f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
            BEGIN
                PERFORM {refreshed}_refresh(ARRAY(SELECT DISTINCT t.dossier_id FROM ({dossiers}) t));
                RETURN NULL;
            END $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER {function} AFTER {event} ON {table}
                REFERENCING {transitions}
                FOR EACH STATEMENT EXECUTE FUNCTION {function}()""",
        ]
    statements += [
        f"""CREATE OR REPLACE FUNCTION stored_commitments_dossier_deleted() RETURNS trigger AS $$
        BEGIN
            DELETE FROM {COMMITMENTS} WHERE dossier_id = OLD.id;
            DELETE FROM {DELEGATED} WHERE dossier_id = OLD.id;
            RETURN NULL;
        END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER stored_commitments_dossier_deleted AFTER DELETE ON dossiers_dossier
            FOR EACH ROW EXECUTE FUNCTION stored_commitments_dossier_deleted()""",
    ]
    return statements


POSTGRESQL_DROP = [
    *(
        f"DROP TRIGGER IF EXISTS {name} ON {table}"
        for name, table in (
            ("granted_commitments_lines_inserted", "dossiers_fundingline"),
            ("granted_commitments_lines_deleted", "dossiers_fundingline"),
            ("granted_commitments_lines_updated", "dossiers_fundingline"),
            ("delegated_amounts_lines_updated", "dossiers_fundingline"),
            ("delegated_amounts_inserted", "budget_delegation"),
            ("delegated_amounts_deleted", "budget_delegation"),
            ("delegated_amounts_updated", "budget_delegation"),
            ("stored_commitments_dossier_deleted", "dossiers_dossier"),
        )
    ),
    *(
        f"DROP FUNCTION IF EXISTS {name}()"
        for name in (
            "granted_commitments_lines_inserted",
            "granted_commitments_lines_deleted",
            "granted_commitments_lines_updated",
            "delegated_amounts_lines_updated",
            "delegated_amounts_inserted",
            "delegated_amounts_deleted",
            "delegated_amounts_updated",
            "stored_commitments_dossier_deleted",
        )
    ),
    "DROP FUNCTION IF EXISTS granted_commitments_refresh(bigint[])",
    "DROP FUNCTION IF EXISTS delegated_amounts_refresh(bigint[])",
]


def install(apps, schema_editor):
    """The triggers, then the rows of every dossier (backfill)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = sqlite_triggers()
    elif vendor == "postgresql":
        statements = postgresql_triggers()
    else:
        raise NotImplementedError(f"stored commitments triggers: {vendor}")
    for statement in statements:
        schema_editor.execute(statement)
    for table, columns, sums in TABLES.values():
        schema_editor.execute(f"DELETE FROM {table}")
        schema_editor.execute(f"INSERT INTO {table} ({columns}) {sums(vendor, '1 = 1')}")


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in SQLITE_DROP if vendor == "sqlite" else POSTGRESQL_DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('budget', '0003_audit_triggers_i12b'),
        ('dossiers', '0007_dossier_totals'),
    ]

    operations = [
        migrations.CreateModel(
            name='DelegatedAmount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('nature', models.CharField(max_length=16)),
                ('year', models.PositiveSmallIntegerField()),
                ('first_date', models.DateField()),
                ('amount', models.DecimalField(decimal_places=2, max_digits=16)),
                ('dossier', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='dossiers.dossier')),
            ],
            options={
                'verbose_name': "montant délégué d'un dossier",
                'verbose_name_plural': 'montants délégués des dossiers',
            },
        ),
        migrations.CreateModel(
            name='GrantedCommitment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('nature', models.CharField(max_length=16)),
                ('start_year', models.PositiveSmallIntegerField(null=True)),
                ('first_year', models.DecimalField(decimal_places=2, max_digits=16)),
                ('granted', models.DecimalField(decimal_places=2, max_digits=16)),
                ('dossier', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='dossiers.dossier')),
            ],
            options={
                'verbose_name': "engagement accordé d'un dossier",
                'verbose_name_plural': 'engagements accordés des dossiers',
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
