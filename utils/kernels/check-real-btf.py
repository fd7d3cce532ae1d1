#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""The validator against real kernels' own BTF.

    check-real-btf.py BUILD_DIR

Debian's 6.12.117 and 7.2.13 kernels (pins in utils/kernels/pins): the BTF
of their vmlinux (from the vmlinuz) and of every module must be valid by
their own release's rules, as those kernels load them; and the release
matters: 7.2's vmlinux BTF is refused by 6.12's rules for its attribute
tags. (6.1's is the corpus: test/btf-validate/corpus.test.)

Exit status: 0 all as expected, 1 a verdict differs, 77 the kernels cannot
be fetched here (never under CI, where that is a failure). The BTF taken
out is kept in BUILD_DIR/real-btf.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernels  # noqa: E402

# Pin, and the release whose rules it must pass.
BUILDS = [("6.12.117", "6.12"), ("7.2.13", "7.2")]


def module_btfs(kernel, dest):
    """The .BTF of each of KERNEL's modules as raw files under DEST (once);
    returns the file listing them."""
    listing = os.path.join(dest, "modules.txt")
    if os.path.exists(listing):
        return listing
    names = []
    for name, path in sorted(kernel.modules().items()):
        btf = kernels.image_sections(kernels.decompress_file(path), path).get(".BTF")
        if btf:
            out = os.path.join(dest, "modules", name + ".btf")
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with open(out, "wb") as f:
                f.write(btf)
            names.append(out)
    with open(listing + ".tmp", "w") as f:
        f.write("".join(n + "\n" for n in names))
    os.rename(listing + ".tmp", listing)
    return listing


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode, (r.stdout + r.stderr).strip()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    bindir = os.path.join(os.path.abspath(sys.argv[1]), "bin")
    work = os.path.join(os.path.abspath(sys.argv[1]), "real-btf")
    failed = False
    vmlinux = {}
    for pin, release in BUILDS:
        try:
            kernel = kernels.Kernel(pin, work)
        except subprocess.CalledProcessError:
            if os.environ.get("CI"):
                sys.exit("check-real-btf: cannot fetch %s" % pin)
            print("check-real-btf: cannot fetch %s here (no network?): skipped" % pin)
            return 77
        vmlinux[pin] = kernel.vmlinux_btf()
        rc, out = run([os.path.join(bindir, "btf-dump"), "--validate",
                       "--kernel-version=" + release, vmlinux[pin]])
        print("%s: %s" % (pin, out))
        failed |= rc != 0
        listing = module_btfs(kernel, kernel.work)
        rc, out = run([os.path.join(bindir, "btfkit-validate-many"),
                       "--kernel-version=" + release, "--base-btf=" + vmlinux[pin],
                       "@" + listing])
        print("%s: modules: %s" % (pin, out.splitlines()[-1] if out else ""))
        if rc:
            print(out)
        failed |= rc != 0
    # 7.2's vmlinux by 6.12's rules: its attribute tags are refused.
    rc, out = run([os.path.join(bindir, "btf-dump"), "--validate",
                   "--kernel-version=6.12", vmlinux["7.2.13"]])
    expected = ("TYPE_TAG 'address_space(1)' Invalid btf_info kind_flag" in out
                and "Linux 6.12 would refuse it" in out)
    print("7.2.13 by Linux 6.12's rules: %s" % ("refused, as expected" if expected else out))
    failed |= not expected
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
