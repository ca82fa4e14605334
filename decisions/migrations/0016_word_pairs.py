"""PostgreSQL: each decision's word pairs, so that a phrase is found by an index alone.

A GIN index on a tsvector cannot check word positions: for a phrase ("agreed to apologise")
PostgreSQL reads every candidate's whole body vector from TOAST to check them, which took 0.5 s
warm and up to 17 s cold for a phrase of common words at 100,000 decisions. ``pair_vector``
holds each pair of consecutive words of ``search_vector`` (same text, same stemming) with the
distance between them, 'agre~apologis~2' ("to" is a stop word and has no position), and has
its own GIN index: a phrase is then all of its pairs (search.py). SQLite's FTS5 index holds
positions and needs none of this.
"""

from django.db import migrations

WEIGHTED_A = ("coalesce(reference, '') || ' ' || coalesce(organisation, '') || ' ' || coalesce(topic, '') || ' ' "
              "|| coalesce(headings, '')")  # as in migration 0010, whose search_vector this follows

PG_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION lgo_word_pairs(v tsvector) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_to_tsvector(array_agg(DISTINCT first || '~' || second || '~' || gap)), ''::tsvector)
        FROM (SELECT lexeme AS first, lead(lexeme) OVER w AS second, lead(pos) OVER w - pos AS gap
              FROM (SELECT lexeme, unnest(positions) AS pos FROM unnest(v)) AS words
              WINDOW w AS (ORDER BY pos)) AS pairs
        WHERE gap > 0
    $$
    """,
    f"""
    ALTER TABLE decisions_decision ADD COLUMN IF NOT EXISTS pair_vector tsvector GENERATED ALWAYS AS (
        lgo_word_pairs(
            to_tsvector('english'::regconfig, {WEIGHTED_A})
            || to_tsvector('english'::regconfig, coalesce(summary, ''))
            || to_tsvector('english'::regconfig, coalesce(full_text, '')))
    ) STORED
    """,
    "CREATE INDEX IF NOT EXISTS decision_pair_vector_gin ON decisions_decision USING GIN (pair_vector)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS decision_pair_vector_gin",
    "ALTER TABLE decisions_decision DROP COLUMN IF EXISTS pair_vector",
    "DROP FUNCTION IF EXISTS lgo_word_pairs(tsvector)",
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
    dependencies = [("decisions", "0015_vocabulary_constraints")]

    operations = [migrations.RunPython(forward, backward)]
