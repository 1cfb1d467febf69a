# The README's two commands: `make run` and `make test`. Each creates .venv and installs what is missing:
# `make run` only what the local runtime needs (requirements.txt), `make test` (and synth, deploy, ...) the CDK
# and the test tools on top (requirements-dev.txt).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
INSTALLED_RUN := $(VENV)/.installed-run
INSTALLED_TEST := $(VENV)/.installed-test
CDK_CLI_VERSION := 2.1148.1
MIN_NODE := 20

.PHONY: run test test-infra lint token synth deploy bench load fuzz clean browser check-node openapi

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "Leadline needs Python 3.11 or newer, and $(PYTHON) is $$($(PYTHON) --version 2>/dev/null || echo not found): install one, or name it (PYTHON=python3.13 make ...)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip

$(INSTALLED_RUN): requirements.txt layers/shared/requirements.txt pyproject.toml | $(PY)
	$(PIP) -r requirements.txt -e .
	touch $@

$(INSTALLED_TEST): requirements-dev.txt $(INSTALLED_RUN)
	$(PIP) -r requirements-dev.txt
	touch $@

# The CDK (jsii in synth, the CLI in deploy) runs on Node.js: aws-cdk-lib needs 20 or newer, jsii supports 22 and 24.
check-node:
	@major=$$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null); found=$${major:+Node $$major}; \
	[ "$${major:-0}" -ge $(MIN_NODE) ] || { \
	  echo "The CDK needs Node.js $(MIN_NODE) or newer (22 or 24 recommended), found $${found:-none}: install one (https://nodejs.org)" >&2; exit 1; }

## Start the whole product on its embedded AWS, with the demo tenant, at http://127.0.0.1:$${LEADLINE_PORT:-3000}
run: $(INSTALLED_RUN)
	$(PY) -m infra.local run

## Run every test (unit, integration against the local runtime, infrastructure, the DNI test in a real browser)
test: check-node $(INSTALLED_TEST) browser
	$(PY) -m ruff check --quiet .
	$(PY) -m pytest

## Chromium for the browser tests (Debian's, installed when missing; sudo only when not root). CHROMIUM=<path>: another
browser:
	@command -v $${CHROMIUM:-chromium} >/dev/null || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium; }

## The infrastructure tests: cdk-nag in every synthesis mode, cfn-lint, checkov, and the CDK CLI's own synth
test-infra: check-node $(INSTALLED_TEST)
	$(PY) -m pytest tests/infra

lint: $(INSTALLED_TEST)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

## Write the OpenAPI documents: the staff API's (docs/openapi.json; a test holds it equal to the served one) with its
## route table (leadline/api/staff/route_table.py: which area serves each route; a test holds it equal to the
## routers), and the senders' (docs/openapi-senders.json: the webhooks and the website's API)
openapi: $(INSTALLED_RUN)
	$(PY) -c 'from leadline.api.staff import contract, resolver; contract.write(resolver.app, "docs/openapi.json"); resolver.write_route_table()'
	$(PY) -c 'from leadline.api import senders_contract; senders_contract.write("docs/openapi-senders.json")'

## Print a staff token for an employee of the running product: make token EMPLOYEE=csr
token: $(INSTALLED_RUN)
	@$(PY) -m infra.local token --employee $${EMPLOYEE:-admin}

## Synthesize the CloudFormation template into cdk.out (cdk-nag runs on every synth)
synth: check-node $(INSTALLED_TEST)
	$(PY) app.py

## Deploy to the AWS account and region of your current credentials
deploy: check-node $(INSTALLED_TEST)
	npx --yes aws-cdk@$(CDK_CLI_VERSION) deploy

## Benchmarks (figures in bench/README.md): cold start, DynamoDB requests per operation, scanner and report cost vs
## table size, throughput against moto's raw conditional-write rate
bench: $(INSTALLED_TEST)
	$(PY) bench/cold_start.py
	$(PY) bench/ddb_requests.py
	$(PY) bench/scanner_cost.py
	$(PY) bench/report_cost.py
	$(PY) bench/throughput.py

## The long load test: many calls at once, duplicated and out of order, then a recount (make test runs it small)
load: $(INSTALLED_TEST)
	$(PY) bench/load.py --calls $${CALLS:-300} --concurrency $${CONCURRENCY:-8}

## The long fuzzing run: LEADLINE_FUZZ_EXAMPLES examples per webhook parser and per staff API operation, with every
## schemathesis check, and half as many workflows (make test runs few); LEADLINE_FUZZ_SEED=n: random, repeatable
fuzz: $(INSTALLED_TEST)
	LEADLINE_FUZZ_EXAMPLES=$${LEADLINE_FUZZ_EXAMPLES:-100} $(PY) -m pytest -q tests/unit/test_webhook_fuzz.py tests/integration/test_api_fuzz.py

clean:
	rm -rf $(VENV) cdk.out .local
