#!/usr/bin/env python3
# Damages the one base index cache entry in a directory, for
# test/plugin/base-cache.test. The layout is lib/Encode/BaseIndexCache.cpp's
# FileHeader (120 bytes: magic, producer, identity, blob place, fingerprint,
# long size, NumTypes at 100, NumInts at 104, DedupBytes at 112), the type
# offsets and INT ids (each 8-byte aligned), then DedupBase::save() (a
# 40-byte header, then the tables).
import glob
import struct
import sys

mode, folder = sys.argv[1], sys.argv[2]
(path,) = glob.glob(folder + "/base-*.idx")
data = bytearray(open(path, "rb").read())


def align8(n):
    return (n + 7) & ~7


if mode == "truncate":
    data = data[:-100]
elif mode == "version":
    data[8:24] = b"btfkit 0.0.0-old"
elif mode == "garbage":
    data[0:8] = b"NOTANIDX"
elif mode == "tables":
    num_types, num_ints = struct.unpack_from("<II", data, 100)
    dedup_at = align8(align8(120 + 4 * num_types) + 4 * num_ints)
    tables_at = dedup_at + 40
    data[tables_at:] = b"\xff" * (len(data) - tables_at)
else:
    sys.exit("unknown mode " + mode)
open(path, "wb").write(data)
