#!/usr/bin/env bash
# Runs the action server (foreground) on 127.0.0.1:ACTIONS_PORT. The actions
# reach the hall server at KIOSK_SERVER_URL, else this stack's KIOSK_HOST and
# KIOSK_PORT (kiosk/stack.py), with KIOSK_DEVICE_TOKEN.
set -euo pipefail
RASA="${RASA:-.venv-rasa/bin/rasa}"
PYTHON="$(dirname "$RASA")/python"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
eval "$("$PYTHON" -m kiosk.stack)"
export RASA_TELEMETRY_ENABLED=false
export SANIC_HOST="${SANIC_HOST:-127.0.0.1}"
exec "$RASA" run actions --actions assistant.actions --port "$ACTIONS_PORT"
