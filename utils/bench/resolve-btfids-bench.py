#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""btf-resolve-btfids against the kernel's own resolve_btfids (Linux 7.x's
gen-btf.sh step: --distill_base --btf_base vmlinux --btf X.BTF.1 X.ko), side
by side on the inputs kbuild7-pipeline kept.

  resolve-btfids-bench.py [--build-dir BUILD] [--runs N]

Run `ctest -R kbuild7-pipeline` (or utils/kernels/kbuild7.py) first: it
leaves each module's input in BUILD/kbuild7/<route>-keep/<module>/ and the
kernel's resolve_btfids built in ~/.cache/btfkit/ktree-7.2-<cc>. Both tools
run N times (default 21) on a fresh copy of the same input; the figure is
the median CPU time (user + system) of the process, which holds on a shared
machine where wall time does not. Both outputs are byte-compared first.
"""
import argparse
import filecmp
import os
import resource
import shutil
import subprocess
import sys
import tempfile

CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME",
                                    os.path.expanduser("~/.cache")), "btfkit")


def cpu_of(cmd, cwd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def run_in_copy(tool, keep, ko, vmlinux, runs):
    """Median CPU seconds of TOOL on KEEP's input; the folder of the last
    run, holding its outputs."""
    times, work = [], None
    for _ in range(runs):
        if work:
            shutil.rmtree(work)
        work = tempfile.mkdtemp(prefix="rbench-")
        shutil.copy(os.path.join(keep, "in.ko"), os.path.join(work, ko))
        shutil.copy(os.path.join(keep, "in.BTF.1"), os.path.join(work, ko + ".BTF.1"))
        times.append(cpu_of([tool, "--distill_base", "--btf_base", vmlinux,
                             "--btf", ko + ".BTF.1", ko], work))
    times.sort()
    return times[len(times) // 2], work


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default="build")
    ap.add_argument("--runs", type=int, default=21)
    args = ap.parse_args()
    ours = os.path.join(os.path.abspath(args.build_dir), "bin", "btf-resolve-btfids")
    rows, ratios = [], []
    for route, cc in (("gcc", "gcc"), ("plugin", "clang")):
        out = os.path.join(CACHE, f"ktree-7.2-{cc}", "out")
        real = os.path.join(out, "tools", "bpf", "resolve_btfids", "resolve_btfids")
        vmlinux = os.path.join(out, "vmlinux")
        keep_dir = os.path.join(args.build_dir, "kbuild7", route + "-keep")
        if not os.path.isdir(keep_dir) or not os.access(real, os.X_OK):
            sys.exit(f"resolve-btfids-bench: no {keep_dir} or {real}: run "
                     f"ctest -R kbuild7-pipeline first")
        for ko in sorted(os.listdir(keep_dir)):
            keep = os.path.join(keep_dir, ko)
            theirs, tw = run_in_copy(real, keep, ko, vmlinux, args.runs)
            mine, mw = run_in_copy(ours, keep, ko, vmlinux, args.runs)
            same = all(filecmp.cmp(os.path.join(tw, ko + s), os.path.join(mw, ko + s),
                                   shallow=False)
                       for s in (".BTF", ".BTF.base")
                       if os.path.exists(os.path.join(tw, ko + s)))
            shutil.rmtree(tw)
            shutil.rmtree(mw)
            if not same:
                sys.exit(f"resolve-btfids-bench: {route} {ko}: outputs differ")
            ratios.append(theirs / mine)
            rows.append(f"{route:7} {ko:18} kernel {theirs * 1e3:6.1f} ms  "
                        f"btfkit {mine * 1e3:6.1f} ms  kernel/btfkit {theirs / mine:.2f}x")
    print("median CPU per run (user + system), identical outputs:")
    for r in rows:
        print("  " + r)
    ratios.sort()
    print(f"median ratio kernel/btfkit: {ratios[len(ratios) // 2]:.2f}x")


if __name__ == "__main__":
    main()
