# The two set-up commands of the README. Both work on a fresh clone with only
# Python 3.10+, git and access to the package registry.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-test

# Install into .venv and start ct-tui on this repository (embedded SQLite store).
run: install
	$(BIN)/ct-tui --repo .

# Install with the test extras and run the whole test suite.
test: install-test
	$(BIN)/python -m pytest -q

install: $(BIN)/ct-tui

$(BIN)/ct-tui: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

install-test: install
	$(BIN)/python -m pip install --quiet -e ".[test]"
