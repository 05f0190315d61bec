#!/usr/bin/env bash
# Builds the web front end for wasm32 in release mode into dist/, a static site: index.html,
# assets/, and the wasm modules with their wasm-bindgen JS glue:
#   web.js + web_bg.wasm                the UI (web/): what its first render and first steps run,
#                                       all the first render loads;
#   web_lazy_bg.wasm                    the rest of the UI, loaded by assets/lazy.js after the
#                                       first render (split_ui below);
#   web_worker.js + web_worker_bg.wasm  the checker (web-worker/), loaded by assets/worker.js
#                                       when the page starts a Web Worker.
# Run scripts/setup.sh first (serve.sh and test.sh do).
set -euo pipefail
SCRIPT_NAME=build-web
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

DIST="$REPO_ROOT/dist"
UI=web
CHECKER=web-worker
# Small code by default; set here so native release builds keep opt-level 3. No LTO: fat LTO
# re-optimises everything at the final crate's level, which either slows the checker (z) or
# grows the UI (s).
export CARGO_PROFILE_RELEASE_OPT_LEVEL="${CARGO_PROFILE_RELEASE_OPT_LEVEL:-z}"
export CARGO_PROFILE_RELEASE_LTO="${CARGO_PROFILE_RELEASE_LTO:-false}"
export CARGO_PROFILE_RELEASE_DEBUG=false
export CARGO_PROFILE_RELEASE_STRIP="${CARGO_PROFILE_RELEASE_STRIP:-debuginfo}"
# The UI module is built for size throughout (the model at UI_CORE_OPT, default z: the page only
# steps one run at a time). The checker module keeps fast code where the exhaustive search spends
# its time: the hash table of its visited set, the model (CORE_OPT, default 3; s or z are
# ~25 KiB smaller but the checker gets ~1.5x slower in the browser) and, on the Debian route, the
# crates std is built from (-Zbuild-std).
FAST=(hashbrown)
FAST_STD=(alloc core compiler_builtins dlmalloc)
# opt_config LEVEL PACKAGE...: --config arguments putting core-sim at LEVEL, the packages at 3.
opt_config() {
    local o="$1" p
    shift
    for p in "$@"; do printf -- '--config\nprofile.release.package.%s.opt-level=3\n' "$p"; done
    case "$o" in s | z) o="\"$o\"" ;; esac
    printf -- '--config\nprofile.release.package.core-sim.opt-level=%s\n' "$o"
}

ROUTE="$(detect_route)"
case "$ROUTE" in
    rustup)
        export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"
        ;;
    debian)
        for f in /usr/bin/rustc /usr/bin/cargo; do
            [ -x "$f" ] || die "$f missing: run scripts/setup.sh"
        done
        LINKER="$(wasm_linker)" || die "no wasm linker (rust-lld or wasm-ld) found: run scripts/setup.sh"
        # Debian's compiler gets its own target dirs: the two compilers never share artifacts,
        # and the two modules, built with different flags, each keep theirs (cargo leaves
        # RUSTFLAGS out of an artifact's hash, so one dir would rebuild both every time).
        export CARGO_TARGET_DIR="$REPO_ROOT/target/wasm"
        CHECKER_TARGET_DIR="$REPO_ROOT/target/wasm-checker"
        ;;
    *)
        die "no way to build for $WASM_TARGET here. Run: rustup target add $WASM_TARGET"
        ;;
esac

# The Debian route's rustc flags (build-std already needs RUSTC_BOOTSTRAP, so nightly flags
# come free). Both modules: without reference types (std is rebuilt with the same flags):
# Debian 12's wasm-opt (binaryen 108) cannot parse the table.fill they bring in; no file/line
# strings in panic locations; no Debug formatting code (the page never shows {:?} output). The
# UI module also shares one copy of each generic function among all crates (without LTO, each
# crate would make its own). The checker does not: a shared copy is compiled in the crate that
# first made it and cannot be inlined into the search's hot loops (slice copies and
# comparisons became calls: ~10% of a profile, and the module is no larger without it). The UI
# module keeps the linker's relocations (--emit-relocs; the code is the same): split_ui reads in
# them which data each function can reach.
UI_RUSTFLAGS="${WEB_RUSTFLAGS--Ctarget-feature=-reference-types -Zlocation-detail=none -Zfmt-debug=none -Zshare-generics=y -Clink-arg=--emit-relocs}"
CHECKER_RUSTFLAGS="${WEB_RUSTFLAGS--Ctarget-feature=-reference-types -Zlocation-detail=none -Zfmt-debug=none}"

# build CRATE TARGET_DIR RUSTFLAGS CONFIG...: cargo build of one crate for wasm32, by route
# (the target dir and flags apply to the Debian route).
build() {
    local crate="$1" dir="$2" flags="$3"
    shift 3
    case "$ROUTE" in
        rustup)
            log "cargo build -p $crate --release --target $WASM_TARGET (rustup route)"
            cargo build -p "$crate" --release --target "$WASM_TARGET" "$@"
            ;;
        debian)
            log "cargo build -p $crate --release --target $WASM_TARGET -Zbuild-std (Debian rustc-web route)"
            PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$dir" \
                CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$LINKER" \
                CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$flags" \
                /usr/bin/cargo build -p "$crate" --release --target "$WASM_TARGET" \
                -Zbuild-std=std,panic_abort "$@"
            ;;
    esac
}

fast=("${FAST[@]}")
if [ "$ROUTE" = debian ]; then fast+=("${FAST_STD[@]}"); fi
mapfile -t UI_CONFIG < <(opt_config "${UI_CORE_OPT:-z}")
mapfile -t CHECKER_CONFIG < <(opt_config "${CORE_OPT:-3}" "${fast[@]}")
# On the Debian route the UI module aborts on a panic without formatting it (panic =
# "immediate-abort"): none of the panic machinery or its messages is in the module. The trap
# reaches the page as an uncaught WebAssembly.RuntimeError, which assets/main.js turns into the
# same internal-error notice the panic hook (web/src/app.rs) shows elsewhere. The checker keeps
# its panics: assets/worker.js reports them as failed jobs.
UI_PANIC=()
if [ "$ROUTE" = debian ]; then
    UI_PANIC=(-Zpanic-immediate-abort --config 'profile.release.panic="immediate-abort"')
fi
CHECKER_TARGET_DIR="${CHECKER_TARGET_DIR:-$CARGO_TARGET_DIR}"
build "$UI" "$CARGO_TARGET_DIR" "$UI_RUSTFLAGS" "${UI_CONFIG[@]}" "${UI_PANIC[@]}"
build "$CHECKER" "$CHECKER_TARGET_DIR" "$CHECKER_RUSTFLAGS" "${CHECKER_CONFIG[@]}"

command -v wasm-bindgen >/dev/null 2>&1 || die "wasm-bindgen not found: run scripts/setup.sh"
WB_WANT="$(lock_version wasm-bindgen)"
WB_HAVE="$(wasm-bindgen --version | awk '{print $2}')"
[ "$WB_HAVE" = "$WB_WANT" ] \
    || die "wasm-bindgen $WB_HAVE installed but Cargo.lock has $WB_WANT: run scripts/setup.sh"

rm -rf "$DIST"
mkdir -p "$DIST"
# The features rustc enables by default for wasm32 (bulk memory, reference types, multivalue, ...),
# for binaryen's tools: --detect-features cannot see them after wasm-bindgen.
WASM_FEATURES=(--enable-bulk-memory --enable-mutable-globals --enable-nontrapping-float-to-int
    --enable-sign-ext --enable-reference-types --enable-multivalue)
# bindgen CRATE TARGET_DIR [ARG...]: the JS glue and the module of one crate, dist/<name>.js and
# dist/<name>_bg.wasm (name: the crate's with _ for -), without the linker's relocations.
bindgen() {
    local name="${1//-/_}" dir="$2"
    shift 2
    local wasm_in="$dir/$WASM_TARGET/release/$name.wasm"
    [ -f "$wasm_in" ] || die "build produced no $wasm_in"
    wasm-bindgen --target web --no-typescript --out-dir "$DIST" --out-name "$name" "$@" "$wasm_in"
    python3 scripts/split_ui.py strip-relocs "$DIST/${name}_bg.wasm" "$DIST/${name}_bg.wasm"
}
# optimise LEVEL IN OUT: wasm-opt at LEVEL (-Oz, -O3, ...), which writes no names; without
# wasm-opt (or if it fails), IN unoptimised. --low-memory-unused lets wasm-opt fold constant
# offsets into loads and stores (2 KiB gzipped off the UI module): it assumes nothing lives in
# the first 1 KiB of memory, which holds for Rust's wasm32 layout (rust-lld --stack-first:
# addresses 0..1 MiB are the stack, which grows down from 1 MiB, and the data follow it).
optimise() {
    local level="$1" in="$2" out="$3"
    if command -v wasm-opt >/dev/null 2>&1 \
        && wasm-opt "$level" --converge --low-memory-unused "${WASM_FEATURES[@]}" -o "$out.opt" "$in"; then
        mv "$out.opt" "$out"
    else
        rm -f "$out.opt"
        log "warning: no working wasm-opt ($(wasm-opt --version 2>/dev/null || echo none)): $out is not optimised"
        [ "$in" = "$out" ] || cp "$in" "$out"
    fi
}
# The UI keeps the linker's function names (--no-demangle: as the linker wrote them), which
# split_ui matches against the linker's relocations.
bindgen "$UI" "$CARGO_TARGET_DIR" --no-demangle
bindgen "$CHECKER" "$CHECKER_TARGET_DIR"
# The checker for speed (WASM_OPT_CHECKER=-Oz makes it smaller and slower).
optimise "${WASM_OPT_CHECKER:--O3}" "$DIST/web_worker_bg.wasm" "$DIST/web_worker_bg.wasm"

cp index.html "$DIST/"
if [ -d assets ]; then cp -R assets "$DIST/"; fi
# Comments and indentation out of the style sheet (whitespace only around { } ; , so selectors
# such as "a :hover" keep their meaning).
python3 - "$DIST/assets/style.css" <<'PY'
import re, sys
path = sys.argv[1]
css = open(path, encoding="utf-8").read()
css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
css = re.sub(r"\s+", " ", css)
css = re.sub(r"\s*([{};,])\s*", r"\1", css)
open(path, "w", encoding="utf-8").write(css.strip() + "\n")
PY

# split_ui: the UI module in two, the functions its first render and first steps call with the
# data they can reach (web_bg.wasm), and the rest (web_lazy_bg.wasm), which assets/lazy.js loads idly after the
# first render or when one of its functions is first called. Binaryen's wasm-split moves the
# functions, from a profile: the module instrumented (wasm-split --instrument), served with the
# rest of dist/, opened in headless Chromium (scripts/profile-ui.mjs) until its first render has
# settled and a few steps of the run are taken. scripts/split_ui.py moves the read-only data no primary function can reach (from the
# linker's relocations) and checks that no primary code holds its address. Then each half is
# optimised for size (and the two together checked to write the linker's data byte for byte), and the glue gets the "placeholder" imports that stand for the moved
# functions. Without Chromium, node or wasm-split the UI stays one module (and works the same,
# loaded all at once).
can_split_ui() {
    local t
    for t in wasm-split wasm-opt node; do
        if ! command -v "$t" >/dev/null 2>&1; then
            log "warning: $t not found: the UI stays one module (run scripts/setup.sh)"
            return 1
        fi
    done
    if [ ! -x "$CHROMIUM" ] || [ ! -d "$REPO_ROOT/tests/browser/node_modules/playwright-core" ]; then
        log "warning: no $CHROMIUM or playwright-core to profile the first render: the UI stays one module (run scripts/setup.sh)"
        return 1
    fi
}
split_ui() {
    local wasm="$DIST/web_bg.wasm" glue="$DIST/web.js" linked="$CARGO_TARGET_DIR/$WASM_TARGET/release/web.wasm"
    local work
    work="$(mktemp -d)"
    cp -R "$DIST" "$work/dist"
    wasm-split --instrument "${WASM_FEATURES[@]}" "$wasm" -o "$work/dist/web_bg.wasm"
    serve_dir "$work/dist" "the profiling server"
    log "profiling the first render (headless $CHROMIUM)"
    if ! BASE_URL="$SERVER_URL" CHROMIUM="$CHROMIUM" timeout 300 node scripts/profile-ui.mjs "$work/first-render.prof"; then
        kill "$SERVER_PID" 2>/dev/null || true
        rm -f "$SERVER_LOG"
        die "could not profile the UI module's first render"
    fi
    kill "$SERVER_PID" 2>/dev/null || true
    rm -f "$SERVER_LOG"
    wasm-split --split "${WASM_FEATURES[@]}" -g --profile="$work/first-render.prof" "$wasm" \
        -o1 "$work/primary.wasm" -o2 "$work/lazy.wasm"
    python3 scripts/split_ui.py move-data "$linked" "$wasm" "$work/primary.wasm" "$work/lazy.wasm" \
        "$work/primary-data.wasm" "$work/lazy-data.wasm" "$work/moved.json"
    python3 scripts/split_ui.py check "$linked" "$work/primary-data.wasm" "$work/moved.json"
    optimise -Oz "$work/primary-data.wasm" "$wasm"
    optimise -Oz "$work/lazy-data.wasm" "$DIST/web_lazy_bg.wasm"
    python3 scripts/split_ui.py verify-memory "$linked" "$wasm" "$DIST/web_lazy_bg.wasm"
    rm -rf "$work"
    python3 - "$glue" <<'PY'
import sys
path = sys.argv[1]
js = open(path, encoding="utf-8").read()
slot = '"./web_bg.js": import0,'
if js.count(slot) != 1:
    sys.exit(f"build-web: {path}: the glue's imports object is not where it was ({slot!r}): "
             "update split_ui in scripts/build-web.sh for this wasm-bindgen")
js = js.replace(slot, slot + "\n        placeholder: lazyPlaceholders(() => wasm),")
js = "import { lazyPlaceholders } from './assets/lazy.js';\n" + js
open(path, "w", encoding="utf-8").write(js)
PY
}
# The UI for size, in two halves when it can be split.
if can_split_ui; then
    split_ui
else
    optimise -Oz "$DIST/web_bg.wasm" "$DIST/web_bg.wasm"
fi

for name in web web_lazy web_worker; do
    [ -f "$DIST/${name}_bg.wasm" ] || continue
    f="$DIST/${name}_bg.wasm"
    log "dist/ ready: ${name}_bg.wasm $(($(stat -c %s "$f") / 1024)) KiB ($(($(gzip -9 -c "$f" | wc -c) / 1024)) KiB gzipped)"
done
