"""What the prepared reads and the cached page frame save (decisions 0068, 0069).

    .venv/bin/python bench/reads_speed.py [--database-url URL] [--calls 500]

On the benchmark data (`bench/generate.py`; `make bench` makes it), in one process:
- for every prepared read of the apps (common.prepared.READS), called with the ids of
  the largest campaign's reviewed dossier, the CPU per call of its queryset run by the
  ORM (SQL built every time) and of the prepared read (SQL built once), and that the
  rows are the same;
- the CPU per rendering of templates/base.html for a signed-in instructor, with the
  default cache (footer and dialog read from it) and with a dummy cache (rendered every
  time, as before decision 0068)."""

import argparse
import inspect
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import generate  # noqa: E402
import run  # noqa: E402


def cpu_ms(function, calls):
    for _ in range(10):
        function()
    start = time.process_time()
    for _ in range(calls):
        function()
    return (time.process_time() - start) * 1000 / calls


def reads(sample, calls):
    import budget.queries
    import dossiers.domain.serialize
    import dossiers.domain.totals
    import dossiers.queries
    import scoring.domain.assignments
    import scoring.queries
    from common.prepared import READS

    modules = (
        budget.queries,
        dossiers.domain.serialize,
        dossiers.domain.totals,
        dossiers.queries,
        scoring.domain.assignments,
        scoring.queries,
    )
    names = {id(v): f"{m.__name__}.{n}" for m in modules for n, v in vars(m).items()}
    dossier, caresp = sample.in_review, sample.users["caresp"]
    values = {
        "dossier_id": dossier.pk,
        "campaign_id": sample.campaign.pk,
        "reviewer_id": caresp.pk,
        "filiere_id": dossier.filiere_id,
        "region_id": sample.campaign.region_id,
    }
    print(f"{'lecture préparée':<58} {'lignes':>6} {'ORM ms':>8} {'préparée ms':>11} {'gain':>6}")
    total_orm = total_prepared = 0
    for read in READS:
        if id(read) not in names:
            continue
        args = [values[p] for p in inspect.signature(read.__wrapped__).parameters]
        rows = read(*args)
        assert rows == list(read.__wrapped__(*args)), names[id(read)]
        orm = cpu_ms(lambda: list(read.__wrapped__(*args)), calls)  # noqa: B023
        prepared = cpu_ms(lambda: read(*args), calls)  # noqa: B023
        total_orm, total_prepared = total_orm + orm, total_prepared + prepared
        print(
            f"{names[id(read)]:<58} {len(rows):>6} {orm:>8.3f} {prepared:>11.3f}"
            f" {orm / prepared:>5.1f}×"
        )
    print(f"{'toutes':<58} {'':>6} {total_orm:>8.2f} {total_prepared:>11.2f}")


def frame(sample, calls):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.template.loader import render_to_string
    from django.test import RequestFactory, override_settings

    def render():
        request = RequestFactory().get("/")
        request.user = sample.users["instructor"]
        request.session = SessionStore()
        request._messages = FallbackStorage(request)
        render_to_string("base.html", {}, request=request)

    cached = cpu_ms(render, calls)
    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(CACHES=dummy):  # Django's test signals reset the caches
        uncached = cpu_ms(render, calls)
    print(f"base.html (instructeur) : {uncached:.2f} ms sans cache, {cached:.2f} ms avec")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="défaut : la base SQLite du benchmark")
    parser.add_argument("--calls", type=int, default=500, help="appels par mesure (500)")
    args = parser.parse_args()
    generate.setup_django(args.database_url)
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False
    sample, _small = run.Sample.largest_and_smallest()
    print(f"Base : {connection.vendor} ; campagne {sample.campaign.slug} ; CPU par appel.\n")
    reads(sample, args.calls)
    print()
    frame(sample, args.calls)


if __name__ == "__main__":
    main()
