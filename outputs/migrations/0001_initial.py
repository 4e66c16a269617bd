"""OutputJob, moved from the campaign app without touching the database (state only;
0002 renames its table and index once the campaign app has let go of it)."""

import django.db.models.deletion
import django.utils.timezone
import outputs.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('campaign', '0004_outputs'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='OutputJob',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('letters_zip', 'Courriers de décision (ZIP)'), ('decisions_xlsx', 'Export des décisions (XLSX)'), ('decisions_ods', 'Export des décisions (ODS)'), ('decisions_csv', 'Export des décisions (CSV)')], max_length=32, verbose_name='nature')),
                    ('status', models.CharField(choices=[('pending', 'En attente'), ('running', 'En cours'), ('done', 'Terminé'), ('failed', 'Échec')], default='pending', max_length=16, verbose_name='état')),
                    ('done', models.PositiveIntegerField(default=0, verbose_name='étapes faites')),
                    ('total', models.PositiveIntegerField(default=0, verbose_name='étapes prévues')),
                    ('file', models.FileField(blank=True, upload_to=outputs.models.output_file_path)),
                    ('filename', models.CharField(blank=True, max_length=255, verbose_name='nom du fichier')),
                    ('error', models.TextField(blank=True, verbose_name='erreur')),
                    ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='demandé le')),
                    ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='commencé le')),
                    ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='terminé le')),
                    ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='output_jobs', to='campaign.campaign')),
                    ('requested_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='demandé par')),
                ],
                options={
                    'db_table': 'campaign_outputjob',
                    'verbose_name': 'génération de fichier',
                    'verbose_name_plural': 'générations de fichiers',
                    'ordering': ['-created_at', '-id'],
                    'indexes': [models.Index(fields=['campaign', 'kind', '-created_at'], name='campaign_ou_campaig_e1e159_idx')],
                },
            ),
            ],
            database_operations=[],
        ),
    ]
