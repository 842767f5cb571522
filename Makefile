# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint unit bench bench-live clean browsers

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/headwater run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# The browser tests drive Debian's Chromium through Playwright (which never downloads a browser).
browsers:
	@command -v chromium >/dev/null || { \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update && $$SUDO apt-get install -y chromium; }

test: lint browsers
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/pipeline.py

# Live progress: WebSocket fan-out to 1,000 clients, and how fast a cancel stops a run.
bench-live: $(STAMP)
	$(BIN)/python bench/ws_fanout.py
	$(BIN)/python bench/cancel_latency.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
