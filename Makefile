# Do it online: set-up, run, test and lint. `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
GOVUK_DIST := node_modules/govuk-frontend/dist/govuk
DEMO_REPORTS ?= 40

PORT ?= 5000
MAIL_PORT ?= 1025

.PHONY: help prerequisites run test test-fast e2e https-test topology-test lint audit assets db demo clean bench-triage bench

# Every target a person runs carries a "## " line: `make help` prints them, and a test checks that
# none is missing.
help: ## list these targets
	@awk -F ':.*## ' '/^[a-z][a-z0-9-]*:.*## / { printf "make %-14s %s\n", $$1, $$2 }' $(firstword $(MAKEFILE_LIST))

prerequisites: ## install the Debian packages the tests need (as root), or name them
	@.ci/prerequisites

# The virtual environment is rebuilt whenever a requirements file changes.
$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# GOV.UK Frontend's CSS, JavaScript, fonts and images come from npm, at the release pinned in
# package.json, and are copied into static/govuk (git-ignored), never committed.
static/govuk/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf static/govuk
	mkdir -p static/govuk
	cp $(GOVUK_DIST)/govuk-frontend.min.css $(GOVUK_DIST)/govuk-frontend.min.css.map static/govuk/
	cp $(GOVUK_DIST)/govuk-frontend.min.js $(GOVUK_DIST)/govuk-frontend.min.js.map static/govuk/
	cp -R $(GOVUK_DIST)/assets static/govuk/assets
	touch $@

assets: static/govuk/.installed ## install the GOV.UK Frontend assets and axe-core from npm

db: $(BIN)/.installed ## migrate the database DATABASE_URL names (SQLite in instance/ when unset)
	$(FLASK) db upgrade

demo: db ## add demonstration reports (when there are none) and two demonstration accounts
	PUBLIC_BASE_URL=http://127.0.0.1:$(PORT) $(FLASK) demo load --reports $(DEMO_REPORTS)

# Development mail goes to a local debugging SMTP server that prints each email to the terminal;
# the mail worker sends it there as soon as it is queued, as it does in production.
run: $(BIN)/.installed assets demo ## set up, migrate SQLite, load demo data, serve on http://127.0.0.1:5000 (PORT=, MAIL_PORT=)
	@trap 'kill 0' EXIT; \
	$(BIN)/python -m aiosmtpd -n -l 127.0.0.1:$(MAIL_PORT) & \
	MAIL_PORT=$(MAIL_PORT) PUBLIC_BASE_URL=http://127.0.0.1:$(PORT) $(FLASK) outbox work & \
	MAIL_PORT=$(MAIL_PORT) PUBLIC_BASE_URL=http://127.0.0.1:$(PORT) $(FLASK) run --host 127.0.0.1 --port $(PORT)

test: prerequisites $(BIN)/.installed assets ## set up and run the whole suite (DATABASE_URL chooses the database)
	$(BIN)/pytest

# The suite without the browser journeys, the fuzzing and the query-plan tests (markers declared in
# pyproject.toml): for the edit-test loop, not instead of `make test`.
test-fast: prerequisites $(BIN)/.installed assets ## the suite without browser, fuzzing and query-plan tests
	$(BIN)/pytest -m "not browser and not fuzz and not plans"

# Only the real-browser journeys, with axe on every page (make test runs them too). Screenshots go
# to tests/e2e/screenshots/.
e2e: prerequisites $(BIN)/.installed assets ## only the real-browser journeys, with axe on every page
	$(BIN)/pytest tests/e2e

# The portal through the deploy/ files: nginx with TLS, gunicorn in production mode on a Unix
# socket, the mail worker, and Chromium over HTTPS (make test runs them too). Needs nginx and Redis.
https-test: prerequisites $(BIN)/.installed assets ## the portal through the deploy/ files: nginx, TLS and Chromium
	$(BIN)/pytest tests/test_deployment.py tests/e2e/test_https_behind_nginx.py

# Two app hosts behind nginx, two mail workers, one PostgreSQL and one Redis, each on a network
# namespace of its own (as root; loopback addresses otherwise): a surge of TOPOLOGY_RESIDENTS
# reports with photos, an app host and a mail worker killed, PostgreSQL restarted; prints figures.
TOPOLOGY_RESIDENTS ?= 500
topology-test: prerequisites $(BIN)/.installed assets ## two app hosts, two mail workers, PostgreSQL, Redis: a surge, kills, a restart
	TOPOLOGY_TEST=1 TOPOLOGY_RESIDENTS=$(TOPOLOGY_RESIDENTS) $(BIN)/pytest tests/topology -p no:cacheprovider

lint: $(BIN)/.installed ## ruff, mypy, bandit and pip-audit
	$(BIN)/ruff check portal tests bench deploy wsgi.py gunicorn.conf.py
	$(BIN)/ruff format --check portal tests bench deploy wsgi.py gunicorn.conf.py
	$(BIN)/mypy portal
	$(BIN)/bandit --quiet --configfile pyproject.toml --recursive portal
	$(MAKE) --no-print-directory audit

# Known vulnerabilities in every installed package (pip-audit, PyPI's advisory data).
audit: $(BIN)/.installed ## pip-audit of every installed package
	rm -f $(VENV)/pip-audit.json
	$(BIN)/pip-audit --local --progress-spinner off --format json --output $(VENV)/pip-audit.json || true
	$(BIN)/python .ci/audit_summary.py $(VENV)/pip-audit.json

clean: ## remove the virtual environments, npm packages, assets and caches
	rm -rf $(VENV) $(BENCH_VENV) node_modules static/govuk .pytest_cache .mypy_cache .ruff_cache

# Deciding one report, history queries included, with 100,000 stored reports: SQLite, then
# PostgreSQL when BENCH_POSTGRES_URL names a database that may be wiped.
BENCH_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test
bench-triage: $(BIN)/.installed ## time a triage decision with 100,000 stored reports
	$(BIN)/python -m bench.triage_decision --reports 100000
	$(BIN)/python -m bench.triage_decision --reports 100000 --database-url $(BENCH_POSTGRES_URL)

# The whole harness (docs/performance.md): gunicorn on loopback, wrk and a submission driver, on
# SQLite then PostgreSQL, at each of BENCH_REPORTS. Needs wrk (apt-get install wrk). The
# PostgreSQL database is wiped and loaded when it holds too few reports.
BENCH_REPORTS ?= 10000 1000000
BENCH_PG_URL ?= postgresql://postgres@127.0.0.1:5432/bench
BENCH_VENV := .venv-bench

# Locust, the harness's load generator for whole reports, kept out of the portal's environment.
$(BENCH_VENV)/bin/.installed: requirements-bench.txt
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	touch $@

bench: $(BIN)/.installed assets $(BENCH_VENV)/bin/.installed ## the whole benchmark harness (needs wrk)
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install wrk"; exit 1; }
	for n in $(BENCH_REPORTS); do \
	  $(BIN)/python -m bench.harness --reports $$n || exit 1; \
	  $(BIN)/python -m bench.harness --reports $$n --database-url $(BENCH_PG_URL)_$$n || exit 1; \
	done
