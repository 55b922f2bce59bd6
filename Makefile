# Resonance: `make demo` and `make test` do all the set-up on a fresh machine.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LINT_MODULES := tests/cypher_lint/node_modules/.installed

.PHONY: demo test check pytest lint bench clean db-stop

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

# Neo4j's own Cypher front-end, used by the tests to check every Neo4j statement.
$(LINT_MODULES): tests/cypher_lint/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix tests/cypher_lint --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the Neo4j statement checks will be skipped"; fi

## The main job on the embedded default: data loaded, scores computed, explorer served.
demo: $(STAMP)
	$(BIN)/resonance demo

## The whole suite: lint, types, tests.
test: $(STAMP) $(LINT_MODULES) lint pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/load.py

db-stop: $(STAMP)
	$(BIN)/resonance db stop

clean:
	rm -rf $(VENV) tests/cypher_lint/node_modules .pytest_cache .mypy_cache .ruff_cache test-artifacts
