# Two commands for a fresh machine: `make demo` and `make test` (each sets everything up first).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO   ?= demo

.PHONY: setup demo test lint bench lab clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/servekit demo $(DEMO)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/servekit stamp-nav --check workshops

test: setup lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	@for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

lab: setup
	$(BIN)/jupyter lab workshops/

clean:
	rm -rf $(DEMO) test-artifacts .pytest_cache
