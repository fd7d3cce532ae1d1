#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""GCC-built modules' BTF from DWARF: btf-pahole against pahole, side by side.

  dwarf-route-bench.py --bin BUILD/bin --work PARITY_WORK [--pahole-head P]
                       [-r N]

PARITY_WORK is the work folder of utils/kernels/pahole-parity.py (ctest
pahole-parity: BUILD/pahole-parity), whose btf-pahole/<module>/<module>.ko
are GCC 12 builds against Debian's 6.12.95 headers. Each module is taken
with its .BTF and .BTF.base removed (the linked .ko modfinal hands to
pahole), and for N interleaved runs each tool encodes a fresh copy; the
figure is the median CPU time (user + system of the child) per module:

  btf-pahole   -J --btf_gen_floats -j --lang_exclude=rust --btf_base vmlinux
               (Kbuild 6.12's command for pahole 1.24): resilient BTF, the
               DWARF route, dedup against vmlinux, distill and checks;
  pahole 1.24  the same command with Debian 12's pahole: classic split BTF
               only (made resilient by a second tool, not timed here);
  pahole head  (--pahole-head, the newest pahole built from its source in a
               temporary folder) with Linux 6.12's flags for pahole >= 1.26
               and an external module: -J -j --btf_features=encode_force,
               var,float,enum64,decl_tag,type_tag,optimized_func,
               consistent_func,decl_tag_kfuncs --lang_exclude=rust
               --btf_features=distilled_base: resilient BTF, as btf-pahole.

Prints a table and the ratios of the sums (other / btf-pahole).
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile

OLD_FLAGS = ["-J", "--btf_gen_floats", "-j", "--lang_exclude=rust"]
HEAD_FLAGS = ["-J", "-j",
              "--btf_features=encode_force,var,float,enum64,decl_tag,type_tag,"
              "optimized_func,consistent_func,decl_tag_kfuncs",
              "--lang_exclude=rust", "--btf_features=distilled_base"]


def cpu_of(cmd, cwd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode:
        sys.exit("dwarf-route-bench: %s failed (%d): %s"
                 % (" ".join(cmd), r.returncode, r.stdout[-500:]))
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="btfkit's bin folder")
    ap.add_argument("--work", required=True, help="pahole-parity.py's work folder")
    ap.add_argument("--pahole", default="pahole", help="Debian 12's pahole 1.24")
    ap.add_argument("--pahole-head", help="the newest pahole, built from source")
    ap.add_argument("--objcopy", default="/usr/lib/llvm-19/bin/llvm-objcopy")
    ap.add_argument("-r", "--runs", type=int, default=7)
    args = ap.parse_args()

    args.work = os.path.abspath(args.work)
    vmlinux = os.path.join(args.work, "kernel-6.12.95", "vmlinux.btf")
    mods_dir = os.path.join(args.work, "btf-pahole")
    if not os.path.exists(vmlinux) or not os.path.isdir(mods_dir):
        sys.exit("dwarf-route-bench: run ctest pahole-parity first (no %s)" % vmlinux)
    modules = sorted(m for m in os.listdir(mods_dir)
                     if os.path.exists(os.path.join(mods_dir, m, m + ".ko")))
    tools = [("btf-pahole", [os.path.join(os.path.abspath(args.bin), "btf-pahole")] + OLD_FLAGS),
             ("pahole 1.24", [args.pahole] + OLD_FLAGS)]
    if args.pahole_head:
        tools.append(("pahole head", [args.pahole_head] + HEAD_FLAGS))
    # pahole 1.24 adds .BTF with the unversioned llvm-objcopy.
    os.environ["PATH"] = os.path.dirname(args.objcopy) + os.pathsep + os.environ["PATH"]

    tmp = tempfile.mkdtemp(prefix="dwarf-route-bench-")
    try:
        shutil.copy(vmlinux, os.path.join(tmp, "vmlinux"))
        rows, sums = [], {name: 0.0 for name, _ in tools}
        for m in modules:
            raw = os.path.join(tmp, m + ".raw.ko")
            subprocess.run([args.objcopy, "--remove-section=.BTF",
                            "--remove-section=.BTF.base",
                            os.path.join(mods_dir, m, m + ".ko"), raw], check=True)
            times = {name: [] for name, _ in tools}
            for _ in range(args.runs):
                for name, cmd in tools:
                    ko = os.path.join(tmp, "m.ko")
                    shutil.copy(raw, ko)
                    times[name].append(cpu_of(cmd + ["--btf_base", "vmlinux", "m.ko"], tmp))
                    # Timed only if it did the work: .BTF written (and
                    # .BTF.base where the tool makes resilient BTF).
                    with open(ko, "rb") as f:
                        data = f.read()
                    want = [b".BTF\0"] + ([b".BTF.base\0"] if name != "pahole 1.24" else [])
                    if not all(w in data for w in want):
                        sys.exit("dwarf-route-bench: %s wrote no %s into %s"
                                 % (name, " and ".join(w[:-1].decode() for w in want), m))
            med = {name: statistics.median(t) for name, t in times.items()}
            for name in med:
                sums[name] += med[name]
            rows.append((m, med))
        names = [name for name, _ in tools]
        print("median CPU per module, %d runs each (ms):" % args.runs)
        print("%-12s" % "module" + "".join("%14s" % n for n in names))
        for m, med in rows:
            print("%-12s" % m + "".join("%14.1f" % (med[n] * 1000) for n in names))
        print("%-12s" % "sum" + "".join("%14.1f" % (sums[n] * 1000) for n in names))
        for n in names[1:]:
            print("%s / btf-pahole: %.2fx" % (n, sums[n] / sums["btf-pahole"]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
