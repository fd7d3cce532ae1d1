#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Copy a .BTF section of concatenated gcc -gbtf blobs, spoiling the second
blob: corrupt-gcc-btf.py MODE IN OUT, MODE one of
  truncate  the last 10 bytes dropped;
  magic     the blob's magic made 0x4242;
  kind      the blob's first type given an invalid kind (31).
Prints "blob 2 at 0xOFF" (its byte offset in the section)."""
import struct
import sys

mode, src, dst = sys.argv[1:4]
data = bytearray(open(src, "rb").read())
_, _, _, hdr_len, toff, tlen, soff, slen = struct.unpack_from("<HBBIIIII", data, 0)
second = hdr_len + max(toff + tlen, soff + slen)
if mode == "truncate":
    data = data[:-10]
elif mode == "magic":
    data[second:second + 2] = b"\x42\x42"
elif mode == "kind":
    hdr2, toff2 = struct.unpack_from("<II", data, second + 4)
    info = second + hdr2 + toff2 + 4
    word = struct.unpack_from("<I", data, info)[0]
    struct.pack_into("<I", data, info, (word & ~(0x1F << 24)) | (31 << 24))
else:
    sys.exit("unknown mode " + mode)
open(dst, "wb").write(data)
print("blob 2 at 0x%x" % second)
