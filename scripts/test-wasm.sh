#!/usr/bin/env bash
# The wasm32 tests, with wasm-bindgen-test-runner:
#   - core-sim/tests/wasm.rs under node: the same exhaustive checks, random runs and lesson claims
#     as native, byte for byte;
#   - web-worker/tests/wasm.rs under node: the checker module's entry point (worker_handle);
#   - web's component tests (web/src/components/wasm_tests.rs) in headless Chromium through
#     chromedriver (capabilities in web/webdriver.json).
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
CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver || true)}"
[ -x "$CHROMEDRIVER" ] || die "chromedriver not found: run scripts/setup.sh (Debian package chromium-driver)"
export CHROMEDRIVER
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner

ROUTE="$(detect_route)"
# cargo ARGS... for wasm32, by route.
wasm_cargo() {
    case "$ROUTE" in
        rustup)
            log "cargo $* --target $WASM_TARGET (rustup route)"
            cargo "$@" --target "$WASM_TARGET"
            ;;
        debian)
            local linker
            linker="$(wasm_linker)" || die "no wasm linker (rust-lld or wasm-ld) found: run scripts/setup.sh"
            log "cargo $* --target $WASM_TARGET -Zbuild-std (Debian rustc-web route)"
            CARGO_TARGET_DIR="$REPO_ROOT/target/wasm" PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc \
                RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$linker" \
                CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${WEB_RUSTFLAGS--Ctarget-feature=-reference-types}" \
                /usr/bin/cargo "$@" --target "$WASM_TARGET" -Zbuild-std=std,panic_abort
            ;;
        *)
            die "no way to build for $WASM_TARGET here. Run: rustup target add $WASM_TARGET"
            ;;
    esac
}

# Release for the core: the exhaustive checks are the point, and debug wasm is slow.
wasm_cargo test -p core-sim --test wasm --release
wasm_cargo test -p web-worker --test wasm --release
wasm_cargo test -p web --lib
