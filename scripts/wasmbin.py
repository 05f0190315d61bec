"""Reading and writing WebAssembly binaries, as much as scripts/split_ui.py needs: LEB128
numbers, names, sections, and the entries of the import, export, function-name, code and data
sections."""

import sys


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)


def leb(b, i, signed=False):
    """The LEB128 number at b[i]: (value, index after it)."""
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            if signed and x & 0x40:
                r -= 1 << s
            return r, i


def leb_u(b, i):
    return leb(b, i)


def leb_s(b, i):
    return leb(b, i, signed=True)


def enc_u(n):
    out = bytearray()
    while True:
        x = n & 0x7F
        n >>= 7
        if n:
            out.append(x | 0x80)
        else:
            out.append(x)
            return bytes(out)


def enc_s(n):
    out = bytearray()
    while True:
        x = n & 0x7F
        n >>= 7
        if (n == 0 and not x & 0x40) or (n == -1 and x & 0x40):
            out.append(x)
            return bytes(out)
        out.append(x | 0x80)


def read_name(b, i):
    n, i = leb_u(b, i)
    return b[i : i + n].decode("utf-8"), i + n


def enc_name(s):
    raw = s.encode("utf-8")
    return enc_u(len(raw)) + raw


def sections(b):
    """The module's sections: id, start (of the id byte), body (of the payload), end, name."""
    if b[:8] != b"\0asm\x01\0\0\0":
        sys.exit("wasmbin: not a wasm module (version 1)")
    i, out = 8, []
    while i < len(b):
        sid = b[i]
        size, body = leb_u(b, i + 1)
        end = body + size
        name = None
        if sid == 0:
            name, body = read_name(b, body)
        out.append({"id": sid, "start": i, "body": body, "end": end, "name": name})
        i = end
    return out


def section(b, sid, name=None, required=True):
    for s in sections(b):
        if s["id"] == sid and s["name"] == name:
            return s
    if required:
        sys.exit(f"wasmbin: no section {sid} {name or ''}")
    return None


def replace_section(b, s, body):
    head = bytes([s["id"]]) + enc_u(len(body))
    return b[: s["start"]] + head + body + b[s["end"] :]


def function_imports(b):
    """How many functions the module imports (their indices come first)."""
    if not section(b, 2, required=False):
        return 0
    return sum(1 for _, _, desc in entries(b, 2, read_import)[1] if desc[0] == 0)


def skip_import_desc(b, i):
    kind = b[i]
    i += 1
    if kind == 0:
        _, i = leb_u(b, i)
    elif kind in (1, 2):  # table (reftype, limits) / memory (limits)
        if kind == 1:
            i += 1
        flags, i = leb_u(b, i)
        _, i = leb_u(b, i)
        if flags & 1:
            _, i = leb_u(b, i)
    elif kind == 3:  # global: valtype, mutability
        i += 2
    else:
        sys.exit(f"wasmbin: unknown import kind {kind}")
    return i, kind


def function_names(b):
    """Function index -> name, from the name section."""
    s = section(b, 0, "name")
    i, out = s["body"], {}
    while i < s["end"]:
        sub = b[i]
        size, j = leb_u(b, i + 1)
        if sub == 1:
            n, p = leb_u(b, j)
            for _ in range(n):
                idx, p = leb_u(b, p)
                out[idx], p = read_name(b, p)
        i = j + size
    return out


def code_bodies(b):
    """[(start, end)] of each function body, as offsets into the code section's payload."""
    s = section(b, 10)
    i = s["body"]
    n, i = leb_u(b, i)
    out = []
    for _ in range(n):
        size, j = leb_u(b, i)
        out.append((i - s["body"], j + size - s["body"]))
        i = j + size
    return out


def data_segments(b):
    """[(address, payload offset in the file, size)] of the active segments of memory 0."""
    s = section(b, 11, required=False)
    if not s:
        return []
    i = s["body"]
    n, i = leb_u(b, i)
    out = []
    for _ in range(n):
        flags, i = leb_u(b, i)
        if flags != 0 or b[i] != 0x41:
            sys.exit("wasmbin: a data segment that is not active at an i32.const")
        addr, i = leb_s(b, i + 1)
        if b[i] != 0x0B:
            sys.exit("wasmbin: a data segment offset that is not one i32.const")
        size, i = leb_u(b, i + 1)
        out.append((addr, i, size))
        i += size
    return out


def entries(b, sid, read_one):
    """Section `sid` and its entries, each read by read_one(b, i) -> (entry, index after it)."""
    s = section(b, sid)
    n, i = leb_u(b, s["body"])
    out = []
    for _ in range(n):
        entry, i = read_one(b, i)
        out.append(entry)
    return s, out


def read_export(b, i):
    """(name, kind and index as bytes)."""
    nm, i = read_name(b, i)
    _, j = leb_u(b, i + 1)
    return (nm, b[i:j]), j


def read_import(b, i):
    """(module, name, description as bytes)."""
    mod, i = read_name(b, i)
    nm, i = read_name(b, i)
    j, _ = skip_import_desc(b, i)
    return (mod, nm, b[i:j]), j
