"""The decision's topic (category and subcategory names) is searched, with the most weight.

A reader types a topic the way the Ombudsman names it ('antisocial behaviour', 'charging');
with the names in the index at the top weight, the decisions filed under it rank first.

PostgreSQL: both generated vectors (the whole ``search_vector`` and the small ``rank_vector``
of the weighted fields, migrations 0003 and 0005) are made again with ``topic`` at weight A,
with their GIN indexes (0003, 0008), and a ``topic_vector`` of the topic alone that ranking
tests to put a topic's decisions first. SQLite: the FTS5 table is made again with a ``topic``
column, its triggers with it, and filled from the decision table; the decision table is
rebuilt with its large columns last (0007), since adding a column put one after them.
"""

import importlib

from django.db import migrations, models

column_order = importlib.import_module("decisions.migrations.0007_sqlite_small_columns_first")

FTS_TABLE = "decisions_decision_fts"
FTS_COLUMNS = ("reference", "organisation", "topic", "headings", "summary", "full_text")

WEIGHTED_A = ("coalesce(reference, '') || ' ' || coalesce(organisation, '') || ' ' || coalesce(topic, '') || ' ' "
              "|| coalesce(headings, '')")
PG_FORWARD = [
    "ALTER TABLE decisions_decision DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE decisions_decision DROP COLUMN IF EXISTS rank_vector",
    f"""
    ALTER TABLE decisions_decision ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, {WEIGHTED_A}), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')
        || setweight(to_tsvector('english'::regconfig, coalesce(full_text, '')), 'C')
    ) STORED
    """,
    f"""
    ALTER TABLE decisions_decision ADD COLUMN rank_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, {WEIGHTED_A}), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')
    ) STORED
    """,
    # The topic alone, small and inline: ranking tests it on each match to put the topic's decisions first.
    """
    ALTER TABLE decisions_decision ADD COLUMN topic_vector tsvector GENERATED ALWAYS AS (
        to_tsvector('english'::regconfig, coalesce(topic, ''))
    ) STORED
    """,
    "CREATE INDEX decision_search_vector_gin ON decisions_decision USING GIN (search_vector)",
    "CREATE INDEX decision_rank_vector_gin ON decisions_decision USING GIN (rank_vector)",
]


def sqlite_triggers_sql() -> list[str]:
    """The FTS5 table's sync triggers. A later migration that rebuilds the decision table on
    SQLite must run these again (the rebuild drops them)."""
    columns = ", ".join(FTS_COLUMNS)
    new_values = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
    old_values = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
    delete_old = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {columns}) VALUES ('delete', old.id, {old_values});"
    insert_new = f"INSERT INTO {FTS_TABLE}(rowid, {columns}) VALUES (new.id, {new_values});"
    return [
        "DROP TRIGGER IF EXISTS decisions_decision_fts_insert",
        "DROP TRIGGER IF EXISTS decisions_decision_fts_delete",
        "DROP TRIGGER IF EXISTS decisions_decision_fts_update",
        f"CREATE TRIGGER decisions_decision_fts_insert AFTER INSERT ON decisions_decision BEGIN {insert_new} END",
        f"CREATE TRIGGER decisions_decision_fts_delete AFTER DELETE ON decisions_decision BEGIN {delete_old} END",
        f"CREATE TRIGGER decisions_decision_fts_update AFTER UPDATE OF {columns} ON decisions_decision "
        f"BEGIN {delete_old} {insert_new} END",
    ]


def fill_topics(apps, schema_editor):
    """One UPDATE per (category, subcategory) pair in use, however many decisions."""
    Decision = apps.get_model("decisions", "Decision")
    Category = apps.get_model("decisions", "Category")
    names = dict(Category.objects.values_list("pk", "name"))
    pairs = Decision.objects.order_by().values_list("category_id", "subcategory_id").distinct()
    for category_id, subcategory_id in list(pairs):
        topic = " › ".join(names[pk] for pk in (category_id, subcategory_id) if pk in names)
        topic = topic.replace("'", "").replace("’", "")  # as Decision.topic_text()
        Decision.objects.filter(category_id=category_id, subcategory_id=subcategory_id).update(topic=topic)


def search_structures(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in PG_FORWARD:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        column_order.rebuild_with_large_columns_last(schema_editor)
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({', '.join(FTS_COLUMNS)}, content='decisions_decision', "
            "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')")
        for statement in sqlite_triggers_sql():
            schema_editor.execute(statement)
        schema_editor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


class Migration(migrations.Migration):
    dependencies = [("decisions", "0009_outcome_groups_evidence_confidence")]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="topic",
            field=models.TextField(blank=True, editable=False, help_text=(
                "Category and subcategory names: searched with the most weight, so a search for a topic ranks the "
                "decisions filed under it first. Kept in step by topic_text().")),
        ),
        migrations.RunPython(fill_topics, migrations.RunPython.noop),
        migrations.RunPython(search_structures, migrations.RunPython.noop),
    ]
