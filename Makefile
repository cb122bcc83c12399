# Two commands for a fresh machine: `make demo` and `make test` (each sets everything up first).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO   ?= demo
# Test processes (pytest-xdist) of the parallel step. The hub's modules (system users, root) run
# after it in a serial step of their own (marker `serial`, tests/conftest.py).
JOBS   ?= 2
# JUNIT=DIR writes DIR/junit.xml (parallel step) and DIR/junit-serial.xml (serial step).
JUNIT  ?=
FAST   := not browser and not slow and not install

.PHONY: setup demo test test-fast lint bench lab clean lock hub-proxy

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

# Two steps at once: the parallel step (JOBS processes) and the serial step (the hub's modules,
# one process, so no two hub tests ever meet), whose output is printed when both are done. Both
# run; the target fails if either failed. A step whose tests are all deselected (exit 5, e.g.
# PYTEST_ARGS=-k something) counts as passed unless both are empty. SERIAL=after runs the
# serial step after the parallel one instead (e.g. to read its output as it comes).
SERIAL ?= alongside
test: setup lint
	@status=0; empty=0; log=$$(mktemp); \
	serial() { $(BIN)/python -m pytest $(PYTEST_ARGS) -n 0 --serial=only \
		$(if $(JUNIT),--junitxml=$(JUNIT)/junit-serial.xml); }; \
	if [ "$(SERIAL)" = alongside ]; then (serial >$$log 2>&1; echo $$? >$$log.rc) & fi; \
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup --serial=skip \
		$(if $(JUNIT),--junitxml=$(JUNIT)/junit.xml) $(PYTEST_ARGS); \
	code=$$?; [ $$code -eq 5 ] && empty=$$((empty + 1)) || [ $$code -eq 0 ] || status=$$code; \
	echo "--- serial step: the hub and root-only modules, one process"; \
	if [ "$(SERIAL)" = alongside ]; then wait; cat $$log; code=$$(cat $$log.rc); \
	else serial; code=$$?; fi; rm -f $$log $$log.rc; \
	[ $$code -eq 5 ] && empty=$$((empty + 1)) || [ $$code -eq 0 ] || status=$$code; \
	[ $$empty -lt 2 ] || status=5; exit $$status

# The edit-test loop: no browser, no hub, no clean install, nothing marked slow.
test-fast: setup
	$(BIN)/python -m pytest -n $(JOBS) --serial=skip -m "$(FAST)" $(PYTEST_ARGS)

# Every benchmark runs; the target fails at the end if any missed its budget.
bench: setup
	@status=0; for script in benchmarks/bench_*.py; do \
		$(BIN)/python $$script || { status=1; echo "over budget: $$script" >&2; }; \
	done; exit $$status

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
