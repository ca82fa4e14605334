"""PostgreSQL: the full-text vectors move from the decision table to a narrow table of their own.

Finding a word's decisions is a GIN bitmap scan that then reads each match's row for its id. On
the decision table a row is about 1.2 KB (its inline columns), so a word in most decisions
visited every one of its pages: at 500,000 decisions 73,000 pages, about 240 ms, the largest
part of a broad search. ``decisions_decision_search`` holds the id and the two body vectors
(``search_vector``, ``pair_vector``, both out of line), about 75 bytes a row: 4,700 pages, about
90 ms for the same word. ``rank_vector`` (the weighted fields, small) stays on the decision
table, where ranking reads it.

The table is the database's own, like the generated columns it replaces: triggers on the
decision table write a decision's row when it is inserted or its searched text changes (the
text is parsed once: ``pair_vector`` is made from ``search_vector``), delete it with the
decision and empty it with the decision table. The existing vectors are copied, not computed
again. SQLite has its FTS5 table and none of this.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

TABLE = "decisions_decision_search"
SEARCHED = ("reference", "organisation", "topic", "headings", "summary", "full_text")


def weighted_a(row: str = "") -> str:
    """The weight-A text, as in migration 0010 (``row`` is "NEW." in a trigger)."""
    return " || ' ' || ".join(f"coalesce({row}{column}, '')" for column in ("reference", "organisation", "topic",
                                                                              "headings"))


def search_vector(row: str = "") -> str:
    """search_vector as migration 0010 made it."""
    return (f"setweight(to_tsvector('english'::regconfig, {weighted_a(row)}), 'A') "
            f"|| setweight(to_tsvector('english'::regconfig, coalesce({row}summary, '')), 'B') "
            f"|| setweight(to_tsvector('english'::regconfig, coalesce({row}full_text, '')), 'C')")


def pair_vector_generated() -> str:
    """pair_vector as migration 0016 made it: the same lexemes and positions as search_vector
    (weights play no part in lgo_word_pairs)."""
    return (f"lgo_word_pairs(to_tsvector('english'::regconfig, {weighted_a()}) "
            "|| to_tsvector('english'::regconfig, coalesce(summary, '')) "
            "|| to_tsvector('english'::regconfig, coalesce(full_text, '')))")


PG_FORWARD = [
    # A row's vectors go out of line whenever the row would exceed 128 bytes, so that the rows
    # stay narrow whatever a statement's length.
    f"""CREATE TABLE {TABLE} (
        decision_id bigint PRIMARY KEY,
        search_vector tsvector NOT NULL,
        pair_vector tsvector NOT NULL
    ) WITH (toast_tuple_target = 128)""",
    f"INSERT INTO {TABLE} (decision_id, search_vector, pair_vector) "
    "SELECT id, search_vector, pair_vector FROM decisions_decision",
    "ALTER TABLE decisions_decision DROP COLUMN search_vector, DROP COLUMN pair_vector",  # and their indexes
    f"CREATE INDEX decision_search_vector_gin ON {TABLE} USING GIN (search_vector)",
    f"CREATE INDEX decision_pair_vector_gin ON {TABLE} USING GIN (pair_vector)",
    f"""CREATE FUNCTION lgo_write_search_row() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        vector tsvector := {search_vector("NEW.")};
    BEGIN
        INSERT INTO {TABLE} (decision_id, search_vector, pair_vector)
        VALUES (NEW.id, vector, lgo_word_pairs(vector))
        ON CONFLICT (decision_id) DO UPDATE
            SET search_vector = EXCLUDED.search_vector, pair_vector = EXCLUDED.pair_vector;
        RETURN NULL;
    END $$""",
    f"""CREATE FUNCTION lgo_delete_search_row() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM {TABLE} WHERE decision_id = OLD.id;
        RETURN NULL;
    END $$""",
    f"""CREATE FUNCTION lgo_empty_search_table() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE {TABLE};
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER decision_search_insert AFTER INSERT ON decisions_decision "
    "FOR EACH ROW EXECUTE FUNCTION lgo_write_search_row()",
    # Only when searched text changed: saving a decision writes every column.
    f"CREATE TRIGGER decision_search_update AFTER UPDATE OF {', '.join(SEARCHED)} ON decisions_decision "
    f"FOR EACH ROW WHEN ({' OR '.join(f'OLD.{c} IS DISTINCT FROM NEW.{c}' for c in SEARCHED)}) "
    "EXECUTE FUNCTION lgo_write_search_row()",
    "CREATE TRIGGER decision_search_delete AFTER DELETE ON decisions_decision "
    "FOR EACH ROW EXECUTE FUNCTION lgo_delete_search_row()",
    "CREATE TRIGGER decision_search_truncate AFTER TRUNCATE ON decisions_decision "
    "FOR EACH STATEMENT EXECUTE FUNCTION lgo_empty_search_table()",
    f"ANALYZE {TABLE}",
]

PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS decision_search_insert ON decisions_decision",
    "DROP TRIGGER IF EXISTS decision_search_update ON decisions_decision",
    "DROP TRIGGER IF EXISTS decision_search_delete ON decisions_decision",
    "DROP TRIGGER IF EXISTS decision_search_truncate ON decisions_decision",
    "DROP FUNCTION IF EXISTS lgo_write_search_row()",
    "DROP FUNCTION IF EXISTS lgo_delete_search_row()",
    "DROP FUNCTION IF EXISTS lgo_empty_search_table()",
    f"ALTER TABLE decisions_decision ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({search_vector()}) STORED",
    f"ALTER TABLE decisions_decision ADD COLUMN pair_vector tsvector GENERATED ALWAYS AS ({pair_vector_generated()}) "
    "STORED",
    f"DROP TABLE IF EXISTS {TABLE}",
    "CREATE INDEX decision_search_vector_gin ON decisions_decision USING GIN (search_vector)",
    "CREATE INDEX decision_pair_vector_gin ON decisions_decision USING GIN (pair_vector)",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("decisions", "0017_drop_topic_vector")]

    operations = [
        migrations.CreateModel(
            name="SearchVectorRow",
            fields=[
                ("decision", models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                                                  primary_key=True, related_name="search_vector_row", serialize=False,
                                                  to="decisions.decision")),
                ("search_vector", django.contrib.postgres.search.SearchVectorField()),
                ("pair_vector", django.contrib.postgres.search.SearchVectorField()),
            ],
            options={"db_table": TABLE, "managed": False},
        ),
        migrations.RunPython(forward, backward),
    ]
