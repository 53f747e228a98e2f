#!/usr/bin/env bash
# Trains the model unless one for the current inputs is cached in
# assistant/models/<hash>.tar.gz; prints the training time and model size.
# Usage (from the repository root): assistant/scripts/train.sh [--force]
set -euo pipefail
RASA="${RASA:-.venv-rasa/bin/rasa}"
hash="$(assistant/scripts/model-hash.sh)"
model="assistant/models/${hash}.tar.gz"
if [ -f "$model" ] && [ "${1:-}" != "--force" ]; then
  echo "model up to date: $model ($(du -h "$model" | cut -f1))"
  exit 0
fi
mkdir -p assistant/models var
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export RASA_TELEMETRY_ENABLED=false
export RASA_CACHE_DIRECTORY="${RASA_CACHE_DIRECTORY:-$PWD/var/rasa-cache}"
export TF_CPP_MIN_LOG_LEVEL=2
start=$(date +%s)
echo "==> training the assistant model $hash (about a minute on two cores; log: var/rasa-train.log) ..."
"$RASA" train --domain domain.yml --data nlu --config assistant/config.yml \
  --out assistant/models --fixed-model-name "$hash" 2>&1 | tee var/rasa-train.log \
  | grep -E "Your Rasa model|Error|error:" || true
[ "${PIPESTATUS[0]}" -eq 0 ] && [ -f "$model" ] || { echo "training failed: see var/rasa-train.log" >&2; exit 1; }
end=$(date +%s)
size_bytes=$(stat -c %s "$model")
echo "$((end - start))" > "assistant/models/${hash}.train-seconds"  # read by bench/triage_latency.py
echo "trained $model in $((end - start)) s; model size $((size_bytes / 1024)) KiB"
if [ "$(assistant/scripts/model-hash.sh)" != "$hash" ]; then
  echo "warning: the inputs changed while training; run again for a model of the current ones" >&2
fi
# older models are kept: switching back to earlier inputs needs no retraining
