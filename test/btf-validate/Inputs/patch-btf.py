#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Rewrite the header or layout of a little-endian raw BTF (as btf-asm.py
writes it) to make inputs the kernel's header rules refuse.

    patch-btf.py IN -o OUT [--set FIELD=VALUE ...] [--gap N] [--append N]
                 [--strings-first] [--truncate N] [--last-byte V]

FIELD is one of magic, version, flags, hdr_len, type_off, type_len,
str_off, str_len. --gap inserts N zero bytes between the type and string
sections (moving str_off), --append adds N zero bytes at the end,
--strings-first puts the string section (padded to 4 bytes) before the type
section, --truncate keeps the first N bytes. Edits apply in that order.
"""
import argparse
import struct

FIELDS = ["magic", "version", "flags", "hdr_len", "type_off", "type_len",
          "str_off", "str_len"]
FMT = "<HBBIIIII"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--gap", type=int, default=0)
    ap.add_argument("--append", type=int, default=0)
    ap.add_argument("--strings-first", action="store_true")
    ap.add_argument("--truncate", type=int)
    ap.add_argument("--last-byte", type=lambda v: int(v, 0))
    args = ap.parse_args()

    data = bytearray(open(args.input, "rb").read())
    hdr = dict(zip(FIELDS, struct.unpack_from(FMT, data)))
    body = data[hdr["hdr_len"]:]
    types = body[hdr["type_off"]:hdr["type_off"] + hdr["type_len"]]
    strs = body[hdr["str_off"]:hdr["str_off"] + hdr["str_len"]]
    if args.gap:
        body = types + bytes(args.gap) + strs
        hdr["type_off"], hdr["str_off"] = 0, len(types) + args.gap
    if args.strings_first:
        padded = strs + bytes(-len(strs) % 4)
        body = padded + types
        hdr["str_off"], hdr["type_off"] = 0, len(padded)
    body += bytes(args.append)
    for item in args.set:
        field, value = item.split("=")
        if field not in FIELDS:
            raise SystemExit("patch-btf: unknown field %s" % field)
        hdr[field] = int(value, 0)
    out = bytearray(struct.pack(FMT, *[hdr[f] for f in FIELDS]))
    out += data[24:hdr_len_of(data)] + body
    if args.truncate is not None:
        out = out[:args.truncate]
    if args.last_byte is not None:
        out[-1] = args.last_byte
    open(args.output, "wb").write(out)


def hdr_len_of(data):
    return struct.unpack_from("<I", data, 4)[0]


if __name__ == "__main__":
    main()
