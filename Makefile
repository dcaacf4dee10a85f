# Two commands do all the set-up: `make test` and `make demo`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck pytest demo bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -n 3 --dist loadfile --no-loadscope-reorder

demo: $(STAMP)
	$(BIN)/python -m tests.demo

bench: $(STAMP)
	$(BIN)/python -m bench.extract
	$(BIN)/python -m bench.storage
	$(BIN)/python -m bench.crawl
	$(BIN)/python -m bench.replay
	$(BIN)/python -m bench.daemon
	$(BIN)/python -m bench.dispatch

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
