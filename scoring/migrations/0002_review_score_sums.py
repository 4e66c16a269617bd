"""ReviewScoreSums and the triggers that keep it (decision 0060).

As dossiers.DossierTotals (dossiers/0007, decision 0056): a review's row is deleted and
summed again from its scores whenever a score is inserted, deleted, or updated (its
score, criterion or review), and when a criterion's weight changes (every review that
scored it). No row for a review without any score. SQLite: a trigger per row.
PostgreSQL: a trigger per statement, which refreshes each review the statement touched
once, after locking the reviews' rows in id order (two transactions writing one review's
scores refresh its row one after the other, each seeing the other's scores; SQLite
writes one transaction at a time). A review's deletion deletes its row.

Weights have two decimals: both sums are integers in hundredths, exact and the same on
both databases (SQLite holds decimals as binary floats)."""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "scoring_reviewscoresums"
COLUMNS = "review_id, points, weights"
WEIGHT = "CAST(ROUND(c.weight * 100) AS BIGINT)"


def sums(where):
    """SELECT of the rows of the reviews matching `where` (on s.review_id)."""
    return (
        f"SELECT s.review_id, SUM({WEIGHT} * s.score), SUM({WEIGHT}) "
        "FROM scoring_criterionscore s JOIN scoring_criterion c ON c.id = s.criterion_id "
        f"WHERE s.score IS NOT NULL AND {where} GROUP BY s.review_id"
    )


def refresh(reviews):
    """Statements refreshing the rows of the reviews `reviews` (an SQL set: `IN (…)`, `= ANY(…)`)."""
    return (
        f"DELETE FROM {TABLE} WHERE review_id {reviews}; "
        f"INSERT INTO {TABLE} ({COLUMNS}) {sums(f's.review_id {reviews}')};"
    )


SCORED_BY_NEW = "IN (SELECT review_id FROM scoring_criterionscore WHERE criterion_id = NEW.id)"

SQLITE = [
    "CREATE TRIGGER review_score_sums_score_insert AFTER INSERT ON scoring_criterionscore "
    f"BEGIN {refresh('= NEW.review_id')} END",
    "CREATE TRIGGER review_score_sums_score_delete AFTER DELETE ON scoring_criterionscore "
    f"BEGIN {refresh('= OLD.review_id')} END",
    "CREATE TRIGGER review_score_sums_score_update AFTER UPDATE OF score, criterion_id, "
    f"review_id ON scoring_criterionscore BEGIN {refresh('= OLD.review_id')} "
    f"{refresh('= NEW.review_id')} END",
    "CREATE TRIGGER review_score_sums_weight_update AFTER UPDATE OF weight "
    "ON scoring_criterion WHEN OLD.weight IS NOT NEW.weight "
    f"BEGIN {refresh(SCORED_BY_NEW)} END",
    "CREATE TRIGGER review_score_sums_review_delete AFTER DELETE ON scoring_review "
    f"BEGIN DELETE FROM {TABLE} WHERE review_id = OLD.id; END",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS review_score_sums_{name}"
    for name in ("score_insert", "score_delete", "score_update", "weight_update", "review_delete")
]

# (function, table, event, transition tables, the reviews to refresh)
POSTGRESQL_TRIGGERS = [
    (
        "review_score_sums_scores_inserted",
        "scoring_criterionscore",
        "INSERT",
        "NEW TABLE AS new_rows",
        "SELECT n.review_id FROM new_rows n",
    ),
    (
        "review_score_sums_scores_deleted",
        "scoring_criterionscore",
        "DELETE",
        "OLD TABLE AS old_rows",
        "SELECT o.review_id FROM old_rows o",
    ),
    (
        "review_score_sums_scores_updated",
        "scoring_criterionscore",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "SELECT r.id AS review_id FROM old_rows o JOIN new_rows n ON n.id = o.id "
        "JOIN scoring_review r ON r.id IN (o.review_id, n.review_id) "
        "WHERE (o.score, o.criterion_id, o.review_id) "
        "IS DISTINCT FROM (n.score, n.criterion_id, n.review_id)",
    ),
    (
        "review_score_sums_weights_updated",
        "scoring_criterion",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "SELECT s.review_id FROM old_rows o JOIN new_rows n ON n.id = o.id "
        "JOIN scoring_criterionscore s ON s.criterion_id = n.id "
        "WHERE o.weight IS DISTINCT FROM n.weight",
    ),
]


def postgresql_triggers():
    """Statement triggers with transition tables (a bulk insert refreshes each review
    once, not once per score)."""
    statements = [
        f"""CREATE OR REPLACE FUNCTION review_score_sums_refresh(targets bigint[]) RETURNS void AS $$
        BEGIN
            PERFORM 1 FROM scoring_review WHERE id = ANY(targets) ORDER BY id FOR UPDATE;
            {refresh("= ANY(targets)")}
        END $$ LANGUAGE plpgsql"""
    ]
    for function, table, event, transitions, reviews in POSTGRESQL_TRIGGERS:
        statements += [
            f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
            BEGIN
                PERFORM review_score_sums_refresh(ARRAY(SELECT DISTINCT t.review_id FROM ({reviews}) t));
                RETURN NULL;
            END $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER {function} AFTER {event} ON {table}
                REFERENCING {transitions}
                FOR EACH STATEMENT EXECUTE FUNCTION {function}()""",
        ]
    statements += [
        f"""CREATE OR REPLACE FUNCTION review_score_sums_review_deleted() RETURNS trigger AS $$
        BEGIN
            DELETE FROM {TABLE} WHERE review_id = OLD.id;
            RETURN NULL;
        END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER review_score_sums_review_deleted AFTER DELETE ON scoring_review
            FOR EACH ROW EXECUTE FUNCTION review_score_sums_review_deleted()""",
    ]
    return statements


POSTGRESQL_DROP = [
    *(f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table, *_ in POSTGRESQL_TRIGGERS),
    "DROP TRIGGER IF EXISTS review_score_sums_review_deleted ON scoring_review",
    *(f"DROP FUNCTION IF EXISTS {name}()" for name, *_ in POSTGRESQL_TRIGGERS),
    "DROP FUNCTION IF EXISTS review_score_sums_review_deleted()",
    "DROP FUNCTION IF EXISTS review_score_sums_refresh(bigint[])",
]


def install(apps, schema_editor):
    """The triggers, then the rows of every review (backfill)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = SQLITE
    elif vendor == "postgresql":
        statements = postgresql_triggers()
    else:
        raise NotImplementedError(f"review score sums triggers: {vendor}")
    for statement in statements:
        schema_editor.execute(statement)
    schema_editor.execute(f"DELETE FROM {TABLE}")
    schema_editor.execute(f"INSERT INTO {TABLE} ({COLUMNS}) {sums('1 = 1')}")


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in SQLITE_DROP if vendor == "sqlite" else POSTGRESQL_DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('scoring', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReviewScoreSums',
            fields=[
                ('review', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='scoring.review')),
                ('points', models.BigIntegerField()),
                ('weights', models.BigIntegerField()),
            ],
            options={
                'verbose_name': "sommes des notes d'une évaluation",
                'verbose_name_plural': 'sommes des notes des évaluations',
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
