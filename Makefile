# Two commands: `make run` (demo on http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test browser migrate demo serve worker lint format bench rush screenshots clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Debian's chromium for the browser tests (Playwright never downloads a browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "chromium n'a pas pu être installé : les tests navigateur échoueront."; \
	  else echo "Installez chromium (apt-get install chromium) pour les tests navigateur."; fi; }

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

# The worker runs without autoreload (a reloading worker forks a child that would
# survive the kill below) and stops with the server.
run: demo
	@mkdir -p var
	@echo "Travailleur de tâches de fond (exports, courriers) lancé en arrière-plan : journal dans var/worker.log."
	@$(PY) manage.py db_worker --no-reload >var/worker.log 2>&1 & echo $$! > var/worker.pid
	@trap 'kill $$(cat var/worker.pid) 2>/dev/null; rm -f var/worker.pid' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

worker: install
	$(PY) manage.py db_worker --no-reload

# Production settings, locally (README "Production"): DEBUG off, static files collected
# and served by WhiteNoise, gunicorn with WEB_CONCURRENCY workers (default 2 × cores + 1),
# the task worker beside it. Plain HTTP on $(HOST):$(PORT) (DJANGO_SSL_REDIRECT=0); a
# secret key is made once in var/secret_key unless DJANGO_SECRET_KEY is set. Open
# http://localhost:$(PORT)/ (browsers keep the secure session cookie on localhost).
SERVE_ENV = DJANGO_DEBUG=0 DJANGO_SSL_REDIRECT=0 \
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat var/secret_key)}"
serve: demo
	@mkdir -p var
	@test -s var/secret_key || $(PY) -c "import secrets; print(secrets.token_urlsafe(64))" > var/secret_key
	@$(SERVE_ENV) $(PY) manage.py check --deploy
	@$(SERVE_ENV) $(PY) manage.py collectstatic --noinput -v 0
	@echo "Travailleur de tâches de fond lancé en arrière-plan : journal dans var/worker.log."
	@$(SERVE_ENV) $(PY) manage.py db_worker --no-reload >var/worker.log 2>&1 & echo $$! > var/worker.pid
	@echo "Production en local : http://localhost:$(PORT)/ (Ctrl-C arrête le serveur et le travailleur)."
	@trap 'kill $$(cat var/worker.pid) 2>/dev/null; rm -f var/worker.pid' EXIT INT TERM; \
	  $(SERVE_ENV) GUNICORN_BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c config/gunicorn.py config.wsgi

test: install-test browser
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n 2 -q $(PYTEST_ARGS)

# The README's screenshots (docs/screenshots/): key pages of the demo at 1280 and 390 px,
# from a throwaway database (tools/screenshots.py).
screenshots: install-test browser
	$(PY) tools/screenshots.py $(SCREENSHOTS_ARGS)

# Style, and the architecture's layers (pyproject.toml [tool.importlinter]).
lint: install-test
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Benchmarks, written to BENCHMARKS.md (bench/README.md): pages and API on SQLite, then on
# PostgreSQL when BENCH_PG_URL answers (that database is emptied and refilled when its
# data is not the expected size), then the outputs (exports, letters, ZIP).
# make bench BENCH_ARGS="--dossiers 500 --requests 20" OUTPUTS_ARGS="--dossiers 500"
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/filieres_bench
bench: install-test
	$(PY) bench/run.py --reuse $(BENCH_ARGS) --json bench/results/sqlite.json
	@if $(PY) bench/generate.py --check-database $(BENCH_PG_URL); then \
	  $(PY) bench/run.py --reuse --erase --database-url $(BENCH_PG_URL) $(BENCH_ARGS) \
	    --json bench/results/postgresql.json; \
	else echo "PostgreSQL absent ($(BENCH_PG_URL)) : mesure PostgreSQL sautée."; fi
	$(PY) bench/outputs_speed.py --json bench/results/outputs.json $(OUTPUTS_ARGS)
	$(PY) bench/report.py

# The deadline rush against gunicorn + PostgreSQL (RUSH_DATABASE_URL is dropped and
# recreated), then BENCHMARKS.md. Not part of `make test`.
RUSH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/filieres_rush
rush: install-test
	$(PY) bench/rush.py --database-url $(RUSH_DATABASE_URL) $(RUSH_ARGS); \
	  status=$$?; $(PY) bench/report.py; exit $$status

clean:
	rm -rf $(VENV) var
