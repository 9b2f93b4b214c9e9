# Origo samverkan – see README.md. Targets: run, test, test-services, test-browser, bench, bench-load, install, lint, format,
# check-deploy.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_BROKER_URL ?= redis://127.0.0.1:6379/0
# `make run PORT=8001`: the web server's port. Passed on as WEB_PORT, because honcho sets PORT itself for
# every process it starts (5000, 5100, …).
PORT ?= 8000

.PHONY: install run migrate load test test-services test-browser bench bench-load lint format check-deploy clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

load: migrate
	$(BIN)/python manage.py load_origo

run: load
	@echo "Webb: http://127.0.0.1:$(PORT)  (Ctrl-C stoppar webbserver, worker med beat och PDF-konverterare)"
	WEB_PORT=$(PORT) $(BIN)/honcho start -f Procfile.dev

test: install
	$(BIN)/pytest -q

test-services: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)} \
	GOVERNANCE_TEST_SERVICES=1 \
	$(BIN)/pytest -q

# Issue 14: the journeys in Chromium at 1280 and 375 px with axe-core (tests/browser). Debian's Chromium
# (CHROMIUM_PATH, default `chromium` on PATH), never Playwright's download; axe-core from npm (npm ci).
# Screenshots and one JSON report per journey and width go to var/screenshots/.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

test-browser: install node_modules/axe-core/axe.min.js
	rm -rf var/screenshots
	$(BIN)/pytest -q -p no:cacheprovider -m browser tests/browser

# Issue 15: every figure against its floor, interleaved, medians; writes var/bench/results.json and exits 1 when a
# goal is missed (benchmarks/run.py). Data in var/bench/ (SQLite) or $$DATABASE_URL, built once and reused.
bench: install
	$(BIN)/python -m benchmarks.run

# The load run alone: gunicorn (2 workers), 20 users for 30 s, the page mix against hello-world.
bench-load: install
	$(BIN)/python -m benchmarks.run --only load

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-deploy: install
	DJANGO_SETTINGS_MODULE=governance.settings_production \
	DJANGO_SECRET_KEY=$$(LC_ALL=C tr -dc 'A-Za-z0-9!@#%^*' </dev/urandom | head -c 60) \
	DJANGO_ALLOWED_HOSTS=origo.example.se SITE_URL=https://origo.example.se \
	DATABASE_URL=sqlite:///var/check.sqlite3 CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache node_modules
