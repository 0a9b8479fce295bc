# City to City Residency — the two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
export HOST PORT

.PHONY: run demo test bench setup install assets translations extract-messages migrate check-translations clean

## run: set everything up and start web + worker + beat (Ctrl-C stops all)
run: migrate
	@if [ -n "$(DEMO)" ]; then $(FLASK) residency demo; fi
	@echo ""
	@echo "  City to City Residency is starting on http://$(HOST):$(PORT)/"
	@echo "  (data folder: $${RESIDENCY_DATA_DIR:-instance}; Ctrl-C stops web, worker and beat)"
	@echo ""
	$(BIN)/honcho start -f Procfile

## demo: the same, with the demo network loaded and its accounts printed
demo:
	@$(MAKE) --no-print-directory run DEMO=1

## test: set up the same way, then run the whole suite
test: setup $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## bench: run every benchmark in benchmarks/
bench: setup $(VENV)/.installed-test
	@set -e; for b in benchmarks/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b; done

setup: install assets translations

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

assets: static/vendor/.built

static/vendor/.built: package.json package-lock.json scripts/build-assets.mjs static/js/uploader.js
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	touch $@

translations: install
	@$(BIN)/pybabel compile -d residency/translations --statistics

## extract-messages: refresh the catalogues after changing marked strings
extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --no-location --sort-output -o residency/translations/messages.pot .
	$(BIN)/pybabel update -i residency/translations/messages.pot -d residency/translations --ignore-pot-creation-date

migrate: setup
	$(FLASK) db upgrade
	$(FLASK) residency load-cities

clean:
	rm -rf $(VENV) node_modules static/vendor
