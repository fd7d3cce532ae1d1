#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Replay fuzzer inputs (kept regressions, seeds) through the tools that
read such files. Each run must end with one of the tool's own statuses,
never a signal, and a failure must be told in lines that each name the
input.

    replay.py reader BASE.btf FILE_OR_DIR...
        btf-dump, raw and as split over BASE, with and without --validate
        (status 0 or 1; a refusal without --validate is a single line).
    replay.py link BASE.btf HOST.o WORKDIR DIR...
        btf-link (without a base, with --dwarf-fallback, and over BASE;
        status 0 written, 1 warnings, 2 error) and btf-dump. Files of a DIR
        named "fragment" hold the contents of a .BTF.btfkit section and are
        put into a copy of HOST.o; others are ELF files as they are.
"""
import os
import subprocess
import sys


def listed(paths):
    """The files named, and those of the folders named, sorted per folder."""
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += sorted(os.path.join(p, f) for f in os.listdir(p)
                            if not f.endswith(".md")
                            and os.path.isfile(os.path.join(p, f)))
        else:
            files.append(p)
    return files


def check(cmd, f, statuses, one_line=False):
    """Runs \\p cmd on input \\p f; prints and counts what is wrong."""
    try:
        r = subprocess.run(cmd, capture_output=True, text=True,
                           errors="replace", timeout=60)
    except subprocess.TimeoutExpired:
        print("HANG: %s" % " ".join(cmd))
        return 1
    err = r.stderr.splitlines()
    if r.returncode not in statuses:
        print("CRASH (status %d): %s\n%s" % (r.returncode, " ".join(cmd),
                                             r.stderr[-2000:]))
        return 1
    if r.returncode and one_line and (len(err) != 1 or f not in err[0]):
        print("NOT ONE LINE: %s\n%s" % (" ".join(cmd), r.stderr[-2000:]))
        return 1
    if r.returncode and (not err or not all(f in l for l in err)):
        print("LINE WITHOUT FILE NAME: %s\n%s" % (" ".join(cmd),
                                                  r.stderr[-2000:]))
        return 1
    return 0


def replay_reader(base, paths):
    files = listed(paths)
    bad = 0
    for f in files:
        for extra in ([], ["--validate"], ["--base-btf=" + base],
                      ["--base-btf=" + base, "--validate"]):
            bad += check(["btf-dump", f] + extra, f, (0, 1),
                         one_line="--validate" not in extra)
    return len(files), bad


def replay_link(base, host, work, dirs):
    os.makedirs(work, exist_ok=True)
    inputs = []
    for d in dirs:
        for path in listed([d]):
            if os.path.basename(os.path.normpath(d)) != "fragment":
                inputs.append(path)
                continue
            obj = os.path.join(work, os.path.basename(path) + ".o")
            subprocess.run(["llvm-objcopy-19", "--add-section",
                            ".BTF.btfkit=" + path, host, obj], check=True)
            inputs.append(obj)
    out = os.path.join(work, "out.ko")
    link = ["btf-link", "--cache-dir=off", "-o", out]
    bad = 0
    for f in inputs:
        for extra in ([], ["--dwarf-fallback"],
                      ["--dwarf-fallback", "--base=" + base]):
            bad += check(link + extra + [f], f, (0, 1, 2))
        bad += check(["btf-dump", f], f, (0, 1))
    return len(inputs), bad


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "reader":
        n, bad = replay_reader(args[0], args[1:])
    else:
        n, bad = replay_link(args[0], args[1], args[2], args[3:])
    print("replayed %d inputs, %d problems" % (n, bad))
    sys.exit(1 if bad else 0)
