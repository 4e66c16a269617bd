"""Helpers for migrations that move models between apps."""


def move_content_types(old_app, new_app, models):
    """A RunPython function that gives the moved models' content types (and so their
    permissions and admin log entries) to their new app."""

    def forwards(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        for model in models:
            if content_type.objects.filter(app_label=new_app, model=model).exists():
                continue
            content_type.objects.filter(app_label=old_app, model=model).update(app_label=new_app)

    return forwards
