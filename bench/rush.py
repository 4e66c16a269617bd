#!/usr/bin/env python
"""The deadline rush (`make rush`, not part of `make test`): N filière leads (300) each
read their dossier, save it twice and submit it, all within the last minutes before
the deadline, against the production setup (gunicorn workers, PostgreSQL, the task
worker sending the notifications), loopback only, with a bounded number of
simultaneous clients. Passes when there is no server error, no lost submission
(every dossier submitted and its snapshot present, counted in the database) and the
whole rush fits in --window seconds. Prints p50/p95/p99 per kind of request and
writes bench/results/rush.json (BENCHMARKS.md: bench/report.py).

    .venv/bin/python bench/rush.py --database-url postgres://postgres@127.0.0.1:5432/filieres_rush

The database named there is DROPPED and recreated: give it a name of its own."""

import argparse
import json
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "rush.json"

SETUP = """
import datetime as dt, json, sys
import django
django.setup()
from django.core.management import call_command
from django.utils import timezone
call_command("migrate", verbosity=0)
from accounts.models import ApiToken, Role
from tests.factories import CampaignFactory, FiliereFactory, UserFactory, complete_dossier
n = int(sys.argv[1])
campaign = CampaignFactory(slug="rush-2025", deadline=timezone.now() + dt.timedelta(hours=2))
tokens = []
for i in range(n):
    filiere = FiliereFactory(campaign=campaign, slug=f"filiere-{i:03d}", name=f"Filière {i:03d}")
    lead = UserFactory(username=f"porteur-{i:03d}", roles=[Role.FILIERE_LEAD])
    lead.set_unusable_password()
    lead.save(update_fields=["password"])
    filiere.editors.add(lead)
    dossier = complete_dossier(filiere=filiere)
    tokens.append([dossier.pk, ApiToken.issue(lead)[1]])
print(json.dumps(tokens))
"""

COUNT = """
import django, json
django.setup()
from dossiers.models import Dossier, Snapshot
dossiers = Dossier.objects.filter(campaign__slug="rush-2025")
print(json.dumps({
    "dossiers": dossiers.count(),
    "submitted": dossiers.filter(state="submitted").count(),
    "snapshots": Snapshot.objects.filter(dossier__in=dossiers).count(),
    "dossiers_with_snapshot": Snapshot.objects.filter(dossier__in=dossiers)
        .values("dossier").distinct().count(),
}))
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else 0.0


def recreate(url):
    server, name = url.rsplit("/", 1)
    with psycopg.connect(
        server.replace("postgres://", "postgresql://", 1) + "/postgres", autocommit=True
    ) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


class Lead:
    """One lead's rush: read the dossier, save twice (409 on a stale version is a
    failure: nobody else edits it), submit."""

    def __init__(self, base, dossier_id, token, timings, errors):
        self.base, self.id = base, dossier_id
        self.headers = {"Authorization": f"Bearer {token}"}
        self.timings, self.errors = timings, errors

    def call(self, session, kind, method, path, body=None):
        start = time.perf_counter()
        try:
            response = session.request(
                method, f"{self.base}/api/v1/{path}", json=body, headers=self.headers, timeout=60
            )
        except requests.RequestException as exc:
            self.errors.append(f"{kind} {self.id}: {exc}")
            return None
        self.timings.append((kind, (time.perf_counter() - start) * 1000, response.status_code))
        if response.status_code >= 400:
            self.errors.append(f"{kind} {self.id}: {response.status_code} {response.text[:200]}")
            return None
        return response.json()

    def run(self):
        with requests.Session() as session:
            dossier = self.call(session, "lecture", "GET", f"dossiers/{self.id}")
            for attempt in (1, 2):
                if dossier is None:
                    return
                swot = dossier["swot"]
                swot["strengths"] = [*swot["strengths"], f"Force ajoutée dans la ruée ({attempt})"]
                dossier = self.call(
                    session,
                    "enregistrement",
                    "PATCH",
                    f"dossiers/{self.id}",
                    {"version": dossier["version"], "swot": swot},
                )
            if dossier is not None:
                self.call(session, "dépôt", "POST", f"dossiers/{self.id}/transitions/submit", {})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "RUSH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/filieres_rush"
        ),
        help="base PostgreSQL effacée puis recréée",
    )
    parser.add_argument("--leads", type=int, default=300)
    parser.add_argument("--clients", type=int, default=16, help="clients simultanés (16)")
    parser.add_argument("--workers", type=int, default=0, help="workers gunicorn (2 × cœurs + 1)")
    parser.add_argument("--window", type=float, default=120, help="durée permise (120 s)")
    parser.add_argument("--json", default=str(RESULTS))
    args = parser.parse_args(argv)
    started = machine.describe()
    recreate(args.database_url)
    folder = Path(tempfile.mkdtemp(prefix="rush-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SSL_REDIRECT": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": args.database_url,
        "DJANGO_CONN_MAX_AGE": "60",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "EMAIL_URL": "dummy://",
        "DJANGO_LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESS_LOG": "",
        "DJANGO_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    print(f"Préparation : {args.leads} filières, leurs porteurs et leurs dossiers complets…")
    setup = subprocess.run(
        [sys.executable, "-c", SETUP, str(args.leads)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if setup.returncode:
        sys.exit(setup.stderr)
    dossiers = json.loads(setup.stdout.strip().splitlines()[-1])

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workers = args.workers or (os.cpu_count() or 1) * 2 + 1
    logs = open(folder / "serveur.log", "w")  # noqa: SIM115
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=ROOT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)},
            stdout=logs,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        ),
        subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"],
            cwd=ROOT,
            env=env,
            stdout=logs,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        ),
    ]
    try:
        for _ in range(600):
            try:
                if requests.get(f"{base}/healthz", timeout=30).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            sys.exit("gunicorn ne répond pas : voir " + str(folder / "serveur.log"))
        print(
            f"Ruée : {len(dossiers)} porteurs, {args.clients} clients simultanés, gunicorn"
            f" {workers} workers sur {base}, PostgreSQL, travailleur de tâches."
        )
        timings, errors = [], []
        load_before = machine.load_average()
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            for dossier_id, token in dossiers:
                pool.submit(Lead(base, dossier_id, token, timings, errors).run)
        elapsed = time.perf_counter() - start
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
        logs.close()
    counted = json.loads(
        subprocess.run(
            [sys.executable, "-c", COUNT],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    server_errors = [t for t in timings if t[2] >= 500]
    kinds = {}
    for kind in ("lecture", "enregistrement", "dépôt", "toutes"):
        values = [ms for k, ms, _s in timings if kind == "toutes" or k == kind]
        kinds[kind] = {
            "requests": len(values),
            "p50": percentile(values, 0.50),
            "p95": percentile(values, 0.95),
            "p99": percentile(values, 0.99),
            "max": max(values) if values else 0.0,
        }
    lost = args.leads - counted["dossiers_with_snapshot"]
    result = {
        **started,
        "load_during": load_before,
        "load_after": machine.load_average(),
        "leads": args.leads,
        "clients": args.clients,
        "gunicorn_workers": workers,
        "seconds": elapsed,
        "window": args.window,
        "requests": len(timings),
        "server_errors": len(server_errors),
        "errors": errors[:20],
        "error_count": len(errors),
        "lost_submissions": lost,
        "database": counted,
        "latency_ms": kinds,
    }
    print(
        f"\nDurée : {elapsed:.1f} s pour {len(timings)} requêtes ({len(timings) / elapsed:.1f}/s)."
    )
    print(f"{'requête':<16} {'nombre':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind, row in kinds.items():
        print(
            f"{kind:<16} {row['requests']:>7} {row['p50']:8.1f} {row['p95']:8.1f}"
            f" {row['p99']:8.1f} {row['max']:8.1f}"
        )
    print(
        f"Erreurs serveur : {len(server_errors)} ; autres erreurs : {len(errors)} ;"
        f" dépôts perdus : {lost} (base : {counted})."
    )
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1))
    ok = not server_errors and not errors and lost == 0 and elapsed <= args.window
    print("Ruée réussie." if ok else "Ruée en échec.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
