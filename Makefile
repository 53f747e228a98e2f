# The two commands of the README: `make run` (the whole stack on this machine)
# and `make test` (every test, on SQLite and PostgreSQL). Each installs what it needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PIP_QUIET := -q --disable-pip-version-check
export PIP_NO_INPUT := 1

.PHONY: help run test venv system-deps test-server serve clean

help:
	@echo "make run   - start the hall server, assistant, action server and kiosk agent"
	@echo "make test  - install what is missing and run every test"

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11+ is needed for the hall server (found $(PYTHON))"; exit 1; }
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install $(PIP_QUIET) -r requirements-dev.txt 2> >(grep -v "is ignored" >&2)
	$(VENV)/bin/python -c "import flask, apiflask, sqlalchemy, cv2, pyttsx3, playwright"
	touch $@

system-deps:
	@scripts/system-deps.sh

serve: venv
	$(VENV)/bin/python -m kiosk serve

run: venv system-deps run-prepare
	$(VENV)/bin/honcho start -f Procfile

test: venv system-deps test-prepare
	$(VENV)/bin/python -m pytest tests $(PYTEST_ARGS)

test-server: venv system-deps
	$(VENV)/bin/python -m pytest tests/server $(PYTEST_ARGS)

clean:
	rm -rf var/reports .pytest_cache

# Parts add their own targets (assistant, agent) and hook into these two.
.PHONY: run-prepare test-prepare
run-prepare::
	$(VENV)/bin/python -m kiosk ensure-admin
test-prepare::

-include mk/*.mk
