"""gunicorn's settings (`gunicorn -c config/gunicorn.py config.wsgi`), from the
environment: `GUNICORN_BIND` (default 127.0.0.1:8000; `0.0.0.0:8000` behind a load
balancer), `WEB_CONCURRENCY` (worker processes, default 2 × cores + 1),
`GUNICORN_THREADS` (threads per worker, default 1), `GUNICORN_TIMEOUT` (seconds,
default 60), `GUNICORN_FORWARDED_ALLOW_IPS` (the proxies trusted for X-Forwarded-*,
default 127.0.0.1). See docs/decisions/0030-gunicorn.md."""

import multiprocessing
import os

from django.db import connections

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
# A letter or a synchronous export takes a few seconds; a request stuck longer is killed
# and logged rather than holding a worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5
# Workers are recycled now and then (memory of large exports given back).
max_requests = 2000
max_requests_jitter = 200
# Load the application once, before forking: faster start, shared memory.
preload_app = True
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Uploads are capped by Django (DATA_UPLOAD_MAX_MEMORY_SIZE, ATTACHMENT_MAX_BYTES);
# these bound the request line and headers.
limit_request_line = 8190
limit_request_fields = 100
proc_name = "filieres"
# gunicorn's control socket (`gunicornc`) sits in a fixed place by default, which
# several instances on one machine (tests, make rush) would share: off.
control_socket_disable = True


def post_fork(server, worker):
    """A database connection opened while loading the application must not be shared by
    the forked workers: each opens its own."""
    connections.close_all()
