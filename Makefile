# Two commands for a fresh machine: `make demo` and `make test` (each sets everything up first).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO   ?= demo
# Test processes (pytest-xdist); tests that share system users stay together (xdist_group).
JOBS   ?= 2

.PHONY: setup demo test lint bench lab clean lock hub-proxy

PIP_VERSION := 26.3
LOCK  := requirements/lock.txt

# Every transitive version comes from the lock (constraints); pip and the build backend are pinned
# too (pip here, setuptools/wheel in pyproject's [build-system]).
$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/servekit demo $(DEMO)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/servekit stamp-nav --check workshops
	$(BIN)/servekit stamp-sources --check workshops exercises exercises/solutions

test: setup lint
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup $(PYTEST_ARGS)

bench: setup
	@for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

lab: setup
	$(BIN)/jupyter lab workshops/

clean:
	rm -rf $(DEMO) test-artifacts .pytest_cache

# Regenerate the lock after changing a pin in pyproject.toml (needs the dev extra: uv).
lock: setup
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--custom-compile-command 'make lock' -o $(LOCK)

# JupyterHub's proxy (servekit hub), from npm, into .node/ (git-ignored) as a user would install it.
CHP_VERSION := 5.3.0
hub-proxy: .node/node_modules/.bin/configurable-http-proxy
.node/node_modules/.bin/configurable-http-proxy:
	npm install --prefix .node --no-audit --no-fund configurable-http-proxy@$(CHP_VERSION)
