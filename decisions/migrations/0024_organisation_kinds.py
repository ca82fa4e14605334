from django.db import migrations, models

from decisions.statements.organisations import OTHER_AUTHORITY, organisation_kind


def finer_kinds(apps, schema_editor):
    """The old 'council' kind becomes the finer kind its name says; national parks are 'other authorities'.
    Kinds staff chose among the others (care provider, school, NHS body, other) are kept."""
    Council = apps.get_model("decisions", "Council")
    Council.objects.filter(kind="national_park").update(kind=OTHER_AUTHORITY)
    for council in Council.objects.filter(kind="council").only("pk", "name"):
        Council.objects.filter(pk=council.pk).update(kind=organisation_kind(council.name))
    # Cached figures are kept under the data version: move it, as every write to the data does.
    apps.get_model("decisions", "ArchiveState").objects.filter(pk=1).update(version=models.F("version") + 1)


def coarser_kinds(apps, schema_editor):
    Council = apps.get_model("decisions", "Council")
    Council.objects.filter(kind__in=["county_council", "district_council", "unitary_council", "london_borough",
                                     "metropolitan_borough"]).update(kind="council")
    Council.objects.filter(kind=OTHER_AUTHORITY).update(kind="other")


class Migration(migrations.Migration):

    dependencies = [
        ('decisions', '0023_review_weight'),
    ]

    operations = [
        migrations.AlterField(
            model_name='council',
            name='kind',
            field=models.CharField(choices=[('county_council', 'County council'), ('district_council', 'District council'), ('unitary_council', 'Unitary, city or borough council'), ('london_borough', 'London borough'), ('metropolitan_borough', 'Metropolitan borough'), ('other_authority', 'Combined or other authority'), ('care_provider', 'Care provider'), ('nhs_body', 'NHS body'), ('school', 'School'), ('other', 'Other')], db_index=True, default='other', help_text='Guessed from the name when first imported; correct it here.', max_length=30, verbose_name='kind of organisation'),
        ),
        migrations.RunPython(finer_kinds, coarser_kinds),
    ]
