#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Validate the running kernel's BTF: by default by the running release's
rules, and valid by them when btfkit knows that release (6.1 to the newest
it was read against); on any other kernel the verdict must be a clean one
(exit 0, or 1 with issue lines naming the file), never a crash."""
import os
import re
import subprocess
import sys

NEWEST = (7, 2)  # KernelVersion::newest()

path = sys.argv[1]
r = subprocess.run(["btf-dump", "--validate", path], capture_output=True, text=True)
release = os.uname().release
print("kernel %s: exit %d" % (release, r.returncode))
print(r.stdout + r.stderr)
if r.returncode < 0 or r.returncode > 1:
    sys.exit("btf-dump crashed or failed oddly on %s" % path)
lines = (r.stdout + r.stderr).splitlines()
if not lines or not all(l.startswith(path + ": ") for l in lines):
    sys.exit("every line of the verdict must name the file")
m = re.match(r"(\d+)\.(\d+)", release)
version = (int(m.group(1)), int(m.group(2)))
if (6, 1) <= version <= NEWEST:
    if r.returncode != 0:
        sys.exit("Linux %d.%d's own BTF must pass its own rules" % version)
    if "by Linux %d.%d's rules" % version not in r.stdout:
        sys.exit("the running kernel's BTF must be judged by its release's rules")
