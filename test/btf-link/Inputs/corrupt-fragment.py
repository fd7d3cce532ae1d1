#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Copy a .BTF.btfkit section, giving the first type of the first fragment's
types blob an invalid kind (31): corrupt-fragment.py IN OUT."""
import struct
import sys

data = bytearray(open(sys.argv[1], "rb").read())


def blob_size(pos):
    _, _, _, hdr_len, toff, tlen, soff, slen = struct.unpack_from("<HBBIIIII", data, pos)
    return hdr_len + max(toff + tlen, soff + slen)


def skip_zeros(pos):
    while pos < len(data) and data[pos] == 0:
        pos += 1
    return pos


pos = skip_zeros(0)
manifest_end = pos + blob_size(pos)
strings = bytes(data[pos:manifest_end]).split(b"\0")
roles = [s for s in strings if s.startswith(b"blobs=")][0][6:].split(b",")
pos = skip_zeros(manifest_end)
for role in roles:
    if role == b"types":
        hdr_len, toff = struct.unpack_from("<II", data, pos + 4)
        info_at = pos + hdr_len + toff + 4
        info = struct.unpack_from("<I", data, info_at)[0]
        struct.pack_into("<I", data, info_at, (info & ~(0x1F << 24)) | (31 << 24))
        break
    pos = skip_zeros(pos + blob_size(pos))
open(sys.argv[2], "wb").write(data)
