#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Normalize a bpftool-style raw BTF listing for comparison.

Reads the output of `bpftool btf dump file X` (or `btf-dump X`) and prints
one line per named type, FUNC, VAR, DATASEC, DECL_TAG and anonymous type,
with every type reference written out structurally (a named type by kind and
name, an anonymous one inline), sorted and without duplicates. Two BTFs that
describe the same program the same way normalize to the same text whatever
their type ids, their order, or how far they were deduplicated. Used to
compare the plugin's BTF with pahole's for the same object:

  btf-normalize.py [--pahole-quirks] [--skip-kinds K,...] < listing

--pahole-quirks folds what pahole 1.24 does differently on purpose (see
docs/Plugin.md): multi-dimensional arrays are flattened to one dimension,
and the INTs clang's DWARF needs only for DW_OP_convert and array bounds
(DW_ATE_*, __ARRAY_SIZE_TYPE__) are dropped.
"""
import argparse
import re
import sys

HEAD = re.compile(r"^\[(\d+)\] (\w+) '([^']*)'(.*)$")


def parse(text):
    types = {}
    cur = None
    for line in text.splitlines():
        if not line.strip():
            continue
        m = HEAD.match(line)
        if m:
            tid, kind, name, rest = int(m.group(1)), m.group(2), m.group(3), m.group(4)
            attrs = dict(re.findall(r"(\w+)=(\S+)", rest.replace(",", " ")))
            cur = {"id": tid, "kind": kind, "name": name, "attrs": attrs, "elems": []}
            types[tid] = cur
            continue
        if cur is None or not line.startswith("\t"):
            continue
        body = line.strip()
        em = re.match(r"^'([^']*)'(.*)$", body)
        if em:
            ename, erest = em.group(1), em.group(2)
        else:
            ename, erest = "", body
        eattrs = dict(re.findall(r"(\w+)=(\S+)", erest))
        cur["elems"].append((ename, eattrs))
    return types


class Renderer:
    def __init__(self, types, quirks):
        self.t = types
        self.quirks = quirks

    def ref(self, tid, depth=0):
        tid = int(tid)
        if tid == 0:
            return "void"
        t = self.t.get(tid)
        if t is None:
            return "?%d" % tid
        k, n = t["kind"], t["name"]
        named = n not in ("", "(anon)")
        if k in ("STRUCT", "UNION", "ENUM", "ENUM64", "TYPEDEF", "FWD") and named:
            if k == "FWD":
                return "%s %s" % (t["attrs"].get("fwd_kind", "struct"), n)
            return "%s %s" % (k.lower(), n)
        if depth > 12:
            return "..."
        return self.render(t, depth + 1)

    def render(self, t, depth=0):
        k, n, a = t["kind"], t["name"], t["attrs"]
        if n == "(anon)":
            n = ""
        if k == "INT":
            return "INT %s size=%s bits=%s enc=%s" % (n, a.get("size"), a.get("nr_bits"), a.get("encoding"))
        if k == "FLOAT":
            return "FLOAT %s size=%s" % (n, a.get("size"))
        if k in ("PTR", "CONST", "VOLATILE", "RESTRICT"):
            return "%s(%s)" % (k, self.ref(a["type_id"], depth))
        if k == "TYPE_TAG":
            return "TYPE_TAG %s(%s)" % (n, self.ref(a["type_id"], depth))
        if k == "TYPEDEF":
            return "TYPEDEF %s = %s" % (n, self.ref(a["type_id"], depth))
        if k == "ARRAY":
            dims = [int(a["nr_elems"])]
            elem = int(a["type_id"])
            if self.quirks:
                while elem in self.t and self.t[elem]["kind"] == "ARRAY":
                    dims.append(int(self.t[elem]["attrs"]["nr_elems"]))
                    elem = int(self.t[elem]["attrs"]["type_id"])
                total = 1
                for d in dims:
                    total *= d
                return "ARRAY[%d] of %s" % (total, self.ref(elem, depth))
            return "ARRAY[%d] of %s" % (dims[0], self.ref(elem, depth))
        if k in ("STRUCT", "UNION"):
            ms = []
            for en, ea in t["elems"]:
                bf = ea.get("bitfield_size")
                ms.append("%s:%s@%s%s" % (en if en != "(anon)" else "", self.ref(ea.get("type_id", 0), depth),
                                          ea.get("bits_offset"), (":" + bf) if bf else ""))
            return "%s %s size=%s {%s}" % (k, n, a.get("size"), "; ".join(ms))
        if k in ("ENUM", "ENUM64"):
            vs = ",".join("%s=%s" % (en, ea.get("val")) for en, ea in t["elems"])
            return "%s %s size=%s enc=%s {%s}" % (k, n, a.get("size"), a.get("encoding"), vs)
        if k == "FWD":
            return "FWD %s %s" % (n, a.get("fwd_kind"))
        if k == "FUNC_PROTO":
            ps = ", ".join("%s:%s" % (en if en != "(anon)" else "", self.ref(ea.get("type_id", 0), depth))
                           for en, ea in t["elems"])
            return "PROTO(%s; %s)" % (self.ref(a.get("ret_type_id", 0), depth), ps)
        if k == "FUNC":
            return "FUNC %s %s %s" % (n, a.get("linkage"), self.ref(a["type_id"], depth))
        if k == "VAR":
            return "VAR %s %s %s" % (n, a.get("linkage"), self.ref(a["type_id"], depth))
        if k == "DATASEC":
            vs = []
            for en, ea in t["elems"]:
                v = self.t.get(int(ea["type_id"]), {"name": "?"})
                vs.append("%s@%s:%s" % (v["name"], ea.get("offset"), ea.get("size")))
            return "DATASEC %s size=%s {%s}" % (n, a.get("size"), ", ".join(vs))
        if k == "DECL_TAG":
            return "DECL_TAG %s -> %s comp=%s" % (n, self.render_target(a["type_id"]), a.get("component_idx"))
        return "%s %s %s" % (k, n, a)

    def render_target(self, tid):
        t = self.t.get(int(tid))
        if t is None:
            return "?"
        return "%s %s" % (t["kind"], t["name"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pahole-quirks", action="store_true")
    ap.add_argument("--skip-kinds", default="", help="kinds to leave out, comma-separated")
    args = ap.parse_args()
    types = parse(sys.stdin.read())
    skip = set(filter(None, args.skip_kinds.split(",")))
    r = Renderer(types, args.pahole_quirks)
    out = set()
    for t in types.values():
        if t["kind"] in skip:
            continue
        if args.pahole_quirks and t["kind"] == "INT" and (
                t["name"].startswith("DW_ATE_") or t["name"] == "__ARRAY_SIZE_TYPE__"):
            continue
        if args.pahole_quirks and t["kind"] == "ARRAY":
            # an inner dimension of a nested array is part of its outer one
            if any(o["kind"] == "ARRAY" and int(o["attrs"]["type_id"]) == t["id"] for o in types.values()):
                continue
        out.add(r.render(t))
    for line in sorted(out):
        print(line)


if __name__ == "__main__":
    main()
