# wabridge: `make run` starts the whole system, `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test test-unit test-integration test-e2e test-browser lint clean
.PHONY: console chromium screenshots broker

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The machine's RabbitMQ (RABBITMQ_URL, else 127.0.0.1:5672): started when it is the local node
# and does not answer (a reboot, or a session that stopped it), never touched when it answers.
broker: install
	$(PY) -m deploy.broker

run: install console broker
	$(PY) -m deploy.stack

test: install console chromium broker
	$(PY) -m pytest -q -p no:cacheprovider tests

test-unit: install
	$(PY) -m pytest -q tests/unit

test-integration: install broker
	$(PY) -m pytest -q tests/integration

test-e2e: install broker
	$(PY) -m pytest -q tests/e2e

test-browser: install console chromium broker
	$(PY) -m pytest -q tests/browser

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

# The chaos suite (README, "Reliability"): the stack on a RabbitMQ node of its own, faults under
# load, every chat checked; one JSON report, exit 1 on anything lost, duplicated, reordered or
# stuck. `make test` runs the short version, and the replica kills with two processes of every
# service (tests/chaos/test_chaos.py); here WABRIDGE_REPLICAS=2 adds the replica kills.
.PHONY: chaos
chaos: install
	$(PY) -m tests.chaos

# The webhook fuzz with ten times `make test`'s bodies per gateway.
.PHONY: fuzz
fuzz: install
	WABRIDGE_FUZZ_EXAMPLES=30000 $(PY) -m pytest -q tests/unit/test_webhook_fuzz.py

# The operator console (services/task_sync/console): `npm ci` when the lock file changed, a
# build when a source changed; the build prints the first load's compressed size.
CONSOLE       := services/task_sync/console
CONSOLE_STAMP := $(CONSOLE)/node_modules/.installed-stamp
CONSOLE_SRC   := $(shell find $(CONSOLE)/src $(CONSOLE)/public -type f 2>/dev/null) \
                 $(CONSOLE)/index.html $(CONSOLE)/vite.config.ts $(CONSOLE)/tsconfig.json

$(CONSOLE_STAMP): $(CONSOLE)/package-lock.json $(CONSOLE)/package.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20+ (apt-get install -y nodejs npm)"; exit 1; }
	cd $(CONSOLE) && npm ci --no-audit --no-fund
	touch $@

$(CONSOLE)/dist/index.html: $(CONSOLE_STAMP) $(CONSOLE_SRC)
	cd $(CONSOLE) && npm run build

console: $(CONSOLE)/dist/index.html

# Browser tests drive Debian's chromium (never a downloaded browser); installed when missing.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "chromium could not be installed: the browser tests will be skipped"; \
	else echo "chromium is missing and this is not root: the browser tests will be skipped (install it: sudo apt-get install -y chromium)"; fi

# The README's pictures, from the demo data on a stack of their own.
screenshots: install console chromium
	$(PY) -m tests.browser.screenshots $(CONSOLE)/screenshots
