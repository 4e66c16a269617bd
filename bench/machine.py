"""What a benchmark result must say about where and when it was measured: date,
commit, the machine, and its load (the machine is shared: a figure without the load
it was measured under cannot be compared)."""

import datetime as dt
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_average():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover - not on Linux
        return None


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:  # pragma: no cover
        pass
    return platform.processor() or platform.machine()


def memory_gib():
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return round(int(line.split()[1]) / 1024 / 1024)
    except OSError:  # pragma: no cover
        pass
    return None


def commit():
    if os.environ.get("BENCH_COMMIT"):  # measuring a copy of an older commit
        return os.environ["BENCH_COMMIT"]

    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    sha = git("rev-parse", "--short", "HEAD") or "?"
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    return sha + ("+modifications" if dirty else "")


def describe():
    """A dict for the result files (bench/results/*.json)."""
    import django

    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit(),
        "cpus": os.cpu_count(),
        "cpu": cpu_model(),
        "memory_gib": memory_gib(),
        "load": load_average(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "argv": " ".join(Path(sys.argv[0]).name.split() + sys.argv[1:]),
    }
