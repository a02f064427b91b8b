# Two entry points: `make run` (validate the curated data and serve the API) and `make test`.
# Both create the virtual environment and install what they need on first use.

PYTHON ?= python3
VENV   ?= .venv
HOST   ?= 127.0.0.1
PORT   ?= 8000
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: run test install validate build reports stats bench clean

run: $(STAMP)
	$(BIN)/rkg validate
	$(BIN)/rkg serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	sh tests/setup/install-chromium.sh
	sh tests/setup/install-virtuoso.sh
	$(BIN)/python -m pytest

install: $(STAMP)

validate: $(STAMP)
	$(BIN)/rkg validate

stats: $(STAMP)
	$(BIN)/rkg stats

build: $(STAMP)
	$(BIN)/rkg build --out out/graph.ttl

# The example reports in docs/examples/, regenerated from the curated data (one build, two reports).
reports: $(STAMP)
	$(BIN)/rkg build --store out/report-store
	$(BIN)/rkg report --store out/report-store --country NPL --out docs/examples/report-NPL.html
	$(BIN)/rkg report --store out/report-store --regional --out docs/examples/report-regional.html

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Synthetic graphs of about 10k, 100k and 1M triples on every backend, the curated data, and the
# API under 32 clients beside rdflib-endpoint (about 15 minutes); writes benchmarks/results.json
# and benchmarks/results.md.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) out .pytest_cache
