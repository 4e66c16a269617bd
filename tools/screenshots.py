#!/usr/bin/env python
"""The README's screenshots (`make screenshots`): key pages of the demo at 1280 and 390 px.

Loads the demo in a throwaway SQLite database, serves it on a free local port with
`manage.py runserver`, signs in as each person of the demo through the login form and
saves, for each page, what the screen shows (not the whole page) at 1280×800 and at
390×844 (a phone: scrolled to the page's first data table, shown as cards) as
docs/screenshots/<name>-1280.png and <name>-390.png. Drives Debian's chromium through
Playwright, as the browser tests (CHROMIUM_PATH to use another one). With ImageMagick's
`convert` on the PATH the PNGs are reduced to 256 colours (about three times smaller).

    .venv/bin/python tools/screenshots.py                   # all of them
    .venv/bin/python tools/screenshots.py --only budget     # one
    .venv/bin/python tools/screenshots.py --url http://127.0.0.1:8000  # a demo already served
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
WIDTHS = {1280: {"width": 1280, "height": 800}, 390: {"width": 390, "height": 844}}

# (file name, account of the demo, path built from the demo's ids, what to show at 390 px)
SHOTS = [
    ("accueil-porteur", "porteur.nord-finistere", "/", None),
    ("redaction", "porteur.nord-finistere", "/dossiers/{draft}/rediger/", ".app-table--cards"),
    ("dossiers", "instructeur", "/dossiers/", ".app-table--cards"),
    ("classement", "instructeur", "/evaluation/campagnes/{campaign}/classement/", "table"),
    (
        "proposition",
        "instructeur",
        "/campagnes/dossiers/{analysis}/proposition/",
        "[data-budget-sheet]",
    ),
    ("budget", "decideur", "/campagnes/{campaign}/budget/", ".app-table--cards"),
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def demo_ids():
    """The ids the paths need, read from the demo's database (DATABASE_URL)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django  # noqa: PLC0415 (configured only once DATABASE_URL is set)

    django.setup()
    from dossiers.models import Dossier  # noqa: PLC0415
    from setup.demo import DEMO_SLUG  # noqa: PLC0415

    dossiers = dict(
        Dossier.objects.filter(campaign__slug=DEMO_SLUG).values_list("filiere__slug", "pk")
    )
    return {
        "campaign": DEMO_SLUG,
        "draft": dossiers["nord-finistere"],
        "analysis": dossiers["haute-bretagne"],
    }


def passwords():
    from setup.demo import ACCOUNTS  # noqa: PLC0415 (after django.setup())

    return {account.username: account.password for account in ACCOUNTS}


def serve_demo(workdir):
    """Migrate and load the demo in workdir, serve it; returns (url, server process)."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'demo.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
    }
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.update(env)
    manage = [sys.executable, str(ROOT / "manage.py")]
    print("Chargement de la démonstration…", flush=True)
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    subprocess.run([*manage, "seed_demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/comptes/connexion/", timeout=2)  # noqa: S310 (local)
            return url, server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("Le serveur de démonstration n'a pas démarré.")


def shrink(path):
    """256 colours when ImageMagick is there: the DSFR's flat colours survive it."""
    convert = shutil.which("convert")
    if not convert:
        return
    smaller = path.with_suffix(".256.png")
    done = subprocess.run(
        [convert, str(path), "-strip", "-colors", "256", f"PNG8:{smaller}"],
        capture_output=True,
        check=False,
    )
    if done.returncode == 0 and smaller.exists() and smaller.stat().st_size < path.stat().st_size:
        smaller.replace(path)
    smaller.unlink(missing_ok=True)


def take(url, shots, ids, secrets):
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (test dependency)

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        by_person = {}
        for shot in shots:
            by_person.setdefault(shot[1], []).append(shot)
        for username, person_shots in by_person.items():
            for width, viewport in WIDTHS.items():
                context = browser.new_context(
                    base_url=url, locale="fr-FR", timezone_id="Europe/Paris", viewport=viewport
                )
                page = context.new_page()
                page.goto("/comptes/connexion/")
                form = page.locator("main form")
                form.get_by_label("Identifiant").fill(username)
                form.get_by_label("Mot de passe").fill(secrets[username])
                form.get_by_role("button", name="Se connecter").click()
                page.wait_for_url(lambda address: "/comptes/connexion/" not in address)
                for name, _username, path, anchor in person_shots:
                    page.goto(path.format(**ids))
                    page.wait_for_load_state("networkidle")
                    if width < 576 and anchor:
                        page.locator(f"main {anchor}").first.evaluate(
                            "element => window.scrollTo(0, "
                            "element.getBoundingClientRect().top + window.scrollY - 16)",
                            timeout=5_000,
                        )
                        page.wait_for_timeout(200)
                    target = OUT / f"{name}-{width}.png"
                    page.screenshot(path=str(target))
                    shrink(target)
                    print(f"{target.relative_to(ROOT)} ({target.stat().st_size // 1024} Ko)")
                context.close()
        browser.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a demo already served (make run): its address")
    parser.add_argument("--only", help="only the screenshots whose name contains this")
    args = parser.parse_args()
    shots = [shot for shot in SHOTS if not args.only or args.only in shot[0]]
    if args.url:
        ids = demo_ids()
        take(args.url, shots, ids, passwords())
        return
    with tempfile.TemporaryDirectory(prefix="screenshots-") as workdir:
        url, server = serve_demo(Path(workdir))
        try:
            ids = demo_ids()
            take(url, shots, ids, passwords())
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
