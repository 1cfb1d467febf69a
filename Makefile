# The README's two commands: `make run` and `make test`. Each creates .venv and installs what is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
CDK_CLI_VERSION := 2.1148.1

.PHONY: run test test-infra lint token synth deploy bench load fuzz clean browser

$(INSTALLED): requirements-dev.txt layers/shared/requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -e .
	touch $(INSTALLED)

## Start the whole product on its embedded AWS, with the demo tenant, at http://127.0.0.1:$${LEADLINE_PORT:-3000}
run: $(INSTALLED)
	$(PY) -m infra.local run

## Run every test (unit, integration against the local runtime, infrastructure, the DNI test in a real browser)
test: $(INSTALLED) browser
	$(PY) -m ruff check --quiet .
	$(PY) -m pytest

## Chromium for the browser tests (Debian's, installed when missing; sudo only when not root). CHROMIUM=<path>: another
browser:
	@command -v $${CHROMIUM:-chromium} >/dev/null || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium; }

lint: $(INSTALLED)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

## Print a staff token for an employee of the running product: make token EMPLOYEE=csr
token: $(INSTALLED)
	@$(PY) -m infra.local token --employee $${EMPLOYEE:-admin}

## Synthesize the CloudFormation template into cdk.out (cdk-nag runs on every synth)
synth: $(INSTALLED)
	$(PY) app.py

## Deploy to the AWS account and region of your current credentials
deploy: $(INSTALLED)
	npx --yes aws-cdk@$(CDK_CLI_VERSION) deploy

## Benchmarks (figures in bench/README.md): cold start, DynamoDB requests per operation, scanner and report cost vs
## table size, throughput against moto's raw conditional-write rate
bench: $(INSTALLED)
	$(PY) bench/cold_start.py
	$(PY) bench/ddb_requests.py
	$(PY) bench/scanner_cost.py
	$(PY) bench/report_cost.py
	$(PY) bench/throughput.py

## The long load test: many calls at once, duplicated and out of order, then a recount (make test runs it small)
load: $(INSTALLED)
	$(PY) bench/load.py --calls $${CALLS:-300} --concurrency $${CONCURRENCY:-8}

## The long fuzzing run: LEADLINE_FUZZ_EXAMPLES examples per parser and per API operation (make test runs few)
fuzz: $(INSTALLED)
	LEADLINE_FUZZ_EXAMPLES=$${LEADLINE_FUZZ_EXAMPLES:-100} $(PY) -m pytest -q tests/unit/test_webhook_fuzz.py tests/integration/test_api_fuzz.py

clean:
	rm -rf $(VENV) cdk.out .local
