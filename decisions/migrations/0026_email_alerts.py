
import decisions.models
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('decisions', '0025_payment_rates'),
    ]

    operations = [
        migrations.CreateModel(
            name='Subscriber',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254, unique=True)),
                ('manage_token', models.CharField(default=decisions.models._secret, editable=False, max_length=64, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name='Alert',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('query', models.CharField(help_text="The listing's parameters, as its address writes them.", max_length=2000)),
                ('description', models.CharField(help_text='The search in words.', max_length=600)),
                ('frequency', models.CharField(choices=[('immediate', 'As soon as they are added'), ('daily', 'Daily'), ('weekly', 'Weekly'), ('monthly', 'Monthly')], default='weekly', max_length=10)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('confirmed_at', models.DateTimeField(blank=True, null=True)),
                ('paused', models.BooleanField(default=False)),
                ('position', models.BigIntegerField(default=0, help_text='Decisions with ids up to this one have been considered.')),
                ('last_sent_at', models.DateTimeField(blank=True, null=True)),
                ('unsubscribe_token', models.CharField(default=decisions.models._secret, editable=False, max_length=64, unique=True)),
                ('subscriber', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='alerts', to='decisions.subscriber')),
            ],
        ),
        migrations.CreateModel(
            name='OutboxEmail',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('confirmation', 'Confirmation'), ('alert', 'Alert')], max_length=12)),
                ('to_address', models.EmailField(max_length=254)),
                ('subject', models.CharField(max_length=300)),
                ('text_body', models.TextField()),
                ('html_body', models.TextField(blank=True)),
                ('headers', models.JSONField(blank=True, default=dict)),
                ('decisions', models.PositiveIntegerField(default=0, help_text='New decisions the email tells of.')),
                ('client_address', models.CharField(blank=True, help_text='Who asked (confirmations only).', max_length=45)),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('claimed_at', models.DateTimeField(blank=True, null=True)),
                ('claimed_by', models.CharField(blank=True, help_text='The sending run that claimed it.', max_length=32)),
                ('sent_at', models.DateTimeField(blank=True, db_index=True, null=True)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('last_error', models.CharField(blank=True, max_length=500)),
                ('alert', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='outbox', to='decisions.alert')),
                ('subscriber', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='outbox', to='decisions.subscriber')),
            ],
            options={
                'verbose_name': 'outbox email',
                'indexes': [models.Index(fields=['sent_at', 'claimed_at'], name='outbox_unsent')],
            },
        ),
        migrations.AddIndex(
            model_name='alert',
            index=models.Index(fields=['confirmed_at', 'paused'], name='alert_due'),
        ),
    ]
