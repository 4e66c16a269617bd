"""`python manage.py backup PATH.tar`: the database and every stored file in one archive
(setup.backup, ADR 0028). Consistent while the site runs; restore with `restore`."""

import sys

from django.core.management.base import BaseCommand

from setup.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Sauvegarde la base de données (pg_dump ou l'API de sauvegarde de SQLite) et tous "
        "les fichiers déposés ou générés dans une seule archive .tar, avec un manifeste "
        "(nombres de lignes, empreinte SHA-256 de chaque fichier)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="L'archive à écrire, par exemple sauvegarde.tar.")

    def handle(self, *args, path, **options):
        try:
            manifest = backup(path)
        except (BackupError, OSError) as exc:
            self.stderr.write(f"Sauvegarde impossible : {exc}")
            sys.exit(1)
        counts = manifest["counts"]
        self.stdout.write(
            f"Sauvegarde écrite dans {path} ({manifest['database']}) : "
            f"{counts['dossiers']} dossiers, {counts['history_entries']} entrées d'historique, "
            f"{counts['snapshots']} instantanés, {len(manifest['files'])} fichiers."
        )
