
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('decisions', '0026_email_alerts'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='decision',
            index=models.Index(condition=models.Q(('is_curated', True)), fields=['id'], name='decision_curated'),
        ),
    ]
