# One entry point for humans and CI. `make test` is what .ci/run calls.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint wheel-check dist bench stress browser-deps clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: install
	$(BIN)/tmdb-collector demo --out demo-output

# Debian's Chromium drives the dashboard test. As root with apt (CI), install it when missing;
# otherwise say loudly that the browser test will be skipped, and let the other tests run.
browser-deps:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian chromium for the browser test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "*** WARNING: chromium is missing and cannot be installed without root:" >&2; \
		echo "*** the browser test (tests/test_dashboard_browser.py) will be SKIPPED." >&2; \
		echo "*** Install it with: sudo apt-get install chromium" >&2; \
	fi

test: install browser-deps
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

bench: install
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/bench_tables.py
	$(BIN)/python scripts/bench_compact.py
	$(BIN)/python scripts/bench_graph.py
	$(BIN)/python scripts/bench_images.py

stress: install
	$(BIN)/python scripts/stress.py

clean:
	rm -rf $(VENV) dist demo-output .pytest_cache .mypy_cache .ruff_cache
