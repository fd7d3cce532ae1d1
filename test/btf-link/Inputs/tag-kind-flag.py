#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Copy a .BTF.btfkit section, setting the kind flag of every TYPE_TAG in
each fragment's types blob: the plugin's btf_type_tag becomes an attribute
tag (pahole's `attributes`), as newer encoders write them.
tag-kind-flag.py IN OUT"""
import struct
import sys

TYPE_TAG = 18
# (bytes after the common record, bytes per vlen element) by kind.
LAYOUT = {1: (4, 0), 2: (0, 0), 3: (12, 0), 4: (0, 12), 5: (0, 12), 6: (0, 8),
          7: (0, 0), 8: (0, 0), 9: (0, 0), 10: (0, 0), 11: (0, 0), 12: (0, 0),
          13: (0, 8), 14: (4, 0), 15: (0, 12), 16: (0, 0), 17: (4, 0),
          18: (0, 0), 19: (0, 12)}

data = bytearray(open(sys.argv[1], "rb").read())


def blob_size(pos):
    _, _, _, hdr_len, toff, tlen, soff, slen = struct.unpack_from("<HBBIIIII", data, pos)
    return hdr_len + max(toff + tlen, soff + slen)


def skip_zeros(pos):
    while pos < len(data) and data[pos] == 0:
        pos += 1
    return pos


def flag_tags(pos):
    hdr_len, toff, tlen = struct.unpack_from("<III", data, pos + 4)
    at, end = pos + hdr_len + toff, pos + hdr_len + toff + tlen
    while at < end:
        info = struct.unpack_from("<I", data, at + 4)[0]
        kind, vlen = (info >> 24) & 0x7F, info & 0xFFFFFF
        if kind == TYPE_TAG:
            struct.pack_into("<I", data, at + 4, info | (1 << 31))
        extra, elem = LAYOUT[kind]
        at += 12 + extra + vlen * elem


pos = skip_zeros(0)
while pos < len(data):
    # A fragment: its manifest names the blobs that follow it.
    manifest_end = pos + blob_size(pos)
    strings = bytes(data[pos:manifest_end]).split(b"\0")
    roles = [s for s in strings if s.startswith(b"blobs=")][0][6:].split(b",")
    pos = skip_zeros(manifest_end)
    for role in roles:
        if role == b"types":
            flag_tags(pos)
        pos = skip_zeros(pos + blob_size(pos))
open(sys.argv[2], "wb").write(data)
