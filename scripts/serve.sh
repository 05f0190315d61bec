#!/usr/bin/env bash
# Installs what is missing, builds the web front end and serves it on
# http://127.0.0.1:$PORT/ (default 8080). Stop it with Ctrl-C.
set -euo pipefail
SCRIPT_NAME=serve
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

PORT="${PORT:-8080}"
[[ "$PORT" =~ ^[0-9]+$ ]] || die "PORT must be a number, not '$PORT'"

bash scripts/setup.sh
bash scripts/build-web.sh
command -v python3 >/dev/null 2>&1 || die "python3 not found"
log "open http://127.0.0.1:$PORT/ (Ctrl-C stops the server)"
exec python3 scripts/serve.py --port "$PORT" --dir "$REPO_ROOT/dist"
