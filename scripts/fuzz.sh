#!/usr/bin/env bash
# Coverage-guided fuzzing of every untrusted-input decoder (cargo-fuzz / libFuzzer, nightly Rust):
# share_link (share links), scenario_json (scenario files and links), trace_text (avic-lab trace),
# schedule (schedule strings), knobs (knob lists, k.<hex> codes, --knobs), program_text
# (--program-file and a link's edited programs).
#
#   scripts/fuzz.sh [TARGET...]          FUZZ_SECONDS=N per target (default 60)
#   scripts/fuzz.sh --smoke [TARGET...]  a few seconds each (FUZZ_SECONDS, default 5) on the
#                                        committed seeds only, in a scratch corpus: for the tests
#
# Installs cargo-fuzz from crates.io if it is missing. Needs a nightly toolchain (rustup) or, with
# Debian's rustc, RUSTC_BOOTSTRAP=1; crashes are written to fuzz/artifacts/<target>/.
set -euo pipefail
SCRIPT_NAME=fuzz
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

SECONDS_PER_TARGET="${FUZZ_SECONDS:-60}"
case "${1:-}" in -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
SMOKE=0
if [ "${1:-}" = "--smoke" ]; then
    SMOKE=1
    shift
    SECONDS_PER_TARGET="${FUZZ_SECONDS:-5}"
fi
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(share_link scenario_json trace_text schedule knobs program_text)

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

SCRATCH=""
[ "$SMOKE" = 0 ] || { SCRATCH="$(mktemp -d)"; trap 'rm -rf "$SCRATCH"' EXIT; }
for t in "${TARGETS[@]}"; do
    if [ "$SMOKE" = 1 ]; then
        corpus="$SCRATCH/$t"
    else
        # The working corpus grows in fuzz/corpus (ignored by git), seeded from fuzz/seeds.
        corpus="fuzz/corpus/$t"
    fi
    mkdir -p "$corpus"
    cp -n "fuzz/seeds/$t"/* "$corpus/" 2>/dev/null || true
    log "fuzzing $t for ${SECONDS_PER_TARGET}s"
    # -timeout: an input that takes over 2 s is a hang (quadratic parsing), and a failure.
    cargo "${TOOLCHAIN[@]}" fuzz run --fuzz-dir fuzz "$t" "$corpus" -- \
        -max_total_time="$SECONDS_PER_TARGET" -max_len=4096 -timeout=2 -print_final_stats=1
done
log "no crash in ${TARGETS[*]}"
