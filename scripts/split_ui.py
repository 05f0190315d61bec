#!/usr/bin/env python3
"""The data half of splitting the UI module (scripts/build-web.sh split_ui).

binaryen's wasm-split moves functions, not data: every string and table the linker placed in
.rodata stays in the primary module, which the first render loads. This moves the read-only data
that no primary function can reach into the secondary module, as active data segments that write
it into the shared memory when the secondary is instantiated; the primary's copy becomes zeros,
which wasm-opt then drops.

Why that is sound. The linker output (rust-lld --emit-relocs) records every address of a data
symbol that the code or the data hold: a relocation against the symbol. So the data a function
can touch without first being handed a pointer is the data its relocations name, and what that
data's own relocations name, and so on. A pointer the primary is handed at run time was made by
code that named the data, and if that code is in the secondary, the secondary has been loaded and
its segments written. The primary is split from the module wasm-bindgen made of the linker output,
before wasm-opt has inlined anything, so each primary function is one the linker saw (found by
name); the two wasm-bindgen adds (the start function, multi-value shims) are scanned for constants
that fall in .rodata. Only .rodata moves: the secondary's segments are written whenever it is
instantiated, and writable data would lose what the program stored there. `check` scans the split
primary's code for an address of a moved byte and fails the build on one; `verify-memory` checks
that the final halves, instantiated in turn, write the linker's data byte for byte.

  split_ui.py strip-relocs IN OUT
  split_ui.py move-data LINKED UI PRIMARY SECONDARY PRIMARY_OUT SECONDARY_OUT RANGES_JSON
  split_ui.py check LINKED PRIMARY RANGES_JSON
  split_ui.py verify-memory LINKED PRIMARY SECONDARY

LINKED is the linker's output (with relocations, mangled names), UI the wasm-bindgen module that
was split (wasm-bindgen --no-demangle), PRIMARY and SECONDARY wasm-split's outputs with names (-g).
move-data also gives the exports wasm-split added to the primary (named after the functions) short
names, in both modules.
"""

import bisect
import json
import os
import re
import subprocess
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wasmbin import (  # noqa: E402 (after the path)
    read_bytes,
    write_bytes,
    leb_u,
    leb_s,
    enc_u,
    enc_s,
    read_name,
    enc_name,
    sections,
    section,
    replace_section,
    function_imports,
    function_names,
    code_bodies,
    data_segments,
    entries,
    read_export,
    read_import,
)

USAGE = """  split_ui.py strip-relocs IN OUT
  split_ui.py move-data LINKED UI PRIMARY SECONDARY PRIMARY_OUT SECONDARY_OUT RANGES_JSON
  split_ui.py check LINKED PRIMARY RANGES_JSON
  split_ui.py verify-memory LINKED PRIMARY SECONDARY"""

# --- the linker's view: symbols and relocations -------------------------------------------------

MEMORY_ADDR = {3, 4, 5, 11, 14, 15, 16, 17, 23}  # R_WASM_MEMORY_ADDR_* (not TLS)
HAS_ADDEND = MEMORY_ADDR | {8, 9, 21, 22, 25}


def linked_view(path):
    """From the linker's output: .rodata's range, each data symbol's range, and for each
    function name and each data symbol the data symbols its relocations name."""
    b = read_bytes(path)
    secs = sections(b)
    segs = data_segments(b)
    if not segs:
        sys.exit(f"split_ui: {path} has no data")
    # The linker lays .rodata out first (rust-lld: .rodata, .data, then .bss).
    ro_lo, _, ro_size = segs[0]
    names = function_names(b)
    imported = function_imports(b)
    bodies = code_bodies(b)
    body_starts = [s for s, _ in bodies]
    link = section(b, 0, "linking", required=False)
    if not link:
        sys.exit(f"split_ui: {path} has no linking section: link with -Clink-arg=--emit-relocs")
    symbols = []
    i = link["body"]
    _, i = leb_u(b, i)  # version
    seg_sizes = [(a, sz) for a, _, sz in segs]
    while i < link["end"]:
        sub = b[i]
        size, j = leb_u(b, i + 1)
        if sub == 8:  # WASM_SYMBOL_TABLE
            n, p = leb_u(b, j)
            for _ in range(n):
                kind = b[p]
                flags, p = leb_u(b, p + 1)
                undefined = flags & 0x10
                if kind in (0, 2, 4, 5):
                    idx, p = leb_u(b, p)
                    if not undefined or flags & 0x40:
                        _, p = read_name(b, p)
                    symbols.append(("func", idx) if kind == 0 else ("other",))
                elif kind == 1:
                    _, p = read_name(b, p)
                    if undefined:
                        symbols.append(("other",))
                    else:
                        seg, p = leb_u(b, p)
                        off, p = leb_u(b, p)
                        sz, p = leb_u(b, p)
                        base = seg_sizes[seg][0]
                        symbols.append(("data", base + off, base + off + sz))
                elif kind == 3:
                    _, p = leb_u(b, p)
                    symbols.append(("other",))
                else:
                    sys.exit(f"split_ui: unknown symbol kind {kind}")
        i = j + size
    relocs = {}
    for s in secs:
        if s["name"] and s["name"].startswith("reloc."):
            p = s["body"]
            target, p = leb_u(b, p)
            n, p = leb_u(b, p)
            entries = []
            for _ in range(n):
                ty = b[p]
                off, p = leb_u(b, p + 1)
                idx, p = leb_u(b, p)
                addend = 0
                if ty in HAS_ADDEND:
                    addend, p = leb_s(b, p)
                entries.append((ty, off, idx, addend))
            relocs[secs[target]["id"]] = entries
    func_refs = defaultdict(set)  # function name -> data symbol indices
    targets = {}  # address a relocation makes (symbol + addend) -> the symbol
    for ty, off, idx, addend in relocs.get(10, []) + relocs.get(11, []):
        if ty in MEMORY_ADDR and symbols[idx][0] == "data":
            targets.setdefault(symbols[idx][1] + addend, idx)
    for ty, off, idx, _ in relocs.get(10, []):
        if ty in MEMORY_ADDR and symbols[idx][0] == "data":
            k = bisect.bisect_right(body_starts, off) - 1
            func_refs[names.get(imported + k, f"#{imported + k}")].add(idx)
    # Data that holds addresses of other data: the symbols containing each relocated word.
    data_syms = sorted((k for k, s in enumerate(symbols) if s[0] == "data"), key=lambda k: symbols[k][1])
    data_starts = [symbols[k][1] for k in data_syms]
    longest = max((symbols[k][2] - symbols[k][1] for k in data_syms), default=0)
    dsec = section(b, 11)
    seg_payload = [(a, at - dsec["body"], sz) for a, at, sz in segs]

    def containing(addr):
        j = bisect.bisect_right(data_starts, addr) - 1
        while j >= 0 and data_starts[j] >= addr - longest:
            k = data_syms[j]
            if symbols[k][1] <= addr < max(symbols[k][2], symbols[k][1] + 1):
                yield k
            j -= 1

    data_refs = defaultdict(set)
    for ty, off, idx, _ in relocs.get(11, []):
        if ty not in MEMORY_ADDR or symbols[idx][0] != "data":
            continue
        addr = next(a + off - at for a, at, sz in seg_payload if at <= off < at + sz)
        for k in containing(addr):
            data_refs[k].add(idx)
    return {
        "rodata": (ro_lo, ro_lo + ro_size),
        "symbols": symbols,
        "func_refs": func_refs,
        "data_refs": data_refs,
        "names": set(names.values()),
        "targets": targets,
    }


# --- the split ------------------------------------------------------------------------------------


def wasm_consts(path, wanted):
    """i32 constants and memory offsets in the named functions (binaryen's wasm-dis, which
    writes a name's characters other than [A-Za-z0-9_.$] as \\hh)."""
    def printed(n):
        return re.sub(r"[^A-Za-z0-9_.$]", lambda m: "".join("\\%02x" % c for c in m.group(0).encode()), n)

    wanted = {printed(n): n for n in wanted}
    text = subprocess.run(["wasm-dis", path], check=True, capture_output=True, text=True).stdout
    out, found, current = set(), set(), False
    for line in text.splitlines():
        m = re.match(r" \(func \$(\S+)", line)
        if m:
            current = m.group(1) in wanted
            if current:
                found.add(m.group(1))
            continue
        if line.startswith(" ("):
            current = False
        if current:
            out.update(int(v) for v in re.findall(r"(?:i32\.const |offset=)(-?\d+)", line))
    missing = set(wanted) - found
    if missing:
        sys.exit(f"split_ui: wasm-dis shows no function {sorted(missing)[:3]} of {path}")
    return out


def kept_rodata(view, primary_path):
    """A bytearray over .rodata, 1 where a primary function can reach the byte."""
    pb = read_bytes(primary_path)
    imported = function_imports(pb)
    primary_funcs = {n for i, n in function_names(pb).items() if i >= imported}
    known = view["names"]
    # wasm-bindgen and walrus keep a repeated name unique with a ".N" suffix.
    def original(n):
        return n if n in known else re.sub(r"\.\d+$", "", n)

    symbols = view["symbols"]
    keep = set()
    unknown = set()
    for f in primary_funcs:
        o = original(f)
        if o in known:
            keep |= view["func_refs"].get(o, set())
        else:
            unknown.add(f)
    lo, hi = view["rodata"]
    mask = bytearray(hi - lo)
    if unknown:
        # Functions the linker never saw (wasm-bindgen's): keep what their constants point at.
        for v in wasm_consts(primary_path, unknown):
            if lo <= v < hi:
                for k, s in enumerate(symbols):
                    if s[0] == "data" and s[1] <= v < max(s[2], s[1] + 1):
                        keep.add(k)
                mask[v - lo] = 1
    stack = list(keep)
    while stack:
        for t in view["data_refs"].get(stack.pop(), ()):
            if t not in keep:
                keep.add(t)
                stack.append(t)
    for k in keep:
        _, a, z = symbols[k]
        for x in range(max(a, lo), min(z, hi)):
            mask[x - lo] = 1
    return mask, len(unknown)


def unkept_runs(mask, lo):
    """The runs of .rodata no primary function can reach, as [start, end) addresses."""
    out = []
    x = 0
    while x < len(mask):
        if mask[x]:
            x += 1
            continue
        y = x
        while y < len(mask) and not mask[y]:
            y += 1
        out.append([lo + x, lo + y])
        x = y
    return out


def joined(runs, gap=16):
    """The runs with gaps under `gap` bytes closed, for fewer segments in the secondary: the
    kept bytes in a closed gap are read-only, so the secondary writes them again with the
    values they already hold (and the primary keeps them)."""
    out = []
    for a, z in runs:
        if out and a - out[-1][1] < gap:
            out[-1][1] = z
        else:
            out.append([a, z])
    return out


def short_name(k):
    digits = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$"
    s = ""
    while True:
        s = digits[k % 64] + s
        k //= 64
        if not k:
            return "_" + s


def rename_split_exports(ui, pb, sb):
    """wasm-split names the exports it adds to the primary after their functions (long mangled
    names, in both modules): gives them short ones."""
    ui_exports = {nm for nm, _ in entries(ui, 7, read_export)[1]} | {"memory", "table", "global"}
    mapping = {}
    s, exports = entries(pb, 7, read_export)
    for nm, _ in exports:
        if nm not in ui_exports:
            mapping[nm] = short_name(len(mapping))
    body = enc_u(len(exports)) + b"".join(enc_name(mapping.get(nm, nm)) + d for nm, d in exports)
    pb = replace_section(pb, s, body)
    s, imports = entries(sb, 2, read_import)
    body = enc_u(len(imports)) + b"".join(
        enc_name(mod) + enc_name(mapping.get(nm, nm) if mod == "primary" else nm) + d for mod, nm, d in imports
    )
    return pb, replace_section(sb, s, body), len(mapping)


def has_relocations(path):
    b = read_bytes(path)
    return section(b, 0, "linking", required=False) is not None


def move_data(linked, ui_path, primary, secondary, primary_out, secondary_out, ranges_json):
    if not has_relocations(linked):
        # A build without the linker's relocations (the rustup route): the functions are split,
        # all the data stays in the primary.
        print(f"split_ui: warning: {linked} has no relocations (-Clink-arg=--emit-relocs): no data moved", file=sys.stderr)
        pb, sb, _ = rename_split_exports(read_bytes(ui_path), read_bytes(primary), read_bytes(secondary))
        write_bytes(primary_out, pb)
        write_bytes(secondary_out, sb)
        write_bytes(ranges_json, json.dumps({"rodata": None, "moved": []}).encode())
        return
    view = linked_view(linked)
    lo, hi = view["rodata"]
    mask, unknown = kept_rodata(view, primary)
    runs = unkept_runs(mask, lo)
    pb = bytearray(read_bytes(primary))
    payload = []
    moved = 0
    for a, z in joined(runs):
        for addr, at, size in data_segments(pb):
            x0, x1 = max(a, addr), min(z, addr + size)
            if x0 >= x1:
                continue
            payload.append((x0, bytes(pb[at + x0 - addr : at + x1 - addr])))
            for x in range(x0, x1):
                if not mask[x - lo]:
                    pb[at + x - addr] = 0
                    moved += 1
    payload.sort()
    sb = read_bytes(secondary)
    if section(sb, 11, required=False) or section(sb, 12, required=False):
        sys.exit("split_ui: the secondary module already has data")
    body = enc_u(len(payload)) + b"".join(
        b"\0\x41" + enc_s(addr) + b"\x0b" + enc_u(len(data)) + data for addr, data in payload
    )
    code = section(sb, 10)
    sb = sb[: code["end"]] + b"\x0b" + enc_u(len(body)) + body + sb[code["end"] :]
    pb, sb, renamed = rename_split_exports(read_bytes(ui_path), bytes(pb), sb)
    write_bytes(primary_out, pb)
    write_bytes(secondary_out, sb)
    write_bytes(ranges_json, json.dumps({"rodata": [lo, hi], "moved": runs}).encode())
    print(
        f"split_ui: {moved} of {hi - lo} bytes of .rodata moved to the secondary module "
        f"({len(payload)} segments; {unknown} primary functions scanned for constants); "
        f"{renamed} exports renamed",
        file=sys.stderr,
    )


def check(linked, primary, ranges_json):
    """Fails if the code of the split primary (before wasm-opt) holds the address of a moved
    byte: a constant or memory offset that is an address some relocation makes (a symbol plus
    its addend) and lies in a moved run, other than the end of its symbol (the one-past-the-end
    pointer of a slice, which is never read). A second line of defence: move_data keeps every
    symbol a primary function's relocations name."""
    runs = json.loads(read_bytes(ranges_json))["moved"]
    if not runs:
        return
    view = linked_view(linked)
    symbols, targets = view["symbols"], view["targets"]
    starts = [a for a, _ in runs]
    text = subprocess.run(["wasm-dis", primary], check=True, capture_output=True, text=True).stdout
    code = "\n".join(line for line in text.splitlines() if not re.match(r" \((data|elem|global) ", line))
    hits = []
    for v in {int(v) for v in re.findall(r"(?:i32\.const |offset=)(-?\d+)", code)}:
        k = bisect.bisect_right(starts, v) - 1
        if k < 0 or not runs[k][0] <= v < runs[k][1] or v not in targets:
            continue
        if v != symbols[targets[v]][2]:
            hits.append(v)
    if hits:
        sys.exit(f"split_ui: the primary module's code holds addresses of moved data: {sorted(hits)[:10]}")
    print(f"split_ui: no address in the primary module's code points into the {len(runs)} moved runs", file=sys.stderr)


def memory_image(modules, lo, hi):
    """Bytes lo..hi of the memory after the modules' active data segments are written in turn
    onto zeros (as instantiating them in that order does)."""
    image = bytearray(hi - lo)
    for b in modules:
        for addr, at, size in data_segments(b):
            x0, x1 = max(lo, addr), min(hi, addr + size)
            if x0 < x1:
                image[x0 - lo : x1 - lo] = b[at + x0 - addr : at + x1 - addr]
    return image


def verify_memory(linked, primary, secondary):
    """Fails unless the final halves, instantiated primary first, leave memory as the linker laid
    it out; and unless the primary alone leaves every byte outside .rodata as the linker did."""
    lb = read_bytes(linked)
    segs = data_segments(lb)
    lo, hi = segs[0][0], max(a + sz for a, _, sz in segs)
    want = memory_image([lb], lo, hi)
    pb, sb = read_bytes(primary), read_bytes(secondary)
    if memory_image([pb, sb], lo, hi) != want:
        sys.exit("split_ui: the two halves together do not give the linker's memory image")
    alone = memory_image([pb], lo, hi)
    ro_end = segs[0][0] + segs[0][2]
    if alone[ro_end - lo :] != want[ro_end - lo :]:
        sys.exit("split_ui: the primary alone does not give the linker's writable data")
    moved = sum(1 for x, y in zip(alone, want) if x != y)
    print(f"split_ui: the halves give the linker's {hi - lo} bytes of data; the primary alone lacks {moved}", file=sys.stderr)


def strip_relocs(src, dst):
    """Drops the linker's linking and reloc.* sections (wasm-bindgen copies them, stale)."""
    b = read_bytes(src)
    out = bytearray(b[:8])
    for s in sections(b):
        if s["name"] == "linking" or (s["name"] or "").startswith("reloc."):
            continue
        out += b[s["start"] : s["end"]]
    write_bytes(dst, out)


def main(argv):
    commands = {"strip-relocs": (strip_relocs, 2), "move-data": (move_data, 7), "check": (check, 3), "verify-memory": (verify_memory, 3)}
    if len(argv) < 2 or argv[1] not in commands or len(argv) - 2 != commands[argv[1]][1]:
        sys.exit("usage:\n" + USAGE)
    fn, _ = commands[argv[1]]
    fn(*argv[2:])


if __name__ == "__main__":
    main(sys.argv)
