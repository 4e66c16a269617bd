from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = "Suivi annuel des filières reconnues"

    def ready(self):
        # A filière recognised while a follow-up campaign of its region is open gets its
        # report (docs/decisions/0016): the decision (budget/) cannot call upward.
        from followup.domain import opening  # noqa: PLC0415 (models must be loaded first)

        opening.connect()
