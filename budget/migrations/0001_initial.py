"""The budget's models, moved from the campaign app without touching the database.

Their tables keep their campaign_ names here (state only); 0002 renames them once the
campaign app has let go of them, so that an existing database keeps every row."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('campaign', '0004_outputs'),
        ('dossiers', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='Envelope',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('recurring', 'Crédits reconductibles'), ('one_off', 'Crédits ponctuels non reconductibles')], max_length=16, verbose_name='nature')),
                    ('amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='montant')),
                    ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='envelopes', to='campaign.campaign')),
                ],
                options={
                    'db_table': 'campaign_envelope',
                    'verbose_name': 'enveloppe',
                    'verbose_name_plural': 'enveloppes',
                },
            ),
            migrations.CreateModel(
                name='EnvelopeAmendment',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('date', models.DateField(verbose_name='date')),
                    ('previous_amount', models.DecimalField(decimal_places=2, max_digits=14, null=True)),
                    ('new_amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='nouveau montant')),
                    ('reason', models.TextField(verbose_name='motif')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL)),
                    ('envelope', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='amendments', to='budget.envelope')),
                ],
                options={
                    'db_table': 'campaign_envelopeamendment',
                    'verbose_name': "avenant d'enveloppe",
                    'verbose_name_plural': "avenants d'enveloppe",
                    'ordering': ['envelope', 'created_at'],
                },
            ),
            migrations.CreateModel(
                name='Delegation',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('date', models.DateField(verbose_name='date de délégation')),
                    ('amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='montant délégué')),
                    ('instrument', models.CharField(choices=[('fir_arrete', 'Arrêté FIR'), ('cpom_amendment', 'Avenant au CPOM'), ('convention', 'Convention')], max_length=32, verbose_name='support juridique')),
                    ('beneficiary_finess', models.CharField(max_length=9, verbose_name='FINESS du bénéficiaire')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                    ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('line', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='delegations', to='dossiers.fundingline', verbose_name='ligne de financement')),
                ],
                options={
                    'db_table': 'campaign_delegation',
                    'verbose_name': 'délégation de crédits',
                    'verbose_name_plural': 'délégations de crédits',
                    'ordering': ['date', 'id'],
                    'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='delegation_amount_gt_0')],
                },
            ),
            migrations.AddConstraint(
                model_name='envelope',
                constraint=models.UniqueConstraint(fields=('campaign', 'kind'), name='unique_envelope_kind'),
            ),
            migrations.AddConstraint(
                model_name='envelope',
                constraint=models.CheckConstraint(condition=models.Q(('amount__gte', 0)), name='envelope_amount_gte_0'),
            ),
            ],
            database_operations=[],
        ),
    ]
