#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
#
# "Accepted but wrong" on Debian's own kernels: every module of each pinned
# build (its classic split BTF, made by pahole over that build's vmlinux) is
# judged on the vmlinux of each other build and of its own, and for every
# module the target accepts, btfkit's "garbled" verdict is checked against
# the ground truth (btf-foreign-truth: the module's own types against the
# kernel's reading of the same bytes; docs/Relocation.md, "Accepted but
# wrong"). The kernel does not relocate classic BTF, so its reading is
# exactly the module's bytes over the target's vmlinux BTF, which is what
# /sys/kernel/btf/<module> holds (utils/kernels/real-kernels.py checks that
# byte for byte on booted kernels).
#
#   debian-truth.py --bin BUILD/bin --work DIR [--plan quick|full]
#
# Downloads the pinned builds (utils/kernels/pins) through
# utils/kernels/debian-packages.sh, takes each vmlinux BTF out of its
# vmlinuz and unpacks its modules into DIR (kept for the next run). Exit
# status 0 when btfkit agrees with the truth on every accepted module, no
# module is called garbled over its own build, and the foreign pairs
# exercise at least --min-garbled garbled modules; 1 otherwise; 77 when the
# archive cannot be reached outside CI.
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "kernels"))
from kernels import Kernel  # noqa: E402

# The builds whose modules are judged on each other's vmlinux (all pairs,
# each build on itself included).
PLANS = {
    "quick": ["6.12.95", "6.12.117", "7.2.13"],
    "full": ["6.12.95", "6.12.107", "6.12.117", "6.12.117-rt",
             "6.12.117-cloud", "7.2.13", "7.2.13-rt"],
}
SUMMARY = re.compile(r": (\d+) modules.*: (\d+) refused, (\d+) accepted: "
                     r"(\d+) garbled, (\d+) not garbled; readings differ for "
                     r"(\d+); agreement (\d+)/(\d+)")


def unpack_modules(kernel, jobs):
    """Every module of KERNEL as an uncompressed .ko; their folder."""
    names = sorted(kernel.modules())
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        list(pool.map(kernel.module_file, names))
    return os.path.dirname(kernel.module_file(names[0]))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bin", required=True, help="btfkit's bin folder")
    ap.add_argument("--work", required=True, help="a folder kept between runs")
    ap.add_argument("--plan", default="quick", choices=sorted(PLANS))
    ap.add_argument("--min-garbled", type=int, default=1000,
                    help="garbled modules the foreign pairs must reach")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    truth = os.path.join(args.bin, "btf-foreign-truth")

    builds = {}
    for name in PLANS[args.plan]:
        try:
            k = Kernel(name, os.path.abspath(args.work))
        except (subprocess.CalledProcessError, SystemExit) as e:
            print(f"debian-truth: cannot fetch {name}: {e}", file=sys.stderr)
            return 1 if os.environ.get("CI") else 77
        builds[name] = (k.vmlinux_btf(), unpack_modules(k, args.jobs))

    ok, garbled = True, 0
    print("modules of -> judged on: modules, refused, accepted, garbled, "
          "not garbled, readings differ, agreement")
    for own, (own_btf, modules) in builds.items():
        for target, (target_btf, _) in builds.items():
            p = subprocess.run([truth, "--own-base=" + own_btf,
                                "--target=" + target_btf,
                                "--label=" + target, modules],
                               stdout=subprocess.PIPE, text=True)
            m = SUMMARY.search(p.stdout)
            if not m or p.returncode not in (0, 1):
                print(p.stdout, end="")
                print(f"{own} -> {target}: btf-foreign-truth failed "
                      f"(exit {p.returncode})")
                ok = False
                continue
            n, refused, accepted, g, ng, differ, agree, _ = map(int, m.groups())
            print(f"{own} -> {target}: {n}, {refused}, {accepted}, {g}, {ng}, "
                  f"{differ}, {agree}/{accepted}")
            marks = [l for l in p.stdout.splitlines() if "by mark" in l]
            if marks:
                print(marks[0])
            if p.returncode or agree != accepted:
                print("".join(l + "\n" for l in p.stdout.splitlines()
                              if not SUMMARY.search(l) and l not in marks),
                      end="")
                ok = False
            if own == target and (g or refused):
                print(f"  {own} on itself: {g} garbled, {refused} refused "
                      "(must be none)")
                ok = False
            if own != target:
                garbled += g
    print(f"garbled modules over other builds: {garbled} "
          f"(floor {args.min_garbled})")
    if garbled < args.min_garbled:
        ok = False
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
