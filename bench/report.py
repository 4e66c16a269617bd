#!/usr/bin/env python
"""Write BENCHMARKS.md (repository root) from the result files of bench/results/:

- `sqlite.json`, `postgresql.json`: bench/run.py --json (pages and API), compared
  with `before-sqlite.json`, `before-postgresql.json` (the same measure on the commit
  before issue 13's work, kept in the repository);
- `outputs.json`: bench/outputs_speed.py --json (compared with `before-outputs.json`);
- `rush.json`: bench/rush.py (make rush);
- `round-<name>-before.json` / `round-<name>-after.json`: a round of work measured on
  the lines it touched (`bench/run.py --only … --json …`), shown as its own section.

Ratios are CPU p50 / the floor (the cheapest authenticated request, `API me`): in
results that have it, the floor measured between the line's own requests
(`floor_cpu50`, timed after each of its requests); in older ones, the lower of the run's
measures at its start and end. On a shared machine they compare better than
milliseconds. `make bench`
runs the measures then this script; `make rush` the rush then this script."""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TARGET = 10


def load(name):
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def where(result):
    load = result.get("load") or []
    after = result.get("load_after") or []
    text = f"{result.get('date', '?')}, commit `{result.get('commit', '?')}`, " + (
        f"load {'/'.join(str(x) for x in load[:1])} → {'/'.join(str(x) for x in after[:1])}"
        if load
        else "load not recorded"
    )
    return text + (f"; {result['note']}" if result.get("note") else "")


def key(row):
    return (row["name"], row["user"])


def floor_of(result):
    """The run's floor: the lower of its two measures (start and end), so that a burst of
    load during one of them does not flatter the ratios."""
    return min(result["floor_ms"], result.get("floor_after_ms") or result["floor_ms"])


def with_ratios(result):
    if result:
        floor = floor_of(result)
        for row in result["rows"]:
            measured = row.get("result")
            if measured:
                # Since the interleaved measure, each line has its own floor (bench/run.py).
                measured["ratio"] = measured["cpu50"] / measured.get("floor_cpu50", floor)
    return result


def pages_section(vendor, before, after):
    lines = [f"## {vendor}", ""]
    if after is None:
        return [*lines, "Not measured yet (`make bench`).", ""]
    lines += [
        f"- After: {where(after)}; {after.get('database_version', '')}; measured campaign"
        f" `{after['campaign']}` ({after['counts'].get('dossiers de la campagne')} dossiers of"
        f" {after['counts'].get('dossiers')}); {after['requests']} requests per line.",
        f"- Floor (API me, lead): {after['floor_ms']:.2f} ms CPU p50 at the start,"
        f" {after['floor_after_ms']:.2f} ms at the end"
        + (
            "; each line's ratio is to the floor measured between its own requests"
            " (bench/README.md)."
            if any("floor_cpu50" in (r.get("result") or {}) for r in after["rows"])
            else "."
        ),
    ]
    if before:
        lines.append(
            f"- Before: {where(before)}; floor {before['floor_ms']:.2f} ms"
            f" ({before['floor_after_ms']:.2f} ms at the end)."
        )
    lines += [
        "",
        "| page | user | CPU p50 before (ms) | ratio before | CPU p50 after (ms) | ratio after"
        " | p95 after (wall, ms) | SQL | KB |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    previous = {key(r): r for r in (before or {}).get("rows", []) if r.get("result")}
    measured = [r for r in after["rows"] if r.get("result")]
    for row in measured:
        result = row["result"]
        old = previous.get(key(row), {}).get("result")
        low, high = result["queries"]
        queries = f"{low}" if low == high else f"{low}–{high}"
        if not row.get("stable", True):
            queries += " (varies)"
        lines.append(
            f"| {row['name']} | {row['user']} | {old['cpu50']:.1f} |"
            f" {old['cpu50'] / floor_of(before):.1f}× | "
            if old
            else f"| {row['name']} | {row['user']} | — | — | "
        )
        lines[-1] += (
            f"{result['cpu50']:.1f} | **{result['ratio']:.1f}×** | {result['p95']:.0f} |"
            f" {queries} | {result['kb']:.0f} |"
        )
    worst = max(measured, key=lambda r: r["result"]["ratio"])
    over = [r for r in measured if r["result"]["ratio"] > TARGET]
    growing = [r for r in measured if not r.get("stable", True)]
    lines += [
        "",
        f"Worst line: **{worst['name']} ({worst['user']}), {worst['result']['ratio']:.1f}×**"
        f" ({worst['result']['cpu50']:.1f} ms CPU p50).",
        f"Above {TARGET}×: "
        + (
            ", ".join(f"{r['name']} ({r['user']}) {r['result']['ratio']:.1f}×" for r in over)
            or "none"
        )
        + ".",
        "Query counts that change with the campaign size: "
        + (", ".join(f"{r['name']} ({r['user']})" for r in growing) or "none")
        + ".",
        "",
    ]
    return lines


def rounds_sections():
    """Rounds of work measured on the lines they touched only (`bench/run.py --only …
    --json bench/results/round-<name>-before.json`, then `-after.json` on the round's
    last commit): their own before → after, each against the floor of its own run."""
    lines = []
    for path in sorted(RESULTS.glob("round-*-before.json")):
        name = path.name[len("round-") : -len("-before.json")]
        after = load(f"round-{name}-after")
        if after is None:
            continue
        vendor = "SQLite" if after.get("vendor") == "sqlite" else "PostgreSQL"
        lines += pages_section(
            f"Round {name} ({vendor}, the lines it worked on)",
            with_ratios(load(f"round-{name}-before")),
            with_ratios(after),
        )
    return lines


def outputs_section(before, after):
    lines = ["## Outputs (bench/outputs_speed.py)", ""]
    if after is None and before is None:
        return [*lines, "Not measured yet.", ""]

    def describe(result):
        exports = result.get("exports", {})

        def cpu(entry, digits=1):
            seconds = entry.get("cpu_seconds")
            return f" (CPU {seconds:.{digits}f} s)" if seconds is not None else ""

        parts = [f"{fmt.upper()} {v['seconds']:.1f} s{cpu(v)}" for fmt, v in exports.items()]
        if "letters_per_second" in result:
            per_cpu = result.get("letters_per_cpu_second")
            parts.append(
                f"letters {result['letters_per_second']:.1f}/s"
                + (f" ({per_cpu:.1f} per CPU second)" if per_cpu else "")
            )
        if "zip" in result:
            parts.append(
                f"ZIP of {result['zip']['letters']} letters {result['zip']['seconds']:.0f} s"
                + cpu(result["zip"], 0)
            )
        return ", ".join(parts)

    if before:
        lines.append(f"- Before ({where(before)}): {describe(before)}.")
    if after:
        lines.append(f"- After ({where(after)}): {describe(after)}.")
    lines += [
        "- Targets: decisions XLSX of 5,000 dossiers < 5 s; letters ≥ 50/s;"
        " ZIP of 5,000 letters < 120 s.",
        "",
    ]
    return lines


def rush_section(rush):
    lines = ["## Deadline rush (make rush)", ""]
    if rush is None:
        return [*lines, "Not measured yet (`make rush`).", ""]
    ok = (
        rush["server_errors"] == 0
        and rush["lost_submissions"] == 0
        and rush["error_count"] == 0
        and rush["seconds"] <= rush["window"]
    )
    lines += [
        f"{where(rush)}. {rush['leads']} leads, {rush['clients']} simultaneous clients,"
        f" gunicorn {rush['gunicorn_workers']} workers, PostgreSQL, the task worker;"
        f" each reads its dossier, saves it twice and submits it (API).",
        "",
        f"- Duration: **{rush['seconds']:.1f} s** for {rush['requests']} requests"
        f" (window: {rush['window']:.0f} s).",
        f"- Server errors: **{rush['server_errors']}**; other errors:"
        f" {rush['error_count']}; lost submissions: **{rush['lost_submissions']}** (in the database:"
        f" {rush['database']['submitted']} submitted, {rush['database']['snapshots']} snapshots).",
        f"- Result: **{'passed' if ok else 'failed'}**.",
        "",
        "| request | count | p50 ms | p95 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, row in rush["latency_ms"].items():
        lines.append(
            f"| {kind} | {row['requests']} | {row['p50']:.0f} | {row['p95']:.0f} |"
            f" {row['p99']:.0f} | {row['max']:.0f} |"
        )
    return [*lines, ""]


def main():
    sqlite, postgresql = load("sqlite"), load("postgresql")
    any_result = sqlite or postgresql or load("before-sqlite") or {}
    lines = [
        "# Benchmarks",
        "",
        "Written by `bench/report.py` from `bench/results/*.json` (`make bench`, `make rush`);"
        " how the measures are made: `bench/README.md`.",
        "",
        f"**Machine**: {any_result.get('cpus', '?')} cores ({any_result.get('cpu', '?')}),"
        f" {any_result.get('memory_gib', '?')} GiB, Python {any_result.get('python', '?')},"
        f" Django {any_result.get('django', '?')}, shared with other developers running their"
        " test suites: the load average (1 min) is noted with every measure. Wall times"
        " depend on it heavily; the **CPU p50** (processor time of the measuring process)"
        " much less, and the **ratio** to the floor of the same run less still."
        " Target: every line ≤ 10× the floor.",
        "",
    ]
    lines += pages_section("SQLite", with_ratios(load("before-sqlite")), with_ratios(sqlite))
    lines += pages_section(
        "PostgreSQL", with_ratios(load("before-postgresql")), with_ratios(postgresql)
    )
    lines += rounds_sections()
    lines += outputs_section(load("before-outputs"), load("outputs"))
    lines += rush_section(load("rush"))
    lines += [
        "## Several machines",
        "",
        "`tests/deploy/test_two_processes_pg.py` (part of `make test` whenever a PostgreSQL"
        " server answers): two gunicorn processes on two ports, one PostgreSQL database, one"
        " S3 bucket (moto), one task worker: a file uploaded through one is downloaded"
        " through the other, letters queued on one are produced by the worker and fetched"
        " through the other, a session opened on one is valid on the other.",
        "",
    ]
    (ROOT / "BENCHMARKS.md").write_text("\n".join(lines))
    print(f"BENCHMARKS.md écrit ({len(lines)} lignes).")


if __name__ == "__main__":
    sys.exit(main())
