#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
#
# The real-kernel suite: boots Debian's own kernels under QEMU, loads modules
# whose BTF btfkit produced, and checks btfkit's verdict against the kernel's
# (docs/RealKernels.md). For every module load:
#   - btfkit says it loads: the kernel keeps the BTF and
#     /sys/kernel/btf/<module> is byte-identical to btf-relocate's output
#     (for classic split BTF: to the module's own .BTF);
#   - btfkit says it is refused: the kernel drops the BTF (6.12, which sets
#     MODULE_ALLOW_BTF_MISMATCH) or the module (7.x), and btf-relocate's
#     kernel_message is in dmesg verbatim.
# Loads the kernel never judged (a symbol missing, an init that fails before
# the BTF is read) are counted apart, not as agreement.
#
#   real-kernels.py --bin BUILD/bin --work DIR [--per-pair N] [--plan NAME]
#
# Exit status 0 when every judged load agrees and the counts reach the
# plan's floor, 1 otherwise. Pinned kernels: utils/kernels/pins.
import argparse
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import guest  # noqa: E402
import kernels  # noqa: E402
from kernels import Kernel  # noqa: E402

# Which builds each target kernel is booted with, and whose module BTF is
# grafted onto its own module binaries (the target's own modules with
# foreign BTF: safer than forcing foreign binaries in).
# "dkms" marks the builds the suite's GCC-built external modules
# (utils/kernels/modules, built against DKMS_HEADERS) are loaded into;
# "plugin" those the same modules are built for by clang-19 (or the clang
# of --llvm, the LLVM the build's plugin is for) with btfkit's plugin, in a clang-configured tree of PLUGIN_SOURCES: through ld.lld-btf
# for 6.x, through the kernel's own scripts/gen-btf.sh with
# PAHOLE=btf-pahole RESOLVE_BTFIDS=btf-resolve-btfids for 7.x. "gen-btf-gcc"
# (7.x) marks the same modules built by GCC in a GCC-configured tree of the
# source, their BTF through gen-btf.sh with the same drop-ins.
PLANS = {
    "full": {
        "6.12.117": ["6.12.117", "6.12.95", "6.12.107", "6.12.117-rt",
                     "6.12.117-cloud", "dkms", "plugin"],
        "6.12.95": ["6.12.95", "6.12.117", "dkms"],
        "7.2.13": ["7.2.13", "7.2.13-rt", "6.12.117", "plugin",
                   "gen-btf-gcc"],
    },
    "quick": {
        "6.12.117": ["6.12.117", "6.12.117-rt", "dkms"],
    },
    "built": {
        "6.12.117": ["dkms", "plugin"],
        "7.2.13": ["plugin", "gen-btf-gcc"],
    },
    # The plugin case alone, for a build against another LLVM (--llvm 22):
    # the modules its clang compiles with its plugin, on 6.12 and 7.x.
    "plugin": {
        "6.12.117": ["plugin"],
        "7.2.13": ["plugin"],
    },
    # The DKMS case alone: GCC modules with PAHOLE=btf-pahole.
    "dkms": {
        "6.12.117": ["dkms"],
        "6.12.95": ["dkms"],
    },
    # Linux 7.x's module pipeline with btfkit's drop-ins, plugin and GCC.
    "gen-btf": {
        "7.2.13": ["plugin", "gen-btf-gcc"],
    },
}
DKMS_HEADERS = "6.12.95-headers"
# Where the clang- and GCC-configured source trees are kept between runs.
KTREE_CACHE = os.path.join(
    os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "btfkit")
PLUGIN_SOURCES = {"6.12": "source-6.12", "7.2": "source-7.2"}

# Modules whose init needs no hardware and does little: crypto algorithms,
# library code, character sets, packet schedulers and classifiers,
# netfilter matches and targets, TCP congestion control.
CANDIDATE_DIRS = ("crypto/", "lib/", "fs/nls/", "net/sched/",
                  "net/netfilter/xt_", "net/ipv4/tcp_", "net/ipv4/netfilter/")
# Init that runs self-tests or needs more than a bare kernel.
EXCLUDED_WORDS = ("test", "kunit", "selftest", "bench", "crypto_user",
                  "tcrypt")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


class Suite:
    def __init__(self, args):
        self.bin = os.path.abspath(args.bin)
        self.plugin = os.path.join(os.path.dirname(self.bin), "lib",
                                   "btfkit-plugin.so")
        self.llvm = args.llvm
        self.work = os.path.abspath(args.work)
        self.per_pair = args.per_pair
        self.kernels = {}
        self.cases = []       # (target, guest.Case, prediction dict)
        self.notes = []

    def kernel(self, name):
        if name not in self.kernels:
            self.kernels[name] = Kernel(name, self.work)
        return self.kernels[name]

    def tool(self, name):
        return os.path.join(self.bin, name)

    # --- what the target loads on its own --------------------------------
    def candidates(self, target):
        names = []
        for name in sorted(target.modules()):
            rel = target.relative(name)
            if not rel.startswith(CANDIDATE_DIRS):
                continue
            if any(w in name for w in EXCLUDED_WORDS):
                continue
            names.append(name)
        return names

    def dependencies(self, target, name, seen=None):
        """NAME's dependencies, deepest first, as name -> file."""
        seen = {} if seen is None else seen
        for d in kernels.module_depends(target.module_file(name)):
            if d in seen or d not in target.modules():
                continue
            self.dependencies(target, d, seen)
            seen[d] = target.module_file(d)
        return seen

    def control(self, target, names):
        """The modules that load with their own BTF kept, in one boot of
        TARGET: only they can tell a BTF verdict apart."""
        saved = os.path.join(target.work, "control.json")
        if os.path.exists(saved):  # a rerun in the same work folder
            with open(saved) as f:
                kept = json.load(f)
            if kept["candidates"] == names:
                return kept["loadable"]
        cases = [guest.Case(f"k{i}", n, target.module_file(n), None,
                            self.dependencies(target, n))
                 for i, n in enumerate(names)]
        release, boots, secs = guest.run(
            target.vmlinuz, cases, os.path.join(target.work, "control"),
            os.path.join(self.work, f"control-{target.name}.log"))
        good = [c.name for c in cases if c.load == "ok" and c.btf == "present"]
        print(f"  control boot of {release}: {len(good)} of {len(cases)} "
              f"modules load with their BTF ({boots} boot(s), {secs:.0f} s)")
        if release and good:  # a boot that did not run keeps nothing
            with open(saved, "w") as f:
                json.dump({"candidates": names, "loadable": good}, f)
        return good

    # --- predictions -----------------------------------------------------
    def donor_files(self, target, donor, names, form):
        """DONOR's modules NAMES with the BTF to graft: resilient (distilled
        over the donor's vmlinux by btf-distill) or classic (the donor's
        .BTF as shipped). Returns name -> file."""
        out = os.path.join(self.work, "graft", f"{target.name}-{donor.name}-{form}")
        src = os.path.join(out, "donor")
        os.makedirs(src, exist_ok=True)
        donors = {}
        for n in names:
            donors[n] = os.path.join(src, n + ".ko")
            if not os.path.exists(donors[n]):
                os.link(donor.module_file(n), donors[n])
        if form == "resilient":
            dist = os.path.join(out, "distilled")
            os.makedirs(dist, exist_ok=True)
            run([self.tool("btf-distill"), "--base-btf=" + donor.vmlinux_btf(),
                 "--output-dir=" + dist] + [donors[n] for n in names])
            donors = {n: os.path.join(dist, n + ".ko") for n in names}
        return donors

    def graft(self, target, donors, form):
        """TARGET's own binaries carrying the donors' BTF sections."""
        grafted = {}
        for n, f in donors.items():
            out = os.path.join(os.path.dirname(os.path.dirname(f)), n + ".ko")
            sections = [".BTF", ".BTF.base"] if form == "resilient" else [".BTF"]
            kernels.copy_sections(f, target.module_file(n), out, sections)
            grafted[n] = out
        return grafted

    def predict(self, target, files, tag):
        """btf-relocate's verdict on each file over TARGET, and the BTF it
        predicts in /sys/kernel/btf for those that load."""
        out = os.path.join(self.work, "predicted", f"{target.name}-{tag}")
        os.makedirs(out, exist_ok=True)
        # Judged by the target's release's rules (docs/Validation.md).
        p = subprocess.run([self.tool("btf-relocate"), "--format=json",
                            "--base-btf=" + target.vmlinux_btf(),
                            "--kernel-version=" + target.release,
                            "--output-dir=" + out] + sorted(files.values()),
                           stdout=subprocess.PIPE, text=True)
        report = json.loads(p.stdout)
        if report["bad_input"]:
            raise SystemExit(f"btf-relocate could not read {report['bad_input']}")
        by_file = {r["module"]: r for r in report["results"]}
        result = {}
        for name, f in files.items():
            r = by_file[f]
            expected = None
            if r["loads"]:
                if r["form"] == "resilient":
                    expected = os.path.join(out, name + ".btf")
                else:
                    # The kernel keeps classic split BTF as it is.
                    expected = os.path.join(out, name + ".classic.btf")
                    with open(expected, "wb") as fh:
                        fh.write(kernels.read_sections(f)[".BTF"])
            result[name] = (r, expected)
        return result

    def plan_pair(self, target, donor, loadable, form):
        names = [n for n in loadable if n in donor.modules()]
        # A module's .BTF_ids hold ids of its own build's BTF; foreign BTF
        # grafted beside them would be judged on ids it never had.
        with_ids = [n for n in names if target.has_btf_ids(n)]
        names = [n for n in names if n not in with_ids]
        if with_ids:
            self.notes.append(f"{donor.name} -> {target.name} ({form}): "
                              f"{len(with_ids)} modules with .BTF_ids left out")
        if not names:
            return
        # The verdict hangs on the BTF sections alone: predict on the
        # donor's files, graft only the modules booted.
        donors = self.donor_files(target, donor, names, form)
        predictions = self.predict(target, donors, f"{donor.name}-{form}")
        loads = [n for n in names if predictions[n][0]["loads"]]
        refused = [n for n in names if not predictions[n][0]["loads"]]
        # Every refusal (they are the rarer, sharper cases), then loads up to
        # the same share, spread over the list so every directory is seen.
        take = refused[: self.per_pair]
        room = max(self.per_pair - len(take), self.per_pair // 2)
        step = max(1, len(loads) // max(1, room))
        take += loads[::step][:room]
        print(f"  {donor.name} -> {target.name} ({form}): btfkit predicts "
              f"{len(loads)} load, {len(refused)} refused of {len(names)}; "
              f"booting {len(take)}")
        files = self.graft(target, {n: donors[n] for n in take}, form)
        # The verdict the suite checks is on the very bytes booted.
        predictions = self.predict(target, files, f"{donor.name}-{form}-grafted")
        for n in sorted(take):
            r, expected = predictions[n]
            ident = f"c{len(self.cases)}"
            c = guest.Case(ident, n, files[n], expected,
                           self.dependencies(target, n))
            c.donor, c.form = donor.name, form
            self.cases.append((target, c, r))

    # --- the DKMS case ---------------------------------------------------
    def dkms_modules(self):
        """The suite's external modules, built with GCC against Debian's
        headers as DKMS builds them, their resilient BTF made by
        PAHOLE=btf-pahole from DWARF over the headers' vmlinux (the
        modules pahole-parity.py finds byte for byte pahole 1.24's, made
        resilient). Returns name -> .ko."""
        if hasattr(self, "_dkms"):
            return self._dkms
        headers = kernels.Headers(DKMS_HEADERS, self.work)
        out = os.path.join(self.work, "dkms")
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(os.path.join(HERE, "modules"), out)
        with open(os.path.join(self.work, "dkms-build.log"), "w") as log:
            run(["make", "-C", headers.dir, "M=" + out,
                 "PAHOLE=" + os.path.abspath(self.tool("btf-pahole")),
                 "modules"],
                stdout=log, stderr=subprocess.STDOUT)
            self._dkms = {f[:-3]: os.path.join(out, f)
                          for f in sorted(os.listdir(out)) if f.endswith(".ko")}
        print(f"  DKMS case: {', '.join(self._dkms)} built by GCC against "
              f"{headers.release}'s headers, BTF by PAHOLE=btf-pahole")
        return self._dkms


    # --- the plugin case -------------------------------------------------
    def plugin_modules(self, target, cc="clang"):
        """The suite's external modules compiled by clang-19 (or --llvm's) with
        btfkit's plugin over TARGET's (GCC-built) vmlinux BTF, in a tree of the same
        series prepared for clang with TARGET's .config: linked by
        ld.lld-btf (6.x), or given their BTF by the tree's own gen-btf.sh
        with PAHOLE=btf-pahole RESOLVE_BTFIDS=btf-resolve-btfids (7.x).
        With CC "gcc" (7.x): built by GCC in a GCC-configured tree, the BTF
        through gen-btf.sh alike (from DWARF). Returns name -> .ko."""
        series = ".".join(target.release.split(".")[:2])
        gen_btf = int(series.split(".")[0]) >= 7
        source = kernels.fetch(PLUGIN_SOURCES[series])[0]
        tarball = next(os.path.join(d, f) for d, _, fs in os.walk(source)
                       for f in fs if f.startswith("linux-source-"))
        config = os.path.join(target.work, "tree.config")
        target.write_tree_config(config)
        # Kept between runs beside kbuild7.py's trees (the same names, so
        # the 7.x trees are prepared once for both).
        tree = os.path.join(KTREE_CACHE, kernels.tree_name(series, cc, self.llvm))
        label = "plugin" if cc == "clang" else "gen-btf-" + cc
        out = os.path.join(target.work, label)
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(os.path.join(HERE, "modules"), out)
        if cc == "clang":
            make = ["LLVM=-" + self.llvm, "KCFLAGS=-fpass-plugin=" + self.plugin]
        else:
            make = ["CC=" + cc]
        if gen_btf:
            # Makefile.modfinal runs gen-btf.sh when the tree has a vmlinux.
            make += ["PAHOLE=" + self.tool("btf-pahole"),
                     "RESOLVE_BTFIDS=" + self.tool("btf-resolve-btfids")]
        else:
            make += ["LD=" + self.tool("ld.lld-btf")]
        with open(os.path.join(target.work, label + "-build.log"), "w") as log:
            run([os.path.join(os.path.dirname(HERE), "prepare-kernel-tree.sh"),
                 tree, config, tarball], stdout=log, stderr=subprocess.STDOUT,
                env=kernels.prepare_tree_env(cc, self.llvm))
            if gen_btf:
                kernels.install_vmlinux(target.vmlinux_btf(),
                                        os.path.join(tree, "out", "vmlinux"))
            run(["make", "-C", os.path.join(tree, "out"), "M=" + out,
                 "KBUILD_MODPOST_WARN=1", "-j2", *make, "modules"],
                env=dict(os.environ, BTFKIT_BASE=target.vmlinux_btf()),
                stdout=log, stderr=subprocess.STDOUT)
        files = {f[:-3]: os.path.join(out, f) for f in sorted(os.listdir(out))
                 if f.endswith(".ko")}
        how = ("gen-btf.sh with btf-pahole and btf-resolve-btfids" if gen_btf
               else "ld.lld-btf")
        who = f"clang-{self.llvm} with the plugin" if cc == "clang" else cc.upper()
        print(f"  {label} case: {', '.join(files)} built by {who} in Debian's "
              f"linux-source-{series}, BTF by {how}")
        return files

    def type_counts(self, ko):
        """(split types, distilled base types) of a module."""
        def count(*extra):
            out = subprocess.run([self.tool("btf-dump"), *extra, ko], check=True,
                                 stdout=subprocess.PIPE, text=True).stdout
            return sum(1 for line in out.splitlines() if line.startswith("["))
        return count(), count("--section=.BTF.base")

    def plan_built(self, target, files, donor):
        predictions = self.predict(target, files, donor)
        for n in sorted(files):
            r, expected = predictions[n]
            c = guest.Case(f"c{len(self.cases)}", n, files[n], expected)
            c.donor, c.form = donor, "resilient"
            self.cases.append((target, c, r))

    # --- accepted but wrong ----------------------------------------------
    def prove_garbled(self, target, cases):
        """For every classic split BTF the kernel kept (its bytes in
        /sys/kernel/btf proven equal to the module's), btfkit's "garbled"
        verdict must hold exactly when the kernel's reading (those bytes
        over the target) differs from the module's own types (over its own
        build's vmlinux): btf-foreign-truth computes both readings."""
        ok = True
        by_donor = {}
        for c in cases:
            if c.form == "classic" and c.btf == "present" and c.cmp == "same":
                by_donor.setdefault(c.donor, []).append(c.file)
        for donor, files in sorted(by_donor.items()):
            p = subprocess.run([self.tool("btf-foreign-truth"),
                                "--own-base=" + self.kernel(donor).vmlinux_btf(),
                                "--target=" + target.vmlinux_btf(),
                                "--label=" + f"{donor} on {target.name}"] + files,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
            for line in p.stdout.splitlines():
                print("    accepted classic BTF: " + line)
            if p.returncode != 0:
                ok = False
        return ok

    # --- judging ---------------------------------------------------------
    @staticmethod
    def judge(target, c, r):
        """'agree', 'disagree: …' or 'unjudged: …' for one case."""
        if c.crashed:
            return "unjudged: the kernel stopped during this load"
        loaded = c.load == "ok"
        btf_messages = [l for l in c.dmesg if "BTF" in l or "btf" in l]
        kept = c.btf == "present"
        if r["loads"]:
            if not kept:
                if not btf_messages and not loaded:
                    return f"unjudged: load failed ({c.load}) before the BTF was read"
                return "disagree: btfkit says it loads, the kernel refused: " + \
                    " | ".join(btf_messages or c.dmesg)
            if c.cmp != "same":
                return "disagree: the kernel's /sys/kernel/btf differs from btf-relocate's output"
            return "agree"
        if kept:
            return "disagree: btfkit says refused, the kernel kept the BTF"
        message = r.get("kernel_message", "")
        if not r.get("failures") and target.allows_btf_mismatch():
            # The validator's refusal is logged once per boot, not per
            # module, by kernels that keep modules whose BTF they refuse.
            message = ""
        if message and not any(message in l for l in c.dmesg):
            if not btf_messages and not loaded:
                return f"unjudged: load failed ({c.load}) before the BTF was read"
            return f"disagree: '{message}' not in dmesg: " + " | ".join(c.dmesg)
        return "agree"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bin", required=True, help="btfkit's bin folder")
    ap.add_argument("--work", required=True, help="a scratch folder")
    ap.add_argument("--per-pair", type=int, default=24,
                    help="module loads per target x donor x form")
    ap.add_argument("--plan", default="full", choices=sorted(PLANS))
    ap.add_argument("--min-loads", type=int, default=0,
                    help="fail unless at least this many loads were judged")
    ap.add_argument("--llvm", default="19", choices=("19", "22"),
                    help="the LLVM the build's plugin is for: its clang compiles the "
                         "plugin case")
    args = ap.parse_args()
    suite = Suite(args)
    ok = True
    totals = {"agree": 0, "disagree": 0, "unjudged": 0}
    for tname, donors in PLANS[args.plan].items():
        target = suite.kernel(tname)
        print(f"{tname}: {target.release}")
        # The control boot finds the target's own modules that donor BTF
        # can be grafted onto; plans of built modules alone need none.
        built = ("dkms", "plugin", "gen-btf-gcc")
        loadable = suite.control(target, suite.candidates(target)) \
            if any(d not in built for d in donors) else []
        first = len(suite.cases)
        for dname in donors:
            if dname in built:
                files = suite.dkms_modules() if dname == "dkms" else \
                    suite.plugin_modules(target) if dname == "plugin" else \
                    suite.plugin_modules(target, cc="gcc")
                for n, ko in sorted(files.items()):
                    split, base = suite.type_counts(ko)
                    print(f"    {dname} {n}: {split} split types over "
                          f"{base} distilled base types")
                suite.plan_built(target, files, dname)
                continue
            donor = suite.kernel(dname)
            suite.plan_pair(target, donor, loadable, "resilient")
            if dname != tname:
                suite.plan_pair(target, donor, loadable, "classic")
        mine = [c for _, c, _ in suite.cases[first:]]
        release, boots, secs = guest.run(
            target.vmlinuz, mine, os.path.join(target.work, "boot"),
            os.path.join(args.work, f"boot-{tname}.log"))
        counts = {}
        for t, c, r in suite.cases[first:]:
            verdict = Suite.judge(t, c, r)
            key = verdict.split(":")[0]
            totals[key] += 1
            predicted = ("garbled" if r.get("garbled") else "loads") \
                if r["loads"] else "refused"
            tag = (c.donor, c.form, predicted, key)
            counts[tag] = counts.get(tag, 0) + 1
            if key != "agree":
                print(f"    {verdict}: {c.name} ({c.form} BTF of {c.donor})")
            if key == "disagree":
                ok = False
        print(f"  {release}: {len(mine)} loads in {boots} boot(s), {secs:.0f} s")
        if not suite.prove_garbled(target, [c for _, c, _ in suite.cases[first:]]):
            ok = False
        for (donor, form, predicted, key), n in sorted(counts.items()):
            print(f"    {donor:>15} {form:>9}  btfkit: {predicted:<7}  kernel {key}: {n}")
    print(f"real kernels: {totals['agree']} agree, {totals['disagree']} disagree, "
          f"{totals['unjudged']} unjudged")
    if totals["agree"] < args.min_loads:
        print(f"real kernels: fewer than {args.min_loads} judged loads")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
