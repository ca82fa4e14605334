"""PostgreSQL: topic_vector (migrations 0010, 0011) goes. A search's synonyms are matched against
the topics' names once and their decisions found by category and subcategory
(search.filed_under_topics): testing each decision's topic_vector made PostgreSQL recheck every
candidate row, and the other side of an OR with it, de-TOASTing body vectors (a topic search at
500,000 decisions: 7 s warm, 110 s cold). Dropping a column does not rewrite the table.
SQLite has no such column (its FTS5 table holds the topic)."""

from django.db import migrations


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE decisions_decision DROP COLUMN IF EXISTS topic_vector")


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("""
            ALTER TABLE decisions_decision ADD COLUMN IF NOT EXISTS topic_vector tsvector GENERATED ALWAYS AS (
                to_tsvector('english'::regconfig, coalesce(topic, ''))
            ) STORED""")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS decision_topic_vector_gin ON decisions_decision USING gin (topic_vector)")


class Migration(migrations.Migration):
    dependencies = [("decisions", "0016_word_pairs")]

    operations = [migrations.RunPython(drop, restore)]
