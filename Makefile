# Set-up and checks. `make demo` runs the example end to end; `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
DEMO_VENV ?= .venv-demo
BIN := $(VENV)/bin

# Every distribution of this repository: the core and each first-party plugin.
DISTRIBUTIONS := . $(sort $(dir $(wildcard plugins/*/pyproject.toml)))
PYPROJECTS := pyproject.toml $(wildcard plugins/*/pyproject.toml)
DIST ?= dist
# Written after a successful install; older than a pyproject.toml means "install again".
INSTALLED := $(VENV)/.installed

.PHONY: demo test test-lowest install lint docs bench dist nox clean

# The README's main job: a fresh venv with the core and both plugins installed from this
# repository (as users install them, not editable), then the example app end to end.
demo:
	$(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_VENV)/bin/python -m pip install -q --upgrade pip
	$(DEMO_VENV)/bin/python -m pip install -q ".[dotenv]" ./plugins/db ./plugins/migrate ./plugins/rq
	PYTHON=$(abspath $(DEMO_VENV))/bin/python sh examples/blog/demo.sh

# The README's test command: lint, types, the whole test suite, the documentation build.
test: install lint
	$(BIN)/python -m pytest
	$(BIN)/mkdocs build --strict --quiet --site-dir $(or $(TMPDIR),/tmp)/flask-script-hub-site

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Editable installs of the core and every plugin, again only when a pyproject.toml changed (an
# unchanged tree is not reinstalled by `make test`); `rm .venv/.installed` forces it.
install: $(INSTALLED)

$(INSTALLED): $(PYPROJECTS) | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[test,dotenv,docs]" \
		-e "./plugins/db[postgresql,mysql,test]" -e "./plugins/migrate[postgresql,mysql,test]" \
		-e "./plugins/compat[test]" -e "./plugins/rq[test]"
	touch $@

# Source distributions and wheels of every distribution in dist/ (python -m build), checked by
# twine. Install them with `pip install --find-links dist flask-script-hub-db ...`.
dist: install
	rm -rf $(DIST)
	for d in $(DISTRIBUTIONS); do env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m build --outdir $(DIST) $$d || exit 1; done
	$(BIN)/twine check --strict $(DIST)/*

# The version matrix (noxfile.py): lowest and newest supported dependencies, Python 3.11 and 3.13.
# nox creates the sessions' venvs with uv (or virtualenv), both installed in $(VENV).
nox: install
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/nox

# The lowest supported dependencies' fast tests on Python 3.11, and the documentation site built
# with the lowest supported documentation tools (run by .ci/run after `make test`).
test-lowest: install
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/nox -s "tests-3.11(deps='lowest')" "docs(deps='lowest')" -- -m "not slow"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	cd plugins/db && $(abspath $(BIN))/mypy
	cd plugins/migrate && $(abspath $(BIN))/mypy
	cd plugins/compat && $(abspath $(BIN))/mypy
	cd plugins/rq && $(abspath $(BIN))/mypy

docs: install
	$(BIN)/mkdocs build --strict

bench: install
	$(BIN)/python bench/bench_startup.py
	$(BIN)/python bench/bench_plugins.py
	$(BIN)/python bench/bench_startup_plugins.py
	$(BIN)/python bench/bench_flask_commands.py

clean:
	rm -rf $(VENV) $(DEMO_VENV) $(DIST) site .nox .pytest_cache .mypy_cache .ruff_cache
