#!/usr/bin/env bash
# Builds the web front end (web/) for wasm32 in release mode into dist/, a static
# site: index.html, assets/, the wasm-bindgen JS glue and the .wasm module.
# Run scripts/setup.sh first (serve.sh and test.sh do).
set -euo pipefail
SCRIPT_NAME=build-web
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

DIST="$REPO_ROOT/dist"
CRATE=web
# Small code for the UI, fast code for the checker; set here so native release builds keep
# opt-level 3. The UI (yew, serde, the web crate, ...) is built for size (z); the model and the
# allocator/hash-table/std code its exhaustive search spends its time in keep opt-level 3.
# No LTO: fat LTO re-optimises everything at the final crate's level, which either slows the
# checker (z) or grows the UI (s). Measured with scripts/bench-web.sh on the Debian route:
# ~35 KiB gzipped smaller than opt-level s with fat LTO, and the checker no slower.
export CARGO_PROFILE_RELEASE_OPT_LEVEL="${CARGO_PROFILE_RELEASE_OPT_LEVEL:-z}"
export CARGO_PROFILE_RELEASE_LTO="${CARGO_PROFILE_RELEASE_LTO:-false}"
export CARGO_PROFILE_RELEASE_DEBUG=false
export CARGO_PROFILE_RELEASE_STRIP="${CARGO_PROFILE_RELEASE_STRIP:-debuginfo}"
# Built at opt-level 3: the hash table the checker's visited set lives in; the model itself
# (core-sim) at CORE_OPT, default 3 (s or z are ~25 KiB smaller but the checker gets ~1.5x
# slower in the browser); and the crates std is built from on the Debian route (-Zbuild-std).
FAST=(hashbrown)
FAST_STD=(alloc core compiler_builtins dlmalloc)
fast_config() {
    local p
    for p in "$@"; do printf -- '--config\nprofile.release.package.%s.opt-level=3\n' "$p"; done
    local o="${CORE_OPT:-3}"
    case "$o" in s | z) o="\"$o\"" ;; esac
    printf -- '--config\nprofile.release.package.core-sim.opt-level=%s\n' "$o"
}

ROUTE="$(detect_route)"
case "$ROUTE" in
    rustup)
        export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"
        log "cargo build -p $CRATE --release --target $WASM_TARGET (rustup route)"
        mapfile -t CONFIG < <(fast_config "${FAST[@]}")
        cargo build -p "$CRATE" --release --target "$WASM_TARGET" "${CONFIG[@]}"
        ;;
    debian)
        for f in /usr/bin/rustc /usr/bin/cargo; do
            [ -x "$f" ] || die "$f missing: run scripts/setup.sh"
        done
        LINKER="$(wasm_linker)" || die "no wasm linker (rust-lld or wasm-ld) found: run scripts/setup.sh"
        # Debian's compiler gets its own target dir: the two compilers never share artifacts.
        export CARGO_TARGET_DIR="$REPO_ROOT/target/wasm"
        log "cargo build -p $CRATE --release --target $WASM_TARGET -Zbuild-std (Debian rustc-web route)"
        # Without reference types (std is rebuilt with the same flags): Debian 12's
        # wasm-opt (binaryen 108) cannot parse the table.fill they bring in. Build-std already
        # needs RUSTC_BOOTSTRAP, so three size flags come free: no file/line strings in panic
        # locations, no Debug formatting code (the page never shows {:?} output), and one copy of
        # each generic function for all crates (without LTO, each crate would make its own).
        mapfile -t CONFIG < <(fast_config "${FAST[@]}" "${FAST_STD[@]}")
        PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
            CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$LINKER" \
            CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${WEB_RUSTFLAGS--Ctarget-feature=-reference-types -Zlocation-detail=none -Zfmt-debug=none -Zshare-generics=y}" \
            /usr/bin/cargo build -p "$CRATE" --release --target "$WASM_TARGET" \
            -Zbuild-std=std,panic_abort "${CONFIG[@]}"
        ;;
    *)
        die "no way to build for $WASM_TARGET here. Run: rustup target add $WASM_TARGET"
        ;;
esac

WASM_IN="$CARGO_TARGET_DIR/$WASM_TARGET/release/$CRATE.wasm"
[ -f "$WASM_IN" ] || die "build produced no $WASM_IN"

command -v wasm-bindgen >/dev/null 2>&1 || die "wasm-bindgen not found: run scripts/setup.sh"
WB_WANT="$(lock_version wasm-bindgen)"
WB_HAVE="$(wasm-bindgen --version | awk '{print $2}')"
[ "$WB_HAVE" = "$WB_WANT" ] \
    || die "wasm-bindgen $WB_HAVE installed but Cargo.lock has $WB_WANT: run scripts/setup.sh"

rm -rf "$DIST"
mkdir -p "$DIST"
wasm-bindgen --target web --no-typescript --out-dir "$DIST" --out-name "$CRATE" "$WASM_IN"

WASM_OUT="$DIST/${CRATE}_bg.wasm"
if command -v wasm-opt >/dev/null 2>&1; then
    # The features rustc enables by default for wasm32 (bulk memory, reference types,
    # multivalue, ...); --detect-features cannot see them after wasm-bindgen.
    if wasm-opt -Oz --converge --enable-bulk-memory --enable-mutable-globals --enable-nontrapping-float-to-int \
        --enable-sign-ext --enable-reference-types --enable-multivalue \
        -o "$WASM_OUT.opt" "$WASM_OUT"; then
        mv "$WASM_OUT.opt" "$WASM_OUT"
    else
        rm -f "$WASM_OUT.opt"
        log "warning: wasm-opt ($(wasm-opt --version 2>/dev/null)) failed; keeping the unoptimised module"
    fi
else
    log "wasm-opt not found: skipping size optimisation"
fi

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

raw=$(stat -c %s "$WASM_OUT")
gz=$(gzip -9 -c "$WASM_OUT" | wc -c)
log "dist/ ready: ${CRATE}_bg.wasm $((raw / 1024)) KiB ($((gz / 1024)) KiB gzipped)"
