#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The Linux 7.x module pipeline (scripts/gen-btf.sh) with btfkit's drop-ins,
against the kernel's own resolve_btfids.

  kbuild7.py --bin BUILD/bin [--work DIR] [--cache DIR] [--no-plugin] [--llvm 19|22]

1. Prepares (or reuses) two trees of Debian's linux-source-7.2 with the
   pinned 7.2.13 build's .config (utils/prepare-kernel-tree.sh): one for
   GCC, one for clang-19 (clang-22 with --llvm 22, the LLVM the build's
   plugin is for); kept in --cache (default ~/.cache/btfkit), with
   the 7.2.13 vmlinux BTF as the trees' `vmlinux`, so that Makefile.modfinal
   runs gen-btf.sh. The reference resolve_btfids is the one `make
   modules_prepare` built from each tree's own source
   (out/tools/bpf/resolve_btfids).
2. Builds the external modules of utils/kernels/modules (dkms_demo, two
   objects; dkms_worker) and utils/kernels/modules7 (btf_sets_demo: id
   lists, a set, a kfunc set8, unresolved names) with
     gcc     CC=gcc, PAHOLE=btf-pahole (DWARF route: no fragments);
     pahole  CC=gcc, PAHOLE=pahole (Debian's 1.24), the resolve step ours;
     plugin  LLVM=-19 (or -22) + btfkit's plugin, PAHOLE=btf-pahole;
   each with RESOLVE_BTFIDS = btf-resolve-btfids behind a wrapper that keeps
   its input (X.BTF.1, X.ko), its flags and its outputs.
3. Runs the kernel's resolve_btfids with the same flags on the same input
   and requires X.BTF, X.BTF.base and X.BTF_ids to be byte-identical (and
   present in both or neither), and the final .ko's sections to be ours.

Exit status 0 when everything is identical, 1 otherwise.
"""
import argparse
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import kernels  # noqa: E402

TARGET = "7.2.13"
SOURCE = "source-7.2"
SECTIONS = ("BTF", "BTF.base", "BTF_ids")
OBJCOPY = kernels.OBJCOPY

WRAPPER = r"""#!/bin/sh
# RESOLVE_BTFIDS for kbuild7.py: btf-resolve-btfids, its input, flags and
# outputs kept for the comparison with the kernel's resolve_btfids.
"$KBUILD7_OURS" "$@" || exit $?
case " $* " in *" --btf "*) ;; *) exit 0 ;; esac
prev= ; btf= ; obj=
for a; do
  [ "$prev" = --btf ] && btf=$a
  prev=$a; obj=$a
done
d=$KBUILD7_KEEP/$(basename "$obj")
mkdir -p "$d"
cp "$btf" "$d/in.BTF.1"
cp "$obj" "$d/in.ko"
printf '%s\n' "$@" >"$d/args"
for s in BTF BTF.base BTF_ids; do
  if [ -f "$obj.$s" ]; then cp "$obj.$s" "$d/ours.$s"; fi
done
"""


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def prepare_tree(cache, cc, llvm, config, tarball, vmlinux, log):
    tree = os.path.join(cache, kernels.tree_name("7.2", cc, llvm))
    run([os.path.join(ROOT, "utils", "prepare-kernel-tree.sh"), tree, config,
         tarball], env=kernels.prepare_tree_env(cc, llvm), stdout=log,
        stderr=subprocess.STDOUT)
    out = os.path.join(tree, "out")
    kernels.install_vmlinux(vmlinux, os.path.join(out, "vmlinux"))
    real = os.path.join(out, "tools", "bpf", "resolve_btfids", "resolve_btfids")
    if not os.access(real, os.X_OK):
        raise SystemExit(f"kbuild7: no resolve_btfids built in {out}")
    return out, real


def build(name, out, make_args, bin_dir, work, log, env=None):
    """Builds the modules in WORK/NAME; returns (module dir, keep dir)."""
    mdir = os.path.join(work, name)
    keep = os.path.join(work, name + "-keep")
    for d in (mdir, keep):
        shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(os.path.join(HERE, "modules"), mdir)
    for f in os.listdir(os.path.join(HERE, "modules7")):
        shutil.copy(os.path.join(HERE, "modules7", f), mdir)
    with open(os.path.join(mdir, "Kbuild"), "a") as f:
        f.write("obj-m += btf_sets_demo.o\n")
    os.makedirs(keep)
    wrapper = os.path.join(work, "resolve-btfids-wrapper")
    with open(wrapper, "w") as f:
        f.write(WRAPPER)
    os.chmod(wrapper, 0o755)
    e = dict(os.environ, KBUILD7_OURS=os.path.join(bin_dir, "btf-resolve-btfids"),
             KBUILD7_KEEP=keep, **(env or {}))
    log.write(f"==== {name}\n")
    log.flush()
    run(["make", "-C", out, "M=" + mdir, "KBUILD_MODPOST_WARN=1", "V=1",
         "RESOLVE_BTFIDS=" + wrapper, *make_args, "modules"], env=e,
        stdout=log, stderr=subprocess.STDOUT)
    return mdir, keep


def compare(name, mdir, keep, real, work):
    """The kernel's resolve_btfids on every kept input; returns failures."""
    failures, rows = [], []
    mods = sorted(os.listdir(keep))
    if not mods:
        failures.append(f"{name}: gen-btf.sh never ran resolve_btfids")
    for ko in mods:
        d = os.path.join(keep, ko)
        ref = os.path.join(d, "real")
        shutil.rmtree(ref, ignore_errors=True)
        os.makedirs(ref)
        obj = os.path.join(ref, ko)
        shutil.copy(os.path.join(d, "in.ko"), obj)
        shutil.copy(os.path.join(d, "in.BTF.1"), obj + ".BTF.1")
        args = open(os.path.join(d, "args")).read().split("\n")[:-1]
        args = [obj + ".BTF.1" if i > 0 and args[i - 1] == "--btf" else a
                for i, a in enumerate(args)]
        args[-1] = obj
        p = subprocess.run([real, *args], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        flags = " ".join(a for a in args if a.startswith("--") and a != "--btf"
                         and a != "--btf_base")
        same = []
        for s in SECTIONS:
            ours, theirs = os.path.join(d, "ours." + s), obj + "." + s
            if os.path.exists(ours) != os.path.exists(theirs):
                failures.append(f"{name} {ko}: .{s} written by "
                                f"{'btfkit only' if os.path.exists(ours) else 'the kernel tool only'}")
                continue
            if not os.path.exists(ours):
                continue
            if open(ours, "rb").read() != open(theirs, "rb").read():
                failures.append(f"{name} {ko}: .{s} differs from the kernel's "
                                f"resolve_btfids ({os.path.getsize(ours)} vs "
                                f"{os.path.getsize(theirs)} bytes)")
                continue
            # gen-btf.sh put these bytes into the module.
            sec = os.path.join(d, "final." + s)
            run([OBJCOPY, "--dump-section", f".{s}={sec}",
                 os.path.join(mdir, ko), os.devnull])
            if open(sec, "rb").read() != open(ours, "rb").read():
                failures.append(f"{name} {ko}: the module's .{s} is not what "
                                f"btf-resolve-btfids wrote")
                continue
            same.append("." + s)
        if p.returncode != 0:
            failures.append(f"{name} {ko}: the kernel's resolve_btfids failed: "
                            + p.stdout.strip())
        rows.append(f"  {name:7} {ko:18} [{flags}] identical: {' '.join(same)}")
    return failures, rows


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="btfkit's bin folder")
    ap.add_argument("--work", default=None, help="scratch folder")
    ap.add_argument("--cache", default=os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "btfkit"),
        help="where the prepared trees are kept")
    ap.add_argument("--no-plugin", action="store_true",
                    help="skip the clang + plugin build")
    ap.add_argument("--llvm", default="19", choices=("19", "22"),
                    help="the LLVM the build's plugin is for: its clang compiles the "
                         "plugin case")
    args = ap.parse_args()
    bin_dir = os.path.abspath(args.bin)
    work = os.path.abspath(args.work or os.path.join(os.path.dirname(bin_dir), "kbuild7"))
    os.makedirs(work, exist_ok=True)
    os.makedirs(args.cache, exist_ok=True)

    target = kernels.Kernel(TARGET, work)
    vmlinux = target.vmlinux_btf()
    source = kernels.fetch(SOURCE)[0]
    tarball = next(os.path.join(d, f) for d, _, fs in os.walk(source)
                   for f in fs if f.startswith("linux-source-"))
    config = os.path.join(work, "config")
    target.write_tree_config(config)

    failures, rows = [], []
    with open(os.path.join(work, "build.log"), "w") as log:
        gcc_out, gcc_real = prepare_tree(args.cache, "gcc", args.llvm, config,
                                         tarball, vmlinux, log)
        runs = [("gcc", gcc_out, gcc_real,
                 ["CC=gcc", "PAHOLE=" + os.path.join(bin_dir, "btf-pahole")], None),
                ("pahole", gcc_out, gcc_real, ["CC=gcc", "PAHOLE=pahole"], None)]
        if not args.no_plugin:
            clang_out, clang_real = prepare_tree(args.cache, "clang", args.llvm,
                                                 config, tarball, vmlinux, log)
            plugin = os.path.join(os.path.dirname(bin_dir), "lib", "btfkit-plugin.so")
            runs.append(("plugin", clang_out, clang_real,
                         ["LLVM=-" + args.llvm, "KCFLAGS=-fpass-plugin=" + plugin,
                          "PAHOLE=" + os.path.join(bin_dir, "btf-pahole")],
                         {"BTFKIT_BASE": vmlinux}))
        for name, out, real, make_args, env in runs:
            try:
                mdir, keep = build(name, out, make_args, bin_dir, work, log, env)
            except subprocess.CalledProcessError:
                failures.append(f"{name}: the build failed (see {log.name})")
                continue
            f, r = compare(name, mdir, keep, real, work)
            failures += f
            rows += r
    print(f"Linux 7.x pipeline (gen-btf.sh) over {target.release}'s vmlinux BTF, "
          f"btf-resolve-btfids against the kernel's resolve_btfids:")
    for r in rows:
        print(r)
    for f in failures:
        print("FAIL: " + f)
    print(f"{len(rows)} module builds compared, {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
