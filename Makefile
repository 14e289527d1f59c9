# wabridge: `make run` starts the whole system, `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test test-unit test-integration test-e2e lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) -m deploy.stack

test: install
	$(PY) -m pytest -q -p no:cacheprovider tests

test-unit: install
	$(PY) -m pytest -q tests/unit

test-integration: install
	$(PY) -m pytest -q tests/integration

test-e2e: install
	$(PY) -m pytest -q tests/e2e

lint: install
	$(VENV)/bin/ruff check shared services deploy tests
	$(VENV)/bin/mypy

clean:
	rm -rf .var .pytest_cache .mypy_cache .ruff_cache

# Benchmarks (README, "Benchmarks"): JSON on stdout and in .var/bench/<time>-<mode>.json.
.PHONY: bench bench-quick
bench: install
	$(PY) -m bench

bench-quick: install
	$(PY) -m bench --quick
