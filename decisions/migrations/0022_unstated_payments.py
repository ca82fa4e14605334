from decimal import Decimal

from django.db import migrations, models
from django.db.models import Count, IntegerField, OuterRef, Subquery

# Added with ALTER TABLE … ADD COLUMN on both databases: Django's AddField of a NOT NULL column
# rebuilds SQLite's decision table, which copies every statement and drops the full-text
# triggers (see 0007). The column's DEFAULT stays in the database, harmlessly.
ADD_COLUMN = ("ALTER TABLE decisions_decision ADD COLUMN unstated_payments smallint NOT NULL DEFAULT 0 "
              "CHECK (unstated_payments >= 0)")


def count_unstated_payments(apps, schema_editor):
    """Each decision's payments without a stated amount, counted in one statement."""
    Decision = apps.get_model("decisions", "Decision")
    Remedy = apps.get_model("decisions", "Remedy")
    unstated = (Remedy.objects.filter(decision=OuterRef("pk"), kind="payment", amount__isnull=True)
                .order_by().values("decision").annotate(n=Count("pk")).values("n"))
    Decision.objects.using(schema_editor.connection.alias).filter(
        pk__in=Remedy.objects.filter(kind="payment", amount__isnull=True).values("decision")).update(
        unstated_payments=Subquery(unstated, output_field=IntegerField()))


class Migration(migrations.Migration):

    dependencies = [
        ('decisions', '0021_sign_in_attempts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(
                ADD_COLUMN, "ALTER TABLE decisions_decision DROP COLUMN unstated_payments")],
            state_operations=[
                migrations.AddField(
                    model_name='decision',
                    name='unstated_payments',
                    field=models.PositiveSmallIntegerField(default=0, editable=False, help_text='Payments agreed without a stated amount: an unknown sum, never £0.'),
                ),
                migrations.AlterField(
                    model_name='decision',
                    name='total_payment',
                    field=models.DecimalField(db_index=True, decimal_places=2, default=Decimal('0.00'), help_text='Sum of the payments whose amount the statement states (0 when none does: see stated_payment); kept in step with them.', max_digits=12),
                ),
            ],
        ),
        migrations.RunPython(count_unstated_payments, migrations.RunPython.noop, elidable=True),
    ]
