#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Lists a module's .BTF_ids by name: every id slot resolve_btfids patched
(symbols __BTF_ID__<kind>__<name>__<n>), the type its id names in the
module's BTF, and every set (__BTF_ID__set__ / __BTF_ID__set8__) with its
entries and whether they are sorted by id, as the kernel needs.

    btf-ids.py MODULE.ko [--base BASE.btf] [--names]

The module's BTF is its .BTF over its .BTF.base, or over BASE (raw BTF, the
vmlinux a classic module is split over). --names leaves the ids out and
lists set entries by name, so that a module's listing before and after its
BTF was renumbered (btf-distill) can be compared with diff.

Deliberately independent of the btfkit library (its own reading of ELF
symbols and of BTF, the BTF records through utils/kernel-modules/btfraw.py):
the tests compare btfkit's rewriting of .BTF_ids with a second reading.
Exit status 1 when a slot names a type that is not what its symbol says or
a set is not sorted.
"""
import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "kernel-modules"))
import btfraw  # noqa: E402

KINDS = ("struct", "union", "typedef", "func", "set8", "set")
BTF_KIND = {"struct": "STRUCT", "union": "UNION", "typedef": "TYPEDEF",
            "func": "FUNC"}


def elf(path):
    """(sections {name: (index, addr, bytes)}, symbols [(name, shndx,
    value)], endian prefix) of an ELF file of either class and order."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF":
        sys.exit("%s: not an ELF file" % path)
    wide, e = data[4] == 2, "<" if data[5] == 1 else ">"
    if wide:
        shoff, = struct.unpack_from(e + "Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(e + "HHH", data, 0x3A)
        shfmt, symfmt = e + "IIQQQQIIQQ", e + "IBBHQQ"
    else:
        shoff, = struct.unpack_from(e + "I", data, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(e + "HHH", data, 0x2E)
        shfmt, symfmt = e + "IIIIIIIIII", e + "IIIBBH"
    heads = [struct.unpack_from(shfmt, data, shoff + i * shentsize)
             for i in range(shnum)]

    def cstr(table, off):
        start = heads[table][4] + off
        return data[start:data.index(b"\0", start)].decode()
    sections, symbols = {}, []
    for i, h in enumerate(heads):
        name, typ, addr, off, size = h[0], h[1], h[3], h[4], h[5]
        sections[cstr(shstrndx, name)] = (i, addr, data[off:off + size])
        if typ == 2:  # SHT_SYMTAB
            step = struct.calcsize(symfmt)
            for k in range(size // step):
                s = struct.unpack_from(symfmt, data, off + k * step)
                if wide:
                    nm, shndx, value = s[0], s[3], s[4]
                else:
                    nm, value, shndx = s[0], s[1], s[5]
                symbols.append((cstr(h[6], nm), shndx, value))
    return sections, symbols, e


class Types:
    """id -> (KIND, name) over a base and a split blob."""

    def __init__(self, split, base=None):
        self.kinds = [("VOID", "")]
        base_strs = b""
        if base is not None:
            _, recs, base_strs = btfraw.parse(base)
            self.kinds += [self._entry(r, base_strs, b"", 0) for r in recs]
        _, recs, strs = btfraw.parse(split)
        self.kinds += [self._entry(r, base_strs, strs, len(base_strs))
                       for r in recs]

    @staticmethod
    def _entry(rec, base_strs, strs, base_len):
        off = rec[1]
        table, o = (base_strs, off) if off < base_len or not strs else \
            (strs, off - base_len)
        return btfraw.KINDS[rec[0]], table[o:table.index(b"\0", o)].decode()

    def __call__(self, tid):
        return self.kinds[tid] if tid < len(self.kinds) else ("PAST-END", "")


def parse_symbol(name):
    """(kind, name) of a __BTF_ID__ symbol, read as resolve_btfids reads it."""
    rest = name[len("__BTF_ID__"):]
    kind = next(k for k in KINDS if rest.startswith(k))
    rest = rest[len(kind) + 2:]
    if kind in ("set", "set8"):
        return kind, rest
    return kind, rest[:rest.rindex("_") - 1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("module")
    ap.add_argument("--base", help="raw BTF the module's .BTF is split over")
    ap.add_argument("--names", action="store_true",
                    help="leave ids out, list set entries by name")
    args = ap.parse_args()

    sections, symbols, e = elf(args.module)
    if ".BTF_ids" not in sections:
        sys.exit("%s: no .BTF_ids section" % args.module)
    shndx, addr, ids = sections[".BTF_ids"]
    base = open(args.base, "rb").read() if args.base else \
        sections.get(".BTF.base", (0, 0, None))[2]
    types = Types(sections[".BTF"][2], base)
    word = lambda off: struct.unpack_from(e + "I", ids, off)[0]  # noqa: E731

    slots = sorted((value - addr, parse_symbol(n), n) for n, i, value in symbols
                   if i == shndx and n.startswith("__BTF_ID__"))
    sets = []  # (kind, name, first entry offset, count, stride)
    for off, (kind, name), _ in slots:
        if kind in ("set", "set8"):
            head = 8 if kind == "set8" else 4
            sets.append((kind, name, off, off + head, word(off), head))
    bad = 0

    def describe(tid):
        if tid == 0:
            return "(unresolved)"
        k, n = types(tid)
        shown = "%s '%s'" % (k, n or "(anon)")
        return shown if args.names else "[%d] %s" % (tid, shown)

    for off, (kind, name), sym in slots:
        if kind in ("set", "set8") or any(
                b <= off < b + c * s and (off - b) % s == 0
                for _, _, _, b, c, s in sets):
            continue
        tid = word(off)
        ok = tid == 0 or types(tid) == (BTF_KIND[kind], name)
        bad += not ok
        print("%s %s '%s' -> %s%s" % ("" if args.names else "0x%x" % off, kind,
                                      name, describe(tid),
                                      "" if ok else "  MISMATCH"))
    for kind, name, off, begin, count, stride in sets:
        entries = [(word(begin + i * stride),
                    word(begin + i * stride + 4) if stride == 8 else None)
                   for i in range(count)]
        ordered = all(a[0] <= b[0] for a, b in zip(entries, entries[1:]))
        bad += not ordered
        flags = " flags=0x%x" % word(off + 4) if kind == "set8" else ""
        print("%s %s '%s' cnt=%d%s %s" % ("" if args.names else "0x%x" % off,
                                         kind, name, count, flags,
                                         "sorted" if ordered else "UNSORTED"))
        # The set was sorted after its symbols' words were patched: an entry
        # must be the type of one of them, wherever it ended up.
        members = {(BTF_KIND[k], n) for o, (k, n), _ in slots
                   if begin <= o < begin + count * stride and k in BTF_KIND}
        lines = []
        for tid, fl in entries:
            ok = tid == 0 or types(tid) in members
            bad += not ok
            lines.append("  %s%s%s" % (describe(tid), "" if fl is None else
                                       " flags=0x%x" % fl,
                                       "" if ok else "  NOT-A-MEMBER"))
        for line in sorted(lines) if args.names else lines:
            print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
