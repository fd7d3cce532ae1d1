#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Real kernel code through the btfkit plugin, object by object against pahole.

  build-and-compare.py --build-dir BUILD [--work DIR] [--ktree DIR] [-j N]
                       [--list FILE] [--only NAME,...] [--llvm 19|22]

1. Prepares a Linux 6.1 tree for clang-19, or for the clang of --llvm, the
   LLVM the build's plugin was built against (utils/prepare-kernel-tree.sh;
   DIR from --ktree, $BTFKIT_KTREE, or WORK/ktree; a prepared tree is reused).
2. Copies the module sources of modules.txt into WORK/mods, one module per
   file, and builds them with Kbuild (`make M=... LLVM=-19`), the plugin passed
   through KCFLAGS and BTFKIT_BASE set to the clang-built vmlinux BTF of the
   corpus.
3. For each object: pahole 1.24 encodes a copy (`pahole -J` with the flags
   Kbuild 6.1 gives it, scripts/pahole-flags.sh, and --btf_base); the
   plugin's fragment becomes split BTF over the same base (btf-relocate when
   the fragment carries a distilled base, else, while the plugin writes
   standalone types, rebased and deduplicated against the base with
   btf-dedup); btf-diff compares the two. Each difference must match the
   allowlist in docs/KernelModules.md (which says why we are right).
4. Compiles the same objects again (Kbuild's recorded command lines) with
   BTFKIT_BASE set to the GCC-built Debian vmlinux BTF and checks that no
   split type is a private copy of a base type only because of how an INT is
   spelled: renaming the split's INTs to GCC's spelling and deduplicating
   again must not fold any type into the base. The same check on the objects
   built against the clang base (clang spelling) must find such copies: the
   control that shows the check can fail.
5. Prints a summary; exits 1 on any unexplained difference or failure.
"""
import argparse
import concurrent.futures as cf
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import btfraw  # noqa: E402

# clang's DWARF names of the C integer types -> GCC's (DESIGN.md).
GCC_SPELLING = {
    "long": "long int", "unsigned long": "long unsigned int",
    "short": "short int", "unsigned short": "short unsigned int",
    "long long": "long long int", "unsigned long long": "long long unsigned int",
}


def log(*a):
    print(*a, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kw)


def read_list(path):
    mods = []
    for line in open(path):
        body = line.split("#", 1)[0].strip()
        if not body:
            continue
        src, _, flags = body.partition("|")
        src = src.strip()
        name = os.path.basename(src)[:-2].replace("-", "_")
        mods.append(dict(src=src, name=name, flags=flags.strip()))
    names = Counter(m["name"] for m in mods)
    dup = [n for n, c in names.items() if c > 1]
    if dup:
        sys.exit("build-and-compare: module names used twice in %s: %s" % (path, dup))
    return mods


def read_allowlist(path):
    """Rows of the '## Allowlist' table: (object glob regex, line regex, reason)."""
    rows, on = [], False
    for line in open(path):
        if line.startswith("## "):
            on = line.strip() == "## Allowlist"
            continue
        if not on or not line.startswith("|") or "---" in line:
            continue
        # "\|" is a literal "|" in a cell (an alternation in the regexes).
        cells = [c.strip().replace("\\|", "|")
                 for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if len(cells) < 3 or cells[0] == "objects":
            continue
        objs, pat, reason = (c.strip("`") for c in cells[:3])
        rows.append((re.compile(objs), re.compile(pat), reason))
    return rows


def find_base(build, corpus, work, stem):
    for d in (os.path.join(build, "corpus"), work):
        p = os.path.join(d, stem + ".btf")
        if os.path.exists(p):
            return p
    xz = os.path.join(corpus, stem + ".btf.xz")
    out = os.path.join(work, stem + ".btf")
    with open(out + ".tmp", "wb") as f:
        subprocess.run(["xz", "-dc", xz], stdout=f, check=True)
    os.replace(out + ".tmp", out)
    return out


def setup_mods(ktree, mods, dest):
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    kb = []
    for m in mods:
        shutil.copy(os.path.join(ktree, "src", m["src"]), os.path.join(dest, m["name"] + ".c"))
        kb.append("obj-m += %s.o" % m["name"])
        # Local headers ("foo.h" next to the source) stay in the tree.
        flags = "-I$(srctree)/%s %s" % (os.path.dirname(m["src"]), m["flags"])
        kb.append("CFLAGS_%s.o += %s" % (m["name"], flags.strip()))
    with open(os.path.join(dest, "Kbuild"), "w") as f:
        f.write("\n".join(kb) + "\n")


def compile_command(cmdfile):
    """The compiler part of Kbuild's recorded command for an object."""
    text = open(cmdfile).read()
    m = re.search(r"^cmd_\S+ := (.*)$", text, re.M)
    # objtool follows after ';' and edits the object; BTF does not need it.
    return m.group(1).split(" ; ")[0].strip()


def pahole_flags(ktree):
    r = run(["sh", os.path.join(ktree, "src/scripts/pahole-flags.sh")],
            env=dict(os.environ, PAHOLE="pahole"))
    return r.stdout.split()


class Tools:
    def __init__(self, build):
        self.bin = os.path.join(build, "bin")
        self.plugin = os.path.join(build, "lib", "btfkit-plugin.so")
        for t in ("btf-diff", "btf-dedup", "btf-relocate"):
            if not os.access(os.path.join(self.bin, t), os.X_OK):
                sys.exit("build-and-compare: %s missing in %s" % (t, self.bin))

    def __call__(self, tool, *args):
        return run([os.path.join(self.bin, tool)] + list(args))


def plugin_split(tools, obj, base, out):
    """The plugin's types of `obj` as split BTF over `base`, written to `out`.
    Returns (how, error)."""
    man, blobs = btfraw.fragment_blobs(obj)
    if "distilled-base" in blobs:
        r = tools("btf-relocate", obj, "--base-btf=" + base, "-o", out)
        return "relocated", (r.stdout if r.returncode else None)
    with open(base, "rb") as f:
        base_bytes = f.read()
    with open(out + ".rebased", "wb") as f:
        f.write(btfraw.rebase(blobs["types"], base_bytes))
    r = tools("btf-dedup", "--base-btf=" + base, out + ".rebased", "-o", out)
    return "standalone+dedup", (r.stdout if r.returncode else None)


def respelling_folds(tools, split, base, tmp):
    """Named types of `split` that fold into `base` once the split's INTs are
    spelled as GCC spells them: private copies due to INT spelling only."""
    with open(base, "rb") as f:
        base_bytes = f.read()
    with open(split, "rb") as f:
        split_bytes = f.read()
    with open(tmp + ".respelled", "wb") as f:
        f.write(btfraw.respell_ints(split_bytes, base_bytes, GCC_SPELLING))
    r = tools("btf-dedup", "--base-btf=" + base, tmp + ".respelled", "-o", tmp + ".refolded")
    if r.returncode:
        raise RuntimeError("btf-dedup on respelled %s: %s" % (split, r.stdout))
    with open(tmp + ".refolded", "rb") as f:
        after = Counter(btfraw.named_types(f.read(), base_bytes))
    before = Counter(btfraw.named_types(split_bytes, base_bytes))
    kinds = ("STRUCT", "UNION", "ENUM", "ENUM64", "TYPEDEF")
    return sorted(k for k in (before - after) if k[0] in kinds)


def compare_one(tools, args, m, mods_dir, cmp_dir, bases, pflags, allow):
    name = m["name"]
    res = dict(name=name, src=m["src"], problems=[], allowed=[], notes=[])
    obj = os.path.join(mods_dir, name + ".o")
    if not os.path.exists(obj):
        res["problems"].append("not built (see the build log)")
        return res
    clang_base, gcc_base = bases
    # pahole on a copy of the very object the plugin wrote into.
    pobj = os.path.join(cmp_dir, name + ".pahole.o")
    shutil.copy(obj, pobj)
    t0 = time.monotonic()
    r = run(["pahole", "-J"] + pflags + ["--btf_base", clang_base, pobj])
    res["pahole_s"] = time.monotonic() - t0
    if r.returncode:
        res["problems"].append("pahole failed: " + r.stdout.strip())
        return res
    split = os.path.join(cmp_dir, name + ".ours.btf")
    try:
        how, err = plugin_split(tools, obj, clang_base, split)
    except btfraw.BTFError as e:
        res["problems"].append(str(e))
        return res
    res["how"] = how
    diff_input = split
    if err:
        first = [l for l in err.strip().splitlines() if l.strip()][:2]
        res["problems"].append("cannot make split BTF: " + " / ".join(first)[:400])
        if how != "relocated":
            return res
        # btf-diff relocates a fragment onto the base itself: still show
        # how the contents compare.
        diff_input = obj
    else:
        with open(split, "rb") as f:
            data = f.read()
        res["ours_types"] = btfraw.counts_split(data)
        with open(clang_base, "rb") as f:
            res["features"] = btfraw.features(data, f.read())
    r = tools("btf-diff", diff_input, pobj, "--base-btf=" + clang_base)
    if r.returncode not in (0, 1):
        res["problems"].append("btf-diff refused: " + r.stdout.strip())
        return res
    for line in r.stdout.splitlines():
        if not line.startswith(("- ", "+ ")):
            continue
        reason = next((why for objs, pat, why in allow
                       if objs.search(name) and pat.search(line)), None)
        (res["allowed"] if reason else res["problems"]).append(
            line + ("   [allowed: %s]" % reason if reason else ""))

    if args.standalone or diff_input == obj:
        return res
    # The GCC base: no private copies only because of INT spelling.
    gobj = os.path.join(mods_dir, name + ".gccbase.o")
    if not os.path.exists(gobj):
        res["problems"].append("not built against the GCC base")
        return res
    gsplit = os.path.join(cmp_dir, name + ".gcc.btf")
    how, err = plugin_split(tools, gobj, gcc_base, gsplit)
    if err:
        res["problems"].append("GCC base: cannot make split BTF: " + err.strip())
        return res
    # Distillation copies every TYPEDEF the split refers to into the split
    # (libbpf's btf__distill_base does the same: the distilled base holds
    # only INT, FLOAT, ENUM, FWD, STRUCT and UNION), so a typedef in the
    # relocated split is by design, not a missed deduplication. The named
    # types that must come from the base are the composites and enums.
    folds = [k for k in respelling_folds(tools, gsplit, gcc_base, gsplit)
             if k[0] != "TYPEDEF"]
    for k in folds:
        res["problems"].append("GCC base: %s '%s' is a private copy of the base's "
                               "(differs only in INT spelling)" % k)
    with open(gsplit, "rb") as f:
        res["gcc_types"] = btfraw.counts_split(f.read())
    # Control: the clang-base object, whose INTs are spelled as clang does,
    # put over the GCC base must show such copies when it has any named
    # type that holds a long, short or long long.
    csplit = os.path.join(cmp_dir, name + ".control.btf")
    how, err = plugin_split(tools, obj, gcc_base, csplit)
    if not err:
        res["control_folds"] = len([k for k in respelling_folds(tools, csplit, gcc_base, csplit) if k[0] != "TYPEDEF"])
    else:
        # A distilled base naming clang's INTs does not even relocate onto
        # the GCC base (the kernel's verdict too): detected as well.
        res["control_folds"] = 1 if how == "relocated" else -1
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--work", help="work directory (default BUILD/kernel-modules)")
    ap.add_argument("--ktree", help="prepared kernel tree (default $BTFKIT_KTREE or WORK/ktree)")
    ap.add_argument("--list", default=os.path.join(HERE, "modules.txt"))
    ap.add_argument("--allowlist", default=os.path.join(ROOT, "docs", "KernelModules.md"))
    ap.add_argument("--only", help="comma-separated module names")
    ap.add_argument("-j", "--jobs", type=int, default=int(os.environ.get("BTFKIT_JOBS", "2")))
    ap.add_argument("--standalone", action="store_true",
                    help="compile without BTFKIT_BASE (standalone fragments, deduplicated "
                         "against the base here) and skip the GCC-base check: compares the "
                         "converter alone, e.g. while btf-relocate cannot read fragments")
    ap.add_argument("-v", "--verbose", action="store_true", help="print allowed differences too")
    ap.add_argument("--llvm", default="19", choices=("19", "22"),
                    help="the LLVM the build's plugin is for: its clang compiles the modules")
    args = ap.parse_args()

    build = os.path.abspath(args.build_dir)
    work = os.path.abspath(args.work or os.path.join(build, "kernel-modules"))
    os.makedirs(work, exist_ok=True)
    ktree = os.path.abspath(args.ktree or os.environ.get("BTFKIT_KTREE") or os.path.join(work, "ktree"))
    corpus = os.environ.get("BTFKIT_CORPUS") or os.path.join(ROOT, "..", "shared", "corpus")
    tools = Tools(build)
    mods = read_list(args.list)
    if args.only:
        keep = set(args.only.split(","))
        mods = [m for m in mods if m["name"] in keep]
    allow = read_allowlist(args.allowlist)
    # pahole 1.24 adds .BTF to an object by running the unversioned
    # `llvm-objcopy`, which Debian 12 installs only under /usr/lib/llvm-19/bin
    # (and as llvm-objcopy-19).
    os.environ["PATH"] = "/usr/lib/llvm-19/bin" + os.pathsep + os.environ.get("PATH", "")
    # Exit 77 (ctest's SKIP_RETURN_CODE) with a reason when a prerequisite
    # is missing on a user's machine; in CI that is a failure.
    skip = 1 if os.environ.get("CI") else 77
    for t in ("pahole", "clang-" + args.llvm, "make", "xz", "llvm-objcopy"):
        if not shutil.which(t):
            log("build-and-compare: %s: %s not found" % ("FAILED" if skip == 1 else "SKIPPED", t))
            return skip
    if not os.path.exists(os.path.join(corpus, "vmlinux-6.1-clang19.btf.xz")) and \
            not os.path.exists(os.path.join(build, "corpus", "vmlinux-6.1-clang19.btf")):
        log("build-and-compare: %s: no corpus at %s (set BTFKIT_CORPUS)" %
            ("FAILED" if skip == 1 else "SKIPPED", corpus))
        return skip

    start = time.monotonic()
    r = subprocess.run([os.path.join(ROOT, "utils", "prepare-kernel-tree.sh"), ktree],
                       env=dict(os.environ, BTFKIT_CORPUS=corpus, BTFKIT_KTREE_LLVM=args.llvm))
    if r.returncode:
        sys.exit("build-and-compare: preparing the kernel tree failed")
    t_tree = time.monotonic() - start
    bases = (find_base(build, corpus, work, "vmlinux-6.1-clang19"),
             find_base(build, corpus, work, "vmlinux-6.1.0-50-amd64"))
    pflags = pahole_flags(ktree)
    log("build-and-compare: %d modules; pahole flags: %s" % (len(mods), " ".join(pflags)))

    mods_dir = os.path.join(work, "mods")
    cmp_dir = os.path.join(work, "cmp")
    setup_mods(ktree, mods, mods_dir)
    shutil.rmtree(cmp_dir, ignore_errors=True)
    os.makedirs(cmp_dir)
    env = dict(os.environ, BTFKIT_BASE=bases[0], KBUILD_MODPOST_WARN="1")
    env.pop("BTFKIT_FEATURES", None)
    if args.standalone:
        env.pop("BTFKIT_BASE")
    t0 = time.monotonic()
    with open(os.path.join(work, "build.log"), "w") as logf:
        subprocess.run(["make", "-C", os.path.join(ktree, "out"), "M=" + mods_dir, "LLVM=-" + args.llvm,
                        "KCFLAGS=-fpass-plugin=" + tools.plugin, "-k", "-j%d" % args.jobs,
                        "modules"], env=env, stdout=logf, stderr=subprocess.STDOUT)
    t_build = time.monotonic() - t0

    # The GCC base: the same compile commands, another BTFKIT_BASE.
    t0 = time.monotonic()
    genv = dict(env, BTFKIT_BASE=bases[1])

    def gcc_build(m):
        cmdf = os.path.join(mods_dir, ".%s.o.cmd" % m["name"])
        if not os.path.exists(cmdf):
            return m["name"], "no Kbuild command recorded"
        cmd = compile_command(cmdf)
        cmd = cmd.replace(" -o %s/%s.o " % (mods_dir, m["name"]),
                          " -o %s/%s.gccbase.o " % (mods_dir, m["name"]))
        cmd = re.sub(r"-Wp,-MMD,\S+", "", cmd)
        r = run(["bash", "-c", cmd], cwd=os.path.join(ktree, "out"), env=genv)
        return m["name"], (r.stdout if r.returncode else None)
    gcc_errors = {}
    if not args.standalone:
        with cf.ThreadPoolExecutor(args.jobs) as ex:
            gcc_errors = {n: e for n, e in ex.map(gcc_build, mods) if e}
    t_gcc = time.monotonic() - t0

    t0 = time.monotonic()
    with cf.ThreadPoolExecutor(args.jobs) as ex:
        results = list(ex.map(lambda m: compare_one(tools, args, m, mods_dir, cmp_dir, bases,
                                                    pflags, allow), mods))
    t_cmp = time.monotonic() - t0

    bad = 0
    log("\n%-24s %-18s %8s %8s %8s %8s %7s  %s" % ("object", "plugin output", "split", "gcc-split",
                                                   "allowed", "problems", "control",
                                                   "module's own types (split over the clang base)"))
    for res in results:
        if res["name"] in gcc_errors:
            res["problems"].append("GCC-base compile failed: " + gcc_errors[res["name"]][-400:])
        feats = res.get("features", {})
        log("%-24s %-18s %8s %8s %8d %8d %7s  %s" % (
            res["name"], res.get("how", "-"), res.get("ours_types", "-"), res.get("gcc_types", "-"),
            len(res["allowed"]), len(res["problems"]), res.get("control_folds", "-"),
            " ".join("%s=%d" % kv for kv in sorted(feats.items()))))
    for res in results:
        if res["problems"] or (args.verbose and res["allowed"]):
            log("\n== %s (%s)" % (res["name"], res["src"]))
            for p in res["problems"]:
                log("  PROBLEM " + p)
            if args.verbose:
                for a in res["allowed"]:
                    log("  " + a)
        bad += bool(res["problems"])
    covered = Counter()
    for res in results:
        covered.update({k: 1 for k, v in res.get("features", {}).items() if v})
    log("\nobjects whose own types have: " +
        ", ".join("%s %d" % kv for kv in sorted(covered.items())))
    control = sum(max(r.get("control_folds", 0), 0) for r in results)
    if control == 0 and any("control_folds" in r for r in results):
        log("\nCONTROL FAILED: clang-spelled objects over the GCC base showed no "
            "private copies: the GCC-base check cannot fail")
        bad += 1
    log("\nbuild-and-compare: %d objects, %d with unexplained differences or failures; "
        "%d allowed differences; control: %d private copies found in clang-spelled "
        "objects over the GCC base" % (len(results), bad,
                                         sum(len(r["allowed"]) for r in results), control))
    log("times: tree %.0fs, Kbuild build %.0fs, GCC-base compiles %.0fs, compare %.0fs, "
        "pahole total %.1fs" % (t_tree, t_build, t_gcc, t_cmp,
                               sum(r.get("pahole_s", 0) for r in results)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
