# One entry point for humans and CI. `make test` is what .ci/run calls.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint wheel-check dist bench stress debian-deps browser-deps postgres-deps clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: install
	$(BIN)/tmdb-collector demo --out demo-output

# The Debian packages groups of tests need: Chromium for the dashboard's browser test, and
# PostgreSQL's server binaries (initdb, pg_ctl) for the sync and dlt tests, which start their
# own server in a temporary directory (tests/support/postgres.py). As root with apt (CI), the
# missing ones are installed with one `apt-get update`; otherwise say loudly which tests will
# be skipped, and let the other tests run. browser-deps and postgres-deps are its old names.
debian-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	{ ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; } \
		|| missing="$$missing postgresql"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian$$missing for the browser and PostgreSQL tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
		echo "*** WARNING:$$missing missing and cannot be installed without root:" >&2; \
		echo "*** the tests that need them (tests/test_dashboard_browser.py for chromium;" >&2; \
		echo "*** tests/test_pg_sync.py and the dlt PostgreSQL tests for postgresql) will be SKIPPED." >&2; \
		echo "*** Install them with: sudo apt-get install$$missing" >&2; \
	fi

browser-deps postgres-deps: debian-deps

test: install debian-deps
	$(BIN)/python -m pytest -m "not slow and not wheel" -q

# The sdist, and the wheel built from it, into dist/.
dist: install
	rm -rf dist
	$(BIN)/python -m build --outdir dist .

# Build the wheel, install it into a fresh virtualenv outside the checkout, run it from there.
wheel-check: install
	$(BIN)/python -m pytest -m wheel -q

lint: install
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/mypy

bench: install debian-deps
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/bench_tables.py
	$(BIN)/python scripts/bench_compact.py
	$(BIN)/python scripts/bench_graph.py
	$(BIN)/python scripts/bench_people_memory.py
	$(BIN)/python scripts/bench_sync.py
	$(BIN)/python scripts/bench_images.py

stress: install
	$(BIN)/python scripts/stress.py

clean:
	rm -rf $(VENV) dist demo-output .pytest_cache .mypy_cache .ruff_cache
