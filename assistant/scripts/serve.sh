#!/usr/bin/env bash
# Runs the Rasa server (foreground) on the model of the current inputs (or RASA_MODEL):
# localhost only, REST channel, HTTP API behind a token. Its port (RASA_PORT),
# its action server's port (ACTIONS_PORT, read by assistant/endpoints.yml), its
# conversation store (RASA_TRACKER_URL, likewise) and its token come from
# kiosk/stack.py, the rule every process of the stack uses.
set -euo pipefail
RASA="${RASA:-.venv-rasa/bin/rasa}"
PYTHON="$(dirname "$RASA")/python"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
eval "$("$PYTHON" -m kiosk.stack)"
model="${RASA_MODEL:-assistant/models/$(assistant/scripts/model-hash.sh).tar.gz}"
[ -f "$model" ] || { echo "no model for the current inputs: run 'make rasa-train'" >&2; exit 1; }
if [ "$RASA_TOKEN" = dev-rasa-token ]; then
  echo "warning: RASA_TOKEN not set, using the development token" >&2
fi
mkdir -p var
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL=2
exec "$RASA" run --model "$model" --enable-api --auth-token "$RASA_TOKEN" \
  --interface 127.0.0.1 --port "$RASA_PORT" \
  --credentials assistant/credentials.yml --endpoints assistant/endpoints.yml
