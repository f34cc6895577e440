# LexCase: `make run` serves the app on the embedded default; `make test` runs the suite
# on SQLite and on PostgreSQL.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# pyenv honours .python-version (3.13); elsewhere take python3.13 from PATH.
PYTHON ?= $(shell command -v pyenv >/dev/null 2>&1 && pyenv which python3.13 2>/dev/null || command -v python3.13 || command -v python3)
DEB_PACKAGES := gettext postgresql-client chromium fonts-noto-cjk tesseract-ocr tesseract-ocr-chi-sim libpango-1.0-0 libpangoft2-1.0-0 antiword
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/lexcase
# The database legs of `make test` run with pytest-xdist workers (SQLite `-n auto`: one per
# core; PostgreSQL two, below); each worker has its own test database (test_<name>_gw0,
# _gw1 ... on PostgreSQL, one in memory each on SQLite); TEST_WORKERS=0 (SQLite) or
# PG_TEST_WORKERS=0 (PostgreSQL) runs that leg in one process. worksteal: a worker left
# idle takes tests queued for the others, so a slow module at the end does not leave a core
# waiting; ordinary tests can then run after a transactional test, on tables its flush
# emptied, so the conftest puts the rows the data migrations seed back after each flush
# (lexcase/testing_seeds.py).
TEST_WORKERS ?= auto
# The PostgreSQL leg runs with two workers, the number its full run with workers passed with
# (docs/operations.md, "Test suite run time"); PG_TEST_WORKERS=auto takes one per core.
PG_TEST_WORKERS ?= 2
PYTEST := $(PY) -m pytest -q -n $(TEST_WORKERS) --dist worksteal
PG_PYTEST := $(PY) -m pytest -q -n $(PG_TEST_WORKERS) --dist worksteal
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-sqlite test-postgres lint format messages compilemessages bench clean \
	lock audit sbom stack stack-stop stack-status stack-check stack-load

# Installs exactly the versions pinned in requirements.lock (made from pyproject.toml by
# `make lock`), then the project (a dependency added to pyproject.toml but not locked yet is
# still installed; lexcase/core/tests/test_supply_chain.py then asks for `make lock`).
$(VENV)/.installed: pyproject.toml requirements.lock
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null \
		|| echo "WARNING: could not install$$missing (browser tests will be skipped)"; \
	fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.lock
	$(PIP) install -q -e '.[dev]'
	@touch $@

install: $(VENV)/.installed compilemessages

# Commands that load the settings but read no audit data and sign nothing (compilemessages,
# mypy's django-stubs plugin); production settings still want keys and hosts to start.
SETTINGS_ENV := LEXCASE_AUDIT_KEY=$${LEXCASE_AUDIT_KEY:-unused-by-compilemessages-0000000000000000} \
	LEXCASE_SECRET_KEY=$${LEXCASE_SECRET_KEY:-unused-by-compilemessages-0123456789abcdefghijklmnopqrstuv} \
	LEXCASE_ALLOWED_HOSTS=$${LEXCASE_ALLOWED_HOSTS:-localhost} \
	LEXCASE_FIELD_KEYS=$${LEXCASE_FIELD_KEYS:-dW51c2VkLWJ5LWNvbXBpbGVtZXNzYWdlcy0wMDAwMDA=}

# The .mo is built from the committed .po (not committed itself: binary files do not merge).
compilemessages: $(VENV)/.installed
	@$(SETTINGS_ENV) $(PY) -m lexcase compilemessages -l zh_Hans >/dev/null

# A laptop run is development: DEBUG on, so the audit key is generated under var/.
run: export LEXCASE_DEBUG := $(or $(LEXCASE_DEBUG),1)
run: install
	$(PY) -m lexcase migrate --noinput
	$(PY) -m lexcase demo --if-empty
	@echo "LexCase on http://$(HOST):$(PORT)/  (demo logins in README.md)"
	@trap 'kill 0' EXIT; \
	$(PY) -m lexcase db_worker & \
	LEXCASE_DEBUG=$${LEXCASE_DEBUG:-1} $(VENV)/bin/gunicorn lexcase.wsgi -k gthread --threads 4 -b $(HOST):$(PORT) --access-logfile -

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(SETTINGS_ENV) $(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: export LEXCASE_DEBUG := $(or $(LEXCASE_DEBUG),1)
messages: install
	cd lexcase && ../$(PY) -m lexcase makemessages -l zh_Hans --no-obsolete && ../$(PY) -m lexcase compilemessages -l zh_Hans

test: lint test-sqlite test-postgres

test-sqlite: install
	@echo "== test suite on SQLite =="
	DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(PYTEST)

test-postgres: install
	@echo "== test suite on PostgreSQL ($(TEST_DATABASE_URL)) =="
	@if $(PY) -c "import psycopg,sys; psycopg.connect('$(TEST_DATABASE_URL)'.rsplit('/',1)[0] + '/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		DATABASE_URL=$(TEST_DATABASE_URL) $(PG_PYTEST); \
	elif [ "$$CI" = "true" ]; then \
		echo "ERROR: no PostgreSQL answers at $(TEST_DATABASE_URL); CI requires both databases." >&2; exit 1; \
	else \
		echo "!!! WARNING: no PostgreSQL at $(TEST_DATABASE_URL): the PostgreSQL leg was SKIPPED !!!" >&2; \
	fi

# The lock file: every dependency (dev tools included) pinned, for Python 3.13 on any
# platform. Run after changing pyproject.toml's dependencies; versions already pinned are kept
# unless pyproject.toml excludes them (`make lock UPGRADE=1` takes the newest allowed).
lock: $(VENV)/.installed
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.13 \
		--custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) -o requirements.lock

# Known vulnerabilities of the pinned versions (needs the network: PyPI's vulnerability data);
# fails on any finding and on any package it could not check. Not part of `make test`.
audit: $(VENV)/.installed
	$(VENV)/bin/pip-audit --requirement requirements.lock --no-deps --disable-pip --strict \
		--progress-spinner off

# A CycloneDX SBOM of the pinned versions (offline) in var/sbom.cdx.json.
sbom: $(VENV)/.installed
	$(VENV)/bin/cyclonedx-py requirements requirements.lock --of JSON -o var/sbom.cdx.json
	@echo "SBOM: var/sbom.cdx.json"

bench: install
	$(PY) -m bench.matter_list --matters $${MATTERS:-100000}

# The multi-process deployment on loopback (docs/operations.md "Multi-process deployment"):
# nginx -> gunicorn (gthread) -> PostgreSQL lexcase_stack, db_workers, moto as the S3 endpoint.
STACK_DEB_PACKAGES := nginx
stack: install
	@missing=""; for p in $(STACK_DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	bash deploy/stack.sh start

stack-stop:
	bash deploy/stack.sh stop

stack-status:
	bash deploy/stack.sh status

# Documents uploaded through nginx land in the S3 endpoint and download with the same SHA-256.
stack-check:
	$(PY) deploy/stack_check.py

# The load test against the running stack: 50 users for 10 minutes; SMOKE=1 for 10 users, 1 min.
stack-load:
	$(PY) -m bench.stack_load $(if $(SMOKE),--users 10 --minutes 1 --warmup 0.5 --spawn-rate 1)

clean:
	rm -rf $(VENV) var
