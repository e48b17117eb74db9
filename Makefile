# One entry point for humans and CI. `make test` is what .ci/run calls.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint wheel-check dist bench stress browser-deps postgres-deps clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: install
	$(BIN)/tmdb-collector demo --out demo-output

# A Debian package a group of tests needs. As root with apt (CI), installed when missing;
# otherwise say loudly that those tests will be skipped, and let the other tests run.
# $(1): a shell test that it is there; $(2): the packages; $(3): the tests that need them.
define debian_deps
	@if $(1); then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian $(2) for $(3)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	else \
		echo "*** WARNING: $(2) is missing and cannot be installed without root:" >&2; \
		echo "*** $(3) will be SKIPPED." >&2; \
		echo "*** Install it with: sudo apt-get install $(2)" >&2; \
	fi
endef

# Debian's Chromium drives the dashboard test.
browser-deps:
	$(call debian_deps,command -v chromium >/dev/null 2>&1,chromium,the browser test (tests/test_dashboard_browser.py))

# Debian's PostgreSQL server binaries (initdb, pg_ctl) for the sync tests, which start their own
# server in a temporary directory (tests/support/postgres.py).
postgres-deps:
	$(call debian_deps,ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1,postgresql,the sync tests (tests/test_pg_sync.py))

test: install browser-deps postgres-deps
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

bench: install postgres-deps
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/bench_tables.py
	$(BIN)/python scripts/bench_compact.py
	$(BIN)/python scripts/bench_graph.py
	$(BIN)/python scripts/bench_sync.py
	$(BIN)/python scripts/bench_images.py

stress: install
	$(BIN)/python scripts/stress.py

clean:
	rm -rf $(VENV) dist demo-output .pytest_cache .mypy_cache .ruff_cache
