# Contact COVID: `make run` serves the app with demo data, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Two hash-pinned locks: the app (what a server runs) and the app + dev tools (tests, lint, lock).
APP_STAMP := $(VENV)/.installed-app-$(shell sha256sum requirements.lock | cut -c1-16)
DEV_STAMP := $(VENV)/.installed-dev-$(shell sha256sum requirements-dev.lock | cut -c1-16)
OIDC_STAMP := tests/oidc_provider/node_modules/.installed-$(shell sha256sum tests/oidc_provider/package-lock.json | cut -c1-16)
# Wheels only: a source distribution would be built on the installing machine and break there.
PIP_INSTALL := -m pip install --quiet --disable-pip-version-check --require-hashes --only-binary :all:

.PHONY: help install install-dev migrate demo run worker serve test bench lint format lock vendor check-wheels clean

help:
	@echo "make run    installe, migre, charge la démo et sert http://127.0.0.1:$(PORT)"
	@echo "make test   installe, puis ruff et toute la suite de tests"
	@echo "make serve  gunicorn + whitenoise, DEBUG off (SECRET_KEY et ALLOWED_HOSTS requis)"
	@echo "make worker un worker de tâches de fond (e-mails, tâches périodiques), DEBUG off"
	@echo "make bench  la suite de mesure sur une base PostgreSQL de mesure (README « Scale »)"

# The virtual environment, from a hashed lock file only; redone when the lock changes. When pip
# fails, check_wheels says whether a package has no wheel (rather than pip's long story).
$(APP_STAMP): requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) $(PIP_INSTALL) -r requirements.lock || { $(PYTHON) scripts/check_wheels.py requirements.lock; exit 1; }
	@rm -f $(VENV)/.installed-app-*
	@touch $@

$(DEV_STAMP): requirements-dev.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) $(PIP_INSTALL) -r requirements-dev.lock || { $(PYTHON) scripts/check_wheels.py requirements-dev.lock; exit 1; }
	@rm -f $(VENV)/.installed-dev-*
	@touch $@

install: $(APP_STAMP)
install-dev: $(DEV_STAMP) $(OIDC_STAMP)

# The OpenID Connect provider the tests start in the place of Pro Santé Connect (Node.js, from
# the npm registry, pinned with integrity hashes in tests/oidc_provider/package-lock.json).
$(OIDC_STAMP): tests/oidc_provider/package-lock.json
	npm ci --no-audit --no-fund --silent --prefix tests/oidc_provider
	@touch $@

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# The web server and a worker (e-mails, periodic tasks), in one command; Ctrl-C stops both.
run: export DEBUG ?= true
run: demo
	@$(PY) manage.py worker --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# A worker alone, for servers: run as many as needed, on any machine that reaches the database.
worker: export DEBUG ?= false
worker: install
	$(PY) manage.py worker --no-reload

serve: export DEBUG = false
serve: install
	$(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@# Two database roles (README « Serving for real »): migrations as the owner, then the app's
	@# role gets its grants; with one role (OWNER_DATABASE_URL unset), migrate as it.
	@if [ -n "$${OWNER_DATABASE_URL:-}" ]; then \
		DATABASE_URL="$$OWNER_DATABASE_URL" $(PY) manage.py migrate --noinput && \
		DATABASE_URL="$$OWNER_DATABASE_URL" $(PY) manage.py grant_app_role "$${APP_DB_ROLE:?set APP_DB_ROLE, the role of DATABASE_URL}"; \
	else $(PY) manage.py migrate --noinput; fi
	@# Threads (gthread): a long download (a streamed export) is not killed by the 30 s timeout,
	@# which then only watches that the worker is alive. Restarted after ~2,000 requests (with
	@# jitter, not all at once) as a guard against slow memory growth.
	$(VENV)/bin/gunicorn contactcovid.wsgi --bind 127.0.0.1:$(PORT) --workers $${WEB_CONCURRENCY:-3} \
		--worker-class gthread --threads $${GUNICORN_THREADS:-4} \
		--max-requests 2000 --max-requests-jitter 200 --access-logfile -

# The benchmark suite (README « Scale »): on a PostgreSQL database of its own, seeded to
# BENCH_TAILLE patients zéro (≈ 4 fiches each; 2,500,000 = 10 M fiches, ~5 min) when it holds
# fewer, then every page, the PDF and a mixed load on gunicorn; the report lands in bench.md.
# It writes (an edit, « fiche suivante »): never point it at real data.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/contactcovid_bench
BENCH_TAILLE ?= 2500000
bench: export DATABASE_URL = $(BENCH_DATABASE_URL)
bench: export DEBUG = false
bench: export ALLOWED_HOSTS = localhost
bench: export EMAIL_URL = consolemail://
bench: export STATIC_MANIFEST = false
bench: install
	$(PY) scripts/bench_database.py "$(BENCH_DATABASE_URL)"
	@SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') sh -c '\
		$(PY) manage.py migrate --noinput --verbosity 0 && \
		$(PY) manage.py bench --base-de-mesure --taille $(BENCH_TAILLE) --sortie bench.md $(BENCH_ARGS)'

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(PY) -m pytest

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Re-pin every dependency (with hashes, wheels only) after editing pyproject.toml: the dev lock
# first, then the app lock constrained by it, so both hold the same versions. Asks PyPI itself,
# not this machine's pip configuration.
lock: install-dev
	env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null $(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras \
		--allow-unsafe --pip-args "--only-binary :all:" --extra dev \
		--output-file requirements-dev.lock pyproject.toml
	env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null $(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras \
		--allow-unsafe --pip-args "--only-binary :all:" --constraint requirements-dev.lock \
		--output-file requirements.lock pyproject.toml

# Every locked package has a wheel for this machine (CI runs it before installing).
check-wheels:
	$(PYTHON) scripts/check_wheels.py requirements.lock requirements-dev.lock

# Re-fetch the CSS/JS pinned in vendor.lock.json from the npm registry (after an upgrade).
vendor:
	$(PYTHON) scripts/vendor_static.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
