#!/usr/bin/env bash
# Benchmarks of the web front end (not a timed test): the size of its wasm modules (the UI, web/,
# in two parts, what its first render calls and the rest, and the checker, web-worker/), of what
# the first render fetches and of everything, time to first render, the strategy × scenario
# matrix in the browser, and the wasm/native time ratio of the same exhaustive checks
# (web_worker::jobs, one thread each). Prints a table with the targets.
#
#   scripts/bench-web.sh [--no-build]      (RUNS=N repetitions, default 5; median / best;
#                                           --no-build skips the web build, not setup.sh)
set -euo pipefail
SCRIPT_NAME=bench-web
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

BUILD=1
for a in "$@"; do
    case "$a" in
        --no-build) BUILD=0 ;;
        -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option '$a' (try --help)" ;;
    esac
done

# What the browser half needs (playwright-core in tests/browser, chromium): idempotent, and
# quiet when all is there, so it runs with --no-build too.
bash scripts/setup.sh
if [ "$BUILD" -eq 1 ]; then
    bash scripts/build-web.sh
fi
for f in dist/web_bg.wasm dist/web_worker_bg.wasm; do
    [ -f "$f" ] || die "dist/ is not built ($f missing): run scripts/build-web.sh"
done
command -v node >/dev/null 2>&1 || die "node not found: run scripts/setup.sh"
[ -x "$CHROMIUM" ] || die "$CHROMIUM not found: run scripts/setup.sh"

# --- 1. Native: the same checks, release build, one thread -------------------------------
# Timed in the browser half, in turns with the wasm build (bench.mjs); here, the states it visits.
log "native: cargo build --release -p web-worker --example native_matrix"
cargo build --release -q -p web-worker --example native_matrix
NATIVE_MATRIX="$(realpath "${CARGO_TARGET_DIR:-target}")/release/examples/native_matrix"
[ -x "$NATIVE_MATRIX" ] || die "no $NATIVE_MATRIX after the build"
native_json="$("$NATIVE_MATRIX" all)"
# native_states MEMORY: the states the matrix visited in that memory model (all cells).
native_states() { printf '%s' "$native_json" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).find(x=>x.memory==='$1').cells.reduce((n,c)=>n+c.states,0)))"; }
nst_sc=$(native_states sc); nst_tso=$(native_states tso)

# --- 2. Browser: serve dist/ on a free port ------------------------------------------------
serve_dir "$REPO_ROOT/dist" "the bench server"
trap 'kill "$SERVER_PID" 2>/dev/null || true; rm -f "$SERVER_LOG"' EXIT
URL="$SERVER_URL"
log "browser: $URL (headless $CHROMIUM)"
browser_json="$(BASE_URL="$URL" CHROMIUM="$CHROMIUM" NATIVE_MATRIX="$NATIVE_MATRIX" timeout 900 node tests/browser/bench.mjs)"
get() { printf '%s' "$browser_json" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const v=JSON.parse(s)['$1'];console.log(Number.isInteger(v)?v:typeof v==='number'?v.toFixed(1):v)})"; }

first=$(get first_render_ms); first_cold=$(get first_render_cold_ms)
msc=$(get matrix_sc_ms); mtso=$(get matrix_tso_ms); workers=$(get matrix_workers)
wsc=$(get wasm_matrix_sc_ms); wtso=$(get wasm_matrix_tso_ms)
wst_sc=$(get wasm_matrix_sc_states); wst_tso=$(get wasm_matrix_tso_states)
# The two builds must have checked the same worlds, or the ratio compares different work.
[ "$wst_sc" = "$nst_sc" ] && [ "$wst_tso" = "$nst_tso" ] \
    || die "wasm and native visited different states (sc $wst_sc vs $nst_sc, tso $wst_tso vs $nst_tso)"
per_s() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.0f", n / (ms / 1000) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ok() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t) ? "ok" : "MISSED" }'; }
native_sc=$(get native_matrix_sc_ms); native_tso=$(get native_matrix_tso_ms)
# The ratio: the median over rounds of wasm time / native time, each round timing both builds
# moments apart (bench.mjs); the best times above may come from different rounds.
r_sc=$(get paired_ratio_sc); r_tso=$(get paired_ratio_tso)
r_sc=$(ratio "$r_sc" 1); r_tso=$(ratio "$r_tso" 1)
r_max=$(awk -v a="$r_sc" -v b="$r_tso" 'BEGIN { print (a > b) ? a : b }')
cells=$(get matrix_cells)

# --- 3. Sizes: each module, what the first render fetched (as the browser logged it), all of dist/
size() { stat -c %s "$1"; }
gz() { gzip -9 -c "$1" | wc -c; }
kib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }
# sizes FILE...: "raw gzipped" bytes of the files that exist.
sizes() {
    local raw=0 z=0 f
    for f in "$@"; do
        [ -f "$f" ] || continue
        raw=$((raw + $(size "$f"))); z=$((z + $(gz "$f")))
    done
    echo "$raw $z"
}
row() { # row LABEL "RAW GZ" [BUDGET]
    local raw="${2% *}" z="${2#* }"
    if [ -n "${3:-}" ]; then
        printf '%-44s %10s KiB   %-10s %s\n' "$1" "$(kib "$raw") / $(kib "$z")" "<= $3" "$(ok "$(kib "$z")" "$3")"
    else
        printf '%-44s %10s KiB   %-10s\n' "$1" "$(kib "$raw") / $(kib "$z")" ""
    fi
}
mapfile -t first_files < <(printf '%s' "$browser_json" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>JSON.parse(s).first_render_files.forEach(f=>console.log(f)))')
mapfile -t all_files < <(find dist -type f | sort)
# Every file the first render fetched must be in the sum: a path that is not a file of dist/ (a
# query string, a redirect, a file fetched from elsewhere) stops the bench rather than being left out.
for f in "${first_files[@]}"; do
    [ -f "dist/$f" ] || die "the first render fetched '$f', which is not a file of dist/: cannot size it"
done
OTHER=(dist/index.html dist/assets/*.css dist/assets/boot.js dist/assets/main.js dist/assets/lab.js dist/assets/lazy.js
    dist/assets/notice.js dist/assets/icon.svg)
printf '\n%-44s %14s   %-10s %s\n' "measure" "value" "target" ""
printf '%-44s %14s   %-10s %s\n' "--------------------------------------------" "--------------" "----------" "------"
row "UI module web_bg.wasm, raw / gzipped" "$(sizes dist/web_bg.wasm)"
if [ -f dist/web_lazy_bg.wasm ]; then
    row "rest of the UI web_lazy_bg.wasm (after paint)" "$(sizes dist/web_lazy_bg.wasm)"
fi
row "UI JS glue web.js" "$(sizes dist/web.js)"
row "checker module web_worker_bg.wasm" "$(sizes dist/web_worker_bg.wasm)"
row "checker glue web_worker.js + assets/worker.js" "$(sizes dist/web_worker.js dist/assets/worker.js)"
row "page: html+css+boot/main/lab/lazy js+icon" "$(sizes "${OTHER[@]}")"
row "first-render payload (${#first_files[@]} files fetched)" "$(sizes "${first_files[@]/#/dist/}")" 250
row "everything in dist/ (${#all_files[@]} files)" "$(sizes "${all_files[@]}")" 400
printf '%-44s %11s ms   %-10s %s\n' "first render, localhost (median of ${RUNS:-5})" "$first" "< 500" "$(ok "$first" 500)"
printf '%-44s %11s ms   %-10s\n' "first render, first (cold cache) load" "$first_cold" ""
printf '%-44s %11s ms   %-10s %s\n' "matrix sc ($cells cells, $workers worker(s), median)" "$msc" "< 1000" "$(ok "$msc" 1000)"
printf '%-44s %11s ms   %-10s %s\n' "matrix tso ($cells cells, $workers worker(s), median)" "$mtso" "< 1000" "$(ok "$mtso" 1000)"
printf '%-44s %11s ms   %-10s\n' "same checks, wasm, 1 thread: sc / tso" "$wsc / $wtso" ""
printf '%-44s %11s ms   %-10s\n' "same checks, native release, 1 thread" "$native_sc / $native_tso" ""
printf '%-44s %14s   %-10s\n' "states visited by those checks: sc / tso" "$nst_sc / $nst_tso" ""
printf '%-44s %14s   %-10s\n' "states/s, wasm: sc / tso" "$(per_s "$nst_sc" "$wsc") / $(per_s "$nst_tso" "$wtso")" ""
printf '%-44s %14s   %-10s\n' "states/s, native: sc / tso" "$(per_s "$nst_sc" "$native_sc") / $(per_s "$nst_tso" "$native_tso")" ""
printf '%-44s %14s   %-10s %s\n' "wasm/native time ratio: sc / tso" "$r_sc / $r_tso" "<= 1.3" "$(ok "$r_max" 1.3)"
printf '  (median of %s rounds, native then wasm in each; the rounds: sc %s; tso %s)\n' \
    "$(get wasm_rounds)" "$(get paired_ratio_sc_range)" "$(get paired_ratio_tso_range)"
printf '\nfirst render fetched (raw / gzipped KiB each):\n'
for f in "${first_files[@]}"; do
    row "  $f" "$(sizes "dist/$f")"
done
printf '(%s cores here; other processes may share them: compare runs on an idle machine.)\n' "$(nproc)"
