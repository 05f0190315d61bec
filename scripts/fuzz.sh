#!/usr/bin/env bash
# Coverage-guided fuzzing of the untrusted-input decoders (cargo-fuzz / libFuzzer, nightly Rust):
# share_link (the share-link decoder) and scenario_json (scenario files and links).
#
#   scripts/fuzz.sh [TARGET...]      FUZZ_SECONDS=N per target (default 60)
#
# Installs cargo-fuzz from crates.io if it is missing. Needs a nightly toolchain (rustup) or, with
# Debian's rustc, RUSTC_BOOTSTRAP=1; crashes are written to fuzz/artifacts/<target>/.
set -euo pipefail
SCRIPT_NAME=fuzz
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

SECONDS_PER_TARGET="${FUZZ_SECONDS:-60}"
case "${1:-}" in -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(share_link scenario_json)

if ! cargo fuzz --version >/dev/null 2>&1; then
    log "installing cargo-fuzz from crates.io"
    cargo install --locked cargo-fuzz
fi

TOOLCHAIN=()
if command -v rustup >/dev/null 2>&1 && timeout 30 rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    TOOLCHAIN=(+nightly)
else
    log "no rustup nightly: using the default toolchain with RUSTC_BOOTSTRAP=1"
    export RUSTC_BOOTSTRAP=1
fi

for t in "${TARGETS[@]}"; do
    # The working corpus grows in fuzz/corpus (ignored by git), seeded from fuzz/seeds.
    mkdir -p "fuzz/corpus/$t"
    cp -n "fuzz/seeds/$t"/* "fuzz/corpus/$t/" 2>/dev/null || true
    log "fuzzing $t for ${SECONDS_PER_TARGET}s"
    cargo "${TOOLCHAIN[@]}" fuzz run --fuzz-dir fuzz "$t" "fuzz/corpus/$t" -- \
        -max_total_time="$SECONDS_PER_TARGET" -max_len=4096
done
log "no crash in ${TARGETS[*]}"
