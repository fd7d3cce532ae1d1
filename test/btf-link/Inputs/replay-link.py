#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Replay the link step's fuzzer inputs through btf-link (with and without
--dwarf-fallback, without a base and over one) and btf-dump. Each run must
end with one of the tool's statuses (btf-link: 0 written, 1 warnings, 2
error; btf-dump: 0 or 1), never a signal, and a failure must be told in
lines that each name the input.

    replay-link.py BASE.btf HOST.o WORKDIR DIR...

Files of a DIR named "fragment" hold the contents of a .BTF.btfkit
section (btf-fuzz-fragment's inputs): each is put into a copy of HOST.o.
Other files are ELF files as they are (btf-fuzz-dwarf's inputs).
"""
import os
import subprocess
import sys

base, host, work, dirs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
os.makedirs(work, exist_ok=True)
inputs = []
for d in dirs:
    for name in sorted(os.listdir(d)):
        path = os.path.join(d, name)
        if not os.path.isfile(path) or name.endswith(".md"):
            continue
        if os.path.basename(os.path.normpath(d)) == "fragment":
            obj = os.path.join(work, name + ".o")
            subprocess.run(["llvm-objcopy-19", "--add-section",
                            ".BTF.btfkit=" + path, host, obj], check=True)
            inputs.append(obj)
        else:
            inputs.append(path)

out = os.path.join(work, "out.ko")
bad = 0
for f in inputs:
    for cmd in (["btf-link", "--cache-dir=off", "-o", out, f],
                ["btf-link", "--cache-dir=off", "--dwarf-fallback", "-o", out, f],
                ["btf-link", "--cache-dir=off", "--dwarf-fallback",
                 "--base=" + base, "-o", out, f],
                ["btf-dump", f]):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True,
                               errors="replace", timeout=60)
        except subprocess.TimeoutExpired:
            print("HANG: %s" % " ".join(cmd))
            bad += 1
            continue
        err = r.stderr.splitlines()
        statuses = (0, 1, 2) if cmd[0] == "btf-link" else (0, 1)
        if r.returncode not in statuses:
            print("CRASH (status %d): %s\n%s" % (r.returncode, " ".join(cmd),
                                                 r.stderr[-2000:]))
            bad += 1
        elif r.returncode and (not err or not all(f in l for l in err)):
            print("LINE WITHOUT FILE NAME: %s\n%s" % (" ".join(cmd),
                                                      r.stderr[-2000:]))
            bad += 1
print("replayed %d inputs, %d problems" % (len(inputs), bad))
sys.exit(1 if bad else 0)
