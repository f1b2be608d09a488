# Two commands for a newcomer: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint run bench gazetteer clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(STAMP)

demo: $(STAMP)
	$(BIN)/sitrep demo

run: $(STAMP)
	$(BIN)/sitrep run

lint: $(DEV_STAMP)
	$(BIN)/ruff check sitrep jobs bot tests bench scripts
	$(BIN)/hadolint Dockerfile

test: lint
	$(BIN)/python -m pytest -q

bench: $(DEV_STAMP)
	$(BIN)/python -m bench

gazetteer: $(DEV_STAMP)
	$(BIN)/python scripts/build_gazetteer.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
