#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Assemble raw BTF from a bpftool-style listing (the text `btf-dump` and
`bpftool btf dump file F` print), for hand-made test inputs.

    btf-asm.py [--base BASE.btf] [-o OUT] [--big-endian] [--layout] [LISTING]

Each type is one line "[ID] KIND 'name' key=value ...", followed by one
tab-indented line per member / enumerator / parameter / section entry,
exactly as bpftool prints them:

    [1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
    [2] STRUCT 'pair' size=8 vlen=2
            'a' type_id=1 bits_offset=0
            'b' type_id=1 bits_offset=32 bitfield_size=3
    [3] PTR '(anon)' type_id=2

'(anon)' is name offset 0. With --base, ids must continue the base's and
strings go to a split string table. Blank lines and '#' comments are
ignored. To make broken inputs on purpose, a type line may also carry
  name_off=N      the raw name offset (instead of the quoted name)
  vlen=N          the vlen to store, whatever number of element lines follow
  kind_flag=0|1   the kind flag to store
  info=0xHEX      the whole info word
and a kind may be given as KIND<n> (e.g. KIND25) with raw=W,W,... words
following the common record. --layout writes a 32-byte header and a layout
section (plus --layout-extra=INFO:ELEM,... for kinds above ENUM64).
"""
import argparse
import re
import struct
import sys

KINDS = ["UNKNOWN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD",
         "TYPEDEF", "VOLATILE", "CONST", "RESTRICT", "FUNC", "FUNC_PROTO",
         "VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64"]
# (info size, element size) per known kind.
LAYOUT = {1: (4, 0), 2: (0, 0), 3: (12, 0), 4: (0, 12), 5: (0, 12), 6: (0, 8),
          7: (0, 0), 8: (0, 0), 9: (0, 0), 10: (0, 0), 11: (0, 0), 12: (0, 0),
          13: (0, 8), 14: (4, 0), 15: (0, 12), 16: (0, 0), 17: (4, 0),
          18: (0, 0), 19: (0, 12)}
INT_ENC = {"(none)": 0, "SIGNED": 1, "CHAR": 2, "BOOL": 4}
LINKAGE_FUNC = {"static": 0, "global": 1, "extern": 2}
LINKAGE_VAR = {"static": 0, "global": 1, "extern": 2}


def fail(msg):
    sys.exit("btf-asm: " + msg)


def base_counts(path):
    """Number of types and string bytes of a raw base BTF (little-endian)."""
    data = open(path, "rb").read()
    magic, ver, flags, hdr_len, toff, tlen, soff, slen = struct.unpack_from("<HBBIIIII", data)
    if magic != 0xEB9F:
        fail("%s: not little-endian raw BTF" % path)
    layout = {}
    if hdr_len >= 32:
        loff, llen = struct.unpack_from("<II", data, 24)
        for k in range(llen // 4):
            i, e, _ = struct.unpack_from("<BBH", data, hdr_len + loff + 4 * k)
            layout[k] = (i, e)
    pos, end, n = hdr_len + toff, hdr_len + toff + tlen, 0
    while pos < end:
        _, info, _ = struct.unpack_from("<III", data, pos)
        kind, vlen = (info >> 24) & 0x7F, info & 0xFFFFFF
        i, e = LAYOUT.get(kind) or layout.get(kind) or fail("base: unknown kind %d" % kind)
        pos += 12 + i + vlen * e
        n += 1
    return n, slen


class Strings:
    def __init__(self, start, split):
        self.start = start
        self.data = bytearray() if split else bytearray(b"\0")
        self.index = {}

    def add(self, s):
        if s == "":
            return 0
        if s not in self.index:
            self.index[s] = self.start + len(self.data)
            self.data += s.encode() + b"\0"
        return self.index[s]


def parse_kv(text):
    kv = {}
    for m in re.finditer(r"(\w+)=([^\s,]+(?:,[^\s,]+)*)", text):
        kv[m.group(1)] = m.group(2)
    return kv


def num(s):
    s = s.rstrip("LU") if re.match(r"^-?\d+(ULL|LL)$", s) else s
    return int(s, 0)


def name_of(quoted):
    return "" if quoted == "(anon)" else quoted


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("listing", nargs="?")
    ap.add_argument("--base")
    ap.add_argument("-o", "--output")
    ap.add_argument("--big-endian", action="store_true")
    ap.add_argument("--layout", action="store_true")
    ap.add_argument("--layout-extra", default="")
    args = ap.parse_args()
    text = open(args.listing).read() if args.listing else sys.stdin.read()

    first_id, str_start = 1, 0
    if args.base:
        n, slen = base_counts(args.base)
        first_id, str_start = n + 1, slen
    strs = Strings(str_start, bool(args.base))

    # Group the listing into (type line, element lines).
    types = []
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if raw.startswith("["):
            types.append((raw, []))
        elif raw[0] in " \t":
            if not types:
                fail("element line before any type: %r" % raw)
            types[-1][1].append(raw.strip())
        else:
            fail("cannot read line: %r" % raw)

    words = []
    for n, (line, elems) in enumerate(types):
        m = re.match(r"\[(\d+)\]\s+(\w+)\s+'([^']*)'(.*)$", line)
        if not m:
            fail("bad type line: %r" % line)
        tid, kname, name, rest = int(m.group(1)), m.group(2), name_of(m.group(3)), m.group(4)
        if tid != first_id + n:
            fail("type [%d] should be [%d]" % (tid, first_id + n))
        kv = parse_kv(rest)
        if kname in KINDS:
            kind = KINDS.index(kname)
        elif kname.startswith("KIND") and kname[4:].isdigit():
            kind = int(kname[4:])
        else:
            fail("unknown kind %s" % kname)
        name_off = num(kv["name_off"]) if "name_off" in kv else strs.add(name)
        kflag, size_or_type, extra, vlen = 0, 0, [], len(elems)
        if kind == 1:
            size_or_type = num(kv["size"])
            bits = num(kv.get("nr_bits", str(size_or_type * 8)))
            enc = INT_ENC.get(kv.get("encoding", "(none)"), None)
            if enc is None:
                enc = num(kv["encoding"])
            extra = [(enc << 24) | (num(kv.get("bits_offset", "0")) << 16) | bits]
        elif kind in (2, 8, 9, 10, 11, 18):
            size_or_type = num(kv["type_id"])
        elif kind == 3:
            extra = [num(kv["type_id"]), num(kv["index_type_id"]), num(kv["nr_elems"])]
        elif kind in (4, 5):
            size_or_type = num(kv["size"])
            for e in elems:
                em = re.match(r"'([^']*)'(.*)$", e)
                ekv = parse_kv(em.group(2))
                off, bsz = num(ekv["bits_offset"]), num(ekv.get("bitfield_size", "0"))
                if bsz:
                    kflag = 1
                extra += [strs.add(name_of(em.group(1))), num(ekv["type_id"]), (bsz << 24) | off]
        elif kind in (6, 19):
            size_or_type = num(kv["size"])
            kflag = 1 if kv.get("encoding") == "SIGNED" else 0
            for e in elems:
                em = re.match(r"'([^']*)'\s+val=(\S+)", e)
                v = num(em.group(2))
                if kind == 6:
                    extra += [strs.add(name_of(em.group(1))), v & 0xFFFFFFFF]
                else:
                    v &= (1 << 64) - 1
                    extra += [strs.add(name_of(em.group(1))), v & 0xFFFFFFFF, v >> 32]
        elif kind == 7:
            kflag = 1 if kv.get("fwd_kind") == "union" else 0
        elif kind == 12:
            size_or_type = num(kv["type_id"])
            vlen = LINKAGE_FUNC[kv.get("linkage", "static")]
        elif kind == 13:
            size_or_type = num(kv["ret_type_id"])
            for e in elems:
                em = re.match(r"'([^']*)'\s+type_id=(\S+)", e)
                extra += [strs.add(name_of(em.group(1))), num(em.group(2))]
        elif kind == 14:
            size_or_type = num(kv["type_id"])
            extra = [LINKAGE_VAR[kv.get("linkage", "static")]]
        elif kind == 15:
            size_or_type = num(kv["size"])
            for e in elems:
                ekv = parse_kv(e)
                extra += [num(ekv["type_id"]), num(ekv["offset"]), num(ekv["size"])]
        elif kind == 16:
            size_or_type = num(kv["size"])
        elif kind == 17:
            size_or_type = num(kv["type_id"])
            extra = [num(kv.get("component_idx", "-1")) & 0xFFFFFFFF]
        else:
            size_or_type = num(kv.get("size", kv.get("type_id", "0")))
        if "raw" in kv:
            extra = [num(w) & 0xFFFFFFFF for w in kv["raw"].split(",")]
        if "vlen" in kv and kind not in (12,):
            vlen = num(kv["vlen"])
        if "kind_flag" in kv:
            kflag = num(kv["kind_flag"])
        info = (kflag << 31) | (kind << 24) | (vlen & 0xFFFFFF)
        if "info" in kv:
            info = num(kv["info"])
        words += [name_off, info, size_or_type & 0xFFFFFFFF] + extra

    e = ">" if args.big_endian else "<"
    type_bytes = struct.pack(e + "%dI" % len(words), *words)
    layout = b""
    if args.layout:
        entries = [LAYOUT.get(k, (0, 0)) for k in range(20)]
        for item in filter(None, args.layout_extra.split(",")):
            i, el = item.split(":")
            entries.append((int(i), int(el)))
        layout = b"".join(struct.pack(e + "BBH", i, el, 0) for i, el in entries)
    hdr_len = 32 if args.layout else 24
    type_off, str_off = 0, len(type_bytes) + len(layout)
    hdr = struct.pack(e + "HBBIIIII", 0xEB9F, 1, 0, hdr_len, type_off,
                      len(type_bytes), str_off, len(strs.data))
    if args.layout:
        hdr += struct.pack(e + "II", len(type_bytes), len(layout))
    blob = hdr + type_bytes + layout + bytes(strs.data)
    out = open(args.output, "wb") if args.output else sys.stdout.buffer
    out.write(blob)


if __name__ == "__main__":
    main()
