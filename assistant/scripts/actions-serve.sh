#!/usr/bin/env bash
# Runs the action server (foreground) on 127.0.0.1:5055. The actions reach the
# hall server at KIOSK_SERVER_URL with KIOSK_DEVICE_TOKEN.
set -euo pipefail
RASA="${RASA:-.venv-rasa/bin/rasa}"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export RASA_TELEMETRY_ENABLED=false
export SANIC_HOST="${SANIC_HOST:-127.0.0.1}"
exec "$RASA" run actions --actions assistant.actions --port "${ACTIONS_PORT:-5055}"
