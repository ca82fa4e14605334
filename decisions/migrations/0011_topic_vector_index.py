"""PostgreSQL: a GIN index on topic_vector (migration 0010), so that a search whose synonyms are
matched against the topic finds those decisions by the index, OR-ed with the text's own GIN
index, instead of testing every decision's topic (a sequential scan: 1.2 s at 100,000).
SQLite's FTS5 table indexes the topic column already."""

from django.db import migrations

INDEX = "decision_topic_vector_gin"


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON decisions_decision USING gin (topic_vector)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("decisions", "0010_topic_in_search")]

    operations = [migrations.RunPython(add_index, drop_index)]
