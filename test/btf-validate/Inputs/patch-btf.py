#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Rewrite the header or layout of a little-endian raw BTF (as btf-asm.py
writes it) to make inputs the kernel's header rules refuse.

    patch-btf.py IN -o OUT [--set FIELD=VALUE ...] [--gap N] [--append N]
                 [--drop-layout] [--strings-first] [--layout-last]
                 [--truncate N] [--last-byte V]

FIELD is one of magic, version, flags, hdr_len, type_off, type_len,
str_off, str_len, and with a 32-byte header layout_off, layout_len. --gap
inserts N zero bytes between the type and string sections (moving str_off),
--append adds N zero bytes at the end, --drop-layout removes the layout
section (its header fields become 0, the header stays 32 bytes),
--strings-first puts the string section (padded to 4 bytes) before the type
section, --layout-last puts the layout section after the strings (padded
to 4 bytes), --truncate keeps the first N bytes. Edits apply in that order.
"""
import argparse
import struct

FIELDS = ["magic", "version", "flags", "hdr_len", "type_off", "type_len",
          "str_off", "str_len"]
FMT = "<HBBIIIII"
LAYOUT_FIELDS = ["layout_off", "layout_len"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--gap", type=int, default=0)
    ap.add_argument("--append", type=int, default=0)
    ap.add_argument("--drop-layout", action="store_true")
    ap.add_argument("--strings-first", action="store_true")
    ap.add_argument("--layout-last", action="store_true")
    ap.add_argument("--truncate", type=int)
    ap.add_argument("--last-byte", type=lambda v: int(v, 0))
    args = ap.parse_args()

    data = bytearray(open(args.input, "rb").read())
    hdr = dict(zip(FIELDS, struct.unpack_from(FMT, data)))
    long_hdr = hdr["hdr_len"] >= 32
    fields = FIELDS + (LAYOUT_FIELDS if long_hdr else [])
    if long_hdr:
        hdr.update(zip(LAYOUT_FIELDS, struct.unpack_from("<II", data, 24)))
    body = data[hdr["hdr_len"]:]
    types = body[hdr["type_off"]:hdr["type_off"] + hdr["type_len"]]
    strs = body[hdr["str_off"]:hdr["str_off"] + hdr["str_len"]]
    layout = body[hdr["layout_off"]:hdr["layout_off"] + hdr["layout_len"]] if long_hdr else b""
    # The edits below rebuild the body as types, [layout,] strings.
    def place(*parts):
        offs, at = [], 0
        for p in parts:
            offs.append(at)
            at += len(p)
        return b"".join(parts), offs
    if args.gap:
        body, (hdr["type_off"], _, hdr["str_off"]) = place(types, bytes(args.gap), strs)
        if layout:
            raise SystemExit("patch-btf: --gap takes no layout section")
    if args.drop_layout:
        layout = b""
        hdr["layout_off"] = hdr["layout_len"] = 0
        body, (hdr["type_off"], hdr["str_off"]) = place(types, strs)
    if args.strings_first:
        padded = strs + bytes(-len(strs) % 4)
        body, (hdr["str_off"], hdr["type_off"], lo) = place(padded, types, layout)
        if layout:
            hdr["layout_off"] = lo
    if args.layout_last:
        padded = strs + bytes(-len(strs) % 4)
        body, (hdr["type_off"], hdr["str_off"], hdr["layout_off"]) = place(types, padded, layout)
    body += bytes(args.append)
    for item in args.set:
        field, value = item.split("=")
        if field not in fields:
            raise SystemExit("patch-btf: unknown field %s" % field)
        hdr[field] = int(value, 0)
    out = bytearray(struct.pack(FMT, *[hdr[f] for f in FIELDS]))
    if long_hdr:
        out += struct.pack("<II", hdr["layout_off"], hdr["layout_len"])
    out += data[len(out):hdr_len_of(data)] + body
    if args.truncate is not None:
        out = out[:args.truncate]
    if args.last_byte is not None:
        out[-1] = args.last_byte
    open(args.output, "wb").write(out)


def hdr_len_of(data):
    return struct.unpack_from("<I", data, 4)[0]


if __name__ == "__main__":
    main()
