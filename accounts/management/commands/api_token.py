"""`python manage.py api_token USERNAME`: print a new personal API token (one line)."""

import sys

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, User


class Command(BaseCommand):
    help = (
        "Crée un jeton d'API personnel pour cet utilisateur et l'affiche sur une seule ligne "
        "(il n'est plus jamais affiché ensuite : seule son empreinte est conservée)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="Nom d'utilisateur.")
        parser.add_argument(
            "--revoke-all",
            action="store_true",
            help="Révoque tous les jetons de l'utilisateur, sans en créer de nouveau.",
        )

    def handle(self, *args, username, revoke_all=False, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            self.stderr.write(f"Utilisateur « {username} » inconnu : aucun jeton créé.")
            sys.exit(1)
        if revoke_all:
            with transaction.atomic():
                count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
                    revoked_at=timezone.now()
                )
            self.stdout.write(
                f"{count} jeton{'s' if count > 1 else ''} révoqué{'s' if count > 1 else ''} "
                f"pour « {username} »."
            )
            return
        if not user.is_active:
            self.stderr.write(f"Le compte « {username} » est désactivé : aucun jeton créé.")
            sys.exit(1)
        _token, raw = ApiToken.issue(user)
        self.stdout.write(raw)
