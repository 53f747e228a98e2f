#!/usr/bin/env bash
# One long set-up step, said out loud instead of minutes of silence:
#   scripts/step.sh "label" command [args...]
# prints "==> label ..." and, when the command ends, "==> label: done in N s".
# The command's output goes to a log under var/log/, without the "Location ...
# is ignored" warnings this machine's pip configuration prints for every
# package; when the command fails, the last lines of that log are shown and
# its exit status is returned.
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: $0 LABEL COMMAND [ARGS...]" >&2; exit 2; }
label=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/var/log"
# the log is named after the label up to its first ":" or "(": "app environment: ..." -> app-environment.log
name=$(printf '%s' "${label%%[:(]*}" | tr 'A-Z' 'a-z' | tr -cs 'a-z0-9' '-' | sed 's/^-*//; s/-*$//' | cut -c1-60)
log=$root/var/log/${name:-step}.log
echo "==> $label ... (log: ${log#"$root"/})"
start=$(date +%s)
"$@" < /dev/null 2>&1 | grep -v "is ignored: it is neither a file nor a directory" > "$log"
status=${PIPESTATUS[0]}
secs=$(($(date +%s) - start))
if [ "$status" -ne 0 ]; then
  echo "==> $label: FAILED after $secs s (exit $status); the end of ${log#"$root"/}:" >&2
  tail -n 40 "$log" >&2
  exit "$status"
fi
echo "==> $label: done in $secs s"
