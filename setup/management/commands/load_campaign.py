"""`python manage.py load_campaign PATH.json`: create or update a campaign from a file."""

import sys

from django.core.management.base import BaseCommand

from setup.loading import CampaignFileError, load_campaign, read_campaign_file


class Command(BaseCommand):
    help = (
        "Crée ou met à jour (sans doublon) une campagne, ses enveloppes, territoires, filières "
        "et utilisateurs à partir d'un fichier JSON. Un fichier invalide est refusé en entier."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Fichier JSON décrivant la campagne (voir le README).")

    def handle(self, *args, path, **options):
        try:
            report = load_campaign(read_campaign_file(path))
        except CampaignFileError as exc:
            count = len(exc.problems)
            self.stderr.write(
                f"Fichier « {path} » refusé : {count} problème{'s' if count > 1 else ''}, "
                "rien n'a été importé."
            )
            for problem in exc.problems:
                self.stderr.write(f"  - {problem}")
            sys.exit(1)
        self.stdout.write(report.summary())
