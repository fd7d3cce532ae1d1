#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""End-to-end checks of `btf-relocate --report` on real kernels (ctest
entries compat-report-corpus and compat-report-debian).

    check-report.py --build-dir BUILD corpus
    check-report.py --build-dir BUILD debian [--kernels NAME...] [--every N]

corpus: the report of the corpus' 4,022 classic modules, built against
Debian's 6.1.0-50, on 6.1.0-50 and 6.1.0-47 (raw BTF). Every verdict must be
the reference implementation's (libbpf's btf__distill_base() and
btf__relocate(), the corpus oracle table): loads or not, and the type the
kernel names when it refuses. Then the page is checked in Chromium
(page_check.py).

debian: Debian's own packages, fetched by utils/kernels/debian-packages.sh:
every Nth of 6.12.117's modules as they ship (.ko.xz, in their folders),
built against 6.12.117's vmlinuz, on the kernels named (vmlinuz images).
Every verdict must equal btf-relocate's pair by pair, by two roads: the
three-step flow (decompress, btf-distill over the vmlinux, btf-relocate
onto each vmlinux, all outside the report's code paths for compressed
inputs and images), and single runs of `btf-relocate --built-against` on a
sample of pairs. Then the page is checked in Chromium.

Artifacts (the reports, the screenshots) are kept in
BUILD/test-artifacts/compat-report/<mode>/.
"""
import argparse
import glob
import json
import lzma
import os
import re
import shutil
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from page_check import check_page  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))


def run(cmd, ok=(0,), **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if p.returncode not in ok:
        sys.exit("check-report: %s exited %d\n%s%s" % (" ".join(cmd[:3]), p.returncode,
                                                        p.stdout[-2000:], p.stderr[-2000:]))
    return p.stdout


def fresh(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def report_pairs(report):
    """{(module name, kernel index): verdict} of a report.json."""
    out = {}
    for m in report["modules"]:
        if "error" in m:
            sys.exit("check-report: %s not judged: %s" % (m["path"], m["error"]))
        for k, v in enumerate(m["verdicts"]):
            out[(m["name"], k)] = v
    return out


def compare_with_relocate(pairs, relocate_json, kernel_index, name_of):
    """Problems where the report's verdicts differ from btf-relocate's JSON
    (--format=json) on one kernel."""
    problems = []
    for r in relocate_json["results"]:
        key = (name_of(r["module"]), kernel_index[r["target"]])
        v = pairs.pop(key, None)
        if v is None:
            problems.append("%s on %s: not in the report" % key)
            continue
        want_loads = r["loads"]
        if (v["verdict"] == "loads") != want_loads:
            problems.append("%s on kernel %d: report %s, btf-relocate loads=%s" % (key + (v["verdict"], want_loads)))
            continue
        if want_loads:
            continue
        if v["kernel_message"] != r.get("kernel_message", ""):
            problems.append("%s on kernel %d: kernel message %r vs %r" % (key + (v["kernel_message"], r.get("kernel_message"))))
        want = ([i["message"] for i in r["invalid"]] if r.get("invalid")
                else [(f["id"], f["name"]) for f in r.get("failures", [])])
        if reasons(v) != want:
            problems.append("%s on kernel %d: reasons %s vs %s" % (key + (reasons(v), want)))
    return problems


def reasons(verdict):
    """What a report's verdict gives as reasons: (distilled id, name) of each
    relocation failure, or the validator's messages of a refusal."""
    out = []
    for e in verdict["explanations"]:
        m = re.match(r"\[(\d+)\] \w+ '([^']*)'", e)
        out.append((int(m.group(1)), m.group(2)) if m
                   else e.split("built against: ")[-1].rsplit(" (", 1)[0])
    return out


def check_corpus(build, artifacts):
    corpus = os.path.join(build, "corpus")
    if not os.path.exists(os.path.join(corpus, ".prepared")):
        sys.exit("check-report: no corpus in %s (ctest runs corpus-prepare first)" % corpus)
    bin_ = os.path.join(build, "bin")
    k50 = os.path.join(corpus, "vmlinux-6.1.0-50-amd64.btf")
    k47 = os.path.join(corpus, "vmlinux-6.1.0-47-amd64.btf")
    out = fresh(os.path.join(artifacts, "report"))
    run([os.path.join(bin_, "btf-relocate"), "--report=" + out, "--built-against=" + k50,
         "--base-btf=" + k50, "--base-btf=" + k47, os.path.join(corpus, "modules")], ok=(1,))
    report = json.load(open(os.path.join(out, "report.json")))
    pairs = report_pairs(report)
    names = [k["name"] for k in report["kernels"]]
    problems = []
    oracle = open(glob.glob(os.path.join(corpus, "oracle-*.tsv"))[0]).read().splitlines()
    head = oracle[0].split("\t")
    cols = {"vmlinux-6.1.0-50-amd64.btf": head.index("relocated@6.1.0-50-amd64"),
            "vmlinux-6.1.0-47-amd64.btf": head.index("relocated@6.1.0-47-amd64")}
    seen = 0
    for line in oracle[1:]:
        f = line.split("\t")
        for k, name in enumerate(names):
            want = f[cols[name]]
            v = pairs.get((f[0], k))
            seen += 1
            if v is None:
                problems.append("%s on %s: not in the report" % (f[0], name))
            elif want.startswith("FAIL:"):
                typ = want[5:]
                if v["verdict"] == "loads" or "'%s'" % typ not in v["kernel_message"]:
                    problems.append("%s on %s: libbpf fails on %s, the report says %s (%s)"
                                    % (f[0], name, typ, v["verdict"], v.get("kernel_message")))
            elif v["verdict"] != "loads":
                problems.append("%s on %s: libbpf relocates it, the report says %s" % (f[0], name, v["verdict"]))
    print("corpus: %d pairs against libbpf's verdicts, %d problems" % (seen, len(problems)))
    problems += check_page(out, artifacts)
    return problems, report


def kernel_root(name):
    return run([os.path.join(ROOT, "utils", "kernels", "debian-packages.sh"), "root", name]).strip()


def find_vmlinuz(root):
    found = glob.glob(os.path.join(root, "boot", "vmlinuz-*")) + \
        glob.glob(os.path.join(root, "usr", "lib", "modules", "*", "vmlinuz"))
    if not found:
        sys.exit("check-report: no vmlinuz under %s" % root)
    return sorted(found)[0]


def extract_vmlinux(vmlinuz, out):
    """The ELF in a bzImage, by the boot protocol's header and the zstd
    program: independent of btfkit's own reader."""
    data = open(vmlinuz, "rb").read()
    setup = (data[0x1f1] or 4) + 1
    off, length = struct.unpack_from("<II", data, 0x248)
    payload = data[setup * 512 + off: setup * 512 + off + length - 4]
    if payload[:4] == b"\x28\xb5\x2f\xfd":
        elf = subprocess.run(["zstd", "-d", "-q", "-c"], input=payload, stdout=subprocess.PIPE).stdout
    elif payload[:6] == b"\xfd7zXZ\0":
        elf = lzma.LZMADecompressor().decompress(payload)
    else:
        sys.exit("check-report: %s: payload neither zstd nor xz" % vmlinuz)
    if elf[:4] != b"\x7fELF":
        sys.exit("check-report: %s: no ELF in the payload" % vmlinuz)
    open(out, "wb").write(elf)


def check_debian(build, artifacts, kernels, every):
    bin_ = os.path.join(build, "bin")
    relocate = os.path.join(bin_, "btf-relocate")
    roots = {k: kernel_root(k) for k in ["6.12.117"] + kernels}
    images = {k: find_vmlinuz(r) for k, r in roots.items()}
    # Every Nth module, kept in its folder under kernel/.
    all_mods = sorted(glob.glob(os.path.join(roots["6.12.117"], "usr", "lib", "modules", "*", "kernel",
                                             "**", "*.ko.xz"), recursive=True))
    tree = fresh(os.path.join(artifacts, "modules"))
    sample = []
    for path in all_mods[::every]:
        rel = path.split("/kernel/", 1)[1]
        dest = os.path.join(tree, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(path, dest)
        sample.append(dest)
    out = fresh(os.path.join(artifacts, "report"))
    run([relocate, "--report=" + out, "--built-against=" + images["6.12.117"]]
        + ["--base-btf=" + images[k] for k in kernels] + [tree], ok=(0, 1))
    report = json.load(open(os.path.join(out, "report.json")))
    pairs = report_pairs(report)
    print("debian: %d modules on %s" % (len(report["modules"]), ", ".join(k["name"] for k in report["kernels"])))
    for k in report["kernels"]:
        print("  %s: %d load, %d refused, %d garbled" % (k["name"], k["counts"]["loads"],
                                                        k["counts"]["refused"], k["counts"]["garbled"]))
    if len(report["modules"]) != len(sample):
        return ["%d modules in the report, %d in the folder" % (len(report["modules"]), len(sample))], report

    # Road 1: the three-step flow, outside btfkit's readers of .xz and
    # vmlinuz: decompress, btf-distill, btf-relocate onto each vmlinux.
    work = fresh(os.path.join(artifacts, "three-step"))
    plain = fresh(os.path.join(work, "ko"))
    for path in sample:
        open(os.path.join(plain, os.path.basename(path)[:-3]), "wb").write(
            lzma.decompress(open(path, "rb").read()))
    vmlinux = {}
    for k in ["6.12.117"] + kernels:
        vmlinux[k] = os.path.join(work, "vmlinux-" + k)
        extract_vmlinux(images[k], vmlinux[k])
    distilled = fresh(os.path.join(work, "distilled"))
    run([os.path.join(bin_, "btf-distill"), "--base-btf=" + vmlinux["6.12.117"],
         "--output-dir=" + distilled] + sorted(glob.glob(os.path.join(plain, "*.ko"))))
    problems = []
    index = {vmlinux[k]: i for i, k in enumerate(kernels)}
    for k in kernels:
        j = json.loads(run([relocate, "--format=json", "--base-btf=" + vmlinux[k]]
                           + sorted(glob.glob(os.path.join(distilled, "*.ko"))), ok=(0, 1)))
        problems += compare_with_relocate(
            dict(pairs), j, index, lambda p: os.path.basename(p)[:-3])
    print("debian: %d pairs against the three-step flow, %d problems" % (len(pairs), len(problems)))

    # Road 2: btf-relocate --built-against itself, pair by pair, on the
    # report's own inputs, for a few modules each kernel refuses or takes.
    single = 0
    index = {images[k]: i for i, k in enumerate(kernels)}
    for m in [m for i, m in enumerate(report["modules"]) if i % 25 == 0]:
        for k in kernels:
            j = json.loads(run([relocate, "--format=json", "--built-against=" + images["6.12.117"],
                                "--base-btf=" + images[k], m["path"]], ok=(0, 1)))
            problems += compare_with_relocate(
                dict(pairs), j, index, lambda p: os.path.basename(p)[:-6])
            single += 1
    print("debian: %d single pairs against btf-relocate --built-against" % single)
    problems += check_page(out, artifacts)
    return problems, report


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("mode", choices=["corpus", "debian"])
    ap.add_argument("--kernels", nargs="+", default=["6.12.117", "6.12.117-rt", "7.2.13"])
    ap.add_argument("--every", type=int, default=20)
    a = ap.parse_args()
    artifacts = os.path.join(os.path.abspath(a.build_dir), "test-artifacts", "compat-report", a.mode)
    os.makedirs(artifacts, exist_ok=True)
    if a.mode == "corpus":
        problems, _ = check_corpus(a.build_dir, artifacts)
    else:
        problems, _ = check_debian(a.build_dir, artifacts, a.kernels, a.every)
    for p in problems[:50]:
        print("PROBLEM: " + p)
    print("check-report %s: %d problems; screenshots in %s" % (a.mode, len(problems), artifacts))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
