# One place for the commands README.md and .ci/run use.
VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Set up, migrate var/reminders.sqlite3, load config/units.toml and serve on 127.0.0.1:8080.
run: $(STAMP)
	REMINDERS_CONFIG=config/quickstart.toml $(VENV)/bin/reminders serve

test: $(STAMP)
	$(VENV)/bin/python -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check reminders tests bench
	$(VENV)/bin/mypy reminders

bench: $(STAMP)
	$(VENV)/bin/python bench/units.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
