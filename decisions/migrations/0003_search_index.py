"""Full-text search structures, chosen by database (the Wagtail precedent).

PostgreSQL: a stored generated ``search_vector`` column, weighted A (reference,
organisation, headings), B (summary), C (body), with a GIN index. It is recomputed by
the database on every write, so it can never be stale.

SQLite: an FTS5 external-content table over the same columns, kept in step by
triggers. NOTE: Django rebuilds a SQLite table when some later migrations alter it,
which drops its triggers: any migration that alters ``decisions_decision`` on SQLite
must run ``sqlite_triggers_sql()`` again (tests search freshly written rows, so a lost
trigger fails the suite).
"""

from django.db import migrations

FTS_COLUMNS = ("reference", "organisation", "headings", "summary", "full_text")

PG_FORWARD = [
    """
    ALTER TABLE decisions_decision ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(reference, '') || ' ' || coalesce(organisation, '')
                  || ' ' || coalesce(headings, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')
        || setweight(to_tsvector('english'::regconfig, coalesce(full_text, '')), 'C')
    ) STORED
    """,
    "CREATE INDEX decision_search_vector_gin ON decisions_decision USING GIN (search_vector)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS decision_search_vector_gin",
    "ALTER TABLE decisions_decision DROP COLUMN IF EXISTS search_vector",
]


def sqlite_triggers_sql() -> list[str]:
    columns = ", ".join(FTS_COLUMNS)
    new_values = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
    old_values = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
    delete_old = (
        f"INSERT INTO decisions_decision_fts(decisions_decision_fts, rowid, {columns}) "
        f"VALUES ('delete', old.id, {old_values});"
    )
    insert_new = f"INSERT INTO decisions_decision_fts(rowid, {columns}) VALUES (new.id, {new_values});"
    return [
        "DROP TRIGGER IF EXISTS decisions_decision_fts_insert",
        "DROP TRIGGER IF EXISTS decisions_decision_fts_delete",
        "DROP TRIGGER IF EXISTS decisions_decision_fts_update",
        f"CREATE TRIGGER decisions_decision_fts_insert AFTER INSERT ON decisions_decision BEGIN {insert_new} END",
        f"CREATE TRIGGER decisions_decision_fts_delete AFTER DELETE ON decisions_decision BEGIN {delete_old} END",
        f"CREATE TRIGGER decisions_decision_fts_update AFTER UPDATE OF {columns} ON decisions_decision "
        f"BEGIN {delete_old} {insert_new} END",
    ]


SQLITE_FORWARD = [
    f"CREATE VIRTUAL TABLE decisions_decision_fts USING fts5({', '.join(FTS_COLUMNS)}, "
    "content='decisions_decision', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    *sqlite_triggers_sql(),
    "INSERT INTO decisions_decision_fts(decisions_decision_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS decisions_decision_fts_insert",
    "DROP TRIGGER IF EXISTS decisions_decision_fts_delete",
    "DROP TRIGGER IF EXISTS decisions_decision_fts_update",
    "DROP TABLE IF EXISTS decisions_decision_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("decisions", "0002_decision_search_fields")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
