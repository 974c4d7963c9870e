# One place for the commands README.md and .ci/run use.
VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run test test-fast lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# ical.js, one of the readers tests/feed_readers.py compares (node and npm come with the machine).
JS_TEST_DEPS := tests/js/node_modules/.package-lock.json

$(JS_TEST_DEPS): tests/js/package.json tests/js/package-lock.json
	npm ci --prefix tests/js --no-audit --no-fund
	touch $(JS_TEST_DEPS)

EXAMPLES := examples/plans
QUICK := REMINDERS_CONFIG=config/quickstart.toml $(VENV)/bin/reminders

# Set up, bring the quick start's own database to the current schema, import and publish the
# example plans into var/reminders.sqlite3 (again: no change) and serve
# on 127.0.0.1:8080.
run: $(STAMP)
	$(QUICK) db upgrade
	$(QUICK) import --publish $(EXAMPLES)/000_*.txt
	$(QUICK) import --publish $(EXAMPLES)/001_*.txt $(EXAMPLES)/002_*.txt
	$(QUICK) import --publish $(EXAMPLES)/003_*.txt
	$(QUICK) import --publish $(EXAMPLES)/004_*.txt
	$(QUICK) plans list
	$(QUICK) feeds urls vhtt-thanh-xuan
	$(QUICK) serve

test: $(STAMP) $(JS_TEST_DEPS)
	$(VENV)/bin/python -m pytest

# Everything but the end-to-end tests through outside programs (OCR, LibreOffice, processes).
test-fast: $(STAMP) $(JS_TEST_DEPS)
	$(VENV)/bin/python -m pytest -m "not slow"

lint: $(STAMP)
	$(VENV)/bin/ruff check reminders tests bench
	$(VENV)/bin/mypy reminders

bench: $(STAMP)
	$(VENV)/bin/python bench/units.py
	$(VENV)/bin/python bench/timeexpr.py
	$(VENV)/bin/python bench/import.py
	$(VENV)/bin/python bench/generalise.py
	$(VENV)/bin/python bench/feeds.py
	$(VENV)/bin/python bench/dispatch.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis tests/js/node_modules
