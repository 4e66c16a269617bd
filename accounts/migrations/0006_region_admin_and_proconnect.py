"""The regional administrator (region_admin, docs/decisions/0040) and the ProConnect identity linked to an account (docs/decisions/0041)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_throttle_scopes'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='rolegrant',
            name='regional_roles_have_a_region',
        ),
        migrations.AddField(
            model_name='user',
            name='proconnect_sub',
            field=models.CharField(blank=True, max_length=255, null=True, unique=True, verbose_name='identifiant ProConnect'),
        ),
        migrations.AlterField(
            model_name='rolegrant',
            name='role',
            field=models.CharField(choices=[('filiere_lead', 'Porteur de filière'), ('caresp_reviewer', 'Relecteur CARESP'), ('ars_instructor', 'Instructeur ARS'), ('ars_decider', 'Décideur ARS'), ('admin', 'Administrateur'), ('region_admin', 'Administrateur régional (ARS)')], max_length=32, verbose_name='rôle'),
        ),
        migrations.AddConstraint(
            model_name='rolegrant',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('region__isnull', False), ('role__in', ['ars_decider', 'ars_instructor', 'caresp_reviewer', 'region_admin'])), models.Q(models.Q(('role__in', ['ars_decider', 'ars_instructor', 'caresp_reviewer', 'region_admin']), _negated=True), ('region__isnull', True)), _connector='OR'), name='regional_roles_have_a_region'),
        ),
    ]
