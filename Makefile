# ParkSafe 园安 — set-up and everyday commands. Everything installs into .venv at the repo root.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements/lock.txt
EXTRAS ?= pg,s3,dev,ai
STAMP := $(VENV)/.installed-$(shell printf '%s' "$(EXTRAS)" | tr ',' '-')
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-lite system-deps pwa run serve migrate seed test test-fast lint typecheck bench lock clean

# Debian packages: a CJK TrueType font for the PDF notices, poppler to check them in tests,
# chromium for the PWA's browser tests (Playwright drives it; it never downloads a browser).
SYSTEM_PACKAGES := fonts-wqy-zenhei poppler-utils chromium

install: system-deps $(STAMP)

system-deps:
	@if ! command -v pdftoppm >/dev/null || [ ! -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); \
		else \
			echo "note: install $(SYSTEM_PACKAGES) (as root) for Chinese PDF notices and the browser tests; continuing without"; \
		fi; \
	fi

$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint $(LOCK) --editable ".[$(EXTRAS)]"
	touch $@

# Without the AI extra (torch is about 6 GB): the server runs, photo detection is skipped.
install-lite:
	$(MAKE) install EXTRAS=pg,s3,dev

# Rebuild the PWA from mobile_api/pwa/src with the locked npm packages; commit mobile_api/pwa/dist after.
pwa:
	cd mobile_api/pwa && npm ci --no-audit --no-fund && npm run build

migrate: install
	$(BIN)/parksafe db upgrade

seed: migrate
	$(BIN)/parksafe seed --demo

run: seed
	$(BIN)/parksafe serve --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/parksafe serve --host $(HOST) --port $(PORT)

# The whole suite: database tests run on SQLite and on the local PostgreSQL, job tests on Redis.
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy backend mobile_api seed ai rules regulations tests
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest -x -q -m "not slow"

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy backend mobile_api seed ai rules regulations tests

bench: install
	$(BIN)/python -m tests.benchmarks

lock:
	$(BIN)/python -m pip freeze --exclude-editable | sed '1i # Exact versions of everything ParkSafe installs (pip constraints). Regenerate with `make lock`.' > $(LOCK)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
