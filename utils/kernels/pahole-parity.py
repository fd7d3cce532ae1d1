#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
#
# btf-pahole against pahole on GCC-built external modules (issue 13 item 1,
# docs/PaholeParity.md). Against Debian's 6.12.95 headers (bookworm
# backports, built with pahole 1.24: CONFIG_PAHOLE_VERSION=124) with the
# vmlinux they ship (BTF only; checked to be the 6.12.95 image's), the modules of
# utils/kernels/modules and a few of Linux 6.12's own modules built out of
# tree from linux-source-6.12 are built twice:
#
#   make M=... PAHOLE=btf-pahole   (.BTF + .BTF.base, from DWARF)
#   make M=... PAHOLE=pahole       (Debian 12's pahole 1.24: classic .BTF)
#
# with the tree's own PAHOLE_FLAGS. pahole's classic split BTF is made
# resilient by a distiller, and its .BTF and .BTF.base must be byte for
# byte btf-pahole's. The distiller is btf-distill (the test suite's, which
# CI has) unless --libbpf-distill names a build of
# utils/bench/libbpf-distill-bench.c against libbpf head (btf__distill_base;
# the local oracle, whose results docs/PaholeParity.md records).
#
# --pahole-head=PAHOLE (a pahole built from its newest source against libbpf
# head, docs/PaholeParity.md says how; local only)
# adds pahole's newer encodings on the same linked files (their .BTF taken
# out): Linux 6.12's flags for pahole >= 1.26, distilled_base included
# (pahole distills itself, with its libbpf), and Linux 7.2's flags through
# gen-btf.sh's --btf_encode_detached, each run by pahole head and by
# btf-pahole; they must be equivalent but for HEAD_EXPECTED, and decide
# the exit status only with --strict-head.
#
#   pahole-parity.py --bin BUILD/bin --work DIR [--pahole=pahole]
#                    [--libbpf-distill=BIN] [--pahole-head=PAHOLE]
#
# A check asked for that cannot run (pahole missing or not 1.24, a
# distiller that fails, a module that does not build) is an error, never a
# skip. Exit status: 0 all identical, 1 a difference or an error.
import argparse
import os
import re
import shutil
import struct
import subprocess
import sys
import tarfile

import kernels

HERE = os.path.dirname(os.path.abspath(__file__))
HEADERS = "6.12.95-headers"
KERNEL = "6.12.95"
SOURCE = "source-6.12"
OBJCOPY = kernels.OBJCOPY

# Linux 6.12 modules built out of tree: (module, its files under the
# source tree). Chosen to build against the 6.12.95 headers from the
# newer 6.12 source (sch_sfq does not: it calls a helper 6.12.95 lacks) and
# to cover bitfields, enums, per-CPU variables, several objects a module,
# partly inlined static functions and function pointers in ops tables.
EXTERNAL = [
    ("act_mirred", ["net/sched/act_mirred.c"]),
    ("brd", ["drivers/block/brd.c"]),
    ("dummy", ["drivers/net/dummy.c"]),
    ("nls_cp437", ["fs/nls/nls_cp437.c"]),
    ("tcp_bic", ["net/ipv4/tcp_bic.c"]),
    ("tcp_vegas", ["net/ipv4/tcp_vegas.c", "net/ipv4/tcp_vegas.h"]),
    ("ts_kmp", ["lib/ts_kmp.c"]),
    ("minix", ["fs/minix/"]),
    ("isofs", ["fs/isofs/"]),
]
# The objects of the modules of several (fs/*/Makefile; itree_common.c is
# included by itree_v1.c and itree_v2.c, not built on its own).
OBJECTS = {
    "minix": "bitmap itree_v1 itree_v2 namei inode file dir",
    "isofs": "namei inode dir util rock export joliet compress",
}

# Differences allowed (docs/PaholeParity.md, "Differences"): module ->
# btf-diff lines, "-" a btf-pahole type without an equivalent in pahole's,
# "+" the other way, as (sign, kind and name). None since btf-pahole, as
# pahole, gives a FUNC to the first of a name in the module only (minix's
# two static free_branches(), one per itree_v*.c, were the last).
ALLOWED = {}

# What pahole head's newer features change (docs/PaholeParity.md, "pahole
# head"): optimized_func gives brd's brd_alloc() (an optimized clone) a
# FUNC; consistent_func drops minix's free_branches() and get_block(),
# whose prototypes differ between itree_v1.c and itree_v2.c. Its type ids
# come in another order (FUNCs sorted by name), so only equivalence is
# asked of it.
HEAD_EXPECTED = {
    "brd": {("+", "FUNC 'brd_alloc'")},
    "minix": {("-", "FUNC 'free_branches'"), ("-", "FUNC 'get_block'"),
              ("-", "FUNC_PROTO '(anon)'")},
}

# pahole's flags by release (scripts/Makefile.btf, external modules,
# without KBUILD_BUILD_TIMESTAMP): 6.12 for pahole >= 1.26 with its module
# flag, 7.2 for pahole >= 1.31 (gen-btf.sh adds --btf_encode_detached).
FLAGS_612 = ["-j", "--btf_features=encode_force,var,float,enum64,decl_tag,"
             "type_tag,optimized_func,consistent_func,decl_tag_kfuncs",
             "--lang_exclude=rust", "--btf_features=distilled_base"]
FLAGS_72 = ["-j", "--btf_features=encode_force,var,float,enum64,decl_tag,"
            "type_tag,optimized_func,consistent_func,decl_tag_kfuncs",
            "--btf_features=attributes", "--btf_features=layout",
            "--lang_exclude=rust"]


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, **kw)
    if r.returncode:
        raise SystemExit(f"pahole-parity: {' '.join(cmd)} failed "
                         f"(exit {r.returncode}):\n{r.stdout}")
    return r.stdout


def section(path, name):
    """The bytes of section NAME of ELF file PATH."""
    out = path + "." + name.strip(".") + ".dump"
    run([OBJCOPY, "--dump-section", f"{name}={out}", path, os.devnull])
    data = open(out, "rb").read()
    os.unlink(out)
    return data


def body(raw):
    """BTF after its header: libbpf head writes the 32-byte header of the
    layout extension where btfkit writes the classic 24 bytes."""
    return raw[struct.unpack_from("<I", raw, 4)[0]:]


def count_types(tool, path):
    """(split types, base types) of PATH's BTF, from btf-dump's listing."""
    ids = [int(line[1:line.index("]")]) for line in
           run([tool, "--format=raw", path]).splitlines()
           if line.startswith("[")]
    return len(ids), (ids[0] - 1 if ids else 0)


def prepare_sources(work):
    """utils/kernels/modules plus the EXTERNAL modules, in one folder with
    a Kbuild each; returns that folder's path."""
    src = os.path.join(work, "src")
    # Kept between runs while the list of modules is the same.
    stamp = os.path.join(src, "done")
    if os.path.exists(stamp) and open(stamp).read() == repr(EXTERNAL):
        return src
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(os.path.join(HERE, "modules"), os.path.join(src, "suite"))
    root = kernels.fetch(SOURCE)[0]
    tarball = next(os.path.join(d, f) for d, _, fs in os.walk(root)
                   for f in fs if f.startswith("linux-source-")
                   and f.endswith(".tar.xz"))
    wanted = {}
    for name, files in EXTERNAL:
        for f in files:
            wanted[f] = name
    with tarfile.open(tarball) as tar:
        for m in tar:
            if not m.isfile():
                continue
            rel = m.name.split("/", 1)[1]
            for f, name in wanted.items():
                hit = rel.startswith(f) and "/" not in rel[len(f):] \
                    if f.endswith("/") else rel == f
                if hit and rel.endswith((".c", ".h")):
                    dest = os.path.join(src, name, os.path.basename(rel))
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    with tar.extractfile(m) as i, open(dest, "wb") as o:
                        o.write(i.read())
    for name, files in EXTERNAL:
        d = os.path.join(src, name)
        objs = OBJECTS.get(name, name).split()
        for o in objs:
            if not os.path.exists(os.path.join(d, o + ".c")):
                raise SystemExit(f"pahole-parity: no {o}.c of {name} in "
                                 f"{tarball}")
        with open(os.path.join(d, "Kbuild"), "w") as f:
            f.write(f"obj-m += {name}.o\n")
            if name in OBJECTS:
                f.write(f"{name}-y := {' '.join(o + '.o' for o in objs)}\n")
    with open(os.path.join(src, "Kbuild"), "w") as f:
        f.write("obj-m += suite/ " +
                " ".join(name + "/" for name, _ in EXTERNAL) + "\n")
    with open(stamp, "w") as f:
        f.write(repr(EXTERNAL))
    return src


def build(headers, src, out, pahole, log, reproducible=False):
    """Builds SRC's modules in a copy OUT with PAHOLE=PAHOLE, as a
    reproducible build (KBUILD_BUILD_TIMESTAMP set) if REPRODUCIBLE;
    returns module name -> .ko."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(src, out)
    env = dict(os.environ)
    env.pop("KBUILD_BUILD_TIMESTAMP", None)
    if reproducible:
        env["KBUILD_BUILD_TIMESTAMP"] = "2026-01-01"
    with open(log, "w") as f:
        r = subprocess.run(["make", "-C", headers.dir, "M=" + out, "-j2",
                            "V=1", "PAHOLE=" + pahole, "modules"],
                           stdout=f, stderr=subprocess.STDOUT, env=env)
    if r.returncode:
        raise SystemExit(f"pahole-parity: the build with PAHOLE={pahole} "
                         f"failed; see {log}")
    kos = {}
    for d, _, fs in os.walk(out):
        for f in fs:
            if f.endswith(".ko"):
                kos[f[:-3]] = os.path.join(d, f)
    with open(log) as f:
        runs = [m.group(1) for m in
                (re.search(r"(\S*pahole -J .*?) --btf_base", line)
                 for line in f) if m]
    if not runs:
        raise SystemExit(f"pahole-parity: PAHOLE={pahole} never ran; "
                         f"see {log}")
    print(f"  {os.path.basename(runs[0])}")
    want = {"dkms_demo", "dkms_worker"} | {n for n, _ in EXTERNAL}
    if set(kos) != want:
        raise SystemExit(f"pahole-parity: PAHOLE={pahole} built "
                         f"{sorted(kos)}, expected {sorted(want)}")
    return kos


def compare(label, name, ours, theirs, args, vmlinux, ours_path, theirs_path,
            allowed=None, order_free=False):
    """Prints one line per module; returns True when identical."""
    same = all(body(ours[s]) == body(theirs[s]) for s in ours)
    exact = all(ours[s] == theirs[s] for s in ours)
    n, b = count_types(args.tool("btf-dump"), ours_path)
    how = "identical" if exact else \
        "identical after the header" if same else \
        "not byte-identical" if order_free else "DIFFERENT"
    print(f"  {label} {name}: {n} split types over {b} base types, "
          f"{len(ours['.BTF'])} + {len(ours['.BTF.base'])} bytes: {how}")
    if not same:
        return explain(name, args, vmlinux, ours_path, theirs_path, allowed,
                       order_free)
    return same


def explain(name, args, vmlinux, ours_path, theirs_path, allowed=None,
            order_free=False):
    """Prints btf-diff's verdict on two BTFs whose bytes differ; True when
    every difference is in ALLOWED (default: the module's entry of
    ALLOWED), or when they are equivalent and ORDER_FREE."""
    if allowed is None:
        allowed = ALLOWED.get(name, set())
    r = subprocess.run([args.tool("btf-diff"), "--base-btf=" + vmlinux,
                        ours_path, theirs_path], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    lines = r.stdout.splitlines()
    print("    btf-diff: " + "\n    ".join(lines[:20]))
    if r.returncode == 0:
        print("    other bytes for the same types" if order_free else
              "    DIFFERENT bytes for equivalent types")
        return order_free
    if r.returncode != 1:
        return False
    found = {(m.group(1), m.group(2)) for m in
             (re.match(r"([-+]) \[\d+\] (\w+ '[^']*')", line)
              for line in lines) if m}
    extra = found - allowed
    if extra:
        print(f"    not allowed: {sorted(extra)}")
        return False
    print("    allowed (docs/PaholeParity.md)")
    return True


def main():
    ap = argparse.ArgumentParser(
        description="btf-pahole against pahole on GCC-built modules")
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--pahole", default="pahole")
    ap.add_argument("--libbpf-distill")
    ap.add_argument("--pahole-head")
    ap.add_argument("--strict-head", action="store_true")
    args = ap.parse_args()
    args.tool = lambda t: os.path.join(os.path.abspath(args.bin), t)
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)

    pahole = shutil.which(args.pahole)
    if not pahole:
        raise SystemExit(f"pahole-parity: {args.pahole} not found "
                         "(utils/install-deps.sh installs Debian's dwarves)")
    version = run([pahole, "--version"]).strip()
    if version != "v1.24":
        raise SystemExit(f"pahole-parity: {pahole} is {version}, not Debian "
                         "12's v1.24 that the 6.12.95 headers were built with")
    kernel = kernels.Kernel(KERNEL, work)
    headers = kernels.Headers(HEADERS, work)
    vmlinux = kernel.vmlinux_btf()
    # Debian's headers carry the vmlinux (BTF only) that Kbuild gives
    # pahole as --btf_base; it must be the kernel's own.
    if section(headers.vmlinux, ".BTF") != open(vmlinux, "rb").read():
        raise SystemExit(f"pahole-parity: {headers.vmlinux} does not carry "
                         f"the BTF of {kernel.vmlinuz}")
    print(f"pahole-parity: {headers.release} headers, {KERNEL} vmlinux BTF")

    src = prepare_sources(work)
    ours = build(headers, src, os.path.join(work, "btf-pahole"),
                 args.tool("btf-pahole"), os.path.join(work, "btf-pahole.log"))
    # pahole 1.24's -j output is not reproducible (the order of the types
    # of a module's units varies from run to run, scripts/Makefile.btf
    # says so); the tree's reproducible build leaves -j out for pahole
    # < 1.27, and that is the reference.
    theirs = build(headers, src, os.path.join(work, "pahole"), pahole,
                   os.path.join(work, "pahole.log"), reproducible=True)

    distilled = os.path.join(work, "distilled")
    shutil.rmtree(distilled, ignore_errors=True)
    os.makedirs(distilled)
    who = "libbpf head's btf__distill_base" if args.libbpf_distill \
        else "btf-distill"
    print(f"pahole 1.24 ({pahole}) + {who} vs btf-pahole, "
          f"{len(ours)} modules:")
    ok = True
    for name in sorted(ours):
        mine = {s: section(ours[name], s) for s in (".BTF", ".BTF.base")}
        if args.libbpf_distill:
            raw = os.path.join(distilled, name + ".split")
            with open(raw, "wb") as f:
                f.write(section(theirs[name], ".BTF"))
            run([args.libbpf_distill, vmlinux, distilled, raw])
            other = {".BTF": open(os.path.join(distilled, name + ".btf"),
                                  "rb").read(),
                     ".BTF.base": open(os.path.join(distilled, name +
                                                    ".base.btf"), "rb").read()}
            other_path = theirs[name]
        else:
            other_path = os.path.join(distilled, name + ".ko")
            run([args.tool("btf-distill"), "--base-btf=" + vmlinux,
                 theirs[name], "-o", other_path])
            other = {s: section(other_path, s) for s in mine}
        ok &= compare("1.24", name, mine, other, args, vmlinux, ours[name],
                      other_path)

    if args.pahole_head:
        head_ok = compare_head(args, work, ours, theirs, vmlinux)
        if args.strict_head:
            ok &= head_ok
    print("pahole-parity: " + ("identical, or different only as allowed"
                             if ok else "DIFFERENT"))
    return 0 if ok else 1


def compare_head(args, work, ours, theirs, vmlinux):
    """pahole head with 6.12's and 7.2's flags vs btf-pahole with the same
    flags, on the linked files of the pahole 1.24 build without .BTF."""
    head = os.path.abspath(args.pahole_head)
    version = run([head, "--version"]).strip()
    out = os.path.join(work, "head")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    ok = True
    env = dict(os.environ, LLVM_OBJCOPY=OBJCOPY)
    for release, flags in (("6.12", FLAGS_612), ("7.2", FLAGS_72)):
        print(f"pahole {version} ({head}) vs btf-pahole, Linux {release}'s "
              f"flags: {' '.join(flags)}")
        for name in sorted(theirs):
            files = {}
            for who, tool in (("head", head), ("ours", args.tool("btf-pahole"))):
                ko = os.path.join(out, f"{name}-{release}-{who}.ko")
                run([OBJCOPY, "--remove-section=.BTF", theirs[name], ko])
                cmd = [tool, "-J", *flags, "--btf_base", vmlinux]
                if release == "7.2":
                    detached = ko[:-3] + ".BTF.1"
                    cmd.append("--btf_encode_detached=" + detached)
                run(cmd + [ko], env=env)
                if release == "7.2":
                    files[who] = ({".BTF": open(detached, "rb").read()},
                                  detached)
                else:
                    files[who] = ({s: section(ko, s)
                                   for s in (".BTF", ".BTF.base")}, ko)
            (h, hpath), (m, mpath) = files["head"], files["ours"]
            if release == "7.2":
                same = body(m[".BTF"]) == body(h[".BTF"])
                exact = m[".BTF"] == h[".BTF"]
                how = "identical" if exact else \
                    "identical after the header" if same else \
                    "not byte-identical"
                print(f"  {release} {name}: {len(m['.BTF'])} bytes of "
                      f"classic split BTF (head {len(h['.BTF'])}): {how}")
                if not same:
                    same = explain(name, args, vmlinux, mpath, hpath,
                                   HEAD_EXPECTED.get(name, set()), True)
            else:
                same = compare(release, name, m, h, args, vmlinux, mpath,
                               hpath, HEAD_EXPECTED.get(name, set()), True)
            ok &= same
    return ok


if __name__ == "__main__":
    sys.exit(main())
