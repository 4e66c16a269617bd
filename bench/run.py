#!/usr/bin/env python
"""Measure pages and API endpoints on national-scale data (`make bench`).

Generates the data (bench/generate.py) unless --reuse finds it already there,
then, in-process with Django's test Client, sends each request of ENDPOINTS
--requests times (after one warm-up) and prints latency percentiles and the
number of SQL queries per request. "CPU p50" is the median processor time of this
process per request: on a shared machine it moves less with the load than the wall
time (on SQLite it includes the database's work; on PostgreSQL the server's is not in it).

    .venv/bin/python bench/run.py                        # 5,000 dossiers, 30 requests each
    .venv/bin/python bench/run.py --dossiers 500 --requests 20
    .venv/bin/python bench/run.py --reuse --only api     # keep the data, only the API
    .venv/bin/python bench/run.py --reuse --only budget --requests 5 --profile  # call trees
    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/bench --erase

To measure a new page, add a line to ENDPOINTS: (name, url builder, user).
The url builder receives the Sample below (campaign, dossiers, project, line);
the user is one of Sample.users' keys. An URL that Django does not route
(a page not merged yet) is printed as "absent".
"""

import argparse
import json
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402  (bench/generate.py, beside this file)
import machine  # noqa: E402

SLOW_P95_MS = 300
# Targets of issue 13: every line within 10× the floor (CPU p50), aim for 3×.
RATIO_TARGET = 10
# The floor: the cheapest authenticated request (a JSON "who am I"), measured in the
# same run, so that ratios compare across machines and loads.
FLOOR = ("API me", lambda s: "/api/v1/me", "lead")

# (name, url builder, user key). Keep API paths exactly as in api.md. The url builder
# receives a Sample (below); None from it means "no such object at this size".
ENDPOINTS = [
    # Applicant (filière lead): home, its largest draft, the hub and a project sheet.
    ("Accueil", lambda s: "/", "lead"),
    ("Dossier (brouillon le plus gros)", lambda s: f"/dossiers/{s.draft.pk}/", "lead"),
    ("Rédaction : sommaire", lambda s: f"/dossiers/{s.draft.pk}/rediger/", "lead"),
    ("Rédaction : fiches projet", lambda s: f"/dossiers/{s.draft.pk}/projets/", "lead"),
    (
        "Rédaction : une fiche projet",
        lambda s: f"/dossiers/{s.draft.pk}/projets/{s.project.pk}/",
        "lead",
    ),
    ("Rédaction : vérification", lambda s: f"/dossiers/{s.draft.pk}/verification/", "lead"),
    # Staff lists and dashboards.
    ("Accueil (redirection)", lambda s: "/", "instructor"),
    ("Liste des dossiers, page 1", lambda s: "/dossiers/", "instructor"),
    ("Liste des dossiers, page 1", lambda s: "/dossiers/", "caresp"),
    (
        "Liste des dossiers filtrée",
        lambda s: f"/dossiers/?campaign={s.campaign.slug}&state=ars_analysis",
        "instructor",
    ),
    (
        "Liste des dossiers filtrée, page 2",
        lambda s: f"/dossiers/?campaign={s.campaign.slug}&page=2",
        "instructor",
    ),
    ("Dossier (déposé le plus gros)", lambda s: f"/dossiers/{s.submitted.pk}/", "instructor"),
    ("Dossier : dépôt n° 1", lambda s: f"/dossiers/{s.submitted.pk}/depots/1/", "instructor"),
    (
        "Tableau de bord instruction",
        lambda s: f"/evaluation/?campagne={s.campaign.slug}",
        "instructor",
    ),
    ("Tableau de bord instruction", lambda s: f"/evaluation/?campagne={s.campaign.slug}", "caresp"),
    # The review workspace is the dossier page's instruction panels (decision 0054).
    ("Dossier et instruction", lambda s: f"/dossiers/{s.in_review.pk}/", "caresp"),
    ("Dossier et instruction", lambda s: f"/dossiers/{s.in_review.pk}/", "instructor"),
    (
        "Classement",
        lambda s: f"/evaluation/campagnes/{s.campaign.slug}/classement/",
        "instructor",
    ),
    ("Grille d'évaluation", lambda s: f"/evaluation/campagnes/{s.campaign.slug}/grille/", "admin"),
    ("Budget : accueil", lambda s: "/campagnes/budget/", "decider"),
    ("Budget : tableau de bord", lambda s: f"/campagnes/{s.campaign.slug}/budget/", "decider"),
    ("Budget : délégations", lambda s: f"/campagnes/{s.campaign.slug}/delegations/", "decider"),
    (
        "Proposition (analyse ARS)",
        lambda s: f"/campagnes/dossiers/{s.in_analysis.pk}/proposition/",
        "instructor",
    ),
    (
        "Décision (analyse ARS)",
        lambda s: f"/campagnes/dossiers/{s.in_analysis.pk}/decision/",
        "decider",
    ),
    ("Sorties : accueil", lambda s: "/campagnes/sorties/", "instructor"),
    ("Exports", lambda s: f"/campagnes/{s.campaign.slug}/exports/", "instructor"),
    ("Courriers", lambda s: f"/campagnes/{s.campaign.slug}/courriers/", "decider"),
    ("Couverture", lambda s: f"/campagnes/{s.campaign.slug}/couverture/", "instructor"),
    (
        "Dossier imprimable",
        lambda s: f"/campagnes/dossiers/{s.submitted.pk}/impression/",
        "instructor",
    ),
    # API (api.md).
    ("API me", lambda s: "/api/v1/me", "lead"),
    ("API me", lambda s: "/api/v1/me", "instructor"),
    ("API campagnes", lambda s: "/api/v1/campaigns", "instructor"),
    ("API filières", lambda s: f"/api/v1/campaigns/{s.campaign.slug}/filieres", "instructor"),
    ("API filières", lambda s: f"/api/v1/campaigns/{s.campaign.slug}/filieres", "lead"),
    (
        "API dossiers ?campaign=",
        lambda s: f"/api/v1/dossiers?campaign={s.campaign.slug}",
        "instructor",
    ),
    ("API dossiers ?campaign=", lambda s: f"/api/v1/dossiers?campaign={s.campaign.slug}", "lead"),
    ("API dossier (le plus gros)", lambda s: f"/api/v1/dossiers/{s.submitted.pk}", "instructor"),
    ("API dossier (le plus gros)", lambda s: f"/api/v1/dossiers/{s.draft.pk}", "lead"),
    ("API contrôle de complétude", lambda s: f"/api/v1/dossiers/{s.draft.pk}/check", "lead"),
    (
        "API contrôle de complétude",
        lambda s: f"/api/v1/dossiers/{s.submitted.pk}/check",
        "instructor",
    ),
    ("API transitions possibles", lambda s: f"/api/v1/dossiers/{s.draft.pk}/transitions", "lead"),
    ("API historique", lambda s: f"/api/v1/dossiers/{s.submitted.pk}/history", "instructor"),
    ("API instantanés", lambda s: f"/api/v1/dossiers/{s.submitted.pk}/snapshots", "instructor"),
    ("API évaluations", lambda s: f"/api/v1/dossiers/{s.in_review.pk}/reviews", "instructor"),
    ("API grille", lambda s: f"/api/v1/campaigns/{s.campaign.slug}/grid", "caresp"),
    ("API classement", lambda s: f"/api/v1/campaigns/{s.campaign.slug}/ranking", "instructor"),
    ("API budget", lambda s: f"/api/v1/campaigns/{s.campaign.slug}/budget", "decider"),
    ("API délégations", lambda s: f"/api/v1/campaigns/{s.campaign.slug}/delegations", "decider"),
    ("API couverture", lambda s: f"/api/v1/campaigns/{s.campaign.slug}/coverage", "instructor"),
]


class Sample:
    """Objects the URLs point at, in one campaign: its biggest dossiers in each state
    (by number of project sheets) and users of every role of that campaign's region."""

    def __init__(self, campaign, submitted_state=None):
        from django.db.models import Count

        from accounts.models import User
        from campaign.models import Campaign
        from dossiers.enums import SUBMITTED_STATES
        from dossiers.models import Dossier
        from scoring.models import Review

        self.campaign = campaign
        dossiers = Dossier.objects.filter(campaign=campaign).annotate(
            n=Count("projects", distinct=True)
        )

        def biggest(*states, **filters):
            return (
                dossiers.filter(state__in=states, **filters)
                .order_by("-n", "pk")
                .select_related("filiere")
                .first()
            )

        def with_role(role):
            return (
                User.objects.filter(role_grants__role=role, last_name=campaign.region.name)
                .order_by("pk")
                .first()
            )

        instructor = with_role("ars_instructor")
        self.draft = biggest("draft")
        # The biggest submitted dossier; in the campaign compared with (the smallest), one
        # in the same state, so that both pages show the same panels.
        self.submitted = biggest(*([submitted_state] if submitted_state else SUBMITTED_STATES))
        # The review workspace: a dossier in CARESP review with a submitted review, that the
        # measured instructor does not review (same shape in every campaign).
        self.in_review = (
            dossiers.filter(state="caresp_review", reviews__submitted_at__isnull=False)
            .exclude(reviewer_assignments__reviewer=instructor)
            .distinct()
            .order_by("-n", "pk")
            .first()
        )
        self.in_analysis = biggest("ars_analysis")
        self.project = (
            self.draft.projects.annotate(n=Count("lines")).order_by("-n", "priority").first()
        )

        # A CARESP reviewer who submitted a review of that dossier (sees every review).
        review = (
            Review.objects.filter(
                dossier=self.in_review, submitted_at__isnull=False, reviewer_role="caresp_reviewer"
            )
            .select_related("reviewer")
            .order_by("pk")
            .first()
        )
        self.users = {
            "lead": self.draft.filiere.editors.order_by("pk").first(),
            "caresp": review.reviewer if review else with_role("caresp_reviewer"),
            "instructor": instructor,
            "decider": with_role("ars_decider"),
            "admin": User.objects.filter(role_grants__role="admin").order_by("pk").first(),
        }
        self.counts = {
            "campagnes": Campaign.objects.count(),
            "dossiers": Dossier.objects.count(),
            "dossiers de la campagne": dossiers.count(),
            "fiches du plus gros brouillon": self.draft.n,
        }

    @property
    def complete(self):
        return all(
            (self.draft, self.submitted, self.in_review, self.in_analysis, self.project)
        ) and all(self.users.values())

    @classmethod
    def largest_and_smallest(cls):
        """(Sample of the largest campaign, Sample of the smallest campaign that has a
        dossier in every state the URLs need, its biggest submitted dossier in the state of
        the largest campaign's)."""
        from django.db.models import Count

        from campaign.models import Campaign

        ordered = list(Campaign.objects.annotate(n=Count("dossiers")).order_by("-n", "slug"))
        large = cls(ordered[0])
        for campaign in reversed(ordered[1:]):
            try:
                small = cls(campaign, submitted_state=large.submitted.state)
            except AttributeError:  # no draft at all
                continue
            if small.complete:
                return large, small
        return large, None


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an already sorted list."""
    index = max(0, math.ceil(fraction * len(sorted_values)) - 1)
    return sorted_values[index]


def is_routed(url):
    from django.urls import Resolver404, resolve

    try:
        resolve(url.split("?")[0])
    except Resolver404:
        return False
    return True


def measure(client, url, requests, floor=None):
    """Time `requests` requests of `url` (after one warm-up). With `floor` (a client and
    the floor's URL), floor requests follow each of them: the line's ratio is then
    taken to the floor measured in the same seconds, so that a change of the machine's
    speed during the run (load, frequency) moves both alike."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up: caches, first-time imports
    timings, cpu, queries, statuses, size, floor_cpu = [], [], [], set(), 0, []
    for _ in range(requests):
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        queries.append(len(captured.captured_queries))
        statuses.add(response.status_code)
        size = max(size, len(response.content))
        if floor is not None:
            # Twice, timing the second: the first runs in caches the page has just filled
            # with its own code and data, which would raise the floor and flatter the ratio.
            floor_client, floor_url = floor
            floor_client.get(floor_url)
            start_cpu = time.process_time()
            floor_client.get(floor_url)
            floor_cpu.append((time.process_time() - start_cpu) * 1000)
    timings.sort()
    cpu.sort()
    result = {
        "status": "/".join(str(s) for s in sorted(statuses)),
        "cpu50": percentile(cpu, 0.50),
        "p50": percentile(timings, 0.50),
        "p95": percentile(timings, 0.95),
        "p99": percentile(timings, 0.99),
        "max": timings[-1],
        "kb": size / 1024,
        "queries": (min(queries), max(queries)),
    }
    if floor_cpu:
        result["floor_cpu50"] = percentile(sorted(floor_cpu), 0.50)
    return result


def query_range(queries):
    low, high = queries
    return f"{low}" if low == high else f"{low}–{high}"


class Clients:
    """One logged-in test Client per user."""

    def __init__(self):
        self.clients = {}

    def __call__(self, user):
        from django.test import Client

        if user.pk not in self.clients:
            self.clients[user.pk] = Client(raise_request_exception=False)
            self.clients[user.pk].force_login(user)
        return self.clients[user.pk]


HEADER = (
    f"{'page':<36} {'utilisateur':<11} {'statut':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    f" {'max ms':>8} {'CPU p50':>8} {'plancher':>8} {'ratio':>6} {'série':>6} {'SQL':>5} {'SQL petite':>10} {'stable':>6}"
    f" {'Ko':>7}"
)


def floor_request(clients, sample):
    """(client, url) of the floor's request."""
    name, build, who = FLOOR
    return clients(sample.users[who]), build(sample)


def measure_floor(clients, sample, requests):
    name, build, who = FLOOR
    return measure(clients(sample.users[who]), build(sample), max(requests, 30))["cpu50"]


def profile(client, url, name, who, requests=5):
    """pyinstrument's call tree of `requests` requests, in var/profiles/ (text)."""
    from pyinstrument import Profiler

    folder = generate.BASE_DIR / "var" / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(requests):
        client.get(url)
    profiler.stop()
    slug = "".join(c if c.isalnum() else "-" for c in f"{name}-{who}".lower()).strip("-")
    path = folder / f"{slug}.txt"
    path.write_text(profiler.output_text(unicode=True, show_all=False))
    return path


def run(requests, only=None, profile_lines=False):
    import logging

    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    logging.getLogger("ninja").setLevel(logging.CRITICAL)
    large, small = Sample.largest_and_smallest()
    print(
        f"\nBase : {connection.vendor} — "
        + ", ".join(f"{k} : {v}" for k, v in large.counts.items())
    )
    print(
        f"Campagne mesurée : {large.campaign.slug} ({large.counts['dossiers de la campagne']}"
        f" dossiers) ; {requests} requêtes par ligne (après 1 à blanc)."
    )
    if small is not None:
        print(
            f"Requêtes SQL comparées sur la plus petite campagne : {small.campaign.slug}"
            f" ({small.counts['dossiers de la campagne']} dossiers, plus gros brouillon :"
            f" {small.counts['fiches du plus gros brouillon']} fiches)."
        )
    clients = Clients()
    floor = measure_floor(clients, large, requests)
    print(
        f"Plancher ({FLOOR[0]}, {FLOOR[2]}) : {floor:.2f} ms CPU p50 en début de série."
        f" ratio = CPU p50 / plancher de la ligne (mesuré après chacune de ses"
        f" requêtes, colonne « plancher ») ; « série » = CPU p50 / plancher du début"
        f" (cible ≤ {RATIO_TARGET}×)."
    )
    print()
    print(HEADER)
    print("-" * len(HEADER))
    rows = []
    for name, build, who in ENDPOINTS:
        url = build(large)
        if only and not any(o.strip().lower() in f"{name} {url}".lower() for o in only.split(",")):
            continue
        if not is_routed(url):
            print(f"{name:<36} {who:<11} {'absent':>6}")
            rows.append({"name": name, "user": who, "url": url, "result": None})
            continue
        result = measure(
            clients(large.users[who]), url, requests, floor=floor_request(clients, large)
        )
        # The line's own floor, measured between its requests (see measure()).
        result["ratio"] = result["cpu50"] / result["floor_cpu50"]
        result["ratio_run_floor"] = result["cpu50"] / floor
        small_queries = None
        if small is not None:
            small_queries = measure(clients(small.users[who]), build(small), 3)["queries"]
        stable = small_queries is None or small_queries == result["queries"]
        row = {
            "name": name,
            "user": who,
            "url": url,
            "result": result,
            "small_queries": small_queries,
            "stable": stable,
        }
        rows.append(row)
        print(format_row(row), flush=True)
        if profile_lines:
            print(f"    profil : {profile(clients(large.users[who]), url, name, who)}")
    floor_after = measure_floor(clients, large, requests)
    print(f"\nPlancher à la fin de la série : {floor_after:.2f} ms CPU p50.")
    summarize(rows)
    return {
        "vendor": connection.vendor,
        "counts": large.counts,
        "campaign": large.campaign.slug,
        "small_campaign": small.campaign.slug if small else None,
        "requests": requests,
        "floor_ms": floor,
        "floor_after_ms": floor_after,
        "rows": rows,
    }


def format_row(row):
    result = row["result"]
    small = query_range(row["small_queries"]) if row["small_queries"] else "—"
    return (
        f"{row['name']:<36} {row['user']:<11} {result['status']:>6} {result['p50']:8.1f}"
        f" {result['p95']:8.1f} {result['p99']:8.1f} {result['max']:8.1f} {result['cpu50']:8.1f}"
        f" {result['floor_cpu50']:8.2f} {result['ratio']:5.1f}× {result['ratio_run_floor']:5.1f}×"
        f" {query_range(result['queries']):>5} {small:>10}"
        f" {'oui' if row['stable'] else 'NON':>6} {result['kb']:7.1f}"
    )


def summarize(rows):
    measured = [r for r in rows if r["result"]]
    slow = [r for r in measured if r["result"]["p95"] > SLOW_P95_MS]
    growing = [r for r in measured if not r["stable"]]
    errors = [r for r in measured if not set(r["result"]["status"].split("/")) <= {"200", "302"}]
    over = [r for r in measured if r["result"]["ratio"] > RATIO_TARGET]
    print()
    if measured:
        worst = max(measured, key=lambda r: r["result"]["ratio"])
        print(
            f"Pire ligne : {worst['name']} ({worst['user']}) {worst['result']['ratio']:.1f}× le"
            f" plancher ({worst['result']['cpu50']:.1f} ms CPU p50)."
        )
    print(
        f"Au-delà de {RATIO_TARGET}× le plancher : "
        + (", ".join(f"{r['name']} ({r['user']})" for r in over) or "aucune")
    )
    print(
        f"Lentes (p95 > {SLOW_P95_MS} ms) : "
        + (", ".join(f"{r['name']} ({r['user']})" for r in slow) or "aucune")
    )
    print(
        "Requêtes SQL qui changent avec la taille de la campagne : "
        + (", ".join(f"{r['name']} ({r['user']})" for r in growing) or "aucune")
    )
    if errors:
        print(
            "Statuts inattendus : "
            + ", ".join(f"{r['name']} ({r['user']}) {r['result']['status']}" for r in errors)
        )


def has_data(expected):
    from django.db import DatabaseError

    try:
        from dossiers.models import Dossier

        return Dossier.objects.count() == expected
    except DatabaseError:
        return False


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=5000, help="nombre de dossiers (5000)")
    parser.add_argument("--requests", type=int, default=30, help="requêtes par ligne (30)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--database-url", help="voir bench/generate.py (défaut : SQLite)")
    parser.add_argument("--erase", action="store_true", help="voir bench/generate.py")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="garder les données si elles ont déjà --dossiers dossiers",
    )
    parser.add_argument(
        "--only",
        help="ne mesurer que les lignes dont le nom ou l'URL contient ce texte (plusieurs : a,b)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profiler chaque ligne mesurée (pyinstrument) dans var/profiles/",
    )
    parser.add_argument(
        "--json",
        help="écrire aussi le résultat dans ce fichier JSON (lu par bench/report.py)",
    )
    args = parser.parse_args(argv)
    generate.setup_django(args.database_url)
    if not (args.reuse and has_data(args.dossiers)):
        generate.generate(args.dossiers, args.seed, args.database_url, args.erase)
    else:  # data kept from an older commit: its new migrations (indexes) apply
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    started = machine.describe()
    result = run(args.requests, args.only, args.profile)
    if args.json:
        from django.db import connection

        result.update(started)
        result["load_after"] = machine.load_average()
        result["database_version"] = database_version(connection)
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1))
        print(f"Résultat écrit dans {args.json}")


def database_version(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("show server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


if __name__ == "__main__":
    main()
