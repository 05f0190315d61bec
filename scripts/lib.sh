# Shared helpers for the scripts in this folder. Source it; do not run it.
# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables are used by the scripts that source this

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WASM_TARGET=wasm32-unknown-unknown
# Debian packages of the "debian" route (Rust for wasm32 via build-std).
DEBIAN_RUST_PKGS=(rustc-web cargo-web rust-web-src)
# Debian packages of either route when apt-get exists: wasm-opt and the test browser.
DEBIAN_TOOL_PKGS=(binaryen chromium chromium-driver)
CHROMIUM=/usr/bin/chromium

log() { printf '%s: %s\n' "${SCRIPT_NAME:-$(basename "$0")}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The rustup toolchain's rustc (not Debian's /usr/bin/rustc), or nothing.
rustup_rustc() {
    if command -v rustup >/dev/null 2>&1; then
        timeout 30 rustup which rustc 2>/dev/null || true
    fi
}

# Prints "rustup", "debian" or "none". Never touches the network.
detect_route() {
    if command -v rustup >/dev/null 2>&1 \
        && timeout 30 rustup target list --installed 2>/dev/null | grep -qx "$WASM_TARGET"; then
        echo rustup
    elif command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then
        echo debian
    else
        echo none
    fi
}

# True if the Debian package is installed.
deb_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# The exact version of a package in Cargo.lock (first match), or nothing.
lock_version() {
    awk -v name="$1" '
        $0 == "name = \"" name "\"" { found = 1; next }
        found && /^version = / { gsub(/"/, "", $3); print $3; exit }
    ' "$REPO_ROOT/Cargo.lock"
}

# A linker for wasm32 on the debian route: the rustup toolchain's rust-lld, else
# Debian's rust-lld, else wasm-ld from an lld package.
wasm_linker() {
    local rustc sysroot cand
    rustc="$(rustup_rustc)"
    if [ -n "$rustc" ]; then
        sysroot="$("$rustc" --print sysroot 2>/dev/null || true)"
        cand="$sysroot/lib/rustlib/$("$rustc" -vV | sed -n 's/^host: //p')/bin/rust-lld"
        if [ -n "$sysroot" ] && [ -x "$cand" ]; then echo "$cand"; return 0; fi
    fi
    for cand in /usr/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld \
        "$(command -v wasm-ld 2>/dev/null || true)" /usr/bin/wasm-ld-*; do
        if [ -n "$cand" ] && [ -x "$cand" ]; then echo "$cand"; return 0; fi
    done
    return 1
}

# cargo install puts wasm-bindgen here; make sure we find it.
case ":$PATH:" in
    *":$HOME/.cargo/bin:"*) ;;
    *) export PATH="$HOME/.cargo/bin:$PATH" ;;
esac

# serve_dir DIR WHAT: serves DIR over HTTP on a free port in the background (scripts/serve.py)
# and waits for it; sets SERVER_PID, SERVER_LOG and SERVER_URL. WHAT names the server in errors.
# The caller stops it: kill "$SERVER_PID"; rm -f "$SERVER_LOG".
serve_dir() {
    local dir="$1" what="$2"
    command -v python3 >/dev/null 2>&1 || die "python3 not found"
    SERVER_LOG="$(mktemp)"
    python3 "$REPO_ROOT/scripts/serve.py" --port 0 --dir "$dir" --quiet >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    SERVER_URL=""
    for _ in $(seq 1 100); do
        SERVER_URL="$(sed -n 's/^serving .* at \(http:[^ ]*\)$/\1/p' "$SERVER_LOG")"
        [ -n "$SERVER_URL" ] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$SERVER_LOG" >&2; die "$what exited"; }
        sleep 0.1
    done
    cat "$SERVER_LOG" >&2
    die "$what did not start within 10 s"
}
