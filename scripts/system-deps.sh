#!/usr/bin/env bash
# Installs the Debian packages the stack and its tests need, when they are missing:
# espeak-ng (pyttsx3's voice on Linux), chromium (kiosk and staff pages under test),
# PostgreSQL (the second database engine), CJK fonts (Chinese on screen), npm (axe-core for
# the accessibility checks, mk/a11y.mk).
set -euo pipefail
need=()
command -v espeak-ng >/dev/null || need+=(espeak-ng)
command -v chromium >/dev/null || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v npm >/dev/null || need+=(nodejs npm)
# grep reads all of fc-list's output (no -q): with pipefail, fc-list killed by
# SIGPIPE would make the fonts look missing
fc-list 2>/dev/null | grep -i "noto sans cjk\|wqy" >/dev/null || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
# each step prints what it does and how long it took; apt's output goes to a log under var/log/
step="$(dirname "$0")/step.sh"
"$step" "apt-get update" "${sudo[@]}" apt-get update
"$step" "system packages: ${need[*]}" \
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
