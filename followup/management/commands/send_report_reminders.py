"""`python manage.py send_report_reminders [--now ISO] [--dry-run]`: e-mails the writers
of every yearly report still in draft whose deadline (extensions included) is at most
48 hours away, once per report and deadline."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from followup.domain.reminders import send_report_reminders


class Command(BaseCommand):
    help = "Rappelle aux filières les rapports annuels à remettre dans les 48 heures."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Instant de référence (ISO 8601), pour essayer.")
        parser.add_argument("--dry-run", action="store_true", help="Liste sans envoyer.")

    def handle(self, *args, now=None, dry_run=False, **options):
        moment = None
        if now:
            try:
                moment = dt.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"Instant invalide : « {now} » (format ISO 8601).") from None
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        sent = send_report_reminders(moment, dry_run=dry_run)
        verb = "à rappeler" if dry_run else "rappelé(s)"
        self.stdout.write(f"{len(sent)} rapport(s) {verb}.")
        for report, deadline, count in sent:
            self.stdout.write(
                f"  {report.title} — date limite {timezone.localtime(deadline):%d/%m/%Y %H:%M} — "
                f"{count} destinataire(s)"
            )
