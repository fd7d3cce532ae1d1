#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Real external modules through the three Kbuild recipes of docs/LinkStep.md.

  kbuild-recipes.py --build-dir BUILD [--work DIR] [--ktree DIR] [-j N] [--ci]
                    [--only NAME,...] [--llvm 19|22]

1. Prepares (or reuses) the clang-19 Linux 6.1 tree of the kernel-modules
   test (utils/prepare-kernel-tree.sh; DIR from --ktree, $BTFKIT_KTREE, or
   BUILD/kernel-modules/ktree, the same default as build-and-compare.py);
   with --llvm 22, for a build against LLVM 22, a tree for clang-22, whose
   LLVM=-22 compiles the modules below.
2. Builds the modules of MODULES below as one external module directory
   (`make M=... LLVM=-19`, the plugin in KCFLAGS, BTFKIT_BASE = the corpus's
   clang-built vmlinux BTF) once per recipe:
     lld    LD=ld.lld-btf: the modfinal link of each .ko merges and checks;
     pahole PAHOLE=btf-pahole through Kbuild's own modfinal BTF step, in a
            scratch copy of the kernel build tree holding a `vmlinux` (the
            clang base as raw BTF), so modfinal runs pahole and then
            resolve_btfids -b vmlinux as it does for in-tree builds
            (RESOLVE_BTFIDS=btf-resolve-btfids);
     link   plain build, a pre-link copy of each .ko kept, then
            `btf-link -v --base=... --check-against=...` on each .ko;
     lld+pahole  both drop-ins in the tree with a vmlinux: the .ko merged
            by ld.lld-btf, then left alone by btf-pahole.
3. Checks every .ko (see check_ko) and compares the recipes' .BTF and
   .BTF.base bytes; prints a table per module and recipe; exits 1 on any
   failure, naming module, recipe and check.

Exit 77 (skipped) when a prerequisite is missing, unless under CI ($CI set
or --ci): then a missing tool, corpus or kernel tree is a failure.
"""
import argparse
import importlib.util
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import btfraw  # noqa: E402

# The modules: real sources of the tree, chosen to cover what the link step
# does on a .ko and to build in well under a minute per recipe on 2 cores.
MODULES = [
    # Composite object: Kbuild links efivarfs.o from four objects (ld -r,
    # fragments kept), then the .ko: the link step merges four fragments.
    dict(name="efivarfs", dir="fs/efivarfs",
         objs=["inode", "file", "super", "vars"], headers=["internal.h"],
         what="multi-object (4 objects)"),
    # DEFINE_PER_CPU(mirred_rec_level): a VAR in the .data..percpu DATASEC,
    # rebuilt from the .ko's symbol table.
    dict(name="act_mirred", dir="net/sched", objs=["act_mirred"], headers=[],
         what="per-CPU variable"),
    # A larger driver: unions, a multi-dimensional array, 68 functions.
    dict(name="tun", dir="drivers/net", objs=["tun"], headers=[],
         what="large single object"),
    # Ours (utils/kernel-modules/btf_ids_demo/): a BTF_ID_LIST naming the
    # module's own struct and a kernel one. Where modfinal runs
    # resolve_btfids (the pahole recipes), it goes through
    # btf-resolve-btfids and must resolve both in the module's BTF over its
    # .BTF.base, as Linux >= 6.11's resolve_btfids does.
    dict(name="btf_ids_demo", dir=None, local=os.path.join(HERE, "btf_ids_demo"),
         objs=["btf_ids_demo"], headers=[], what="BTF_ID_LIST",
         btf_ids=[("STRUCT", "kr_priv"), ("STRUCT", "task_struct")]),
]
# Recipe -> (LD=ld.lld-btf, PAHOLE=btf-pahole, scratch build tree with a
# vmlinux). lld+pahole is recipe lld in a tree where modfinal's BTF step
# runs: btf-pahole must then leave the merged .ko alone (the real pahole
# would replace .BTF by its own split over vmlinux; docs/LinkStep.md).
RECIPES = {"lld": (True, False, False), "pahole": (False, True, True),
           "link": (False, False, False), "lld+pahole": (True, True, True)}
CLANG_BASE = "vmlinux-6.1-clang19"
OTHER_KERNELS = ("vmlinux-6.1.0-47-amd64", "vmlinux-6.1.0-50-amd64")


def log(*a):
    print(*a, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kw)


def load_sibling(name, filename):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, filename))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def section_names(path):
    """Section names of a little-endian ELF64 file, in section order (read
    here, not with the btfkit library, so that duplicates are counted)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise btfraw.BTFError("%s: not a little-endian ELF64 file" % path)
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    secs = [struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize) for i in range(shnum)]
    stroff = secs[shstrndx][4]
    return [data[stroff + s[0]:data.index(b"\0", stroff + s[0])].decode() for s in secs]


def setup_dir(ktree, mods, dest):
    """One external-module directory holding every module's sources."""
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(dest)
    kb, seen = [], set()
    for m in mods:
        for f in [o + ".c" for o in m["objs"]] + m["headers"]:
            if f in seen:
                sys.exit("kbuild-recipes: two modules have a file named %s" % f)
            seen.add(f)
            src = (os.path.join(m["local"], f) if m.get("local")
                   else os.path.join(ktree, "src", m["dir"], f))
            shutil.copy(src, os.path.join(dest, f))
        kb.append("obj-m += %s.o" % m["name"])
        if m["objs"] != [m["name"]]:
            kb.append("%s-y := %s" % (m["name"], " ".join(o + ".o" for o in m["objs"])))
        for o in m["objs"] if m["dir"] else []:
            # Local headers of the source's own directory stay in the tree.
            kb.append("CFLAGS_%s.o += -I$(srctree)/%s" % (o, m["dir"]))
    with open(os.path.join(dest, "Kbuild"), "w") as f:
        f.write("\n".join(kb) + "\n")


class Ctx:
    pass


def build(ctx, recipe, mods):
    """Runs one recipe's Kbuild build; returns (seconds, log text)."""
    mdir = os.path.join(ctx.work, recipe)
    setup_dir(ctx.ktree, mods, mdir)
    use_ld, use_pahole, scratch = RECIPES[recipe]
    objtree = os.path.join(ctx.ktree, "out")
    env = dict(os.environ, BTFKIT_BASE=ctx.base, KBUILD_MODPOST_WARN="1")
    for v in ("BTFKIT_CHECK_AGAINST", "BTFKIT_FATAL_WARNINGS", "BTFKIT_FEATURES"):
        env.pop(v, None)
    extra = []
    if scratch:
        # modfinal tests `[ -f vmlinux ]` in the build tree and passes that
        # file to pahole (--btf_base) and resolve_btfids (-b): a scratch copy
        # of the prepared tree has one (the clang base as raw BTF, which
        # both read), the shared tree stays as it is.
        objtree = ctx.scratch
        env["BTFKIT_BASE"] = os.path.join(objtree, "vmlinux")
    if use_ld:
        extra.append("LD=" + ctx.tool("ld.lld-btf"))
    if use_pahole:
        extra.append("PAHOLE=" + ctx.tool("btf-pahole"))
    if scratch:
        # The real resolve_btfids is found next to -b vmlinux, in the tree.
        extra.append("RESOLVE_BTFIDS=" + ctx.tool("btf-resolve-btfids"))
    if use_ld or use_pahole:
        env["BTFKIT_CHECK_AGAINST"] = ":".join(ctx.others)
    t0 = time.monotonic()
    r = run(["make", "-C", objtree, "M=" + mdir, "LLVM=-" + ctx.llvm, "V=1",
             "KCFLAGS=-fpass-plugin=" + ctx.plugin, "-j%d" % ctx.jobs] + extra + ["modules"],
            env=env)
    secs = time.monotonic() - t0
    with open(os.path.join(ctx.work, recipe + ".log"), "w") as f:
        f.write(r.stdout)
    if r.returncode:
        errs = [l.strip()[:300] for l in r.stdout.splitlines()
                if re.search(r"error|\*\*\*", l) and not l.startswith("  clang")]
        ctx.fail("*", recipe, "build", "make exited %d (see %s/%s.log): %s" % (
            r.returncode, ctx.work, recipe, " / ".join(errs[:3])))
    return secs, r.stdout


def parse_link_verdicts(text):
    """{kernel: (loads, [(id, kind, name)])} from btf-link -v's output."""
    out, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"^\S+: loads on (\S+)", line)
        if m:
            out[m.group(1)] = (True, [])
            cur = None
            continue
        m = re.match(r"^\S+: does not relocate onto (\S+): ", line)
        if m:
            cur = m.group(1)
            out[cur] = (False, [])
            continue
        m = re.match(r"^\s+\[(\d+)\] (\w+) '([^']*)'", line)
        if m and cur:
            out[cur][1].append((int(m.group(1)), m.group(2), m.group(3)))
            continue
        if not line.startswith(" "):
            cur = None
    return {k: (v[0], sorted(v[1])) for k, v in out.items()}


def relocate_verdicts(ctx, ko):
    r = run([ctx.tool("btf-relocate"), "--format=json", ko] +
            ["--base-btf=" + k for k in ctx.others])
    if r.returncode not in (0, 1):
        return None, r.stdout
    try:
        doc = json.loads(r.stdout[r.stdout.index("{"):])
    except ValueError as e:
        return None, "unreadable JSON (%s)" % e
    return {res["target"]: (res["loads"], sorted((f["id"], f["kind"], f["name"])
                                                 for f in res.get("failures", [])))
            for res in doc["results"]}, None


def pahole_reference(ctx, m, prelink):
    """pahole 1.24 on a copy of the pre-link .ko, as Kbuild runs it."""
    out = os.path.join(ctx.check, m["name"] + ".pahole.ko")
    shutil.copy(prelink, out)
    r = run(["pahole", "-J"] + ctx.pflags + ["--btf_base", ctx.base, out])
    if r.returncode:
        return None, r.stdout.strip()
    return out, None


def check_ko(ctx, m, recipe, res, log_text):
    """The checks of one module built by one recipe; fills res."""
    name = m["name"]
    mdir = os.path.join(ctx.work, recipe)
    ko = os.path.join(mdir, name + ".ko")

    def fail(check, msg):
        ctx.fail(name, recipe, check, msg)
        res["fails"] += 1

    if not os.path.exists(ko):
        fail("build", "no %s.ko (see %s.log)" % (name, recipe))
        return
    names = section_names(ko)
    counts = {s: names.count(s) for s in (".BTF", ".BTF.base", ".BTF.btfkit")}
    if counts != {".BTF": 1, ".BTF.base": 1, ".BTF.btfkit": 0}:
        fail("sections", "want one .BTF, one .BTF.base, no .BTF.btfkit; have %s" %
             ", ".join("%s x%d" % kv for kv in counts.items()))
        return
    btf = btfraw.elf_section(ko, ".BTF")
    base = btfraw.elf_section(ko, ".BTF.base")
    res["bytes"] = (btf, base)
    res["types"] = "%d+%d" % (btfraw.counts_split(base), btfraw.counts_split(btf))

    # The recipe itself did what docs/LinkStep.md says.
    use_ld, use_pahole, _ = RECIPES[recipe]
    if use_ld and len(m["objs"]) > 1:
        # The composite object's partial link is left alone, fragments kept.
        comp = section_names(os.path.join(mdir, name + ".o"))
        if ".BTF.btfkit" not in comp or ".BTF" in comp:
            fail("composite", "%s.o (a partial link not named .ko) was merged: sections %s"
                 % (name, [s for s in comp if s.startswith(".BTF")]))
    if use_pahole:
        for what, pat in (("btf-pahole", r"btf-pahole -J .*--btf_base vmlinux \S*/%s\.ko"),
                          ("resolve_btfids", r"btf-resolve-btfids -b vmlinux \S*/%s\.ko")):
            if not re.search(pat % re.escape(name), log_text):
                fail("modfinal", "Kbuild's modfinal did not run %s on %s.ko" % (what, name))
        if use_ld and re.search(r"btf-pahole: warning: \S*/%s\.ko" % re.escape(name), log_text):
            fail("modfinal", "btf-pahole warned on the .ko ld.lld-btf merged")

    # BTF_ID_LIST entries, in every recipe: resolved by modfinal's
    # resolve_btfids where it runs (btf-resolve-btfids), by the link step
    # itself (ld.lld-btf, btf-link) otherwise; the ids of the named types
    # in the module's BTF over its .BTF.base.
    if m.get("btf_ids"):
        r = run([ctx.tool("btf-dump"), "--section=.BTF.base", ko])
        r2 = run([ctx.tool("btf-dump"), ko])
        ids = {}
        for line in (r.stdout + r2.stdout).splitlines():
            mm = re.match(r"\[(\d+)\] (\w+) '([^']*)'", line)
            if mm:
                ids.setdefault((mm.group(2), mm.group(3)), int(mm.group(1)))
        want = [ids.get(k, 0) for k in m["btf_ids"]]
        sec = btfraw.elf_section(ko, ".BTF_ids")
        got = list(struct.unpack("<%dI" % (len(sec) // 4), sec)) if sec else []
        if r.returncode or r2.returncode or 0 in want or got != want:
            fail("btf_ids", ".BTF_ids holds %s, want the ids of %s in the module's BTF: %s"
                 % (got, m["btf_ids"], want))
        res["btf_ids"] = got

    # bpftool 7.1 reads .BTF, not .BTF.base: give it the distilled base.
    dbase = os.path.join(ctx.check, "%s.%s.base.btf" % (name, recipe))
    r = run(["llvm-objcopy-19", "--dump-section=.BTF.base=" + dbase, ko, os.devnull])
    if r.returncode:
        fail("bpftool", "llvm-objcopy-19 --dump-section .BTF.base: " + r.stdout.strip())
    else:
        r = run(["bpftool", "btf", "dump", "file", ko, "-B", dbase])
        ids = [int(x) for x in re.findall(r"^\[(\d+)\]", r.stdout, re.M)]
        want = btfraw.counts_split(base) + btfraw.counts_split(btf)
        if r.returncode or not ids or max(ids) != want:
            fail("bpftool", "bpftool btf dump file %s.ko -B <.BTF.base> exit %d, %d types "
                 "(want %d): %s" % (name, r.returncode, max(ids or [0]), want,
                                    r.stdout.strip()[-200:]))

    # Relocation onto the clang base, compared with pahole on the pre-link .ko.
    rel = os.path.join(ctx.check, "%s.%s.relocated.btf" % (name, recipe))
    r = run([ctx.tool("btf-relocate"), ko, "--base-btf=" + ctx.base, "-o", rel])
    if r.returncode:
        fail("relocate", "btf-relocate onto %s: %s" % (CLANG_BASE, r.stdout.strip()[:300]))
    elif not ctx.pahole_ko.get(name):
        fail("pahole", "no pahole reference: %s" % ctx.pahole_err.get(name, "no pre-link copy"))
    else:
        r = run([ctx.tool("btf-diff"), rel, ctx.pahole_ko[name], "--base-btf=" + ctx.base])
        if r.returncode not in (0, 1):
            fail("pahole", "btf-diff refused: " + r.stdout.strip()[:300])
        else:
            allowed = 0
            for line in r.stdout.splitlines():
                if not line.startswith(("- ", "+ ")):
                    continue
                if any(o.search(name) and p.search(line) for o, p, _ in ctx.allow):
                    allowed += 1
                else:
                    fail("pahole", "differs from pahole -J on the pre-link .ko: " + line)
            res["allowed"] = allowed

    # Verdicts on the other kernels: btf-relocate's on the written module.
    verdicts, err = relocate_verdicts(ctx, ko)
    if err:
        fail("verdicts", "btf-relocate --format=json: " + err.strip()[:300])
        return
    res["verdicts"] = "".join("y" if verdicts[k][0] else "n" for k in ctx.others)
    if recipe == "link":
        linked = parse_link_verdicts(ctx.link_out.get(name, ""))
        for k in ctx.others:
            if linked.get(k) != verdicts.get(k):
                fail("verdicts", "btf-link -v --check-against=%s says %s, btf-relocate says %s"
                     % (os.path.basename(k), linked.get(k), verdicts.get(k)))
    else:
        # ld.lld-btf and btf-pahole check BTFKIT_CHECK_AGAINST and warn for
        # each kernel the module will not load on (lld+pahole: ld.lld-btf).
        warned = set(re.findall(r"warning: \S*/%s\.ko: will not load on (\S+)" % re.escape(name),
                                log_text))
        for k in ctx.others:
            if (k in warned) == verdicts[k][0]:
                fail("verdicts", "BTFKIT_CHECK_AGAINST=%s: %s, but btf-relocate says it %s"
                     % (os.path.basename(k), "warned" if k in warned else "no warning",
                        "loads" if verdicts[k][0] else "does not load"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--work", help="work directory (default BUILD/kbuild-recipes)")
    ap.add_argument("--ktree", help="prepared kernel tree (default $BTFKIT_KTREE or "
                                    "BUILD/kernel-modules/ktree, as the kernel-modules test)")
    ap.add_argument("--only", help="comma-separated module names")
    ap.add_argument("-j", "--jobs", type=int, default=int(os.environ.get("BTFKIT_JOBS", "2")))
    ap.add_argument("--ci", action="store_true",
                    help="a missing prerequisite fails instead of skipping (also when $CI is set)")
    ap.add_argument("--llvm", default="19", choices=("19", "22"),
                    help="the LLVM the build's plugin is for: its clang compiles the modules")
    args = ap.parse_args()

    ctx = Ctx()
    build_dir = os.path.abspath(args.build_dir)
    ctx.work = os.path.abspath(args.work or os.path.join(build_dir, "kbuild-recipes"))
    ctx.ktree = os.path.abspath(args.ktree or os.environ.get("BTFKIT_KTREE") or
                                os.path.join(build_dir, "kernel-modules", "ktree"))
    ctx.jobs = args.jobs
    ctx.llvm = args.llvm
    ctx.plugin = os.path.join(build_dir, "lib", "btfkit-plugin.so")
    ctx.tool = lambda t: os.path.join(build_dir, "bin", t)
    ctx.failures = []

    def fail(mod, recipe, check, msg):
        ctx.failures.append((mod, recipe, check, msg))
        log("FAIL %s [%s] %s: %s" % (mod, recipe, check, msg))
    ctx.fail = fail
    mods = MODULES
    if args.only:
        keep = set(args.only.split(","))
        mods = [m for m in MODULES if m["name"] in keep]

    # pahole 1.24 adds .BTF by running the unversioned `llvm-objcopy` (Kbuild
    # passes LLVM_OBJCOPY; by hand it comes from PATH): Debian 12 installs it
    # only under /usr/lib/llvm-19/bin.
    os.environ["PATH"] = "/usr/lib/llvm-19/bin" + os.pathsep + os.environ.get("PATH", "")
    skip = 1 if (args.ci or os.environ.get("CI")) else 77
    verdict = "FAILED" if skip == 1 else "SKIPPED"
    missing = [t for t in ("pahole", "bpftool", "clang-" + args.llvm, "make", "xz", "llvm-objcopy-19")
               if not shutil.which(t)]
    missing += [p for p in [ctx.plugin] + [ctx.tool(t) for t in (
        "ld.lld-btf", "btf-pahole", "btf-resolve-btfids", "btf-link", "btf-relocate",
        "btf-diff", "btf-dump")]
        if not os.access(p, os.R_OK)]
    if missing:
        log("kbuild-recipes: %s: missing %s" % (verdict, ", ".join(missing)))
        return skip
    corpus = os.environ.get("BTFKIT_CORPUS") or os.path.join(ROOT, "..", "shared", "corpus")
    bc = load_sibling("build_and_compare", "build-and-compare.py")
    try:
        os.makedirs(ctx.work, exist_ok=True)
        ctx.base = bc.find_base(build_dir, corpus, ctx.work, CLANG_BASE)
        ctx.others = [bc.find_base(build_dir, corpus, ctx.work, k) for k in OTHER_KERNELS]
    except (OSError, subprocess.CalledProcessError) as e:
        log("kbuild-recipes: %s: no corpus (%s; set BTFKIT_CORPUS)" % (verdict, e))
        return skip
    ctx.allow = bc.read_allowlist(os.path.join(ROOT, "docs", "KernelModules.md"))

    t0 = time.monotonic()
    r = subprocess.run([os.path.join(ROOT, "utils", "prepare-kernel-tree.sh"), ctx.ktree],
                       env=dict(os.environ, BTFKIT_CORPUS=corpus, BTFKIT_KTREE_LLVM=args.llvm))
    if r.returncode or not os.path.exists(os.path.join(ctx.ktree, ".prepared")):
        log("kbuild-recipes: %s: no prepared kernel tree at %s" % (verdict, ctx.ktree))
        return skip
    t_tree = time.monotonic() - t0
    if os.path.exists(os.path.join(ctx.ktree, "out", "vmlinux")):
        # modfinal would run the real pahole on the .ko of recipes lld/link.
        sys.exit("kbuild-recipes: %s/out/vmlinux exists; the recipes need a tree "
                 "without one" % ctx.ktree)
    ctx.pflags = bc.pahole_flags(ctx.ktree)
    ctx.check = os.path.join(ctx.work, "check")
    shutil.rmtree(ctx.check, ignore_errors=True)
    os.makedirs(ctx.check)

    ctx.scratch = os.path.join(ctx.work, "objtree")
    shutil.rmtree(ctx.scratch, ignore_errors=True)
    shutil.copytree(os.path.join(ctx.ktree, "out"), ctx.scratch, symlinks=True)
    shutil.copy(ctx.base, os.path.join(ctx.scratch, "vmlinux"))
    times, logs = {}, {}
    for recipe in RECIPES:
        times[recipe], logs[recipe] = build(ctx, recipe, mods)
        log("kbuild-recipes: built with recipe %s in %.0fs" % (recipe, times[recipe]))

    # Recipe link: keep pre-link copies, make pahole's reference from them,
    # then run btf-link as a user would after the build.
    ctx.pahole_ko, ctx.pahole_err, ctx.link_out = {}, {}, {}
    t0 = time.monotonic()
    for m in mods:
        ko = os.path.join(ctx.work, "link", m["name"] + ".ko")
        if not os.path.exists(ko):
            continue
        prelink = os.path.join(ctx.check, m["name"] + ".prelink.ko")
        shutil.copy(ko, prelink)
        ctx.pahole_ko[m["name"]], ctx.pahole_err[m["name"]] = pahole_reference(ctx, m, prelink)
        r = run([ctx.tool("btf-link"), "-v", "--base=" + ctx.base] +
                ["--check-against=" + k for k in ctx.others] + [ko])
        ctx.link_out[m["name"]] = r.stdout
        if r.returncode:
            fail(m["name"], "link", "btf-link", "exit %d: %s" % (r.returncode, r.stdout.strip()[-300:]))
    times["btf-link"] = time.monotonic() - t0

    results = {}
    for m in mods:
        for recipe in RECIPES:
            res = results[m["name"], recipe] = dict(fails=0)
            check_ko(ctx, m, recipe, res, logs[recipe])
        # The three recipes write the same bytes.
        ref = results[m["name"], "link"].get("bytes")
        for recipe in RECIPES:
            if recipe == "link":
                continue
            got = results[m["name"], recipe].get("bytes")
            if ref and got and got != ref:
                which = [s for s, a, b in zip((".BTF", ".BTF.base"), got, ref) if a != b]
                fail(m["name"], recipe, "cmp", "%s differs from recipe link's" % " and ".join(which))
                results[m["name"], recipe]["fails"] += 1
            elif ref and got:
                results[m["name"], recipe]["same"] = True

    log("\n%-12s %-26s %-10s %-10s %-8s %-8s %-9s %s" % (
        "module", "what", "recipe", "types", "pahole", "same", "loads", "result"))
    log("%-12s %-26s %-10s %-10s %-8s %-8s %-9s %s" % (
        "", "", "", "base+split", "allowed", "as link", "47 50", ""))
    for m in mods:
        for recipe in RECIPES:
            res = results[m["name"], recipe]
            log("%-12s %-26s %-10s %-10s %-8s %-8s %-9s %s" % (
                m["name"], m["what"], recipe, res.get("types", "-"),
                res.get("allowed", "-"),
                "-" if recipe == "link" else ("yes" if res.get("same") else "no"),
                " ".join(res.get("verdicts", "--")),
                "FAIL (%d)" % res["fails"] if res["fails"] else "ok"))
    log("\ntimes: tree %.0fs, builds %s, btf-link + pahole reference %.1fs" % (
        t_tree, ", ".join("%s %.0fs" % (r, times[r]) for r in RECIPES), times["btf-link"]))
    if ctx.failures:
        log("kbuild-recipes: %d failures (module [recipe] check):" % len(ctx.failures))
        for f in ctx.failures:
            log("  %s [%s] %s: %s" % f)
        return 1
    log("kbuild-recipes: %d modules x %d recipes: all checks passed" % (len(mods), len(RECIPES)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
