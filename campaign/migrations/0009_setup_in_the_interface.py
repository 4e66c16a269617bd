"""Campaign set-up in the interface (docs/decisions/0040): a campaign's state (existing
campaigns were live, so they are published), its history, its own appeal court, the
leads it names; the regions' coordination cells (campaign/data/carsp.json)."""

import django.db.models.deletion
import django.utils.timezone
import django_fsm
from django.conf import settings
from django.db import migrations, models

from campaign.reference import load_reference_cells


def existing_campaigns_are_published(apps, schema_editor):
    Campaign = apps.get_model("campaign", "Campaign")
    for campaign in Campaign.objects.all():
        Campaign.objects.filter(pk=campaign.pk).update(published_at=campaign.opens_at)


def load_cells(apps, schema_editor):
    load_reference_cells(apps.get_model("campaign", "Region"), apps.get_model("campaign", "CoordinationCell"))


class Migration(migrations.Migration):

    dependencies = [
        ('campaign', '0008_invitations'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='campaign',
            name='appeal_court',
            field=models.CharField(blank=True, help_text='Vide : celui de la région.', max_length=200, verbose_name='tribunal administratif'),
        ),
        migrations.AddField(
            model_name='campaign',
            name='closed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='close le'),
        ),
        migrations.AddField(
            model_name='campaign',
            name='published_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='publiée le'),
        ),
        migrations.AddField(
            model_name='campaign',
            name='results_published_at',
            field=models.DateTimeField(blank=True, help_text="Vide : les résultats ne figurent pas sur la page publique de l'appel.", null=True, verbose_name='résultats publiés le'),
        ),
        # Existing campaigns were open to the filières: published.
        migrations.AddField(
            model_name='campaign',
            name='state',
            field=django_fsm.FSMField(choices=[('draft', 'En préparation'), ('published', 'Publiée'), ('closed', 'Close')], default='published', max_length=16, protected=True, verbose_name='état'),
        ),
        migrations.AlterField(
            model_name='campaign',
            name='state',
            field=django_fsm.FSMField(choices=[('draft', 'En préparation'), ('published', 'Publiée'), ('closed', 'Close')], default='draft', max_length=16, protected=True, verbose_name='état'),
        ),
        migrations.CreateModel(
            name='CampaignEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('created', 'Création'), ('updated', 'Modification'), ('published', 'Publication'), ('dates_changed', 'Changement de calendrier'), ('territories', 'Territoires'), ('filiere_added', 'Filière ajoutée'), ('filiere_removed', 'Filière retirée'), ('filieres_imported', 'Import de filières'), ('grid', "Grille d'évaluation"), ('closed', 'Clôture'), ('results_published', 'Publication des résultats'), ('results_withdrawn', 'Retrait des résultats')], max_length=32, verbose_name='action')),
                ('changes', models.JSONField(blank=True, default=dict, help_text='{champ: [avant, après]}', verbose_name='changements')),
                ('reason', models.TextField(blank=True, verbose_name='motif')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='le')),
                ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='par')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='campaign.campaign')),
            ],
            options={
                'verbose_name': 'événement de campagne',
                'verbose_name_plural': 'historique des campagnes',
                'ordering': ['campaign', 'at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='CoordinationCell',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('acronym', models.CharField(max_length=60, verbose_name='sigle')),
                ('name', models.CharField(blank=True, max_length=200, verbose_name='nom')),
                ('carrier', models.CharField(blank=True, max_length=300, verbose_name='structure porteuse')),
                ('founded', models.CharField(blank=True, max_length=100, verbose_name='création')),
                ('description', models.TextField(blank=True, verbose_name='présentation')),
                ('emails', models.JSONField(blank=True, default=list, verbose_name='adresses électroniques')),
                ('phone', models.CharField(blank=True, max_length=40, verbose_name='téléphone')),
                ('website', models.URLField(blank=True, verbose_name='site internet')),
                ('contacts', models.JSONField(blank=True, default=list, help_text='Personnes à contacter : [{name, role, email, phone}].', verbose_name='contacts')),
                ('offer', models.JSONField(blank=True, default=dict, help_text='Nombre de structures par type (USP, LISP, EMSP, HAD, ERRSPP, DAC…).', verbose_name='offre régionale')),
                ('source', models.CharField(blank=True, max_length=200, verbose_name='source')),
                ('region', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='coordination_cell', to='campaign.region', verbose_name='région')),
            ],
            options={
                'verbose_name': 'cellule régionale de soins palliatifs',
                'verbose_name_plural': 'cellules régionales de soins palliatifs',
                'ordering': ['region__name'],
            },
        ),
        migrations.CreateModel(
            name='LeadNomination',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254, verbose_name='adresse électronique')),
                ('name', models.CharField(blank=True, max_length=150, verbose_name='nom et prénom')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='désigné le')),
                ('invited_at', models.DateTimeField(blank=True, null=True, verbose_name='invité le')),
                ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lead_nominations', to='campaign.campaign')),
                ('filiere', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lead_nominations', to='campaign.filiere')),
                ('invitation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='campaign.invitation')),
                ('nominated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'porteur désigné',
                'verbose_name_plural': 'porteurs désignés',
                'ordering': ['filiere__name', 'created_at'],
                'constraints': [models.UniqueConstraint(fields=('campaign', 'filiere', 'email'), name='unique_lead_nomination')],
            },
        ),
        migrations.RunPython(existing_campaigns_are_published, migrations.RunPython.noop),
        migrations.RunPython(load_cells, migrations.RunPython.noop),
    ]
