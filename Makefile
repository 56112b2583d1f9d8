# Contact COVID: `make run` serves the app with demo data, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell sha256sum requirements.lock | cut -c1-16)

.PHONY: help install migrate demo run serve test lint format lock clean

help:
	@echo "make run    installe, migre, charge la démo et sert http://127.0.0.1:$(PORT)"
	@echo "make test   installe, puis ruff et toute la suite de tests"
	@echo "make serve  gunicorn + whitenoise, DEBUG off (SECRET_KEY et ALLOWED_HOSTS requis)"

# The virtual environment, from the hashed lock file only; redone when the lock changes.
$(STAMP): requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: export DEBUG ?= true
run: demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

serve: export DEBUG = false
serve: install
	$(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py migrate --noinput
	$(VENV)/bin/gunicorn contactcovid.wsgi --bind 127.0.0.1:$(PORT) --workers $${WEB_CONCURRENCY:-3} --access-logfile -

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(PY) -m pytest

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Re-pin every dependency (with hashes) after editing pyproject.toml.
lock: install
	$(VENV)/bin/pip-compile --quiet --generate-hashes --strip-extras --all-extras --allow-unsafe \
		--output-file requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
