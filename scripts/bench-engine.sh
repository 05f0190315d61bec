#!/usr/bin/env bash
# Our exhaustive checker and SPIN side by side on the same worlds (a benchmark, not a timed test).
# For each cell: the checker (release build, through `core-sim/examples/engine_bench.rs --cell`,
# one line of JSON per run) in each of MODES (full states, fingerprints), and SPIN's compiled verifier on `avic-lab export --promela`
# of the same world (gcc -O2, the flags the model's header names). Prints states, seconds,
# states/s and bytes/state for each engine, and the ratios core/SPIN.
#
#   scripts/bench-engine.sh
#   CELLS="retarget-vs-old-owner:naive-update:tso put-block-vs-affinity:linux-6.6:sc" scripts/bench-engine.sh
#   MODES="full" scripts/bench-engine.sh         # the checker's store modes: full, fingerprint
#
# bytes/state: for the checker, the growth of its peak resident memory during the search divided
# by the states (and, in brackets, its own estimate); for SPIN, "actual memory usage for
# states" divided by the states stored (hash table and DFS stack not counted: both are fixed
# allocations, -w20 and -m100000).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

CELLS="${CELLS:-put-block-vs-affinity:linux-6.6:sc retarget-vs-old-owner:linux-6.6:sc retarget-vs-old-owner:linux-6.6:tso retarget-vs-old-owner:naive-update:tso old-owner-halts:barrier-only:tso}"
MODES="${MODES:-full fingerprint}"
# What it needs (spin, gcc, jq): setup.sh installs them, idempotently and quietly.
bash scripts/setup.sh
for t in spin gcc jq; do
    command -v "$t" >/dev/null 2>&1 || { echo "bench-engine: $t not found after scripts/setup.sh (install it with your package manager)" >&2; exit 1; }
done

cargo build --release -q -p native-backend --bin avic-lab
cargo build --release -q -p core-sim --example engine_bench
TARGET="${CARGO_TARGET_DIR:-target}/release"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# One line per engine run: engine mode states seconds bytes/state [note]
core_run() { # scenario strategy memory mode
    local j
    j="$("$TARGET/examples/engine_bench" --mode "$4" --cell "$1/$2/$3")"
    jq -r '[.states, .seconds, .rss_bytes_per_state, .bytes_per_state, (.kinds | join(","))] | @tsv' <<<"$j"
}

spin_run() { # scenario strategy memory
    local dir="$WORK/$1.$2.$3" cc pan_flags out
    mkdir -p "$dir"
    "$TARGET/avic-lab" export --promela --scenario "$1" --strategy "$2" --memory "$3" -o "$dir/model.pml"
    # The header names the flags: "spin -a FILE && gcc <cc> -o pan pan.c && ./pan <flags>"
    cc="$(sed -nE 's/.*&& gcc (.*) -o pan pan\.c.*/\1/p' "$dir/model.pml" | head -n 1)"
    pan_flags="$(sed -nE 's/.*&& \.\/pan (.*)$/\1/p' "$dir/model.pml" | head -n 1)"
    (cd "$dir" && spin -a model.pml >/dev/null && gcc -O2 $cc -o pan pan.c)
    out="$(cd "$dir" && ./pan $pan_flags)"
    local states secs mem kinds
    states="$(awk '/states, stored/ {print $1}' <<<"$out")"
    secs="$(awk '/pan: elapsed time/ {print $4}' <<<"$out")"
    mem="$(awk '/actual memory usage for states/ {print $1}' <<<"$out")"
    kinds="$(grep -oE 'assertion violated +!\(([a-z_]+)\)' <<<"$out" | sed -E 's/.*!\(([a-z_]+)\)/\1/' | sort -u | tr '\n' ',' | sed 's/,$//')"
    awk -v s="$states" -v t="$secs" -v m="$mem" -v k="$kinds" \
        'BEGIN { printf "%d\t%s\t%.1f\t-\t%s\n", s, t, m * 1048576 / s, k }'
}

printf '%-48s %-18s %10s %9s %12s %14s  %s\n' cell engine states seconds states/s bytes/state kinds
for cell in $CELLS; do
    IFS=: read -r s p m <<<"$cell"
    name="$s x $p x $m"
    IFS=$'\t' read -r sp_states sp_secs sp_bytes _ sp_kinds < <(spin_run "$s" "$p" "$m")
    sp_rate="$(awk -v n="$sp_states" -v t="$sp_secs" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')"
    printf '%-48s %-18s %10s %9s %12s %14s  %s\n' "$name" spin "$sp_states" "$sp_secs" "$sp_rate" "$sp_bytes" "$sp_kinds"
    for mode in $MODES; do
        IFS=$'\t' read -r c_states c_secs c_rss c_est c_kinds < <(core_run "$s" "$p" "$m" "$mode")
        c_rate="$(awk -v n="$c_states" -v t="$c_secs" 'BEGIN { printf "%.0f", n / t }')"
        printf '%-48s %-18s %10s %9.4f %12s %14s  %s\n' "" "core/$mode" "$c_states" "$c_secs" "$c_rate" \
            "$(printf '%.0f (%.0f)' "$c_rss" "$c_est")" "$c_kinds"
        awk -v cr="$c_rate" -v sr="$sp_rate" -v cb="$c_rss" -v sb="$sp_bytes" \
            'BEGIN { printf "%-48s %-18s %10s %9s %11.2fx %13.1fx  (core/SPIN; states differ by init + final states)\n", "", "ratio", "", "", (sr > 0 ? cr / sr : 0), (sb > 0 ? cb / sb : 0) }'
    done
done
