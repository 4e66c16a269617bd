"""Give OutputJob its own table and index names, now that the campaign app has let go of
it; rows are kept."""

from django.db import migrations

from common.migration_helpers import move_content_types


class Migration(migrations.Migration):

    dependencies = [
        ('outputs', '0001_initial'),
        ('campaign', '0005_move_budget_and_outputs'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterModelTable(name='outputjob', table=None),
        migrations.RenameIndex(
            model_name='outputjob',
            new_name='outputs_out_campaig_d09768_idx',
            old_name='campaign_ou_campaig_e1e159_idx',
        ),
        migrations.RunPython(
            move_content_types("campaign", "outputs", ["outputjob"]), migrations.RunPython.noop
        ),
    ]
