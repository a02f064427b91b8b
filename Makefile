# Two entry points: `make run` (validate the curated data and serve the API) and `make test`.
# Both create the virtual environment and install what they need on first use: `make run` only what
# serving needs, `make test` the test tools besides (a browser and a SPARQL server too).

PYTHON ?= python3
VENV   ?= .venv
HOST   ?= 127.0.0.1
PORT   ?= 8000
BIN     = $(VENV)/bin
# The package is installed in setuptools' strict editable mode: a tree of links that editors and
# type checkers follow. A module added or removed changes its folder, which reinstalls it.
PACKAGE = pyproject.toml api/ graph/ loaders/ reports/ rkg/ ontology/ queries/ queries/checks/ queries/internal/ \
          reports/queries/ reports/templates/ api/static/ api/static/explorer/ api/static/swagger-ui/ api/static/redoc/ \
          exports/ exports/templates/
INSTALL = $(BIN)/python -m pip install --quiet --config-settings editable_mode=strict

.PHONY: run test lint install validate build reports stats bench clean

# `rkg serve` validates the data as it builds the graph, one line per stage; `rkg validate` lists warnings
run: $(VENV)/.installed
	@$(BIN)/rkg serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test
	sh tests/setup/install-chromium.sh
	sh tests/setup/install-poppler.sh
	sh tests/setup/install-virtuoso.sh
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy

install: $(VENV)/.installed

validate: $(VENV)/.installed
	$(BIN)/rkg validate

stats: $(VENV)/.installed
	$(BIN)/rkg stats

build: $(VENV)/.installed
	$(BIN)/rkg build --out out/graph.ttl

# The example reports in docs/examples/, regenerated from the curated data (one build; a country and
# the regional report as HTML and PDF, dated DATE), with PNG screenshots of page 1 and of the heatmap
# page of each PDF (poppler's pdftoppm and pdftotext: tests/setup/install-poppler.sh installs them).
DATE     ?= today
EXAMPLES  = docs/examples
reports: $(VENV)/.installed
	$(BIN)/rkg build --store out/report-store
	for target in "--country NPL" "--regional"; do \
	    name=$$(echo $$target | sed 's/--country //; s/--//'); \
	    for ext in html pdf; do \
	        $(BIN)/rkg report --store out/report-store $$target --date $(DATE) --out $(EXAMPLES)/report-$$name.$$ext || exit 1; \
	    done; \
	    pdf=$(EXAMPLES)/report-$$name.pdf; \
	    pdftoppm -png -r 90 -f 1 -l 1 -singlefile $$pdf $(EXAMPLES)/report-$$name-page1 || exit 1; \
	    page=$$(pages=$$(pdfinfo $$pdf | sed -n 's/^Pages: *//p'); for n in $$(seq 2 $$pages); do \
	        pdftotext -f $$n -l $$n $$pdf - | grep -q 'by dimension and level' && { echo $$n; break; }; done); \
	    pdftoppm -png -r 90 -f $$page -l $$page -singlefile $$pdf $(EXAMPLES)/report-$$name-heatmap || exit 1; \
	done

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(PACKAGE) | $(BIN)/python
	$(INSTALL) -e .
	touch $@

$(VENV)/.installed-test: $(PACKAGE) | $(BIN)/python
	$(INSTALL) -e '.[test]'
	touch $@ $(VENV)/.installed

# Synthetic graphs of about 10k, 100k and 1M triples on every backend (validation with both SHACL
# engines), the curated data, the CLI cold and warm, `make run` to its first answer, and the API and
# /sparql under 32 connections with one and two worker processes beside Oxigraph's server and
# rdflib-endpoint, driven by wrk (installed here if missing; without it, a Python load generator):
# about 15 minutes; writes benchmarks/results.json and benchmarks/results.md, the targets first.
bench: $(VENV)/.installed-test
	sh tests/setup/install-wrk.sh
	$(INSTALL) -e '.[bench]'
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) out .pytest_cache build
