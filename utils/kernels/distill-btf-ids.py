#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# btf-distill on the modules Debian ships with a .BTF_ids section (kfunc
# sets, BTF_ID lists): distilling renumbers their BTF, and their .BTF_ids,
# which the kernel build's resolve_btfids wrote against the classic .BTF,
# must follow (docs/Relocation.md, ".BTF_ids"). For every such module of
# each pinned kernel:
#   - names: every id slot and set entry names the same type (kind, name,
#     set8 flags) after btf-distill as before, and every set is sorted
#     (utils/btf-ids.py, an independent reading);
#   - Linux 6.12's own build: its resolve_btfids (from the pinned 6.12.95
#     kbuild package), run on the distilled module, which it resolves
#     against the module's .BTF.base, writes the same ids;
#   - the kernel: under QEMU (utils/kernels/guest.py) the distilled module
#     loads with its BTF, where the shipped one loads, and the same module
#     with its shipped .BTF_ids kept does not (what btf-distill wrote
#     before .BTF_ids was rewritten: EINVAL from the kfunc set's init).
#
#   distill-btf-ids.py --bin BUILD/bin --work DIR [--kernel NAME]...
#                      [--scan] [--no-boot]
#
# --scan looks through every module of each kernel for a .BTF_ids section
# (about 2 minutes a kernel) instead of taking the list below, which is
# what that scan found for the pinned builds: rerun it when a pin moves.
# Exit status 0 when every check holds, 1 otherwise.
import argparse
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import kernels  # noqa: E402

BTF_IDS = os.path.join(HERE, "..", "btf-ids.py")
KERNELS = ["6.12.117", "7.2.13"]
# The modules of those builds with a .BTF_ids section (--scan).
MODULES = {
    "6.12.117": ["fou", "nf_conntrack", "nf_flow_table", "nf_nat",
                 "tcp_bbr", "tcp_dctcp", "xfrm_interface"],
    "7.2.13": ["fou", "nf_conntrack", "nf_flow_table", "nf_nat",
               "tcp_bbr", "tcp_dctcp", "xfrm_interface"],
}
# Linux 6.12's resolve_btfids, as Debian ships it for out-of-tree builds.
RESOLVE_BTFIDS_FROM = "6.12.95-headers"
OBJCOPY = kernels.OBJCOPY


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, **kw)


def section(ko, name, out):
    run([OBJCOPY, "--dump-section", name + "=" + out, ko, os.devnull])
    with open(out, "rb") as f:
        return f.read()


def resolve_btfids():
    root = kernels.fetch(RESOLVE_BTFIDS_FROM)[0]
    found = [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs
             if f == "resolve_btfids" and "tools/bpf" in d]
    if len(found) != 1:
        raise SystemExit(f"{RESOLVE_BTFIDS_FROM}: expected one "
                         f"tools/bpf/resolve_btfids, found {found}")
    return found[0]


def id_words(ids, ko):
    """The words of .BTF_ids resolve_btfids writes (ids and set counts), as
    (offset, value): every word but set8 flags. Re-running resolve_btfids
    on a set8 it has sorted before patches each id where its symbol is
    and leaves the flags where the first sort put them, so its flags are
    not an answer (btf-distill keeps each flag with its id)."""
    flags = set()
    out = run([sys.executable, BTF_IDS, ko]).stdout
    # btf-ids.py lists set8 headers as "0xOFF set8 'name' cnt=N ...".
    for line in out.splitlines():
        parts = line.split()
        if len(parts) > 2 and parts[1] == "set8":
            off, cnt = int(parts[0], 16), int(parts[3].split("=")[1])
            flags.add(off + 4)
            flags.update(off + 8 + 8 * i + 4 for i in range(cnt))
    return [(o, ids[o:o + 4]) for o in range(0, len(ids), 4) if o not in flags]


class Check:
    def __init__(self, args):
        self.args = args
        self.failures = []
        self.counts = {"modules": 0, "names": 0, "resolve_btfids": 0,
                       "loads": 0, "stale refused": 0}

    def fail(self, what):
        print("  FAIL " + what)
        self.failures.append(what)

    def kernel(self, name, rbids):
        k = kernels.Kernel(name, self.args.work)
        names = MODULES.get(name) if not self.args.scan else None
        if names is None:
            names = sorted(n for n in k.modules() if k.has_btf_ids(n))
            print(f"{name}: modules with .BTF_ids: {' '.join(names)}")
        vmlinux = k.vmlinux_btf()
        out = os.path.join(k.work, "btf-ids")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        files = {n: k.module_file(n) for n in names}
        for n, f in files.items():
            if not k.has_btf_ids(n):
                self.fail(f"{name}/{n}: no .BTF_ids section (rescan: --scan)")
        r = subprocess.run([os.path.join(self.args.bin, "btf-distill"),
                            "--base-btf=" + vmlinux, "--output-dir=" + out,
                            *files.values()], stderr=subprocess.PIPE,
                           text=True)
        if r.returncode:
            self.fail(f"{name}: btf-distill failed: {r.stderr.strip()}")
            return
        # Debian's modules name only types their own BTF uses: nothing to
        # resolve by name, so nothing to warn about.
        if r.stderr:
            self.fail(f"{name}: btf-distill warned: {r.stderr.strip()}")
        cases = []
        for n, shipped in files.items():
            self.counts["modules"] += 1
            fixed = os.path.join(out, n + ".ko")
            self.names(name, n, shipped, fixed, vmlinux)
            self.oracle(name, n, fixed, rbids, out)
            cases += self.load_cases(n, shipped, fixed, out, k)
        if cases:
            self.boot(k, cases)

    def names(self, kname, n, shipped, fixed, vmlinux):
        before = subprocess.run([sys.executable, BTF_IDS, shipped, "--base",
                                 vmlinux, "--names"], stdout=subprocess.PIPE,
                                text=True)
        after = subprocess.run([sys.executable, BTF_IDS, fixed, "--names"],
                               stdout=subprocess.PIPE, text=True)
        if before.returncode or after.returncode:
            self.fail(f"{kname}/{n}: btf-ids.py flags the "
                      f"{'shipped' if before.returncode else 'distilled'} "
                      "module's .BTF_ids")
        elif before.stdout != after.stdout:
            self.fail(f"{kname}/{n}: the ids name other types after "
                      f"btf-distill:\n{before.stdout}---\n{after.stdout}")
        else:
            self.counts["names"] += 1

    def oracle(self, kname, n, fixed, rbids, out):
        copy = os.path.join(out, n + ".resolved.ko")
        shutil.copyfile(fixed, copy)
        r = subprocess.run([rbids, copy], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        ours = section(fixed, ".BTF_ids", copy + ".ours")
        theirs = section(copy, ".BTF_ids", copy + ".theirs")
        if r.returncode or r.stdout.strip():
            self.fail(f"{kname}/{n}: resolve_btfids: {r.stdout.strip()}")
        elif id_words(ours, fixed) != id_words(theirs, copy):
            self.fail(f"{kname}/{n}: Linux 6.12's resolve_btfids writes other "
                      f"ids: ours {ours.hex()}, its {theirs.hex()}")
        else:
            self.counts["resolve_btfids"] += 1

    def load_cases(self, n, shipped, fixed, out, k):
        if self.args.no_boot:
            return []
        import guest
        stale = os.path.join(out, n + ".stale.ko")
        old = os.path.join(out, n + ".shipped-ids")
        section(shipped, ".BTF_ids", old)
        run([OBJCOPY, "--update-section", ".BTF_ids=" + old, fixed, stale])
        deps = self.dependencies(k, n)
        return [guest.Case(f"{kind}-{n}", n, f, None, deps)
                for kind, f in (("shipped", shipped), ("distilled", fixed),
                                ("stale", stale))]

    def dependencies(self, k, n, seen=None):
        seen = {} if seen is None else seen
        for d in kernels.module_depends(k.module_file(n)):
            if d not in seen and d in k.modules():
                self.dependencies(k, d, seen)
                seen[d] = k.module_file(d)
        return seen

    def boot(self, k, cases):
        import guest
        release, boots, secs = guest.run(
            k.vmlinuz, cases, os.path.join(k.work, "btf-ids-guest"),
            os.path.join(self.args.work, f"btf-ids-{k.name}.log"))
        by = {c.ident: c for c in cases}
        print(f"  {release}: {len(cases)} loads, {boots} boot(s), {secs:.0f} s")
        for ident in sorted(i for i in by if i.startswith("shipped-")):
            n = ident[len("shipped-"):]
            s, d, st = by[ident], by["distilled-" + n], by["stale-" + n]
            print(f"    {n:16} shipped load={s.load} btf={s.btf}; distilled "
                  f"load={d.load} btf={d.btf}; shipped .BTF_ids kept "
                  f"load={st.load}")
            if s.load != "ok":
                continue  # the guest cannot run it at all: no verdict
            if d.load != "ok" or d.btf != "present":
                self.fail(f"{k.name}/{n}: the distilled module does not load "
                          f"with its BTF (load={d.load} btf={d.btf})")
            else:
                self.counts["loads"] += 1
            if st.load == "ok":
                self.fail(f"{k.name}/{n}: loads with its stale .BTF_ids too: "
                          "the load proves nothing about the ids")
            else:
                self.counts["stale refused"] += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bin", required=True, help="btfkit's tools")
    ap.add_argument("--work", required=True, help="scratch folder")
    ap.add_argument("--kernel", action="append", help="pinned build (default: "
                    + ", ".join(KERNELS) + ")")
    ap.add_argument("--scan", action="store_true",
                    help="find the modules with .BTF_ids by looking")
    ap.add_argument("--no-boot", action="store_true", help="no QEMU loads")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    check = Check(args)
    rbids = resolve_btfids()
    for name in args.kernel or KERNELS:
        print(f"{name}:")
        check.kernel(name, rbids)
    print("distilled modules with .BTF_ids: " + ", ".join(
        f"{v} {k}" for k, v in check.counts.items()))
    if check.failures:
        print(f"{len(check.failures)} failure(s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
