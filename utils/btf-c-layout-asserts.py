#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Turn a raw BTF listing into C11 static assertions of its layout, to be
compiled together with the C header `btf-dump --format=c` prints for the
same BTF: they hold only if the C compiler lays out every type exactly as
BTF records it.

    btf-c-layout-asserts.py [--base BASE_LISTING] LISTING [-o OUT]

LISTING is what `btf-dump FILE` (or bpftool) prints ("-": standard input). For every struct,
union and enum whose tag is unique in the listing (the C output renames
duplicates `name___2`, which cannot be matched here) it asserts
sizeof(struct X) == size (enums with enumerators only), and for each named non-bitfield member, also
those reached through anonymous struct/union members,
offsetof(struct X, m) == bits_offset / 8. Typedefs of anonymous structs,
unions and enums are checked through the typedef name. With --base, types
of the base listing can be looked through (split BTF) but get no asserts.
"""
import argparse
import re
import sys
from collections import Counter

TYPE_RE = re.compile(r"^\[(\d+)\] (\w+) '([^']*)'(.*)$")
MEMBER_RE = re.compile(r"^\t'([^']*)' type_id=(\d+) bits_offset=(\d+)(?: bitfield_size=(\d+))?")


def parse(path, types):
    """Fill types[id] = dict(kind, name, size, type, members) from a listing."""
    cur = None
    with (sys.stdin if path == "-" else open(path)) as f:
        for line in f:
            line = line.rstrip("\n")
            m = TYPE_RE.match(line)
            if m:
                tid, kind, name, rest = int(m.group(1)), m.group(2), m.group(3), m.group(4)
                fields = dict(re.findall(r"(\w+)=([^\s,]+)", rest))
                cur = {"kind": kind, "name": "" if name == "(anon)" else name,
                       "size": int(fields["size"]) if "size" in fields else None,
                       "type": int(fields["type_id"]) if "type_id" in fields else None,
                       "vlen": int(fields.get("vlen", 0)),
                       "members": []}
                types[tid] = cur
                continue
            m = MEMBER_RE.match(line)
            if m and cur is not None and cur["kind"] in ("STRUCT", "UNION"):
                cur["members"].append((m.group(1) if m.group(1) != "(anon)" else "",
                                       int(m.group(2)), int(m.group(3)),
                                       int(m.group(4) or 0)))


def strip_mods(types, tid):
    """Follow const/volatile/restrict/type_tag (not typedefs) to a type."""
    seen = 0
    while tid in types and types[tid]["kind"] in ("CONST", "VOLATILE", "RESTRICT", "TYPE_TAG") and seen < 64:
        tid = types[tid]["type"]
        seen += 1
    return tid


def flat_members(types, tid, base_off, depth=0):
    """(name, bit offset) of the named non-bitfield members of a struct,
    anonymous struct/union members flattened as C flattens them."""
    out = []
    if depth > 32:
        return out
    for name, mtype, off, bits in types[tid]["members"]:
        if name:
            if bits == 0:
                out.append((name, base_off + off))
            continue
        inner = strip_mods(types, mtype)
        t = types.get(inner)
        if t and t["kind"] in ("STRUCT", "UNION") and not t["name"]:
            out += flat_members(types, inner, base_off + off, depth + 1)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("listing")
    ap.add_argument("--base")
    ap.add_argument("-o", "--output")
    args = ap.parse_args()

    types = {}
    if args.base:
        parse(args.base, types)
    own = {}
    parse(args.listing, own)
    types.update(own)

    # Tags share one namespace in C; typedef names another.
    tags = Counter(t["name"] for t in types.values()
                   if t["name"] and t["kind"] in ("STRUCT", "UNION", "ENUM", "ENUM64"))
    idents = Counter(t["name"] for t in types.values() if t["name"] and t["kind"] == "TYPEDEF")

    lines = []

    def check(spelling, tid):
        t = types[tid]
        lines.append('_Static_assert(sizeof(%s) == %d, "sizeof %s");' % (spelling, t["size"], spelling))
        if t["kind"] in ("STRUCT", "UNION"):
            seen = Counter(n for n, _ in flat_members(types, tid, 0))
            for name, off in flat_members(types, tid, 0):
                if seen[name] == 1 and off % 8 == 0:
                    lines.append('_Static_assert(__builtin_offsetof(%s, %s) == %d, "offsetof %s.%s");'
                                 % (spelling, name, off // 8, spelling, name))

    for tid in sorted(own):
        t = own[tid]
        kind = t["kind"]
        if kind in ("STRUCT", "UNION", "ENUM", "ENUM64") and t["name"]:
            # An enum without enumerators is only declared (incomplete).
            if tags[t["name"]] != 1 or (kind.startswith("ENUM") and not t["vlen"]):
                continue
            kw = {"STRUCT": "struct", "UNION": "union"}.get(kind, "enum")
            check("%s %s" % (kw, t["name"]), tid)
        elif kind == "TYPEDEF" and idents[t["name"]] == 1:
            target = t["type"]
            tt = types.get(target)
            # Only typedefs of anonymous aggregates: the rest are checked
            # through their tag already.
            if tt and tt["kind"] in ("STRUCT", "UNION", "ENUM", "ENUM64") and not tt["name"]:
                check(t["name"], target)

    out = open(args.output, "w") if args.output else sys.stdout
    out.write("\n".join(lines) + ("\n" if lines else ""))


if __name__ == "__main__":
    main()
