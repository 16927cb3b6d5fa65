#!/usr/bin/env bash
# Smoke test of the frozen app: version, a database with demo data, a verified audit
# trail, and the GUI up to the login window on the offscreen platform.
set -euo pipefail
app=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DESK_LOG_DIR="$work/log" DESK_DB="sqlite:///$work/smoke.db"
"$app" --version
"$app" demo >/dev/null
DESK_USER=admin DESK_PASSWORD=demo1234 "$app" audit verify
QT_QPA_PLATFORM=offscreen DESK_EXIT_AFTER_LOGIN_SHOWN=1 "$app"
echo "bundle smoke test passed: $(du -sh "$(dirname "$app")" | cut -f1)"
