# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Small raw-BTF helpers for the kernel-module comparison (build-and-compare.py).

Deliberately independent of the btfkit library (a second reading of the
format, so the comparison does not only check btfkit against itself):

- fragment_blobs(obj): the blobs of the object's `.BTF.btfkit` fragment
  (docs/FragmentFormat.md), keyed by role, plus the manifest.
- rebase(standalone, base): a standalone BTF rewritten as split BTF over
  `base` without deduplicating (ids and string offsets shifted), so that
  `btf-dedup --base-btf=BASE` can deduplicate it against the base. This is
  the interim path while the plugin writes standalone types.
- respell_ints(split, names): the split BTF with some INT names replaced
  (e.g. clang's "unsigned long" by GCC's "long unsigned int").
- split_named(split): (kind, name) of the named types a split BTF defines.
"""
import struct
from collections import Counter

MAGIC = 0xEB9F
KINDS = {1: "INT", 2: "PTR", 3: "ARRAY", 4: "STRUCT", 5: "UNION", 6: "ENUM",
         7: "FWD", 8: "TYPEDEF", 9: "VOLATILE", 10: "CONST", 11: "RESTRICT",
         12: "FUNC", 13: "FUNC_PROTO", 14: "VAR", 15: "DATASEC", 16: "FLOAT",
         17: "DECL_TAG", 18: "TYPE_TAG", 19: "ENUM64"}
# Kinds whose third header word is a type id rather than a size.
TYPE_IN_HEADER = {2, 8, 9, 10, 11, 12, 13, 14, 17, 18}


class BTFError(Exception):
    pass


def header(data, off=0):
    if len(data) - off < 24:
        raise BTFError("truncated BTF header at offset %d" % off)
    magic, ver, flags, hdr_len = struct.unpack_from("<HBBI", data, off)
    if magic != MAGIC:
        raise BTFError("bad BTF magic 0x%x at offset %d" % (magic, off))
    type_off, type_len, str_off, str_len = struct.unpack_from("<IIII", data, off + 8)
    return dict(hdr_len=hdr_len, type_off=type_off, type_len=type_len,
                str_off=str_off, str_len=str_len,
                size=hdr_len + max(type_off + type_len, str_off + str_len))


def elf_section(path, name):
    """The contents of section `name` of a little-endian ELF64 file, or None."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise BTFError("%s: not a little-endian ELF64 file" % path)
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    secs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
            for i in range(shnum)]
    strtab = secs[shstrndx]
    for s in secs:
        start = strtab[4] + s[0]
        sname = data[start:data.index(b"\0", start)].decode()
        if sname == name:
            return data[s[4]:s[4] + s[5]]
    return None


def fragment_blobs(path):
    """(manifest dict, {role: bytes}) of the single fragment of object `path`."""
    sec = elf_section(path, ".BTF.btfkit")
    if sec is None:
        raise BTFError("%s: no .BTF.btfkit section (not built with the plugin?)" % path)
    blobs, off = [], 0
    while off < len(sec):
        if sec[off:off + 4] == b"\0\0\0\0":
            off += 4
            continue
        h = header(sec, off)
        blobs.append(sec[off:off + h["size"]])
        off += (h["size"] + 3) & ~3
    if not blobs:
        raise BTFError("%s: empty .BTF.btfkit section" % path)
    h = header(blobs[0])
    strs = blobs[0][h["hdr_len"] + h["str_off"]:][:h["str_len"]].split(b"\0")
    man = dict(s.decode().split("=", 1) for s in strs if b"=" in s)
    roles = man.get("blobs", "").split(",")
    if len(roles) != len(blobs) - 1:
        raise BTFError("%s: fragment lists %d blobs, section holds %d (several "
                       "fragments?)" % (path, len(roles), len(blobs) - 1))
    return man, dict(zip(roles, blobs[1:]))


def parse(data):
    """(header, [(kind, name_off, info, size_or_type, extra words offset...)], strings)."""
    h = header(data)
    types_start = h["hdr_len"] + h["type_off"]
    tsec = data[types_start:types_start + h["type_len"]]
    strs = data[h["hdr_len"] + h["str_off"]:][:h["str_len"]]
    recs, off = [], 0
    while off < len(tsec):
        name_off, info, st = struct.unpack_from("<III", tsec, off)
        kind, vlen = (info >> 24) & 0x1F, info & 0xFFFF
        extra = {1: 4, 3: 12, 4: 12 * vlen, 5: 12 * vlen, 6: 8 * vlen,
                 13: 8 * vlen, 14: 4, 15: 12 * vlen, 17: 4, 19: 12 * vlen}.get(kind, 0)
        if kind not in KINDS:
            raise BTFError("unknown BTF kind %d at type offset %d" % (kind, off))
        recs.append([kind, name_off, info, st, bytearray(tsec[off + 12:off + 12 + extra])])
        off += 12 + extra
    return h, recs, strs


_COUNTS = {}


def counts(data):
    """(number of types, string section length) of a standalone BTF.
    Memoized: the bases are parsed once per process, not once per object."""
    key = (len(data), hash(data))
    if key not in _COUNTS:
        h, recs, _ = parse(data)
        _COUNTS[key] = (len(recs), h["str_len"])
    return _COUNTS[key]


def serialize(recs, strs):
    tsec = b"".join(struct.pack("<III", r[1], r[2], r[3]) + bytes(r[4]) for r in recs)
    hdr = struct.pack("<HBBIIIII", MAGIC, 1, 0, 24, 0, len(tsec), len(tsec), len(strs))
    return hdr + tsec + strs


def _remap(recs, tid, soff):
    """Applies tid() to every type id slot and soff() to every name offset."""
    for r in recs:
        kind, vlen = r[0], r[2] & 0xFFFF
        r[1] = soff(r[1])
        if kind in TYPE_IN_HEADER:
            r[3] = tid(r[3])
        x = r[4]

        def fix(pos, f):
            v, = struct.unpack_from("<I", x, pos)
            struct.pack_into("<I", x, pos, f(v))
        if kind == 3:
            fix(0, tid)
            fix(4, tid)
        elif kind in (4, 5):
            for i in range(vlen):
                fix(12 * i, soff)
                fix(12 * i + 4, tid)
        elif kind in (6, 13):
            for i in range(vlen):
                fix(8 * i, soff)
                if kind == 13:
                    fix(8 * i + 4, tid)
        elif kind == 15:
            for i in range(vlen):
                fix(12 * i, tid)
        elif kind == 19:
            for i in range(vlen):
                fix(12 * i, soff)


def rebase(standalone, base):
    """`standalone` (bytes) as split BTF over `base` (bytes), not deduplicated."""
    nbase, base_strlen = counts(base)
    _, recs, strs = parse(standalone)
    _remap(recs, lambda t: t + nbase if t else 0,
           lambda s: s + base_strlen if s else 0)
    return serialize(recs, strs)


def respell_ints(split, base, names):
    """`split` (over `base`) with its INTs named by `names` {old: new} renamed."""
    nbase, base_strlen = counts(base)
    _, recs, strs = parse(split)
    strs = bytearray(strs)
    added = {}
    for r in recs:
        if r[0] != 1 or r[1] < base_strlen:
            old = None
        else:
            o = r[1] - base_strlen
            old = bytes(strs[o:strs.index(b"\0", o)]).decode()
        if old in names:
            new = names[old]
            if new not in added:
                added[new] = base_strlen + len(strs)
                strs += new.encode() + b"\0"
            r[1] = added[new]
    return serialize(recs, bytes(strs))


def named_types(data, base=None):
    """[(kind name, type name)] of the named types `data` defines."""
    base_strlen = counts(base)[1] if base is not None else 0
    base_strs = b""
    if base is not None:
        h = header(base)
        base_strs = base[h["hdr_len"] + h["str_off"]:][:h["str_len"]]
    _, recs, strs = parse(data)

    def name(off):
        if off < base_strlen:
            return base_strs[off:base_strs.index(b"\0", off)].decode()
        o = off - base_strlen
        return strs[o:strs.index(b"\0", o)].decode()
    return [(KINDS[r[0]], name(r[1])) for r in recs if r[1]]


def counts_split(data):
    """Number of types a (split or standalone) BTF blob defines."""
    return len(parse(data)[1])


def features(data, base):
    """What the types a split BTF over `base` defines exercise: counts of
    structs/unions with bitfields, unions, flexible-array structs, function
    prototypes, per-CPU variables, FUNCs."""
    nbase, base_strlen = counts(base)
    _, recs, strs = parse(data)
    hb = header(base)
    base_strs = base[hb["hdr_len"] + hb["str_off"]:][:hb["str_len"]]

    def name(off):
        if off < base_strlen:
            return base_strs[off:base_strs.index(b"\0", off)].decode()
        o = off - base_strlen
        return strs[o:strs.index(b"\0", o)].decode()
    local = {nbase + 1 + i: r for i, r in enumerate(recs)}
    f = Counter()
    for r in recs:
        kind, vlen, kflag = r[0], r[2] & 0xFFFF, r[2] >> 31
        if kind in (4, 5):
            if kind == 5:
                f["union"] += 1
            if kflag and any(struct.unpack_from("<I", r[4], 12 * i + 8)[0] >> 24
                             for i in range(vlen)):
                f["bitfields"] += 1
            if vlen:
                last, = struct.unpack_from("<I", r[4], 12 * (vlen - 1) + 4)
                t = local.get(last)
                if t and t[0] == 3 and struct.unpack_from("<I", t[4], 8)[0] == 0:
                    f["flex-array"] += 1
        elif kind == 13:
            f["func-proto"] += 1
        elif kind == 12:
            f["func"] += 1
        elif kind == 15 and name(r[1]) == ".data..percpu":
            f["percpu-var"] += vlen
    return f
