"""Production settings (DJANGO_DEBUG=0) pass `check --deploy`; run in a fresh interpreter
because settings are read from the environment once, at start-up."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = """
from io import StringIO
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
print("SSL_REDIRECT", settings.SECURE_SSL_REDIRECT, "COOKIES", settings.SESSION_COOKIE_SECURE,
      settings.CSRF_COOKIE_SECURE, "HSTS", settings.SECURE_HSTS_SECONDS, flush=True)
out = StringIO()
call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=out)
print(out.getvalue())
"""


def run_check(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
            "DJANGO_ALLOWED_HOSTS": "example.fr",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
            "STATIC_ROOT": str(tmp_path / "static"),
            **extra,
        }
    )
    return subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production(tmp_path):
    result = run_check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "SSL_REDIRECT True COOKIES True True HSTS 31536000" in result.stdout


def test_ssl_redirect_off_changes_only_the_redirect(tmp_path):
    result = run_check(tmp_path, DJANGO_SSL_REDIRECT="0")
    # Django warns about the redirect (security.W008) and nothing else.
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr
    assert result.stdout.count("(security.") + result.stderr.count("(security.") == 1
    assert "SSL_REDIRECT False COOKIES True True HSTS 31536000" in result.stdout


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = run_check(tmp_path, DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY doit être défini" in result.stderr


WEAK_KEYS = [
    "x" * 49,  # too short
    "ab" * 30,  # long, but two different characters
    "django-insecure-" + secrets.token_urlsafe(50),  # Django's generated development key
    "dev-insecure-key-only-for-local-runs-0123456789abcdefghijklmnopqrstuvwxyz",  # ours
]


def test_production_refuses_a_weak_secret_key(tmp_path):
    for key in WEAK_KEYS:
        result = run_check(tmp_path, DJANGO_SECRET_KEY=key)
        assert result.returncode != 0, key
        assert "DJANGO_SECRET_KEY est trop faible pour la production" in result.stderr, key


def test_a_fifty_character_random_key_is_accepted(tmp_path):
    result = run_check(tmp_path, DJANGO_SECRET_KEY=secrets.token_urlsafe(38)[:50])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
