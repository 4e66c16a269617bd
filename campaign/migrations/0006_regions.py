"""Regions (docs/architecture.md, "Regions"): campaigns, territories and filières belong
to a region; a filière takes part in campaigns and outlives them.

Existing rows are kept: every campaign gets the region its old text names (created when
unknown); territories become their region's reference data, linked to the campaigns
that had them, two of the same code in one region merged into one; filières get the
region of their campaign and take part in it (dossiers 0002 then merges the filières of
one region that share a slug, and campaign 0007 drops the old links)."""

import os

import django.db.models.deletion
from django.db import migrations, models
from django.utils.text import slugify

from campaign.reference import load_reference_regions



def load_regions(apps, schema_editor):
    region = apps.get_model("campaign", "Region")
    campaign = apps.get_model("campaign", "Campaign")
    load_reference_regions(region)
    by_name = {r.name.casefold(): r for r in region.objects.all()}
    for row in campaign.objects.all():
        name = (row.region_name or "").strip() or "Bretagne"
        found = by_name.get(name.casefold())
        if found is None:
            code = slugify(name)[:3] or "X"
            while region.objects.filter(code=code).exists():
                code = f"{code[:2]}{len(by_name) % 10}"
            found = by_name[name.casefold()] = region.objects.create(code=code, name=name)
        row.region = found
        row.save(update_fields=["region"])
    # The ARS mailboxes told about submissions were a setting; they are the region's now.
    mailboxes = [
        a.strip() for a in os.environ.get("ARS_NOTIFICATION_EMAILS", "").split(",") if a.strip()
    ]
    if mailboxes:
        region.objects.filter(campaigns__isnull=False, notification_emails=[]).update(
            notification_emails=mailboxes
        )


def regionalise_territories(apps, schema_editor):
    territory = apps.get_model("campaign", "Territory")
    filiere = apps.get_model("campaign", "Filiere")
    links = filiere.territories.through
    kept = {}
    for row in territory.objects.select_related("campaign").order_by("pk"):
        row.region_id = row.campaign.region_id
        row.save(update_fields=["region"])
        key = (row.region_id, row.code)
        keeper = kept.setdefault(key, row)
        row.campaign.territories.add(keeper)
        if keeper.pk != row.pk:
            for link in links.objects.filter(territory_id=row.pk):
                if not links.objects.filter(
                    filiere_id=link.filiere_id, territory_id=keeper.pk
                ).exists():
                    links.objects.create(filiere_id=link.filiere_id, territory_id=keeper.pk)
            links.objects.filter(territory_id=row.pk).delete()
            row.campaign.territories.remove(row)
            row.delete()


def regionalise_filieres(apps, schema_editor):
    filiere = apps.get_model("campaign", "Filiere")
    for row in filiere.objects.select_related("campaign").order_by("pk"):
        row.region_id = row.campaign.region_id
        row.save(update_fields=["region"])
        row.campaign.filieres.add(row)


class Migration(migrations.Migration):
    # PostgreSQL refuses to alter a table with rows written in the same transaction
    # (pending deferred foreign-key checks): each data step commits on its own
    # (RunPython is atomic by itself), then the schema changes follow.
    atomic = False


    dependencies = [
        ("campaign", "0005_move_budget_and_outputs"),
    ]

    operations = [
        migrations.CreateModel(
            name="Region",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=3, unique=True, verbose_name="code INSEE")),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="nom")),
                ("agency_name", models.CharField(blank=True, max_length=200, verbose_name="agence régionale de santé")),
                ("appeal_court", models.CharField(blank=True, help_text="Celui du siège de l'ARS, par exemple « tribunal administratif de Rennes ».", max_length=200, verbose_name="tribunal administratif")),
                ("notification_emails", models.JSONField(blank=True, default=list, help_text="Boîtes aux lettres de l'ARS informées des dépôts, redépôts et retraits.", verbose_name="adresses de l'ARS prévenues des dépôts")),
            ],
            options={"verbose_name": "région", "verbose_name_plural": "régions", "ordering": ["name"]},
        ),
        migrations.RenameField(model_name="campaign", old_name="region", new_name="region_name"),
        migrations.AddField(
            model_name="campaign",
            name="region",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="campaigns", to="campaign.region", verbose_name="région"),
        ),
        migrations.RunPython(load_regions, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="campaign",
            name="region",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="campaigns", to="campaign.region", verbose_name="région"),
        ),
        migrations.RemoveField(model_name="campaign", name="region_name"),
        # The old links to one campaign make way for the campaign's many-to-many fields.
        migrations.AlterField(
            model_name="territory",
            name="campaign",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="old_territories", to="campaign.campaign"),
        ),
        migrations.AlterField(
            model_name="filiere",
            name="campaign",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="old_filieres", to="campaign.campaign"),
        ),
        # Territories: reference data of the region.
        migrations.AddField(
            model_name="territory",
            name="region",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="territories", to="campaign.region"),
        ),
        migrations.AddField(
            model_name="campaign",
            name="territories",
            field=models.ManyToManyField(blank=True, related_name="campaigns", to="campaign.territory", verbose_name="territoires"),
        ),
        migrations.RunPython(regionalise_territories, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="territory", name="unique_territory_code"),
        migrations.AlterModelOptions(
            name="territory",
            options={"ordering": ["region", "code"], "verbose_name": "territoire de santé", "verbose_name_plural": "territoires de santé"},
        ),
        migrations.RemoveField(model_name="territory", name="campaign"),
        migrations.AlterField(
            model_name="territory",
            name="region",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="territories", to="campaign.region"),
        ),
        migrations.AddConstraint(
            model_name="territory",
            constraint=models.UniqueConstraint(fields=("region", "code"), name="unique_territory_code_per_region"),
        ),
        # Filières: of the region, taking part in campaigns.
        migrations.AddField(
            model_name="filiere",
            name="region",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="filieres", to="campaign.region"),
        ),
        migrations.AddField(
            model_name="campaign",
            name="filieres",
            field=models.ManyToManyField(blank=True, related_name="campaigns", to="campaign.filiere", verbose_name="filières participantes"),
        ),
        migrations.RunPython(regionalise_filieres, migrations.RunPython.noop),
        # The appeal mention: the campaign's own, or (blank) its region's.
        migrations.AlterField(
            model_name="campaign",
            name="appeal_mention",
            field=models.TextField(blank=True, help_text="Vide : la mention de la région, avec son tribunal administratif.", verbose_name="voies et délais de recours"),
        ),
    ]
