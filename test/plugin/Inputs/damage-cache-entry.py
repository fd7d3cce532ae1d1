#!/usr/bin/env python3
# Damages the one base index cache entry in a directory, for
# test/plugin/base-cache.test. The layout is lib/Encode/BaseIndexCache.cpp's
# FileHeader (120 bytes: magic, producer, identity, blob place, fingerprint,
# long size, NumTypes at 100, NumInts at 104, DedupBytes at 112), the type
# offsets and INT ids (each 8-byte aligned), then DedupBase::save() (a
# 40-byte header, then the tables), then the xxh3-128 checksum of all that
# (16 bytes). "tables-resum" damages the tables and fixes the checksum up,
# standing for a damage the checksum cannot see.
import glob
import os
import struct
import sys

mode, folder = sys.argv[1], sys.argv[2]
(path,) = glob.glob(folder + "/base-*.idx")
if mode in ("fifo", "symlink-zero"):
    os.unlink(path)
    if mode == "fifo":
        os.mkfifo(path)
    else:
        os.symlink("/dev/zero", path)
    sys.exit(0)
if mode.startswith("symlink-to:"):
    os.unlink(path)
    os.symlink(mode[len("symlink-to:"):], path)
    sys.exit(0)
if mode == "group-writable":
    os.chmod(path, 0o664)
    sys.exit(0)
if mode == "chown":
    os.chown(path, 65534, 65534)
    sys.exit(0)
data = bytearray(open(path, "rb").read())


def align8(n):
    return (n + 7) & ~7


if mode == "truncate":
    data = data[:-100]
elif mode == "version":
    data[8:24] = b"btfkit 0.0.0-old"
elif mode == "garbage":
    data[0:8] = b"NOTANIDX"
elif mode in ("tables", "tables-resum"):
    num_types, num_ints = struct.unpack_from("<II", data, 100)
    dedup_at = align8(align8(120 + 4 * num_types) + 4 * num_ints)
    tables_at = dedup_at + 40
    end = len(data) - 16
    data[tables_at:end] = b"\xff" * (end - tables_at)
    if mode == "tables-resum":
        import subprocess
        digest = subprocess.run(
            [sys.argv[3], "--xxh3-128"], input=bytes(data[:end]),
            stdout=subprocess.PIPE, check=True).stdout.strip()
        data[end:] = bytes.fromhex(digest.decode())
else:
    sys.exit("unknown mode " + mode)
open(path, "wb").write(data)
