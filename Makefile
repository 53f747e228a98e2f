# The two commands of the README: `make run` (the whole stack on this machine)
# and `make test` (every test, on SQLite and PostgreSQL). Each installs what it needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
# pip installs only what the locks pin, each file checked against its hash
PIP_LOCKED := --require-hashes --disable-pip-version-check --progress-bar off
export PIP_NO_INPUT := 1

.PHONY: help run test venv lint lock system-deps test-server serve clean

help:
	@echo "make run   - start the hall server, assistant, action server, camera agent and announcer"
	@echo "make test  - install what is missing, lint, and run every test (SQLite and PostgreSQL)"
	@echo "make lint  - ruff (lint, format check) and mypy over kiosk/ and assistant/"
	@echo "make eval  - the assistant's slow measurements (5-fold cross-validation, test stories)"
	@echo "make lock  - regenerate the hash-locked requirements files from the *.in files"

venv: $(VENV)/.installed

# .venv installs the hash-locked requirements-dev.txt (the server and agent,
# tests, lint, uv), compiled by `make lock` from requirements-dev.in.
$(VENV)/.installed: requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11+ is needed for the hall server (found $(PYTHON))"; exit 1; }
	@test -x $(VENV)/bin/python || scripts/step.sh "create $(VENV) ($(PYTHON))" $(PYTHON) -m venv $(VENV)
	@scripts/step.sh "app environment: $(VENV) from requirements-dev.txt" \
	  $(VENV)/bin/pip install $(PIP_LOCKED) -r requirements-dev.txt
	@$(VENV)/bin/python -c "import flask, apiflask, sqlalchemy, cv2, pyttsx3, playwright"
	@touch $@

# ruff (lint and format) and mypy, as configured in pyproject.toml; all three
# run, and lint fails when any of them does.
lint: venv
	@status=0; \
	$(VENV)/bin/ruff check kiosk assistant || status=1; \
	$(VENV)/bin/ruff format --check kiosk assistant || status=1; \
	$(VENV)/bin/mypy || status=1; \
	exit $$status

# Regenerates the hash-locked files from the hand-edited *.in files, for Linux
# x86_64: requirements.txt and requirements-dev.txt for Python 3.11 (.venv),
# assistant/requirements.txt for Python 3.10 (.venv-rasa). Versions already
# locked stay unless an input needs otherwise; `make lock LOCK_ARGS=--upgrade`
# takes the newest the inputs allow, LOCK_ARGS="--upgrade-package NAME" one package.
LOCK_COMPILE = $(VENV)/bin/uv pip compile --quiet --generate-hashes \
  --python-platform x86_64-manylinux_2_28 $(LOCK_ARGS)
lock: venv
	$(LOCK_COMPILE) --python-version 3.11 --python $(VENV)/bin/python \
	  --custom-compile-command "make lock  # from requirements.in: edit that, not this file" \
	  requirements.in -o requirements.txt
	$(LOCK_COMPILE) --python-version 3.11 --python $(VENV)/bin/python \
	  --custom-compile-command "make lock  # from requirements-dev.in: edit that, not this file" \
	  requirements-dev.in -o requirements-dev.txt
	py=$$(assistant/scripts/find-python310.sh) && \
	$(LOCK_COMPILE) --python-version 3.10 --python $$py \
	  --custom-compile-command "make lock  # from assistant/requirements.in: edit that, not this file" \
	  assistant/requirements.in -o assistant/requirements.txt

system-deps:
	@scripts/system-deps.sh

# `make run` and `make serve` start a development hall: the development
# secrets and the shared device token are accepted. A hall in production runs
# `python -m kiosk serve` (production is its default; docs/operations.md).
DEV_ENV := KIOSK_ENV=$${KIOSK_ENV:-development}

serve: venv
	$(DEV_ENV) $(VENV)/bin/python -m kiosk serve

run: venv system-deps run-prepare
	$(DEV_ENV) $(VENV)/bin/honcho start -f Procfile

test: lint venv system-deps test-prepare
	$(VENV)/bin/python -m pytest tests --durations=20 $(PYTEST_ARGS)

test-server: venv system-deps
	$(VENV)/bin/python -m pytest tests/server $(PYTEST_ARGS)

clean:
	rm -rf var/reports .pytest_cache

# Parts add their own targets (assistant, agent) and hook into these two.
.PHONY: run-prepare test-prepare
run-prepare::
	$(DEV_ENV) $(VENV)/bin/python -m kiosk ensure-admin
test-prepare::

-include mk/*.mk
