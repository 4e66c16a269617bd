"""Give the budget's tables their own names, now that the campaign app has let go of
them; rows, keys and constraints are kept."""

from django.db import migrations

from common.migration_helpers import move_content_types

MODELS = ["envelope", "envelopeamendment", "delegation"]


class Migration(migrations.Migration):

    dependencies = [
        ('budget', '0001_initial'),
        ('campaign', '0005_move_budget_and_outputs'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterModelTable(name='envelope', table=None),
        migrations.AlterModelTable(name='envelopeamendment', table=None),
        migrations.AlterModelTable(name='delegation', table=None),
        migrations.RunPython(
            move_content_types("campaign", "budget", MODELS), migrations.RunPython.noop
        ),
    ]
