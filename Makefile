# The two commands a newcomer needs: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# Management commands run by make use a development profile; production sets its own environment.
DEV_ENV := DJANGO_DEBUG=1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install serve test test-sqlite test-postgres lint migrate import browsers clean

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

lint: install
	$(VENV)/bin/ruff check .

test: lint test-sqlite test-postgres

test-sqlite: install
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run >/dev/null \
		|| (echo "A model change has no migration: run manage.py makemigrations" && exit 1)
	@command -v chromium >/dev/null 2>&1 || echo "NOTE: chromium is not installed, so the browser tests will be SKIPPED (apt-get install chromium)."
	@echo "== Test suite on SQLite =="
	env -u DATABASE_URL $(VENV)/bin/pytest

test-postgres: install
	@echo "== Test suite on PostgreSQL =="
	bash .ci/with-postgres $(VENV)/bin/pytest

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles .pytest_cache .ruff_cache
