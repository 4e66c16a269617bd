"""Filières belong to their region only (dossiers 0002 has merged those of one region
that shared a slug): the old link to one campaign goes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("campaign", "0006_regions"),
        ("dossiers", "0002_merge_filieres_of_a_region"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="filiere", name="unique_filiere_slug"),
        migrations.AlterModelOptions(
            name="filiere",
            options={"ordering": ["region", "name"], "verbose_name": "filière", "verbose_name_plural": "filières"},
        ),
        migrations.RemoveField(model_name="filiere", name="campaign"),
        migrations.AlterField(
            model_name="filiere",
            name="region",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="filieres", to="campaign.region"),
        ),
        migrations.AddConstraint(
            model_name="filiere",
            constraint=models.UniqueConstraint(fields=("region", "slug"), name="unique_filiere_slug_per_region"),
        ),
    ]
