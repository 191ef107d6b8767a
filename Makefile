# Two commands on a fresh Debian/Ubuntu machine: `make build`, then `make test`.
# Every target is idempotent: system packages and the virtual environment are only installed when missing
# or out of date.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get

.PHONY: build test lint typecheck unit setup system-deps golden bench clean

## build: set everything up, then render and validate all declarations into build/
build: setup
	$(BIN)/python build.py

## test: the whole suite: ruff, mypy --strict, pytest (promtool and Prometheus run for real)
test: setup lint typecheck unit

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy src

# `make unit PYTEST_WORKERS=2`: pytest-xdist workers, each given whole files (module fixtures start their
# servers once); the live two-engine test, collected first, waits out its windows on one while the other
# runs the rest. Off by default (0: one process): the CPU-bound tests beside it slow the engines it
# compares, and on a loaded machine their windows then drifted past its 2 % bound (2.25 %).
PYTEST_WORKERS ?= 0
unit: setup
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

setup: system-deps $(STAMP)

# promtool (package prometheus) renders nothing but proves everything we render; Prometheus and
# Alertmanager run for real in the integration tests; chromium (headless) checks that the SLO report renders;
# victoria-metrics (VictoriaMetrics, vmagent, vmalert) is the second rule engine the deploy and live tests run.
system-deps:
	@missing=""; \
	command -v promtool >/dev/null && command -v prometheus >/dev/null || missing="$$missing prometheus"; \
	command -v prometheus-alertmanager >/dev/null || command -v alertmanager >/dev/null || missing="$$missing prometheus-alertmanager"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v prometheus-node-exporter >/dev/null || missing="$$missing prometheus-node-exporter"; \
	command -v victoria-metrics >/dev/null && command -v vmalert >/dev/null && command -v vmagent >/dev/null || missing="$$missing victoria-metrics"; \
	$(PYTHON) -c 'import ensurepip, sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:$$missing"; \
		$(APT) update -qq && $(APT) install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required" if sys.version_info < (3, 11) else 0)'
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[build,report,fastapi,otlp,dev,bench]'
	touch $@

## demo: the demo app, Prometheus, Alertmanager (with a webhook receiver) and traffic on loopback, over the
## rules and dashboards of build/ (rebuilt first when missing or older than a declaration); Ctrl-C stops it all
.PHONY: demo
demo: setup
	@if [ ! -f build/slos.json ] || [ -n "$$(find slos alerts recording_rules dashboards vendor src -newer build/slos.json \( -name '*.py' -o -name '*sonnet' \) -print -quit)" ]; then \
		$(BIN)/python build.py; \
	fi
	$(BIN)/python -m examples.demo_stack --build build

## golden: re-render the reviewed golden files after an intended change (then review the diff): the whole
## tree, the bundled declarations' SLO manifest the runtime ships as package data, and the per-feature cases
golden: setup
	$(BIN)/python build.py --out tests/golden
	cp tests/golden/slos.json src/aurum/observability/data/slos.json
	@# One small declaration per feature (tests/test_golden_cases.py): built and proven like the tree,
	@# its Prometheus output and manifest kept (the Grafana boards are the whole set's, in tests/golden).
	for case in tests/golden_cases/*/; do \
		$(BIN)/python build.py --root "$$case" --out "$$case/out" >/dev/null || exit 1; rm -rf "$$case/out/grafana"; \
	done

## bench: the benchmarks quoted in the README
bench: setup
	$(BIN)/python benchmarks/compile_slos.py

clean:
	rm -rf build $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
