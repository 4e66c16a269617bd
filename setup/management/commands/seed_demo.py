"""`python manage.py seed_demo`: the demonstration data used by `make run`."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import formats, timezone

from accounts.models import Role
from common.errors import DomainError
from dossiers.enums import DossierState
from setup.demo import EXTENSION_REASON, FILIERE_NOTES, FOLLOWUP_SLUG, PARIS, seed_demo

STATE_PHRASES = {
    DossierState.DRAFT: ("brouillon", "brouillons"),
    DossierState.SUBMITTED: ("déposé", "déposés"),
    DossierState.CARESP_REVIEW: ("en revue CARESP", "en revue CARESP"),
    DossierState.ARS_ANALYSIS: ("en analyse ARS", "en analyse ARS"),
    DossierState.RETURNED: ("à compléter", "à compléter"),
    DossierState.WITHDRAWN: ("retiré", "retirés"),
    DossierState.DECIDED: ("décidé", "décidés"),
}


def paris_text(value):
    local = timezone.localtime(value, PARIS)
    return f"{formats.date_format(local, 'j F Y')} à {local:%H} h {local:%M}"


class Command(BaseCommand):
    help = (
        "Charge la démonstration : campagne Bretagne 2025, 8 territoires, 10 filières, un dossier "
        "dans chaque état et un compte par rôle (identifiants affichés à la fin). Sans effet si "
        "elle est déjà chargée ; --reset la recrée."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Supprime la campagne de démonstration, ses dossiers et ses comptes, puis la recrée.",
        )

    def handle(self, *args, reset=False, **options):
        try:
            report = seed_demo(reset=reset)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        out = self.stdout.write
        campaign = report.campaign
        if report.created:
            out(f"Démonstration chargée en {report.seconds:.1f} s : campagne « {campaign.name} ».")
        else:
            out(
                f"Démonstration déjà chargée (campagne « {campaign.slug} ») : rien n'a été "
                "recréé. Utilisez --reset pour repartir de zéro."
            )
        states = ", ".join(
            f"{report.states[s]} {STATE_PHRASES[s][report.states[s] > 1]}"
            for s in STATE_PHRASES
            if report.states.get(s)
        )
        out(f"Dossiers : {states}.")
        if report.extensions:
            names = ", ".join(f"« {f.name} »" for f, _until in report.extensions)
            until = max(u for _f, u in report.extensions)
            out(
                f"\nLa date limite de la campagne ({paris_text(campaign.deadline)}) est passée : "
                f"les filières en brouillon ({names}) bénéficient d'une prolongation individuelle "
                f"jusqu'au {paris_text(until)} (motif « {EXTENSION_REASON} »), pour que leur "
                "porteur puisse encore déposer son dossier."
            )
        out(
            "\nSuivi annuel 2026 des filières reconnues : Cœur de Breizh rédige son rapport "
            "(prolongation individuelle), Brocéliande Atlantique est en retard, l'enquête "
            "CAR'sp est en brouillon — "
            + settings.SITE_URL.rstrip("/")
            + reverse("followup:campaign", args=[FOLLOWUP_SLUG])
        )
        login = settings.SITE_URL.rstrip("/") + reverse("accounts:login")
        out(f"\nComptes de démonstration (connexion : {login}) :")
        rows = [("Identifiant", "Mot de passe", "Rôle", "Filière / dossier")]
        notes = FILIERE_NOTES
        names = {f.slug: f.name for f in campaign.filieres.all()}
        for account in report.accounts:
            if account.filiere:
                detail = f"{names.get(account.filiere, account.filiere)} — "
                detail += account.note or notes[account.filiere]
            else:
                detail = account.note
            rows.append((account.username, account.password, Role(account.role).label, detail))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for index, row in enumerate(rows):
            out(
                "  "
                + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3]))
                + "  "
                + row[3]
            )
            if index == 0:
                out("  " + "  ".join("-" * w for w in widths) + "  " + "-" * len(row[3]))
        out(
            "\nCes mots de passe sont publics : ne chargez pas la démonstration sur un "
            "serveur ouvert à tous."
        )
