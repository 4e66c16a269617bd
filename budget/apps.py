from django.apps import AppConfig


class BudgetConfig(AppConfig):
    name = "budget"
    verbose_name = "Budget et décisions"

    def ready(self):
        # The financing panel of the dossier page (dossiers.panels).
        from budget import panels  # noqa: PLC0415 (apps are loaded: models may be imported)

        panels.register()
