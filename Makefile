# Everything needed to go from a fresh clone to a running app or a green suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench clean snapshots screenshot

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/broadsheet

test: $(STAMP)
	$(BIN)/python -m pytest -q

snapshots: $(STAMP)
	$(BIN)/python -m pytest -q tests/tui --snapshot-update

# Every benchmark, one table at the end (about six minutes); `make bench BENCH_ARGS=--full` for the large sizes.
bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info

screenshot: $(STAMP)
	$(BIN)/python docs/make_screenshot.py
