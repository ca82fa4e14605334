
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('decisions', '0024_organisation_kinds'),
    ]

    operations = [
        migrations.AddField(
            model_name='remedy',
            name='rate_per',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, verbose_name='rate: amount a period'),
        ),
        migrations.AddField(
            model_name='remedy',
            name='rate_period',
            field=models.CharField(blank=True, choices=[('day', 'day'), ('week', 'week'), ('month', 'month'), ('term', 'term'), ('year', 'year')], max_length=5, verbose_name='rate: period'),
        ),
        migrations.AddField(
            model_name='remedy',
            name='rate_periods',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='rate: number of periods'),
        ),
        migrations.AddConstraint(
            model_name='remedy',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('rate_per__isnull', True), ('rate_period', '')), models.Q(('rate_per__gte', 0), ('rate_period__in', ('day', 'week', 'month', 'term', 'year'))), _connector='OR'), name='remedy_rate_whole'),
        ),
    ]
