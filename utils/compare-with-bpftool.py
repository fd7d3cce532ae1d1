#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Compare `btf-dump` with `bpftool btf dump file` on the corpus.

Every vmlinux BTF of the corpus, then every module's split BTF over the
6.1.0-50 vmlinux BTF: both outputs must be byte-identical. Prints one line
per difference and a summary; exits 1 on any difference.
"""
import argparse
import concurrent.futures
import glob
import hashlib
import os
import subprocess
import sys


def digest(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return r.returncode, hashlib.sha256(r.stdout).hexdigest(), r.stderr.decode(errors="replace").strip()


def compare(path, base):
    tail = ["--base-btf", base] if base else []
    ours = digest(["btf-dump", path] + ([f"--base-btf={base}"] if base else []))
    theirs = digest(["bpftool", "btf", "dump", "file", path] + tail)
    if ours[0] != 0:
        return f"{path}: btf-dump failed: {ours[2]}"
    if theirs[0] != 0:
        return f"{path}: bpftool failed: {theirs[2]}"
    if ours[1] != theirs[1]:
        return f"{path}: output differs from bpftool"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="only the first N modules")
    a = ap.parse_args()
    base = os.path.join(a.corpus, "vmlinux-6.1.0-50-amd64.btf")
    jobs = [(v, None) for v in sorted(glob.glob(os.path.join(a.corpus, "vmlinux-*.btf")))]
    mods = sorted(glob.glob(os.path.join(a.corpus, "modules", "*.btf")))
    if a.limit:
        mods = mods[: a.limit]
    jobs += [(m, base) for m in mods]
    bad = []
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        for res in ex.map(lambda j: compare(*j), jobs):
            if res:
                bad.append(res)
                print(res)
    print(f"compared {len(jobs)} files ({len(mods)} modules): {len(jobs) - len(bad)} identical, {len(bad)} different")
    sys.exit(1 if bad or not mods else 0)


if __name__ == "__main__":
    main()
