#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Replay inputs through btf-dump: raw, as split over a base, with and
without --validate. Each run must exit 0 or 1 (never a signal or another
status), and a refusal must be one stderr line naming the input.

    replay.py BASE.btf FILE_OR_DIR...
"""
import os
import subprocess
import sys

base, paths = sys.argv[1], sys.argv[2:]
files = []
for p in paths:
    if os.path.isdir(p):
        files += sorted(os.path.join(p, f) for f in os.listdir(p)
                        if not f.endswith(".md"))
    else:
        files.append(p)
bad = 0
for f in files:
    for extra in ([], ["--validate"], ["--base-btf=" + base],
                  ["--base-btf=" + base, "--validate"]):
        cmd = ["btf-dump", f] + extra
        try:
            r = subprocess.run(cmd, capture_output=True, text=True,
                               errors="replace", timeout=60)
        except subprocess.TimeoutExpired:
            print("HANG: %s" % " ".join(cmd))
            bad += 1
            continue
        err = r.stderr.splitlines()
        if r.returncode not in (0, 1):
            print("CRASH (status %d): %s\n%s" % (r.returncode, " ".join(cmd), r.stderr[-2000:]))
            bad += 1
        elif r.returncode == 1 and "--validate" not in extra and \
                (len(err) != 1 or f not in err[0]):
            print("NOT ONE LINE: %s\n%s" % (" ".join(cmd), r.stderr[-2000:]))
            bad += 1
        elif r.returncode == 1 and not all(f in l for l in err):
            print("LINE WITHOUT FILE NAME: %s\n%s" % (" ".join(cmd), r.stderr[-2000:]))
            bad += 1
print("replayed %d inputs, %d problems" % (len(files), bad))
sys.exit(1 if bad else 0)
