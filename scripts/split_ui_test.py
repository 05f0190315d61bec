#!/usr/bin/env python3
"""Tests of scripts/split_ui.py's and scripts/wasmbin.py's pieces on hand-made modules (the whole split is tested by the
browser tests, which run the page on the two halves). Run: python3 scripts/split_ui_test.py"""

import os
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import split_ui  # noqa: E402
import wasmbin as W  # noqa: E402


def section(sid, body, name=None):
    if name is not None:
        body = W.enc_name(name) + body
    return bytes([sid]) + W.enc_u(len(body)) + body


def vec(items):
    return W.enc_u(len(items)) + b"".join(items)


HEADER = b"\0asm\x01\0\0\0"
FUNC_TYPE = section(1, vec([b"\x60\x00\x00"]))  # () -> ()


def module(*sections):
    return HEADER + b"".join(sections)


class Leb(unittest.TestCase):
    def test_round_trips(self):
        for n in [0, 1, 63, 64, 127, 128, 1 << 20, (1 << 32) - 1]:
            self.assertEqual(W.leb_u(W.enc_u(n), 0), (n, len(W.enc_u(n))))
        for n in [0, 1, -1, 63, -64, 64, -65, 1048576, -(1 << 31)]:
            self.assertEqual(W.leb_s(W.enc_s(n), 0), (n, len(W.enc_s(n))))


class Runs(unittest.TestCase):
    def test_unkept_runs_are_the_zero_stretches(self):
        mask = bytearray([1, 0, 0, 1, 1, 0, 1, 0])
        self.assertEqual(split_ui.unkept_runs(mask, 100), [[101, 103], [105, 106], [107, 108]])

    def test_joined_closes_small_gaps_only(self):
        runs = [[0, 10], [12, 20], [100, 110]]
        self.assertEqual(split_ui.joined(runs, gap=16), [[0, 20], [100, 110]])
        self.assertEqual(split_ui.joined(runs, gap=2), [[0, 10], [12, 20], [100, 110]])


class MemoryImage(unittest.TestCase):
    def test_later_modules_write_over_earlier_ones(self):
        def data(*segs):
            return module(section(11, vec([b"\0\x41" + W.enc_s(a) + b"\x0b" + W.enc_u(len(d)) + d for a, d in segs])))

        primary = data((100, b"ab\0\0e"))
        secondary = data((102, b"cd"))
        self.assertEqual(split_ui.memory_image([primary], 99, 106), bytearray(b"\0ab\0\0e\0"))
        self.assertEqual(split_ui.memory_image([primary, secondary], 100, 105), bytearray(b"abcde"))


class Sections(unittest.TestCase):
    def test_reads_imports_code_data_and_names(self):
        imports = section(2, vec([W.enc_name("m") + W.enc_name("f") + b"\x00\x00"]))
        funcs = section(3, vec([b"\x00", b"\x00"]))
        body = b"\x00\x0b"  # no locals; end
        code = section(10, vec([W.enc_u(len(body)) + body] * 2))
        data = section(11, vec([b"\x00\x41" + W.enc_s(1048576) + b"\x0b" + W.enc_u(3) + b"abc"]))
        names = section(0, b"\x01" + W.enc_u(len(vec([W.enc_u(1) + W.enc_name("one"), W.enc_u(2) + W.enc_name("two")])))
                        + vec([W.enc_u(1) + W.enc_name("one"), W.enc_u(2) + W.enc_name("two")]), name="name")
        b = module(FUNC_TYPE, imports, funcs, code, data, names)
        self.assertEqual(W.function_imports(b), 1)
        self.assertEqual(W.function_names(b), {1: "one", 2: "two"})
        self.assertEqual(len(W.code_bodies(b)), 2)
        (addr, at, size), = W.data_segments(b)
        self.assertEqual((addr, size, b[at:at + size]), (1048576, 3, b"abc"))

    def test_strip_relocs_keeps_everything_else(self):
        keep = section(0, b"x", name="producers")
        b = module(FUNC_TYPE, section(0, b"\x02", name="linking"), section(0, b"", name="reloc.CODE"), keep)
        with tempfile.TemporaryDirectory() as d:
            src, dst = os.path.join(d, "a.wasm"), os.path.join(d, "b.wasm")
            W.write_bytes(src, b)
            split_ui.strip_relocs(src, dst)
            self.assertEqual(W.read_bytes(dst), module(FUNC_TYPE, keep))


class Rename(unittest.TestCase):
    def test_only_the_exports_wasm_split_added_are_renamed_in_both_modules(self):
        def exports(*names):
            return section(7, vec([W.enc_name(n) + b"\x00" + W.enc_u(k) for k, n in enumerate(names)]))

        ui = module(exports("memory", "__wbindgen_malloc"))
        primary = module(exports("memory", "__wbindgen_malloc", "a_long_mangled_name", "another"))
        imports = [("primary", "memory"), ("primary", "a_long_mangled_name"), ("primary", "another"), ("env", "another")]
        secondary = module(section(2, vec([W.enc_name(m) + W.enc_name(n) + b"\x00\x00" for m, n in imports])))
        p, s, renamed = split_ui.rename_split_exports(ui, primary, secondary)
        self.assertEqual(renamed, 2)
        self.assertEqual([n for n, _ in W.entries(p, 7, W.read_export)[1]], ["memory", "__wbindgen_malloc", "_0", "_1"])
        self.assertEqual([(m, n) for m, n, _ in W.entries(s, 2, W.read_import)[1]],
                         [("primary", "memory"), ("primary", "_0"), ("primary", "_1"), ("env", "another")])


if __name__ == "__main__":
    unittest.main(verbosity=1)
