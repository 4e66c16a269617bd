from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "Évaluation"

    def ready(self):
        # The review panel of the dossier page (dossiers.panels).
        from scoring import panels  # noqa: PLC0415 (apps are loaded: models may be imported)

        panels.register()
