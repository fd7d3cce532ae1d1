#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The link step on real modules: ld.lld-btf against ld.lld-19, btf-link against pahole.

  link-bench.py --build-dir BUILD [--work DIR] [--ktree DIR] [-r N]

Uses the modules utils/kernel-modules/kbuild-recipes.py built (run it first;
WORK defaults to its work directory BUILD/kbuild-recipes). For each module,
median CPU time (user + system, children included) of N interleaved runs of:

  ld.lld-19   Kbuild's modfinal link of the .ko (`ld -r ... -T module.lds -o
              X.ko X.o X.mod.o`, the command recorded in .X.ko.cmd);
  ld.lld-btf  the same command with ld.lld-btf --btf-base=BASE: the link and
              the link step (merge, dedup over the base, distill, check);
  btf-link    `btf-link --base=BASE -o OUT` on the pre-link .ko (the link
              step alone, as after a plain build), with the base index
              cache warm (a kernel build's case from its first object on:
              the compilations fill it) and without a cache (nocache);
  pahole      `pahole -J --btf_gen_floats --btf_base BASE` on a copy of the
              same pre-link .ko (what Kbuild's modfinal runs; it encodes the
              DWARF, deduplicates against the base and adds .BTF with
              llvm-objcopy).

BASE is the corpus's clang-built vmlinux BTF (129,165 types).
"""
import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "kernel-modules"))
import btfraw  # noqa: E402


def cpu_of(cmd, cwd=None, setup=None, merged=None):
    if setup:
        setup()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode:
        sys.exit("link-bench: %s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stdout[-500:]))
    # Time only runs that did the work: the output must have been merged.
    if merged and (btfraw.elf_section(merged, ".BTF.btfkit") is not None or
                   btfraw.elf_section(merged, ".BTF.base") is None):
        sys.exit("link-bench: %s left %s unmerged" % (os.path.basename(cmd[0]), merged))
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--work", help="kbuild-recipes.py's work directory (default BUILD/kbuild-recipes)")
    ap.add_argument("--ktree", help="the prepared kernel tree (default $BTFKIT_KTREE or "
                                    "BUILD/kernel-modules/ktree)")
    ap.add_argument("-r", "--runs", type=int, default=5)
    args = ap.parse_args()
    build = os.path.abspath(args.build_dir)
    work = os.path.abspath(args.work or os.path.join(build, "kbuild-recipes"))
    ktree = os.path.abspath(args.ktree or os.environ.get("BTFKIT_KTREE") or
                            os.path.join(build, "kernel-modules", "ktree"))
    objtree = os.path.join(ktree, "out")
    base = os.path.join(build, "corpus", "vmlinux-6.1-clang19.btf")
    lld_btf = os.path.join(build, "bin", "ld.lld-btf")
    btf_link = os.path.join(build, "bin", "btf-link")
    # pahole 1.24 runs the unversioned llvm-objcopy.
    os.environ["PATH"] = "/usr/lib/llvm-19/bin" + os.pathsep + os.environ["PATH"]
    for p in (base, lld_btf, btf_link, os.path.join(work, "check")):
        if not os.path.exists(p):
            sys.exit("link-bench: %s missing (build btfkit, unpack the corpus and run "
                     "kbuild-recipes.py first)" % p)
    mods = sorted(f[:-len(".prelink.ko")] for f in os.listdir(os.path.join(work, "check"))
                  if f.endswith(".prelink.ko"))
    tmp = tempfile.mkdtemp(prefix="link-bench.")
    # One cache for the run, warmed by the first link (docs/Plugin.md).
    os.environ["BTFKIT_CACHE_DIR"] = os.path.join(tmp, "cache")
    rows = []
    for name in mods:
        cmdfile = os.path.join(work, "link", ".%s.ko.cmd" % name)
        text = open(cmdfile).read()
        m = re.search(r"^cmd_\S+ := (.*)$", text, re.M)
        # "ld.lld-19 -r ... -o X.ko X.o X.mod.o;  true" (the ARCH_POSTLINK part).
        ld_cmd = m.group(1).split(";")[0].split()
        if not ld_cmd[0].startswith("ld.lld"):
            sys.exit("link-bench: %s: not an ld.lld command: %s" % (cmdfile, ld_cmd[0]))
        out_at = ld_cmd.index("-o") + 1
        ld_cmd[out_at] = os.path.join(tmp, name + ".ko")
        plain = [shutil.which("ld.lld-19")] + ld_cmd[1:]
        merged = [lld_btf, "--btf-base=" + base] + ld_cmd[1:]
        prelink = os.path.join(work, "check", name + ".prelink.ko")
        copy = os.path.join(tmp, name + ".pahole.ko")
        out = os.path.join(tmp, name + ".out.ko")
        variants = [
            ("ld.lld-19", plain, None, None),
            ("ld.lld-btf", merged, None, ld_cmd[out_at]),
            ("btf-link", [btf_link, "--base=" + base, "-o", out, prelink], None, out),
            ("nocache", ["env", "BTFKIT_CACHE_DIR=off", btf_link, "--base=" + base, "-o", out,
                         prelink], None, out),
            ("pahole", ["pahole", "-J", "--btf_gen_floats", "--btf_base", base, copy],
             lambda: shutil.copy(prelink, copy), None),
        ]
        times = {v[0]: [] for v in variants}
        for _ in range(args.runs):
            for label, cmd, setup, check in variants:
                times[label].append(cpu_of(cmd, cwd=objtree, setup=setup, merged=check))
        med = {k: statistics.median(v) * 1000 for k, v in times.items()}
        rows.append((name, med))
    shutil.rmtree(tmp, ignore_errors=True)

    print("median CPU ms of %d runs (base: %s)" % (args.runs, os.path.basename(base)))
    print("%-12s %10s %10s %7s   %10s %10s %10s %9s %9s" % (
        "module", "ld.lld-19", "ld.lld-btf", "btf/19", "btf-link", "nocache", "pahole",
        "pahole/bl", "pahole/nc"))
    tot = {}

    def row(name, med):
        print("%-12s %10.1f %10.1f %6.2fx   %10.1f %10.1f %10.1f %8.2fx %8.2fx" % (
            name, med["ld.lld-19"], med["ld.lld-btf"], med["ld.lld-btf"] / med["ld.lld-19"],
            med["btf-link"], med["nocache"], med["pahole"], med["pahole"] / med["btf-link"],
            med["pahole"] / med["nocache"]))

    for name, med in rows:
        for k, v in med.items():
            tot[k] = tot.get(k, 0) + v
        row(name, med)
    if tot:
        row("total", tot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
