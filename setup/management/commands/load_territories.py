"""`python manage.py load_territories REGION PATH`: a region's health territories from a
spreadsheet (XLSX, ODS or CSV; columns « Code », « Nom », « Départements »), the same
import as the region's page. Every row is checked first; nothing is loaded when one is
wrong. Existing codes are updated, never deleted."""

import sys

from django.core.management.base import BaseCommand

from common.errors import InvalidInput
from setup.domain.territories_import import apply_territories, read_territories
from setup.loading import find_region


class Command(BaseCommand):
    help = (
        "Charge les territoires de santé d'une région depuis un tableau (XLSX, ODS ou CSV : "
        "colonnes Code, Nom, Départements). Un tableau avec une ligne fausse est refusé en entier."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "region", help="Nom ou code INSEE de la région (« Normandie », « 28 »)."
        )
        parser.add_argument("path", help="Le tableau des territoires.")

    def handle(self, *args, region, path, **options):
        found = find_region(region)
        if found is None:
            self.stderr.write(f"Région « {region} » inconnue.")
            sys.exit(1)
        try:
            with open(path, "rb") as upload:
                rows = read_territories(upload)
        except OSError as exc:
            self.stderr.write(f"Lecture du fichier « {path} » impossible : {exc.strerror}.")
            sys.exit(1)
        except InvalidInput as exc:
            self.stderr.write(f"Fichier « {path} » refusé : {exc.message}")
            for problem in exc.errors.get("file", []):
                self.stderr.write(f"  - {problem}")
            sys.exit(1)
        counts = apply_territories(found, None, rows)
        self.stdout.write(
            f"Territoires de la région {found.name} : {counts['created']} ajouté(s), "
            f"{counts['updated']} mis à jour, {counts['unchanged']} inchangé(s)."
        )
