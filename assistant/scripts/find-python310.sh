#!/usr/bin/env bash
# Prints the path of a working Python 3.10 (Rasa 3.6 needs 3.10): python3.10
# on PATH, else a pyenv-installed 3.10.x. Exits 1 with a message when none.
set -u
candidates=()
if command -v python3.10 >/dev/null 2>&1; then
  candidates+=("$(command -v python3.10)")
fi
if command -v pyenv >/dev/null 2>&1; then
  root="$(pyenv root 2>/dev/null)"
  for p in "$root"/versions/3.10*/bin/python3.10; do
    [ -x "$p" ] && candidates+=("$p")
  done
fi
for p in /usr/bin/python3.10 /usr/local/bin/python3.10; do
  [ -x "$p" ] && candidates+=("$p")
done
for p in "${candidates[@]}"; do
  # a pyenv shim exists even when it cannot run 3.10: ask the interpreter itself
  if "$p" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; then
    echo "$p"
    exit 0
  fi
done
echo "error: no Python 3.10 found (Rasa 3.6 needs it). Install python3.10 on PATH or 'pyenv install 3.10'." >&2
exit 1
