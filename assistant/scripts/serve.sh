#!/usr/bin/env bash
# Runs the Rasa server (foreground) on the model of the current inputs:
# localhost only, REST channel, HTTP API behind RASA_TOKEN.
set -euo pipefail
RASA="${RASA:-.venv-rasa/bin/rasa}"
model="assistant/models/$(assistant/scripts/model-hash.sh).tar.gz"
[ -f "$model" ] || { echo "no model for the current inputs: run 'make rasa-train'" >&2; exit 1; }
# The HTTP API is only served behind a token: RASA_TOKEN, else the hall
# server's KIOSK_RASA_TOKEN, else the hall server's development default.
RASA_TOKEN="${RASA_TOKEN:-${KIOSK_RASA_TOKEN:-}}"
if [ -z "$RASA_TOKEN" ]; then
  RASA_TOKEN=dev-rasa-token
  echo "warning: RASA_TOKEN not set, using the development token" >&2
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL=2
exec "$RASA" run --model "$model" --enable-api --auth-token "$RASA_TOKEN" \
  --interface 127.0.0.1 --port "${RASA_PORT:-5005}" \
  --credentials assistant/credentials.yml --endpoints assistant/endpoints.yml
