#!/usr/bin/env bash
# Installs what building, serving and testing the project needs. Idempotent and
# quiet when everything is already there. Downloads only from package registries
# (Debian, crates.io, npm); never a toolchain or a browser build.
set -euo pipefail
SCRIPT_NAME=setup
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "need root for: $*"
    fi
}

APT_UPDATED=0
apt_install() {
    [ "$#" -gt 0 ] || return 0
    if [ "$APT_UPDATED" -eq 0 ]; then
        log "apt-get update"
        as_root timeout 600 apt-get update -qq || die "apt-get update failed (or timed out)"
        APT_UPDATED=1
    fi
    log "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive timeout 1800 \
        apt-get install -y -qq "$@" >/dev/null || die "apt-get install $* failed (or timed out)"
}

# --- 1. Route ------------------------------------------------------------------
ROUTE="$(detect_route)"
if [ "$ROUTE" = none ]; then
    die "no way to build for $WASM_TARGET here. Run: rustup target add $WASM_TARGET"
fi

# --- 2. Debian packages ----------------------------------------------------------
if command -v apt-get >/dev/null 2>&1; then
    want=("${DEBIAN_TOOL_PKGS[@]}")
    [ "$ROUTE" = debian ] && want+=("${DEBIAN_RUST_PKGS[@]}")
    # SPIN and a C compiler: the second engine of native-backend/tests/spin.rs and bench-engine.sh;
    # jq reads the checker's JSON lines in bench-engine.sh.
    want+=(spin gcc jq)
    command -v node >/dev/null 2>&1 || want+=(nodejs)
    command -v npm >/dev/null 2>&1 || want+=(npm)
    missing=()
    for p in "${want[@]}"; do deb_installed "$p" || missing+=("$p"); done
    apt_install "${missing[@]}"
    if [ "$ROUTE" = debian ] && ! wasm_linker >/dev/null; then
        # No rustup toolchain with rust-lld: fall back to Debian's wasm-ld.
        apt_install lld
    fi
else
    for t in chromium wasm-opt node npm spin gcc jq; do
        command -v "$t" >/dev/null 2>&1 || log "warning: $t not found (install it with your package manager)"
    done
fi
if [ "$ROUTE" = debian ]; then
    if [ ! -x /usr/bin/rustc ] || [ ! -x /usr/bin/cargo ] || [ ! -d /usr/lib/rustlib/src/rust/library ]; then
        die "Debian's rustc-web/cargo-web/rust-web-src are not fully installed"
    fi
    wasm_linker >/dev/null || die "no wasm linker (rust-lld or wasm-ld) found"
fi

# --- 3. wasm-bindgen-cli, exactly the version in Cargo.lock ---------------------
command -v cargo >/dev/null 2>&1 || die "cargo not found"
if [ -z "$(lock_version wasm-bindgen 2>/dev/null)" ]; then
    timeout 600 cargo metadata --format-version 1 >/dev/null \
        || die "could not resolve the workspace's dependencies (cargo metadata)"
fi
WB_WANT="$(lock_version wasm-bindgen)"
[ -n "$WB_WANT" ] || die "wasm-bindgen not found in Cargo.lock"
WB_HAVE="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$WB_HAVE" != "$WB_WANT" ]; then
    log "cargo install wasm-bindgen-cli $WB_WANT (was: ${WB_HAVE:-none}); takes a few minutes"
    # --locked first; if a crate in its lock file was yanked since, resolve afresh.
    if ! timeout 3600 cargo install --quiet --locked --force wasm-bindgen-cli --version "=$WB_WANT"; then
        log "cargo install --locked failed; retrying without --locked"
        timeout 3600 cargo install --quiet --force wasm-bindgen-cli --version "=$WB_WANT" \
            || die "cargo install wasm-bindgen-cli $WB_WANT failed (or timed out)"
    fi
fi

# --- 4. Browser-test dependencies (playwright-core only; no browser download) ---
BROWSER_DIR="$REPO_ROOT/tests/browser"
if [ -f "$BROWSER_DIR/package.json" ]; then
    command -v npm >/dev/null 2>&1 || die "npm not found"
    stamp_file="$BROWSER_DIR/node_modules/.setup-stamp"
    stamp="$(cat "$BROWSER_DIR/package.json" "$BROWSER_DIR/package-lock.json" 2>/dev/null | sha256sum | cut -d' ' -f1)"
    if [ ! -f "$stamp_file" ] || [ "$(cat "$stamp_file")" != "$stamp" ]; then
        log "npm install in tests/browser"
        export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
        if [ -f "$BROWSER_DIR/package-lock.json" ]; then
            (cd "$BROWSER_DIR" && timeout 600 npm ci --no-audit --no-fund --loglevel=error >/dev/null) \
                || die "npm ci in tests/browser failed (or timed out)"
        else
            (cd "$BROWSER_DIR" && timeout 600 npm install --no-audit --no-fund --loglevel=error >/dev/null) \
                || die "npm install in tests/browser failed (or timed out)"
        fi
        echo "$stamp" >"$stamp_file"
    fi
fi
[ -x "$CHROMIUM" ] || log "warning: $CHROMIUM not found: browser tests cannot run"

log "ready (route: $ROUTE, wasm-bindgen $WB_WANT)"
