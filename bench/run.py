#!/usr/bin/env python
"""Measure pages and API endpoints on national-scale data (`make bench`).

Generates the data (bench/generate.py) unless --reuse finds it already there,
then, in-process with Django's test Client, sends each request of ENDPOINTS
--requests times (after one warm-up) and prints latency percentiles and the
number of SQL queries per request.

    .venv/bin/python bench/run.py                        # 5,000 dossiers, 30 requests each
    .venv/bin/python bench/run.py --dossiers 500 --requests 20
    .venv/bin/python bench/run.py --reuse --only api     # keep the data, only the API
    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/bench --erase

To measure a new page, add a line to ENDPOINTS: (name, url builder, user).
The url builder receives the Sample below (campaign, dossiers, project, line);
the user is one of Sample.users' keys. An URL that Django does not route
(a page not merged yet) is printed as "absent".
"""

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402  (bench/generate.py, beside this file)

# (name, url builder, user key). Keep API paths exactly as in api.md.
ENDPOINTS = [
    ("Accueil", lambda s: "/", "lead"),
    ("Accueil", lambda s: "/", "instructor"),
    ("Liste des dossiers", lambda s: "/dossiers/", "instructor"),
    ("Liste des dossiers", lambda s: "/dossiers/", "caresp"),
    ("Dossier (le plus gros, déposé)", lambda s: f"/dossiers/{s.submitted.pk}/", "instructor"),
    ("Dossier (le plus gros, brouillon)", lambda s: f"/dossiers/{s.draft.pk}/", "lead"),
    ("API me", lambda s: "/api/v1/me", "lead"),
    ("API campagnes", lambda s: "/api/v1/campaigns", "instructor"),
    ("API filières", lambda s: f"/api/v1/campaigns/{s.campaign.slug}/filieres", "instructor"),
    (
        "API dossiers ?campaign=",
        lambda s: f"/api/v1/dossiers?campaign={s.campaign.slug}",
        "instructor",
    ),
    ("API dossiers ?campaign=", lambda s: f"/api/v1/dossiers?campaign={s.campaign.slug}", "lead"),
    ("API dossier (le plus gros)", lambda s: f"/api/v1/dossiers/{s.submitted.pk}", "instructor"),
    ("API dossier (le plus gros)", lambda s: f"/api/v1/dossiers/{s.draft.pk}", "lead"),
    ("API contrôle de complétude", lambda s: f"/api/v1/dossiers/{s.draft.pk}/check", "lead"),
    ("API transitions possibles", lambda s: f"/api/v1/dossiers/{s.draft.pk}/transitions", "lead"),
    ("API historique", lambda s: f"/api/v1/dossiers/{s.submitted.pk}/history", "instructor"),
    ("API instantanés", lambda s: f"/api/v1/dossiers/{s.submitted.pk}/snapshots", "instructor"),
    ("API avis", lambda s: f"/api/v1/dossiers/{s.submitted.pk}/reviews", "instructor"),
    ("API classement", lambda s: f"/api/v1/campaigns/{s.campaign.slug}/ranking", "instructor"),
    ("API budget", lambda s: f"/api/v1/campaigns/{s.campaign.slug}/budget", "decider"),
    ("API couverture", lambda s: f"/api/v1/campaigns/{s.campaign.slug}/coverage", "instructor"),
]


class Sample:
    """Objects the URLs point at: the largest campaign and its biggest dossiers."""

    def __init__(self):
        from django.db.models import Count

        from accounts.models import User
        from campaign.models import Campaign
        from dossiers.models import Dossier

        self.campaign = (
            Campaign.objects.annotate(n=Count("dossiers")).order_by("-n", "slug").first()
        )
        dossiers = Dossier.objects.filter(campaign=self.campaign).annotate(n=Count("projects"))
        self.draft = dossiers.filter(state="draft").order_by("-n", "pk").first()
        self.submitted = dossiers.exclude(state="draft").order_by("-n", "pk").first()
        self.project = self.draft.projects.order_by("priority").first()
        self.line = self.project.lines.first()

        def with_role(role):
            return User.objects.filter(role_grants__role=role).order_by("pk").first()

        self.users = {
            "lead": self.draft.filiere.editors.order_by("pk").first(),
            "caresp": with_role("caresp_reviewer"),
            "instructor": with_role("ars_instructor"),
            "decider": with_role("ars_decider"),
            "admin": with_role("admin"),
        }
        self.counts = {
            "campagnes": Campaign.objects.count(),
            "dossiers": Dossier.objects.count(),
            "dossiers de la campagne": dossiers.count(),
            "fiches du plus gros brouillon": self.draft.n,
        }


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


def measure(client, url, requests):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up: caches, first-time imports
    timings, queries, statuses, size = [], [], set(), 0
    for _ in range(requests):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        queries.append(len(captured.captured_queries))
        statuses.add(response.status_code)
        size = max(size, len(response.content))
    timings.sort()
    return {
        "status": "/".join(str(s) for s in sorted(statuses)),
        "p50": percentile(timings, 0.50),
        "p95": percentile(timings, 0.95),
        "p99": percentile(timings, 0.99),
        "max": timings[-1],
        "kb": size / 1024,
        "queries": f"{min(queries)}"
        if min(queries) == max(queries)
        else f"{min(queries)}–{max(queries)}",
    }


def run(requests, only=None):
    import logging

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.DEBUG = False
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    logging.getLogger("ninja").setLevel(logging.CRITICAL)
    sample = Sample()
    print(
        f"\nBase : {connection.vendor} — "
        + ", ".join(f"{k} : {v}" for k, v in sample.counts.items())
    )
    print(
        f"Campagne mesurée : {sample.campaign.slug} ; {requests} requêtes par ligne (après 1 à blanc)\n"
    )
    clients = {}
    header = f"{'page':<36} {'utilisateur':<11} {'statut':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'requêtes SQL':>13} {'Ko':>7}"
    print(header)
    print("-" * len(header))
    rows = []
    for name, build, who in ENDPOINTS:
        url = build(sample)
        if only and only.lower() not in f"{name} {url}".lower():
            continue
        if not is_routed(url):
            print(f"{name:<36} {who:<11} {'absent':>7}")
            rows.append((name, who, None))
            continue
        if who not in clients:
            clients[who] = Client(raise_request_exception=False)
            clients[who].force_login(sample.users[who])
        result = measure(clients[who], url, requests)
        rows.append((name, who, result))
        print(
            f"{name:<36} {who:<11} {result['status']:>7} {result['p50']:8.1f} {result['p95']:8.1f}"
            f" {result['p99']:8.1f} {result['max']:8.1f} {result['queries']:>13} {result['kb']:7.1f}",
            flush=True,
        )
    return rows


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
        "--only", help="ne mesurer que les lignes dont le nom ou l'URL contient ce texte"
    )
    args = parser.parse_args(argv)
    generate.setup_django(args.database_url)
    if not (args.reuse and has_data(args.dossiers)):
        generate.generate(args.dossiers, args.seed, args.database_url, args.erase)
    run(args.requests, args.only)


if __name__ == "__main__":
    main()
