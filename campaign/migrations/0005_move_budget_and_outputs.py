"""The budget and output models now live in the budget and outputs apps (their
migrations 0001 took them over, state only): the campaign app forgets them here,
without touching the database."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('campaign', '0004_outputs'),
        ('budget', '0001_initial'),
        ('outputs', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='Delegation'),
                migrations.DeleteModel(name='EnvelopeAmendment'),
                migrations.DeleteModel(name='Envelope'),
                migrations.DeleteModel(name='OutputJob'),
            ],
            database_operations=[],
        ),
    ]
