"""A filière outlives campaigns: the filières of one region that share a slug (one per
past campaign) become one, the oldest, with every dossier, extension, reminder, editor,
territory and campaign of the others (campaign 0006 gave each filière its region)."""

from django.db import migrations


def merge(apps, schema_editor):
    filiere = apps.get_model("campaign", "Filiere")
    dossier = apps.get_model("dossiers", "Dossier")
    extension = apps.get_model("campaign", "DeadlineExtension")
    reminder = apps.get_model("campaign", "ReminderLog")
    keepers = {}
    for row in filiere.objects.order_by("pk"):
        keeper = keepers.setdefault((row.region_id, row.slug), row)
        if keeper.pk == row.pk:
            continue
        dossier.objects.filter(filiere_id=row.pk).update(filiere_id=keeper.pk)
        extension.objects.filter(filiere_id=row.pk).update(filiere_id=keeper.pk)
        reminder.objects.filter(filiere_id=row.pk).update(filiere_id=keeper.pk)
        keeper.editors.add(*row.editors.all())
        keeper.territories.add(*row.territories.all())
        keeper.campaigns.add(*row.campaigns.all())
        row.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0001_initial"),
        ("campaign", "0006_regions"),
    ]

    operations = [migrations.RunPython(merge, migrations.RunPython.noop)]
