"""`python manage.py restore PATH.tar`: back from a `backup` archive, into an EMPTY
database (DATABASE_URL) and an empty storage, every row counted and every file checked
against the archive's manifest (setup.backup, ADR 0028)."""

import sys

from django.core.management.base import BaseCommand

from setup.backup import BackupError, check_counts, restore


class Command(BaseCommand):
    help = (
        "Restaure une archive de « backup » dans une base de données VIDE (créée par "
        "createdb, ou un fichier SQLite absent) et un stockage vide, puis vérifie les nombres "
        "de lignes et l'empreinte de chaque fichier. Ne lancez pas « migrate » avant."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="L'archive écrite par « manage.py backup ».")

    def handle(self, *args, path, **options):
        try:
            manifest = restore(path)
        except (BackupError, OSError) as exc:
            self.stderr.write(f"Restauration impossible : {exc}")
            sys.exit(1)
        differences = check_counts(manifest)
        if differences:
            for name, (expected, found) in differences.items():
                self.stderr.write(f"{name} : {expected} attendus, {found} trouvés.")
            self.stderr.write("La restauration est incomplète.")
            sys.exit(1)
        counts = manifest["counts"]
        self.stdout.write(
            f"Sauvegarde du {manifest['created_at']} restaurée : {counts['dossiers']} dossiers, "
            f"{counts['history_entries']} entrées d'historique, {counts['snapshots']} "
            f"instantanés, {len(manifest['files'])} fichiers vérifiés."
        )
