"""Production processes for the deployment tests: gunicorn application servers and the
task worker, started with the production settings (DJANGO_DEBUG=0) on free loopback
ports, against one PostgreSQL database and one S3 bucket."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_server(suite_url=None):
    """A PostgreSQL server URL (maintenance database) or None when none answers: the
    suite's own server when it runs on PostgreSQL, else TEST_POSTGRES_URL or the local
    default."""
    candidates = [os.environ.get("TEST_POSTGRES_URL"), DEFAULT_POSTGRES]
    if suite_url and suite_url.startswith("postgres"):
        candidates.insert(0, suite_url)
    for url in filter(None, candidates):
        server = url.rsplit("/", 1)[0] + "/postgres"
        try:
            psycopg.connect(
                server.replace("postgres://", "postgresql://", 1), connect_timeout=3
            ).close()
        except psycopg.Error:
            continue
        return server
    return None


def admin(server, sql):
    with psycopg.connect(
        server.replace("postgres://", "postgresql://", 1), autocommit=True
    ) as connection:
        connection.execute(sql)


class Stack:
    """Processes sharing one environment; stopped (by their own process ids) at close."""

    def __init__(self, env, logs):
        self.env = {**os.environ, **env}
        self.env.pop("PYTEST_XDIST_WORKER", None)
        self.env.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_LOG_LEVEL="WARNING")
        self.logs = logs
        self.processes = []

    def manage(self, *args, timeout=240):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def python(self, code, timeout=240):
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def start(self, name, *command, **extra_env):
        log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115 - closed in close()
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**self.env, **extra_env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append((name, process, log))
        return process

    def gunicorn(self, name, workers=1, threads=2):
        port = free_port()
        self.start(
            name,
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "config/gunicorn.py",
            "config.wsgi",
            GUNICORN_BIND=f"127.0.0.1:{port}",
            WEB_CONCURRENCY=str(workers),
            GUNICORN_THREADS=str(threads),
        )
        return f"http://127.0.0.1:{port}"

    def worker(self, name="worker"):
        return self.start(
            name,
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-reload",
            "--interval",
            "0.2",
            "--no-startup-delay",
        )

    def wait_healthy(self, base, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                response = requests.get(f"{base}/healthz", timeout=60)
                if response.status_code == 200:
                    return response.json()
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"{base} ne répond pas : {self.tail()}")

    def check_alive(self):
        for name, process, _log in self.processes:
            if process.poll() is not None:
                raise AssertionError(f"{name} s'est arrêté ({process.returncode}) : {self.tail()}")

    def tail(self):
        return "\n".join(
            f"--- {path.name}\n{path.read_text()[-2000:]}" for path in self.logs.glob("*.log")
        )

    def close(self):
        for _name, process, _log in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _name, process, log in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            log.close()


def production_env(database_url, static_root, media_root, s3_endpoint=None, bucket=None):
    env = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SSL_REDIRECT": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(media_root),
        "EMAIL_URL": "dummy://",
        "GUNICORN_ACCESS_LOG": "",
        "DJANGO_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    if bucket:
        env.update({"AWS_STORAGE_BUCKET_NAME": bucket, "S3_ENDPOINT_URL": s3_endpoint})
        env["AWS_S3_REGION_NAME"] = "eu-west-3"
    return env


class LoopbackSession(requests.Session):
    """Sends back every cookie it got, Secure ones included: the production settings
    mark the session and CSRF cookies Secure, which browsers accept on localhost but
    requests' cookie jar does not over plain HTTP."""

    def request(self, method, url, **kwargs):
        cookies = {cookie.name: cookie.value for cookie in self.cookies}
        kwargs["cookies"] = {**cookies, **(kwargs.get("cookies") or {})}
        return super().request(method, url, **kwargs)


def browser_session():
    return LoopbackSession()
