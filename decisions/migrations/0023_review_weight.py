from django.db import migrations, models

# ALTER TABLE … ADD COLUMN on both databases (see 0022): no rebuild of SQLite's decision table.
ADD_COLUMN = ("ALTER TABLE decisions_decision ADD COLUMN review_weight smallint NOT NULL DEFAULT 0 "
              "CHECK (review_weight >= 0)")
COUNT_REASONS = {
    "postgresql": "UPDATE decisions_decision SET review_weight = jsonb_array_length(review_reasons) "
                  "WHERE jsonb_typeof(review_reasons) = 'array' AND jsonb_array_length(review_reasons) > 0",
    "sqlite": "UPDATE decisions_decision SET review_weight = json_array_length(review_reasons) "
              "WHERE json_valid(review_reasons) AND json_array_length(review_reasons) > 0",
}


def count_reasons(apps, schema_editor):
    """Each decision's reasons to check, counted in one statement."""
    schema_editor.execute(COUNT_REASONS[schema_editor.connection.vendor])


class Migration(migrations.Migration):

    dependencies = [
        ("decisions", "0022_unstated_payments"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD_COLUMN, "ALTER TABLE decisions_decision DROP COLUMN review_weight")],
            state_operations=[migrations.AddField(
                model_name="decision",
                name="review_weight",
                field=models.PositiveSmallIntegerField(
                    default=0, editable=False, help_text="How many reasons to check the reading: the review queue's order."),
            )],
        ),
        migrations.RunPython(count_reasons, migrations.RunPython.noop, elidable=True),
    ]
