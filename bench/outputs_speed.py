"""Benchmark of the outputs (issue 5): decisions export and decision letters.

    .venv/bin/python bench/outputs.py [--dossiers 5000] [--letters 200] [--no-zip]

Generates a campaign of decided dossiers (bulk_create, realistic contents) in a
throwaway SQLite database (or DATABASE_URL if set: use an empty database), then
prints the time to export the decisions as XLSX, ODS and CSV, the letters
generated per second (measured on --letters letters, then extrapolated) and
the time to build the ZIP of every letter. Figures are printed as measured."""

import argparse
import datetime as dt
import io
import json
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import machine  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=5000)
    parser.add_argument("--min-projects", type=int, default=2)
    parser.add_argument("--max-projects", type=int, default=6)
    parser.add_argument(
        "--letters", type=int, default=200, help="letters rendered to measure the rate"
    )
    parser.add_argument("--no-zip", action="store_true", help="skip the ZIP of every letter")
    parser.add_argument("--formats", default="csv,xlsx,ods", help="export formats to time")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--json", help="écrire aussi les résultats dans ce fichier (bench/report.py)"
    )
    return parser.parse_args()


def setup_django(workdir):
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench-outputs.sqlite3'}"
    os.environ.setdefault("MEDIA_ROOT", str(workdir / "media"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(args):
    from django.db import connection, transaction
    from django.utils import timezone

    from budget.models import Envelope, EnvelopeKind
    from campaign.models import Campaign, Filiere, Region, Territory
    from common.identifiers import finess_with_key
    from dossiers.enums import DossierState, LineCategory, LineNature, Mission, Outcome
    from dossiers.models import Dossier, FundingLine, Project

    rng = random.Random(args.seed)
    now = timezone.now()
    with transaction.atomic():
        region, _created = Region.objects.get_or_create(
            code="BN", defaults={"name": "Banc d'essai national"}
        )
        campaign = Campaign.objects.create(
            slug="bench-national",
            name="Reconnaissance des filières — banc d'essai",
            region=region,
            opens_at=now - dt.timedelta(days=200),
            deadline=now - dt.timedelta(days=100),
            decision_date=dt.date(2025, 6, 30),
            first_delegation_date=dt.date(2025, 7, 15),
            signatory_name="Élise Kervella",
            signatory_title="Directrice générale",
        )
        Envelope.objects.bulk_create(
            [
                Envelope(
                    campaign=campaign, kind=EnvelopeKind.RECURRING, amount=Decimal("500000000.00")
                ),
                Envelope(
                    campaign=campaign, kind=EnvelopeKind.ONE_OFF, amount=Decimal("100000000.00")
                ),
            ]
        )
        territories = Territory.objects.bulk_create(
            [
                Territory(
                    region=region,
                    code=f"T{i + 1}",
                    name=f"Territoire de santé {i + 1}",
                    departements=[f"{(i % 95) + 1:02d}"],
                )
                for i in range(120)
            ]
        )
        filieres = Filiere.objects.bulk_create(
            [
                Filiere(region=region, slug=f"filiere-{i}", name=f"Filière territoriale {i:05d}")
                for i in range(args.dossiers)
            ]
        )
        campaign.territories.set(territories)
        campaign.filieres.set(filieres)
        Filiere.territories.through.objects.bulk_create(
            [
                Filiere.territories.through(
                    filiere_id=f.id, territory_id=territories[i % len(territories)].id
                )
                for i, f in enumerate(filieres)
            ]
        )
        outcomes = [Outcome.ACCEPTED] * 6 + [Outcome.PARTIALLY_ACCEPTED] * 3 + [Outcome.REJECTED]
        identity_base = {
            "lead_structure": {
                "name": "Centre hospitalier",
                "finess": finess_with_key("29000001"),
                "legal_status": "public",
            },
            "coordinator": {
                "name": "Anne Le Goff",
                "email": "coordination@example.fr",
                "phone": "",
            },
            "members": [
                {"type": "USP", "name": "USP", "finess": "", "siret": "", "role": "expert"}
            ],
            "governance": "Comité de pilotage trimestriel",
            "convention_signed": True,
        }
        diagnostic = {
            "population": 450000,
            "missions": [{"code": c, "status": "covered", "comment": ""} for c in Mission.values],
        }
        dossiers = Dossier.objects.bulk_create(
            [
                Dossier(
                    campaign=campaign,
                    filiere=f,
                    state=DossierState.DECIDED,
                    outcome=rng.choice(outcomes),
                    identity={**identity_base, "name": f.name},
                    diagnostic=diagnostic,
                    swot={
                        "strengths": ["a"],
                        "weaknesses": ["b"],
                        "opportunities": ["c"],
                        "threats": ["d"],
                    },
                    submitted_at=now - dt.timedelta(days=110),
                    decided_at=now - dt.timedelta(days=5),
                    decision_comment="Projet conforme à l'instruction du 21 juin 2023.",
                )
                for f in filieres
            ],
            batch_size=1000,
        )
        projects = []
        for dossier in dossiers:
            for rank in range(1, rng.randint(args.min_projects, args.max_projects) + 1):
                projects.append(
                    Project(
                        dossier=dossier,
                        priority=rank,
                        title=f"Fiche projet {rank} — renforcer l'équipe mobile de soins palliatifs",
                        objectives="Couvrir tous les lieux de vie du territoire.",
                        start=dt.date(2025, 9, 1),
                        end=dt.date(2027, 12, 31),
                        pilot="Centre hospitalier",
                    )
                )
        projects = Project.objects.bulk_create(projects, batch_size=2000)
        outcome_of = {d.id: d.outcome for d in dossiers}
        lines = []
        for project in projects:
            rejected = outcome_of[project.dossier_id] == Outcome.REJECTED
            for _n in range(rng.randint(1, 3)):
                nature = rng.choice(
                    [LineNature.RECURRING, LineNature.RECURRING, LineNature.ONE_OFF]
                )
                amount = Decimal(rng.randint(500000, 12000000)) / 100
                granted = (
                    Decimal(0)
                    if rejected
                    else (amount * Decimal(rng.choice([1, 1, "0.5"]))).quantize(Decimal("0.01"))
                )
                lines.append(
                    FundingLine(
                        project=project,
                        label="Infirmier de l'équipe mobile",
                        nature=nature,
                        category=LineCategory.STAFF,
                        amount=amount,
                        first_year=2025 if nature == LineNature.RECURRING else None,
                        proposed=granted,
                        granted=granted,
                        start_month=dt.date(2025, 9, 1) if nature == LineNature.RECURRING else None,
                    )
                )
        FundingLine.objects.bulk_create(lines, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return campaign, len(dossiers), len(projects), len(lines)


def timed(label, function):
    """(result, wall seconds, CPU seconds of this process): on a shared machine the wall
    time follows the load, the processor time much less (and it is what a quiet machine
    would take, the database's work included on SQLite)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - start, time.process_time() - cpu


def main():
    args = parse_args()
    result = {**machine.describe(), "exports": {}}
    with tempfile.TemporaryDirectory(prefix="bench-outputs-") as tmp:
        setup_django(Path(tmp))
        from django.db import connection

        from outputs.domain import exports, letters

        print(f"Base de données : {connection.vendor} ({connection.settings_dict['NAME']})")
        (campaign, n_dossiers, n_projects, n_lines), elapsed, _cpu = timed(
            "generate", lambda: generate(args)
        )
        print(
            f"Données générées en {elapsed:.1f} s : {n_dossiers} dossiers décidés, "
            f"{n_projects} fiches projet ({n_projects / n_dossiers:.1f} par dossier), "
            f"{n_lines} lignes de financement"
        )

        for fmt in args.formats.split(","):
            (filename, _type, data), elapsed, cpu = timed(
                fmt, lambda fmt=fmt: exports.export_decisions(campaign, fmt)
            )
            result["exports"][fmt] = {
                "seconds": elapsed,
                "cpu_seconds": cpu,
                "rows": n_projects,
                "bytes": len(data),
            }
            print(
                f"Export des décisions {fmt.upper():4} : {elapsed:7.2f} s, processeur "
                f"{cpu:6.2f} s ({n_projects} lignes, {len(data) / 1024 / 1024:.1f} Mo, {filename})"
            )

        sample = list(letters.decided_dossiers(campaign)[: args.letters])
        template = letters.template_bytes(campaign)
        _none, elapsed, cpu = timed(
            "letters", lambda: [letters.render_letter(dossier, template) for dossier in sample]
        )
        rate, cpu_rate = len(sample) / elapsed, len(sample) / cpu
        result["letters_per_second"] = rate
        result["letters_per_cpu_second"] = cpu_rate
        result["dossiers"] = n_dossiers
        print(
            f"Courriers : {len(sample)} générés en {elapsed:.2f} s, soit {rate:.1f} courriers/s "
            f"({cpu_rate:.1f} par seconde de processeur ; extrapolation pour {n_dossiers} "
            f"dossiers : {n_dossiers / rate:.0f} s)"
        )

        if not args.no_zip:
            buffer = io.BytesIO()
            count, elapsed, cpu = timed("zip", lambda: letters.write_letters_zip(campaign, buffer))
            result["zip"] = {"seconds": elapsed, "cpu_seconds": cpu, "letters": count}
            print(
                f"ZIP de tous les courriers : {count} courriers en {elapsed:.1f} s, processeur "
                f"{cpu:.1f} s "
                f"({count / elapsed:.1f} courriers/s, {len(buffer.getvalue()) / 1024 / 1024:.0f} Mo)"
            )
    if args.json:
        result["load_after"] = machine.load_average()
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
