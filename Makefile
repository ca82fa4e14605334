# The two commands a newcomer needs: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# Management commands run by make use a development profile; production sets its own environment.
DEV_ENV := DJANGO_DEBUG=1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install serve serve-production test test-sqlite test-postgres lint migrate import bench soak fidelity relevance attack smoke-search clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput

import: migrate
	$(DEV_ENV) $(PY) manage.py import_decisions fixtures

serve: import
	$(DEV_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# Production: set DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL and REDIS_URL (the cache the worker
# processes share) first, and put nginx in front (deploy/nginx.conf: TLS, request buffering,
# X-Forwarded-For/-Proto). gunicorn's settings, threaded workers included, are in deploy/gunicorn.conf.py
# (WEB_CONCURRENCY and GUNICORN_THREADS override them).
serve-production: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	@test -n "$$REDIS_URL" || echo "NOTE: REDIS_URL is not set: each worker process caches on its own, in memory."
	HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/gunicorn lgo_archive.wsgi -c deploy/gunicorn.conf.py

bench: install
	$(PY) bench/run.py

# How well the parser reads real decisions: FOLDER defaults to ../shared/devset.
fidelity: install
	$(PY) bench/fidelity.py $(FOLDER)

# Does search find what people mean? Topic searches on FOLDER (default ../shared/devset), on
# SQLite and then on PostgreSQL (a throwaway cluster, or DATABASE_URL).
relevance: install
	env -u DATABASE_URL $(PY) bench/relevance.py $(FOLDER)
	bash .ci/with-postgres $(PY) bench/relevance.py $(FOLDER)

# Hostile requests against the production profile (gunicorn, PostgreSQL, debug off): 0 server errors,
# every response under 2 s, every feed and sitemap valid XML.
attack: install
	$(PY) bench/attack.py

soak: install
	$(PY) bench/soak.py --minutes 3

# The distinct-searches benchmark at 2,000 decisions on both databases: does it still run? (CI runs it.)
smoke-search: install
	env -u DATABASE_URL $(PY) bench/smoke_search.py
	bash .ci/with-postgres $(PY) bench/smoke_search.py

lint: install
	$(VENV)/bin/ruff check .

test: lint test-sqlite test-postgres

test-sqlite: install
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run >/dev/null \
		|| (echo "A model change has no migration: run manage.py makemigrations" && exit 1)
	@command -v chromium >/dev/null 2>&1 || echo "NOTE: chromium is not installed, so the browser tests will be SKIPPED (apt-get install chromium)."
	@command -v redis-server >/dev/null 2>&1 || echo "NOTE: redis-server is not installed, so the shared-cache tests will be SKIPPED (apt-get install redis-server)."
	@echo "== Test suite on SQLite =="
	env -u DATABASE_URL $(VENV)/bin/pytest

test-postgres: install
	@echo "== Test suite on PostgreSQL =="
	bash .ci/with-postgres $(VENV)/bin/pytest

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles .pytest_cache .ruff_cache
