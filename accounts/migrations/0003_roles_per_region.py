"""Staff roles are held per region (docs/architecture.md, "Regions"): an existing CARESP
or ARS grant, national until now, is kept for every region that has a campaign (or
Bretagne, the reference region, when there is none yet); admin stays national."""

import django.db.models.deletion
from django.db import migrations, models

REGIONAL_ROLES = ["ars_decider", "ars_instructor", "caresp_reviewer"]


def grant_per_region(apps, schema_editor):
    grant = apps.get_model("accounts", "RoleGrant")
    region = apps.get_model("campaign", "Region")
    campaign = apps.get_model("campaign", "Campaign")
    region_ids = sorted(set(campaign.objects.values_list("region_id", flat=True)))
    if not region_ids:
        region_ids = list(region.objects.filter(name="Bretagne").values_list("pk", flat=True))
    for row in grant.objects.filter(role__in=REGIONAL_ROLES, region__isnull=True):
        first, *others = region_ids or [None]
        if first is None:
            row.delete()
            continue
        row.region_id = first
        row.save(update_fields=["region"])
        for region_id in others:
            grant.objects.create(user_id=row.user_id, role=row.role, region_id=region_id)


class Migration(migrations.Migration):
    # PostgreSQL refuses to alter a table with rows written in the same transaction
    # (pending deferred foreign-key checks): each data step commits on its own
    # (RunPython is atomic by itself), then the schema changes follow.
    atomic = False


    dependencies = [
        ("accounts", "0002_auth_failure_throttle"),
        ("campaign", "0006_regions"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="rolegrant", name="unique_role_per_user"),
        migrations.AddField(
            model_name="rolegrant",
            name="region",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="role_grants", to="campaign.region", verbose_name="région"),
        ),
        migrations.RunPython(grant_per_region, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="rolegrant",
            constraint=models.UniqueConstraint(condition=models.Q(("region__isnull", False)), fields=("user", "role", "region"), name="unique_regional_role_per_user"),
        ),
        migrations.AddConstraint(
            model_name="rolegrant",
            constraint=models.UniqueConstraint(condition=models.Q(("region__isnull", True)), fields=("user", "role"), name="unique_national_role_per_user"),
        ),
        migrations.AddConstraint(
            model_name="rolegrant",
            constraint=models.CheckConstraint(condition=models.Q(models.Q(("region__isnull", False), ("role__in", REGIONAL_ROLES)), models.Q(models.Q(("role__in", REGIONAL_ROLES), _negated=True), ("region__isnull", True)), _connector="OR"), name="regional_roles_have_a_region"),
        ),
    ]
