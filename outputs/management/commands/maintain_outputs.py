"""`python manage.py maintain_outputs`: queue again the generations a dead worker left
running, and delete generated files older than OUTPUT_RETENTION_DAYS (ADR 0027).
`--schedule` starts the periodic task instead (run it once per release, after migrate)."""

from django.core.management.base import BaseCommand

from outputs.domain.maintenance import maintain, schedule_maintenance


class Command(BaseCommand):
    help = (
        "Relance les générations (exports, courriers) restées en cours après l'arrêt d'un "
        "processus de fond et supprime les fichiers générés plus vieux que "
        "OUTPUT_RETENTION_DAYS jours. --schedule : planifie plutôt la tâche périodique qui "
        "le fait toutes les OUTPUT_MAINTENANCE_EVERY_MINUTES minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Planifie la tâche périodique (sans doublon) au lieu de la lancer maintenant.",
        )

    def handle(self, *args, schedule=False, **options):
        if schedule:
            if schedule_maintenance():
                self.stdout.write("Tâche périodique d'entretien des générations planifiée.")
            else:
                self.stdout.write(
                    "Tâche périodique déjà planifiée (ou file de tâches sans planification)."
                )
            return
        result = maintain()
        self.stdout.write(
            f"{result['requeued']} génération(s) relancée(s), {result['failed']} en échec, "
            f"{result['pruned']} fichier(s) supprimé(s)."
        )
