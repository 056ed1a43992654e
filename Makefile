# Two commands on a fresh clone: `make demo` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# trader's own modules, compiled once: an editable install leaves them as source, and where
# PYTHONDONTWRITEBYTECODE is set Python would compile them again on every start.
COMPILE = $(BIN)/python -m compileall -q trader

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(COMPILE)
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/trader demo

lint: $(STAMP)
	$(BIN)/ruff check trader tests benchmarks
	$(BIN)/ruff format --check trader tests benchmarks

# One test process per core (pytest-xdist): much of a test's time is spent waiting on a
# local broker's fills and timeouts, which another core's tests fill.
test: lint
	$(BIN)/pytest -q -n auto

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(COMPILE)
	$(BIN)/python -m benchmarks.run_all

clean:
	rm -rf $(VENV) .trader .pytest_cache .ruff_cache .hypothesis
