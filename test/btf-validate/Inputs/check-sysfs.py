#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Validate the running kernel's BTF: on Linux 6.1 it must be valid; on
another kernel the verdict must be a clean one (exit 0, or 1 with issue
lines naming the file), never a crash."""
import os
import subprocess
import sys

path = sys.argv[1]
r = subprocess.run(["btf-dump", "--validate", path], capture_output=True, text=True)
release = os.uname().release
print("kernel %s: exit %d" % (release, r.returncode))
print(r.stdout + r.stderr)
if r.returncode < 0 or r.returncode > 1:
    sys.exit("btf-dump crashed or failed oddly on %s" % path)
if release.startswith("6.1.") and r.returncode != 0:
    sys.exit("Linux 6.1's own BTF must pass Linux 6.1's rules")
lines = (r.stdout + r.stderr).splitlines()
if not lines or not all(l.startswith(path + ": ") for l in lines):
    sys.exit("every line of the verdict must name the file")
