# The two set-up commands: `make demo` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test bench lint docs clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/framesynth demo demo-output

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/bench_import_search.py
	$(BIN)/python bench/bench_autocode.py
	$(BIN)/python bench/bench_coding_quality.py --out bench/out/coding_quality.json
	$(BIN)/python bench/bench_themes.py
	$(BIN)/python bench/bench_speed.py

lint: $(STAMP)
	$(BIN)/ruff check src tests tools bench
	$(BIN)/mypy src

docs: $(STAMP)
	$(BIN)/python tools/cli_reference.py > docs/cli-reference.md

clean:
	rm -rf $(VENV) demo-output bench/out
