# The README's two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast serve migrate seed schema schema-check sdk sdk-check sdk-pack bench fuzz lint typecheck worker beat clean

$(VENV)/.runtime: requirements.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# stdout carries only the seed's JSON (`make run | jq .customers`): the install, migrate and
# runserver (which prints its banner on stdout) all write to stderr, and no recipe line echoes.
run:  ## migrate, seed demo data, print credentials, serve on 127.0.0.1:8000
	@$(MAKE) -s --no-print-directory $(VENV)/.runtime >&2
	@$(PY) manage.py migrate --no-input -v 0 >&2
	@$(PY) manage.py seed --json
	@echo "Serving on http://$(HOST):$(PORT)/  (API docs /api/docs/, admin /admin/, developers /developers)" >&2
	@$(PY) manage.py runserver $(HOST):$(PORT) >&2

test: $(VENV)/.dev  ## the whole suite on the embedded defaults (SQLite, eager Celery)
	@if command -v npm >/dev/null 2>&1 && [ ! -d sdk/typescript/node_modules ]; then \
		cd sdk/typescript && npm ci --no-audit --no-fund --loglevel=error; fi
	$(PY) -m pytest -q -n 2 --dist loadgroup

test-fast: $(VENV)/.dev
	$(PY) -m pytest -q -x

migrate: $(VENV)/.runtime
	$(PY) manage.py migrate --no-input

seed: $(VENV)/.runtime
	$(PY) manage.py seed --json

schema: $(VENV)/.dev  ## regenerate openapi/openapi.yaml from the code
	$(PY) manage.py spectacular --file openapi/openapi.yaml --validate --fail-on-warn

schema-check: $(VENV)/.dev
	$(PY) manage.py spectacular --validate --fail-on-warn > /dev/null

sdk: schema  ## regenerate both SDKs (python openbank._generated, TS src/generated/openapi.ts) from openapi/openapi.yaml
	@test -d sdk/typescript/node_modules || (cd sdk/typescript && npm ci --no-audit --no-fund --loglevel=error)
	$(PY) sdk/generate.py

sdk-check: $(VENV)/.dev  ## fail when the committed SDK code is stale against openapi/openapi.yaml
	@test -d sdk/typescript/node_modules || (cd sdk/typescript && npm ci --no-audit --no-fund --loglevel=error)
	$(PY) sdk/generate.py --check

sdk-pack: $(VENV)/.runtime  ## both SDKs as installable files in dist/: openbank-<v>-py3-none-any.whl and openbank-sdk-<v>.tgz
	@mkdir -p dist
	@test -d sdk/typescript/node_modules || (cd sdk/typescript && npm ci --no-audit --no-fund --loglevel=error)
	cd sdk/typescript && npm pack --silent --pack-destination ../../dist   # prepack builds dist/ (ESM + .d.ts)
	$(PIP) wheel --quiet --disable-pip-version-check --no-deps --wheel-dir dist sdk/python
	@rm -rf sdk/python/build sdk/python/src/openbank.egg-info
	@ls -1 dist/openbank-*.whl dist/openbank-sdk-*.tgz

bench: $(VENV)/.dev  ## benchmarks on PostgreSQL (DATABASE_URL), printing figures and ratios
	$(PY) -m pytest tests/bench -m bench -s -q -p no:xdist

fuzz: $(VENV)/.dev  ## Schemathesis against a live gunicorn (PostgreSQL when DATABASE_URL names one); report in var/fuzz/
	OPENBANK_FUZZ=1 $(PY) -m pytest -q -p no:xdist -rA tests/fuzz/test_schemathesis.py

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check apps platform tests manage.py

typecheck: $(VENV)/.dev
	$(VENV)/bin/mypy apps

worker: $(VENV)/.runtime
	PYTHONPATH=platform:. $(VENV)/bin/celery -A config worker -l info

beat: $(VENV)/.runtime
	PYTHONPATH=platform:. $(VENV)/bin/celery -A config beat -l info

clean:
	rm -rf $(VENV) var
