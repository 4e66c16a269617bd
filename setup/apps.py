from django.apps import AppConfig


class SetupConfig(AppConfig):
    """Loading a campaign from a file and the demo: they write across every app."""

    name = "setup"
    verbose_name = "Chargement et démonstration"
