# Two commands on a fresh machine: `make run` serves the site with demo data, `make test` tests it.
# The interpreter: Debian's python3.11 where it can make a virtualenv (python3.11-venv), else the
# first python3.11 on PATH. Debian's is built with profile-guided and link-time optimisation into
# one executable, and serves the pages about a seventh faster than a default source build such as
# pyenv's (BENCHMARKS.md, "Fourteenth session"). An existing .venv keeps its interpreter.
SYSTEM_PYTHON := $(shell /usr/bin/python3.11 -c 'import ensurepip' 2>/dev/null && echo /usr/bin/python3.11)
PYTHON ?= $(or $(SYSTEM_PYTHON),$(shell command -v python3.11 || command -v python3))
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run serve test lint install install-dev bench soak backup restore fuzz messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The Spanish interface: locale/*.po compiled to .mo (never committed), with GNU gettext's msgfmt
# (Debian's gettext package, installed here when missing and allowed).
messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || (apt-get update -q && apt-get install -y -q gettext) >/dev/null
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv -v0

# Development: settings default to production, so these two targets say DEBUG=true.
run test: export DEBUG ?= true

# Beside the server, a worker runs the background tasks (email, imports) and followers' due
# mail goes out every minute (cron's job in production); both stop with the server.
run: install messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py db_worker & worker=$$!; \
	$(BIN)/python manage.py send_follower_mail --every 60 >/dev/null & mailer=$$!; \
	trap 'kill $$worker $$mailer 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# Production-like on this machine: gunicorn (gunicorn.conf.py), DEBUG off, collected static
# files, plain HTTP on 127.0.0.1:8000. A real deployment sets its own secrets (README).
serve: export DEBUG = false
serve: export SECRET_KEY ?= serve-only-$(shell hostname)-not-a-production-secret-key-0123456789
serve: export ALLOWED_HOSTS ?= 127.0.0.1,localhost
serve: export EMAIL_URL ?= consolemail://
serve: export SECURE_SSL_REDIRECT ?= false
serve: install messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/gunicorn pledge_tracker.wsgi

test: install-dev messages
	$(BIN)/pytest

# The whole database to one file, and back into a new, empty database (README, "Backups").
BACKUP ?= backups/pledge-$(shell date +%Y%m%d-%H%M%S).dump
backup: install
	$(BIN)/python manage.py backup $(BACKUP)

restore: install
	@test -n "$(BACKUP_FILE)" || (echo "make restore BACKUP_FILE=backups/….dump" >&2; exit 2)
	$(BIN)/python manage.py restore $(BACKUP_FILE)

# The JSON API fuzzed against its OpenAPI schema (schemathesis): no 5xx, no contract failure.
fuzz: install-dev
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-500} $(BIN)/python scripts/fuzz_api.py

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Measures every public URL at national scale under gunicorn (README, "Benchmark").
$(VENV)/.installed-bench: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $(VENV)/.installed $@

# The load comes from wrk (Debian's package, installed here when missing and allowed; if it
# cannot be, bench/run.py says so).
bench: $(VENV)/.installed-bench messages
	@command -v wrk >/dev/null || (apt-get update -q && apt-get install -y -q wrk) >/dev/null 2>&1 || true
	$(BIN)/python bench/run.py

# Two minutes of mixed traffic (readers, advocates, a reviewer) under gunicorn and PostgreSQL;
# fails on any 5xx or any accepted submission missing from the database (BENCHMARKS.md).
soak: $(VENV)/.installed-bench messages
	$(BIN)/python bench/soak.py
