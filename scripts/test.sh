#!/usr/bin/env bash
# The project's whole test suite, as CI runs it (.ci/run):
#   setup, rustfmt, clippy, cargo test, a fuzz smoke run, the wasm build, the core's wasm32 tests, and the
#   real-browser tests
#   against dist/ served on a free port of 127.0.0.1.
# Exits non-zero on the first failure.
set -euo pipefail
SCRIPT_NAME="test"
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

SERVER_PID=""
SERVER_LOG=""
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    [ -n "$SERVER_LOG" ] && rm -f "$SERVER_LOG"
    return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() {
    local name="$1"
    shift
    printf '\n=== %s\n' "$name" >&2
    local t0=$SECONDS
    "$@" || die "step '$name' failed (exit $?)"
    log "$name: ok ($((SECONDS - t0)) s)"
}

step setup bash scripts/setup.sh
step rustfmt cargo fmt --all --check
step clippy cargo clippy --workspace --all-targets --quiet -- -D warnings
step "cargo test" cargo test --workspace
step "fuzz smoke (5 s per decoder)" bash scripts/fuzz.sh --smoke
step "split_ui tests (the UI module's data split)" python3 scripts/split_ui_test.py
step build-web bash scripts/build-web.sh
step "wasm tests (core-sim and the checker module under node, web components in Chromium)" bash scripts/test-wasm.sh

# --- Browser tests: serve dist/ on a free port, then drive Chromium -------------
printf '\n=== browser tests\n' >&2
command -v node >/dev/null 2>&1 || die "node not found: run scripts/setup.sh"
[ -x "$CHROMIUM" ] || die "$CHROMIUM not found: run scripts/setup.sh"
serve_dir "$REPO_ROOT/dist" "the test server"
URL="$SERVER_URL"
log "serving dist/ at $URL"

# Node's own test runner: its closing lines are the summary of the run.
BASE_URL="$URL" CHROMIUM="$CHROMIUM" timeout 1800 \
    node --test --test-reporter=tap tests/browser/run.mjs tests/browser/teach.mjs tests/browser/split.mjs tests/browser/glossary.mjs tests/browser/diff.mjs tests/browser/picture.mjs tests/browser/slides.mjs \
        tests/browser/cause.mjs tests/browser/challenge.mjs tests/browser/host.mjs tests/browser/scenario.mjs tests/browser/patch.mjs tests/browser/zoom.mjs \
    || die "browser tests failed (screenshots, if any, are in tests/browser/artifacts/)"
