"""PostgreSQL: a GIN index on the small vector of the weighted fields (migration 0005), so that
a search finds the decisions that match in their reference, organisation, headings or summary
without reading any body: search.weighted_scores ranks those. SQLite has no such column."""

from django.db import migrations

INDEX = "decision_rank_vector_gin"


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON decisions_decision USING gin (rank_vector)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ('decisions', '0007_sqlite_small_columns_first'),
    ]

    operations = [
        migrations.RunPython(add_index, drop_index),
    ]
