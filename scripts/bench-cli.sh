#!/usr/bin/env bash
# Matrix throughput of the avic-lab CLI, single- vs multi-threaded: every scenario x strategy
# preset x memory model checked exhaustively, on 1 thread and on N threads (std::thread::scope).
# Prints a small table: threads, wall time (best of REPEAT runs), states, states/s, speed-up.
#
#   scripts/bench-cli.sh            # threads 1, 2 and nproc (if more), 3 repeats each
#   REPEAT=1 JOBS="1 4" scripts/bench-cli.sh
#   AVIC_LAB=target/debug/avic-lab scripts/bench-cli.sh   # skip the release build
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

REPEAT="${REPEAT:-3}"
NPROC="$(nproc 2>/dev/null || echo 1)"
if [ -z "${JOBS:-}" ]; then
    JOBS="1 2"
    [ "$NPROC" -gt 2 ] && JOBS="$JOBS $NPROC"
fi
if [ -z "${AVIC_LAB:-}" ]; then
    cargo build --release -q -p native-backend --bin avic-lab
    AVIC_LAB="${CARGO_TARGET_DIR:-target}/release/avic-lab"
fi

# The summary line of `avic-lab matrix`:
# "96 cells: ... · 221911 states, 653533 transitions in 5.157 s on 2 thread(s) = 43029 states/s"
run_once() {
    local start end line
    start="$(date +%s.%N)"
    line="$("$AVIC_LAB" matrix --jobs "$1" | tail -n 1)"
    end="$(date +%s.%N)"
    local states cells
    cells="$(awk '{print $1}' <<<"$line")"
    states="$(sed -E 's/.* ([0-9]+) states, .*/\1/' <<<"$line")"
    echo "$cells $states $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.4f", b-a}')"
}

echo "avic-lab matrix throughput ($AVIC_LAB, $NPROC CPUs, best of $REPEAT)"
printf '%8s  %6s  %10s  %10s  %12s  %8s\n' threads cells wall_s states states/s speedup
base=""
for j in $JOBS; do
    best=""
    for _ in $(seq "$REPEAT"); do
        read -r cells states wall < <(run_once "$j")
        if [ -z "$best" ] || awk -v w="$wall" -v b="$best" 'BEGIN{exit !(w<b)}'; then best="$wall"; fi
    done
    [ -z "$base" ] && base="$best"
    awk -v j="$j" -v c="$cells" -v s="$states" -v w="$best" -v b="$base" \
        'BEGIN{printf "%8d  %6d  %10.3f  %10d  %12.0f  %7.2fx\n", j, c, w, s, s/w, b/w}'
done
