#!/usr/bin/env bash
# The core's wasm32 tests (core-sim/tests/wasm.rs) under node with wasm-bindgen-test-runner: the
# same exhaustive checks, random runs and lesson claims as native, byte for byte.
# Picks the rustup route or the Debian rustc-web route like build-web.sh. Run scripts/setup.sh
# first (test.sh does).
set -euo pipefail
SCRIPT_NAME=test-wasm
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

command -v wasm-bindgen-test-runner >/dev/null 2>&1 \
    || die "wasm-bindgen-test-runner not found: run scripts/setup.sh (it comes with wasm-bindgen-cli)"
command -v node >/dev/null 2>&1 || die "node not found: run scripts/setup.sh"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
# Release: the exhaustive checks are the point, and debug wasm is slow.
ARGS=(test -p core-sim --test wasm --release --target "$WASM_TARGET")

ROUTE="$(detect_route)"
case "$ROUTE" in
    rustup)
        log "cargo ${ARGS[*]} (rustup route)"
        cargo "${ARGS[@]}"
        ;;
    debian)
        LINKER="$(wasm_linker)" || die "no wasm linker (rust-lld or wasm-ld) found: run scripts/setup.sh"
        export CARGO_TARGET_DIR="$REPO_ROOT/target/wasm"
        log "cargo ${ARGS[*]} -Zbuild-std (Debian rustc-web route)"
        PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
            CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$LINKER" \
            CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${WEB_RUSTFLAGS--Ctarget-feature=-reference-types}" \
            /usr/bin/cargo "${ARGS[@]}" -Zbuild-std=std,panic_abort
        ;;
    *)
        die "no way to build for $WASM_TARGET here. Run: rustup target add $WASM_TARGET"
        ;;
esac
