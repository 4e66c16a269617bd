"""`python manage.py send_deadline_reminders`: e-mail the filières still at the draft stage
48 hours before their deadline. Meant for cron, e.g. hourly; running it again sends nothing twice."""

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dossiers.domain.reminders import PARIS, send_deadline_reminders


def parse_now(value):
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--now : « {value} » n'est pas une date et heure ISO 8601 "
            "(exemple : 2025-02-13T09:00:00+01:00)."
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=PARIS)  # no offset: Paris time
    return parsed


def plural(n, word):
    return f"{n} {word}{'s' if n > 1 else ''}"


class Command(BaseCommand):
    help = (
        "Envoie un rappel aux porteurs des filières dont le dossier n'est pas déposé quand la "
        "date limite (prolongations comprises) est à moins de 48 heures. À lancer par cron, "
        "par exemple toutes les heures : chaque filière ne reçoit qu'un rappel par date limite."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="Instant de référence ISO 8601 (tests, reprise) ; sans décalage : heure de Paris.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche les rappels qui seraient envoyés, sans rien envoyer ni enregistrer.",
        )

    def handle(self, *args, now=None, dry_run=False, **options):
        now = parse_now(now) if now else timezone.now()
        reminders = send_deadline_reminders(now, dry_run=dry_run)
        sent = failed = 0
        for r in reminders:
            when = f"{r.deadline_paris:%d/%m/%Y à %H:%M} (heure de Paris)"
            extended = ", délai prolongé" if r.extended else ""
            what = "dossier en brouillon" if r.dossier else "dossier non commencé"
            label = f"« {r.filiere.name} » ({r.campaign.slug}, {what}{extended}) : date limite le {when}"
            if not r.recipients:
                self.stderr.write(
                    f"Aucun destinataire pour {label} : aucun porteur actif n'a d'adresse "
                    "électronique."
                )
            elif dry_run:
                self.stdout.write(
                    f"[simulation] Rappel à envoyer à {plural(len(r.recipients), 'destinataire')} "
                    f"pour {label}."
                )
            elif r.error:
                failed += 1
                self.stderr.write(f"Échec de l'envoi pour {label} : {r.error}")
            elif r.sent:
                sent += 1
                self.stdout.write(
                    f"Rappel envoyé à {plural(len(r.recipients), 'destinataire')} pour {label}."
                )
        due = sum(1 for r in reminders if r.recipients)
        if dry_run and not due:
            self.stdout.write("Simulation : aucun rappel à envoyer.")
        elif dry_run:
            self.stdout.write(
                f"Simulation : {plural(due, 'rappel')} à envoyer, rien n'a été envoyé."
            )
        elif sent or failed:
            self.stdout.write(f"{plural(sent, 'rappel')} envoyé{'s' if sent > 1 else ''}.")
        else:
            self.stdout.write("Aucun rappel à envoyer.")
        if failed:
            sys.exit(1)
