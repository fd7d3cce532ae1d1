#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Print the header length and layout section length of a little-endian
raw BTF file: "hdr_len=N layout_len=M" (0 without a layout section)."""
import struct
import sys

data = open(sys.argv[1], "rb").read()
hdr_len = struct.unpack_from("<I", data, 4)[0]
layout_len = struct.unpack_from("<I", data, 28)[0] if hdr_len >= 32 else 0
print("hdr_len=%d layout_len=%d" % (hdr_len, layout_len))
