#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
#
# DKMS in one step, end to end (ctest dkms-build, docs/DKMS.md): Debian's own
# dkms, 3.0.10 (Debian 12, installed) and 3.2.2 (Debian 13 and unstable,
# pinned "dkms-3.2" in utils/kernels/pins, run from where it is unpacked),
# builds the sample package (utils/dkms/sample/dkms.conf beside the sources
# of utils/kernels/modules: dkms_demo of two objects, dkms_worker) with GCC
# against real headers, its MAKE command running btfkit-dkms after make.
# Kernels:
#   - 6.1.0-50-amd64 (Debian 12), the installed linux-headers package, the
#     base named with BTFKIT_BASE (the corpus's vmlinux BTF of that build:
#     no image of it is installed here);
#   - 6.12.95+deb12-amd64 (bookworm-backports), the pinned headers and image
#     (utils/kernels/debian-packages.sh), given with --kernelsourcedir, the
#     base found by btfkit-dkms itself as ROOT/boot/vmlinuz-RELEASE;
# and two builds that must fail: no BTF of the kernel to be found (the
# error says what to set), and a kernel that refuses a module under
# BTFKIT_FATAL_WARNINGS=1. Then, as a Debian 13 and an unstable user
# builds it, in a root of trixie and one of sid (utils/dkms/suite-root.sh:
# debootstrap, then the suite's apt installs its dkms 3.2.2, GCC 14 / 16,
# make and the pinned headers, which bring pahole; cached), chrooted over
# an overlay, with btfkit's bin folder bound in:
#   - 6.12.117+deb13-amd64 (Debian 13's own headers, the image installed
#     with them) and 7.2.13+deb14-amd64 (unstable's): `dkms build -k
#     RELEASE`, the headers found at /lib/modules/RELEASE/build and the
#     base as their vmlinux, judged on the kernel's own vmlinuz, the other
#     suite's, and the 6.12.95 backport's.
# For each built module dkms keeps (uncompressed first, when dkms
# compressed it like the kernel's modules):
#   - .BTF and .BTF.base, no .BTF.btfkit, and dkms's signature, which
#     openssl verifies over the bytes that hold the BTF (btfkit-dkms ran
#     before signing);
#   - the make command with btfkit-dkms in dkms's output (3.0.10) or log
#     (3.2.x);
#   - in dkms's make.log, btfkit-dkms's lines and one verdict line per
#     module x named kernel, each agreeing with btf-relocate on the module
#     dkms kept;
#   - on 7.x, btf_ids_demo left as built with the distilled BTF of the
#     kernel's own gen-btf.sh, its .BTF_ids resolved by it.
# dkms runs with its trees (--dkmstree, --sourcetree, --installtree) and its
# signing key under WORK, so nothing outside WORK is touched (in the roots,
# the install tree is the root's own /lib/modules, in the overlay, whose
# upper layer is under WORK); `dkms remove --all` cleans up at the end.
#
#   dkms-build.py --bin BUILD/bin --work DIR [--corpus DIR]
#
# Exit status 0 when every check passes, 1 otherwise; 77 (skip) when dkms,
# the headers or the corpus are missing, or when the suite roots cannot be
# made or entered (not root, no debootstrap, no mount namespace: the other
# cases still run first), except under CI ($CI set), where that is a
# failure.
import argparse
import functools
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "utils", "kernels"))
import kernels  # noqa: E402

PACKAGE, VERSION = "btfkit-sample", "1.0"
MODULES = ["dkms_demo.ko", "dkms_worker.ko"]
# The Debian 12 headers utils/install-deps.sh installs, whose kernel's BTF
# the corpus holds.
DEB12 = "6.1.0-50-amd64"
BACKPORT = "6.12.95"  # pins: the image; "-headers": headers and kbuild
# Debian 13 and unstable: the pin whose headers are installed in a root of
# their suite (utils/dkms/suite-root.sh), the kernel's release, where its
# package installs its vmlinuz, and what becomes of btf_ids_demo
# (check_build).
SUITES = [
    ("Debian 13", "6.12.117-headers", "6.12.117+deb13-amd64",
     "/boot/vmlinuz-6.12.117+deb13-amd64", "resolved"),
    ("unstable", "7.2.13-headers", "7.2.13+deb14-amd64",
     "/usr/lib/modules/7.2.13+deb14-amd64/vmlinuz", "kernel"),
]
SIG_MAGIC = b"~Module signature appended~\n"
VERDICT = re.compile(r"^(\S+\.ko): (loads on|does not relocate onto|refused by)"
                     r" (\S+?)(?: \(|: |$)")

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def skip(msg):
    if os.environ.get("CI"):
        print("dkms-build: " + msg + " (not skipped under CI)")
        sys.exit(1)
    print("dkms-build: skipped: " + msg)
    sys.exit(77)


class Dkms:
    """One dkms program, with its trees and signing key under WORK."""

    def __init__(self, name, prog, work, env):
        self.name, self.prog, self.work = name, prog, work
        self.key = os.path.join(work, "mok.key")
        self.cert = os.path.join(work, "mok.pub")
        self.env = dict(env, mok_signing_key=self.key, mok_certificate=self.cert)
        self.trees = ["--dkmstree", os.path.join(work, "tree"),
                      "--sourcetree", os.path.join(work, "src"),
                      "--installtree", os.path.join(work, "installed")]
        for d in ("tree", "installed"):
            os.makedirs(os.path.join(work, d))
        src = os.path.join(work, "src", f"{PACKAGE}-{VERSION}")
        shutil.copytree(os.path.join(ROOT, "utils", "kernels", "modules"), src)
        shutil.copy(os.path.join(HERE, "sample", "dkms.conf"), src)
        # A third module, with a BTF_ID_LIST of its own struct and
        # task_struct (utils/kernel-modules/btf_ids_demo).
        shutil.copy(os.path.join(ROOT, "utils", "kernel-modules", "btf_ids_demo",
                                 "btf_ids_demo.c"), src)
        with open(os.path.join(src, "Kbuild"), "a") as f:
            f.write("obj-m += btf_ids_demo.o\n")
        with open(os.path.join(src, "dkms.conf"), "a") as f:
            f.write('BUILT_MODULE_NAME[2]="btf_ids_demo"\n'
                    'DEST_MODULE_LOCATION[2]="/updates/dkms"\n')

    def command(self, cmd, env):
        """The command line and environment that run dkms's CMD."""
        return cmd, env

    def run(self, *args, extra_env=None, log=None):
        env = dict(self.env)
        env.update(extra_env or {})
        cmd, env = self.command([self.prog, *args, *self.trees], env)
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if log:
            with open(os.path.join(self.work, log), "w") as f:
                f.write("$ " + " ".join(cmd) + "\n" + p.stdout)
        return p

    def build_log(self):
        """Where dkms leaves make.log when a build fails."""
        return os.path.join(self.work, "tree", PACKAGE, VERSION, "build", "make.log")

    def kept(self, release):
        return os.path.join(self.work, "tree", PACKAGE, VERSION, release,
                            os.uname().machine)


# A private mount namespace for the roots' mounts (unshare --mount). unshare
# makes every mount private (--propagation private) by changing "/", which
# fails where "/" is no mount point (a chroot, as in a clean-root check):
# there the namespace keeps the propagation it has, and the script makes
# the mount holding its folders private itself, when it can see one.
@functools.lru_cache(maxsize=None)
def _propagation():
    ok = subprocess.run(["unshare", "--mount", "--propagation", "private",
                         "true"], stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL).returncode == 0
    return "private" if ok else "unchanged"


def unshare_mount():
    """The unshare command line that gives a private mount namespace."""
    return ["unshare", "--mount", "--propagation", _propagation()]


# Run first in the namespace: the mount that holds $1, private, so that
# nothing mounted under it reaches another namespace whatever the
# propagation unshare could set.
PRIVATE = ('mp=$(findmnt -n -o TARGET --target "$1" 2>/dev/null) && '
           'mount --make-rprivate "$mp" 2>/dev/null || true\n')


class SuiteDkms(Dkms):
    """A suite's own dkms in a root of that suite (utils/dkms/suite-root.sh),
    run as a user of the suite runs it: chrooted into the root, in a private
    mount namespace (unshare --mount: the mounts go with it, whatever
    happens), over an overlay whose lower layer is the cached root (left as
    built, and shareable by concurrent runs) and whose upper layer is under
    WORK. WORK and btfkit's bin folder are bound at their own paths (bin
    read-only), so a path under them is the same inside and outside."""

    ENTER = PRIVATE + r"""set -e
r=$1 lower=$2 upper=$3 wd=$4 bin=$5 work=$6; shift 6
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$upper,workdir=$wd" "$r"
mkdir -p "$r$work" "$r$bin"
mount --bind "$work" "$r$work"
mount --bind "$bin" "$r$bin"
mount -o remount,bind,ro "$r$bin"
mount -t proc proc "$r/proc"
mount --rbind /dev "$r/dev"
exec chroot "$r" /usr/bin/env -i "$@"
"""

    def __init__(self, name, root, work, env, bin_dir, top):
        super().__init__(name, "dkms", work, env)
        self.root, self.bin_dir, self.top = root, bin_dir, top
        # dkms finds the headers under its install tree: the root's own
        # /lib/modules (in the overlay), as on the suite's system.
        at = self.trees.index("--installtree")
        del self.trees[at:at + 2]
        layers = os.path.join(work, "overlay")
        self.layers = [os.path.join(layers, d) for d in ("mnt", "upper", "work")]
        for d in self.layers:
            os.makedirs(d)

    def command(self, cmd, env):
        # A clean environment, as root's login would have, with btfkit's
        # bin first on PATH and the variables of dkms and btfkit passed on.
        inner = ["PATH=" + self.bin_dir + ":/usr/local/sbin:/usr/local/bin:"
                 "/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LANG=C.UTF-8"]
        inner += [f"{k}={v}" for k, v in sorted(env.items())
                  if k.startswith(("BTFKIT_", "mok_", "sign_file"))]
        mnt, upper, wd = self.layers
        return (unshare_mount() + ["sh", "-c", self.ENTER, "_", mnt, self.root, upper, wd, self.bin_dir,
                 self.top, *inner, *cmd], dict(os.environ))

    def shell(self, script):
        """SCRIPT's output, run by sh in the root."""
        cmd, env = self.command(["sh", "-c", script], self.env)
        return subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True).stdout

    def host(self, path):
        """Where PATH, as the chrooted dkms sees it, is on this machine."""
        if path.startswith((self.top + "/", self.bin_dir + "/")):
            return path
        return self.root + path


def suite_root_problem():
    """Why the suite roots cannot be made and entered here, or None."""
    if os.geteuid() != 0:
        return "building in a trixie or sid root needs root (chroot, mounts)"
    if not shutil.which("debootstrap"):
        return "debootstrap is not installed (utils/install-deps.sh installs it)"
    with tempfile.TemporaryDirectory() as t:
        for d in ("lower", "upper", "work", "mnt"):
            os.mkdir(os.path.join(t, d))
        probe = (PRIVATE + 'mount -t overlay overlay -o "lowerdir=$1/lower,'
                 'upperdir=$1/upper,workdir=$1/work" "$1/mnt" && chroot / true')
        p = subprocess.run(unshare_mount() + ["sh", "-c", probe, "_", t],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
    if p.returncode != 0:
        return ("no private mount namespace with an overlay mount and chroot "
                "here: " + p.stdout.strip())
    return None


def sections(path):
    """(name, contents) of each section of ELF PATH, read here (64-bit
    little-endian)."""
    with open(path, "rb") as f:
        d = f.read()
    if d[:4] != b"\x7fELF" or d[4] != 2 or d[5] != 1:
        raise SystemExit(f"{path}: not a 64-bit little-endian ELF")
    shoff, = struct.unpack_from("<Q", d, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 0x3a)
    strtab_off, = struct.unpack_from("<Q", d, shoff + shstrndx * shentsize + 0x18)
    out = []
    for i in range(shnum):
        sh = shoff + i * shentsize
        name, = struct.unpack_from("<I", d, sh)
        off, size = struct.unpack_from("<QQ", d, sh + 0x18)
        end = d.index(b"\0", strtab_off + name)
        out.append((d[strtab_off + name:end].decode(), d[off:off + size]))
    return out


def section_names(path):
    return [n for n, _ in sections(path)]


def check_btf_ids(case, bin_dir, path):
    """btf_ids_demo's BTF_ID_LIST holds the ids of struct kr_priv and struct
    task_struct in the module's BTF over its .BTF.base."""
    ids = {}
    for args in (["--section=.BTF.base", path], [path]):
        r = subprocess.run([os.path.join(bin_dir, "btf-dump"), *args],
                           stdout=subprocess.PIPE, text=True)
        for line in r.stdout.splitlines():
            m = re.match(r"\[(\d+)\] STRUCT '(kr_priv|task_struct)'", line)
            if m:
                ids.setdefault(m.group(2), int(m.group(1)))
    want = [ids.get("kr_priv", 0), ids.get("task_struct", 0)]
    sec = dict(sections(path)).get(".BTF_ids", b"")
    got = list(struct.unpack("<%dI" % (len(sec) // 4), sec))
    if 0 in want or got != want:
        fail(f"{case}: {path}: .BTF_ids holds {got}, want the ids of kr_priv "
             f"and task_struct in the module's BTF, {want}")
    else:
        print(f"    btf_ids_demo.ko: .BTF_ids {got}: kr_priv and task_struct "
              f"in its BTF over its .BTF.base")


def check_signature(ko, cert_pem, work):
    """dkms's signature on KO verifies over the bytes before it, which are
    the module with its BTF."""
    with open(ko, "rb") as f:
        d = f.read()
    if not d.endswith(SIG_MAGIC):
        fail(f"{ko}: not signed (no '{SIG_MAGIC.strip().decode()}')")
        return
    info = d[-len(SIG_MAGIC) - 12:-len(SIG_MAGIC)]
    sig_len, = struct.unpack(">I", info[8:])
    end = len(d) - len(SIG_MAGIC) - 12
    sig, content = os.path.join(work, "sig.p7"), os.path.join(work, "signed.ko")
    with open(sig, "wb") as f:
        f.write(d[end - sig_len:end])
    with open(content, "wb") as f:
        f.write(d[:end - sig_len])
    p = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER",
                        "-in", sig, "-content", content, "-certfile", cert_pem,
                        "-nointern", "-noverify", "-out", os.devnull],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        fail(f"{ko}: dkms's signature does not verify: {p.stdout.strip()}")
    elif ".BTF" not in section_names(content):
        fail(f"{ko}: the signed bytes hold no .BTF")


def cert_pem(cert):
    """dkms's certificate (DER, made by its first build) as PEM."""
    pem = cert[:-len(".pub")] + ".pem"
    if not os.path.exists(pem):
        subprocess.run(["openssl", "x509", "-inform", "DER", "-in", cert,
                        "-out", pem], check=True)
    return pem


def kept_module(dkms, kept, ko):
    """The module KO dkms kept in KEPT/module, uncompressed: dkms 3.2.x
    compresses it as the kernel's installed modules are (xz in Debian 13's
    root, where the image is installed), after signing it, so the
    uncompressed bytes are the signed module. None when it kept none."""
    for suffix in ("", ".xz", ".zst", ".gz"):
        path = os.path.join(kept, "module", ko + suffix)
        if os.path.exists(path):
            break
    else:
        return None
    if not suffix:
        return path
    out = os.path.join(dkms.work, "kept", os.path.basename(os.path.dirname(kept)), ko)
    if not os.path.exists(out):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "wb") as f:
            f.write(kernels.decompress_file(path))
        print(f"    {ko}: kept as {ko}{suffix}")
    return out


def relocate_loads(bin_dir, ko, kernel):
    p = subprocess.run([os.path.join(bin_dir, "btf-relocate"), "--format=json",
                        "--base-btf=" + kernel, ko],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode not in (0, 1):
        fail(f"btf-relocate {ko} on {kernel}: exit {p.returncode}: {p.stderr.strip()}")
        return None
    return json.loads(p.stdout)["results"][0]["loads"]


def check_build(args, dkms, kernel, release, base, how, kernels_named, cert_pem,
                dkms_out, expect_refusal, ids, host=lambda path: path):
    """The checks of a `dkms build` that succeeded for RELEASE. IDS says what
    became of btf_ids_demo.ko: "resolved" (linked, its .BTF_ids resolved
    again: 6.11 to 6.x), "none" (left as built without BTF: 6.1) or
    "kernel" (left as built with the distilled BTF of the kernel's own
    gen-btf.sh, its ids resolved by it: 7.x). HOST maps a path dkms's
    make.log names to this machine's (a chrooted dkms's root)."""
    case = f"{dkms.name}, {kernel}"
    kept = dkms.kept(release)
    log = os.path.join(kept, "log", "make.log")
    if not os.path.exists(log):
        fail(f"{case}: dkms kept no make.log at {log}")
        return
    with open(log) as f:
        text = f.read()
    head = f"btfkit-dkms: kernel {release}, base {base} ({how})"
    if head not in text:
        fail(f"{case}: make.log lacks '{head}'")
    # dkms ran btfkit-dkms in its make command (3.0.10 prints the command,
    # 3.2.x logs it) and signed the modules; that it signed them after is
    # what the signature over the BTF shows.
    if "&& btfkit-dkms " + release not in dkms_out + text:
        fail(f"{case}: neither dkms's output nor make.log shows the make "
             f"command with btfkit-dkms")
    if "Signing module" not in dkms_out:
        fail(f"{case}: dkms did not sign the modules")
    verdicts = {}
    for line in text.splitlines():
        m = VERDICT.match(line)
        if m:
            key = (m.group(1), m.group(3))
            if key in verdicts:
                fail(f"{case}: two verdict lines for {key}")
            verdicts[key] = (m.group(2) == "loads on", line)
    print(f"  {kernel}: verdict lines in dkms's make.log:")
    refused = 0
    # btf_ids_demo: linked and its ids resolved again where the headers'
    # resolve_btfids can (6.12), else left as built with a warning (6.1,
    # 7.x).
    modules = MODULES + (["btf_ids_demo.ko"] if ids == "resolved" else [])
    ids_path = kept_module(dkms, kept, "btf_ids_demo.ko")
    if ids == "resolved":
        if "btfkit-dkms: btf_ids_demo.ko: .BTF_ids resolved over its new BTF" not in text:
            fail(f"{case}: make.log lacks the resolve of btf_ids_demo.ko's .BTF_ids")
        elif ids_path:
            check_btf_ids(case, args.bin, ids_path)
    else:
        if "btfkit-dkms: warning: btf_ids_demo.ko: left as built: it has .BTF_ids" not in text:
            fail(f"{case}: make.log lacks the warning that btf_ids_demo.ko is left as built")
        if not ids_path:
            fail(f"{case}: dkms kept no btf_ids_demo.ko in {kept}/module")
        elif ids == "none" and ".BTF.base" in section_names(ids_path):
            fail(f"{case}: {ids_path} has a .BTF.base although left as built")
        elif ids == "kernel":
            # The kernel's gen-btf.sh distilled its BTF and resolved its ids.
            names = section_names(ids_path)
            if names.count(".BTF") != 1 or names.count(".BTF.base") != 1:
                fail(f"{case}: {ids_path}: want the .BTF and .BTF.base of the "
                     f"kernel's own BTF step, has {names}")
            else:
                check_btf_ids(case, args.bin, ids_path)
    for ko in modules:
        if f"btfkit-dkms: {ko}: resilient BTF written" not in text:
            fail(f"{case}: make.log lacks 'btfkit-dkms: {ko}: resilient BTF written'")
        path = kept_module(dkms, kept, ko)
        if not path:
            fail(f"{case}: dkms kept no {ko} in {kept}/module")
            continue
        names = section_names(path)
        for sec, want in ((".BTF", 1), (".BTF.base", 1), (".BTF.btfkit", 0)):
            if names.count(sec) != want:
                fail(f"{case}: {path}: {names.count(sec)} {sec} sections, want {want}")
        check_signature(path, cert_pem, dkms.work)
        for k in kernels_named:
            v = verdicts.get((ko, k))
            if v is None:
                fail(f"{case}: no verdict line for {ko} on {k}")
                continue
            print("    " + v[1])
            truth = relocate_loads(args.bin, path, host(k))
            if truth is not None and truth != v[0]:
                fail(f"{case}: {ko} on {k}: btfkit-dkms says "
                     f"{'loads' if v[0] else 'refused'}, btf-relocate "
                     f"{'loads' if truth else 'refused'}")
            if k == base and not v[0]:
                fail(f"{case}: {ko} does not load on the kernel it was built for")
            refused += not v[0]
    extra = set(verdicts) - {(ko, k) for ko in modules for k in kernels_named}
    if extra:
        fail(f"{case}: verdict lines for kernels not named: {sorted(extra)}")
    if expect_refusal and not refused:
        fail(f"{case}: no kernel refused a module (the clang-built 6.1 must)")


def remove_all(dkms):
    """`dkms remove --all`, which must leave nothing of the package."""
    p = dkms.run("remove", "-m", PACKAGE, "-v", VERSION, "--all", log="remove.log")
    if p.returncode != 0:
        fail(f"{dkms.name}: dkms remove --all: exit {p.returncode}:\n{p.stdout}")
    elif os.path.exists(os.path.join(dkms.work, "tree", PACKAGE)):
        fail(f"{dkms.name}: dkms remove --all left the package in its tree")


def add_package(dkms):
    """`dkms add` of the sample package; False (a failure noted) if it
    fails."""
    p = dkms.run("add", "-m", PACKAGE, "-v", VERSION, log="add.log")
    if p.returncode != 0:
        fail(f"{dkms.name}: dkms add: exit {p.returncode}:\n{p.stdout}")
        return False
    return True


def run_builds(args, dkms, headers, k):
    """The four builds of the file comment with DKMS, then `dkms remove
    --all`."""
    k50, k47, clang = k["k50"], k["k47"], k["clang"]
    found_vmlinuz = k["vmlinuz61"]
    deb12_headers = f"/lib/modules/{DEB12}/build"
    try:
        if not add_package(dkms):
            return
        build = ["build", "-m", PACKAGE, "-v", VERSION]
        deb12 = [*build, "-k", DEB12, "--kernelsourcedir", deb12_headers]
        mlog = dkms.build_log()

        # 1. No BTF of the kernel to be found: the build fails, the error
        #    says where btfkit-dkms looked and what to set.
        p = dkms.run(*deb12, extra_env={"BTFKIT_DKMS_ROOT": k["empty"]},
                     log="no-base.log")
        text = open(mlog).read() if os.path.exists(mlog) else ""
        want = f"btfkit-dkms: error: no BTF of kernel {DEB12} found"
        if p.returncode == 0 or want not in text or "BTFKIT_BASE=FILE" not in text:
            fail(f"{dkms.name}: no base: dkms build exit {p.returncode}, want a "
                 f"failure with '{want}' naming BTFKIT_BASE in {mlog}")
        else:
            print(f"  no base: dkms build fails (exit {p.returncode}): "
                  + next(l for l in text.splitlines() if want in l)[:120] + "...")

        # 2. A kernel that refuses a module, under BTFKIT_FATAL_WARNINGS=1;
        #    the base named.
        p = dkms.run(*deb12, log="fatal.log", extra_env={
            "BTFKIT_BASE": k50, "BTFKIT_FATAL_WARNINGS": "1",
            "BTFKIT_CHECK_AGAINST": "target:" + clang})
        text = open(mlog).read() if os.path.exists(mlog) else ""
        head = f"btfkit-dkms: kernel {DEB12}, base {k50} (named)"
        if p.returncode == 0 or "will not load on " + clang not in text \
                or head not in text:
            fail(f"{dkms.name}: fatal: dkms build exit {p.returncode}, want a "
                 f"failure with '{head}' and 'will not load on {clang}' in {mlog}")
        else:
            print(f"  fatal warnings: dkms build fails (exit {p.returncode}) "
                  f"on a kernel that refuses a module")

        # 3. Debian 12's 6.1: the installed headers (no vmlinux), the base
        #    found in ROOT/boot, four kernels judged: the target, an older
        #    6.1 update, the 6.12 backport's own vmlinuz, and the clang-built
        #    6.1 (no MODVERSIONS: refuses both modules).
        named = [found_vmlinuz, k47, k["vmlinuz612"], clang]
        p = dkms.run(*deb12, log="deb12.log", extra_env={
            "BTFKIT_DKMS_ROOT": k["root"],
            "BTFKIT_CHECK_AGAINST": "target:" + ":".join(named[1:])})
        if p.returncode != 0:
            fail(f"{dkms.name}: 6.1: dkms build exit {p.returncode}:\n{p.stdout}")
        else:
            check_build(args, dkms, f"{DEB12}", DEB12, found_vmlinuz, "found",
                        named, cert_pem(dkms.cert), p.stdout, True, "none")

        # 4. The 6.12 backport: headers given with --kernelsourcedir; they
        #    ship a vmlinux (BTF only), the base found there; signed with the
        #    headers' own sign-file.
        base = os.path.join(headers.dir, "vmlinux")
        named = [base, k["vmlinuz612"], k50, clang]
        p = dkms.run(*build, "-k", headers.release, "--kernelsourcedir", headers.dir,
                     log="backport.log", extra_env={
                         "BTFKIT_CHECK_AGAINST": "target:" + ":".join(named[1:]),
                         "sign_file": os.path.join(headers.dir, "scripts", "sign-file")})
        if p.returncode != 0:
            fail(f"{dkms.name}: 6.12: dkms build exit {p.returncode}:\n{p.stdout}")
        else:
            check_build(args, dkms, headers.release, headers.release, base,
                        "found", named, cert_pem(dkms.cert), p.stdout, True,
                        "resolved")
    finally:
        remove_all(dkms)


def run_suite_build(args, dkms, release, named, ids):
    """A suite's dkms in its root: add, build for RELEASE as its user would
    (the installed headers, /lib/modules/RELEASE/build, whose vmlinux is the
    base btfkit-dkms finds), judged on the kernels NAMED after the target;
    then `dkms remove --all`."""
    base = f"/lib/modules/{release}/build/vmlinux"
    try:
        if not add_package(dkms):
            return
        p = dkms.run("build", "-m", PACKAGE, "-v", VERSION, "-k", release,
                     log="build.log",
                     extra_env={"BTFKIT_CHECK_AGAINST": "target:" + ":".join(named)})
        if p.returncode != 0:
            log = dkms.build_log()
            text = open(log).read() if os.path.exists(log) else ""
            fail(f"{dkms.name}: {release}: dkms build exit {p.returncode}:\n"
                 f"{p.stdout}\n{log}:\n{text[-3000:]}")
        else:
            check_build(args, dkms, release, release, base, "found",
                        [base, *named], cert_pem(dkms.cert), p.stdout, False, ids,
                        host=dkms.host)
    finally:
        remove_all(dkms)


def suite_builds(args, env, backport_vmlinuz):
    """Debian 13 and unstable, each with its own dkms, GCC and headers in a
    root of its suite (utils/dkms/suite-root.sh). Returns a reason when
    they cannot run here, else None."""
    problem = suite_root_problem()
    if problem:
        return problem
    # Both roots at once (once: they are cached): mostly downloads.
    making = {pin: subprocess.Popen([os.path.join(HERE, "suite-root.sh"), pin],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True)
              for pin in (suite[1] for suite in SUITES)}
    roots = {}
    for pin, p in making.items():
        out, err = p.communicate()
        if p.returncode != 0:
            fail(f"suite-root.sh {pin}: exit {p.returncode}: {err.strip()}")
        else:
            roots[pin] = out.strip()
    if len(roots) != len(SUITES):
        return None
    # The kernels judged besides the target: the suite's own image, as its
    # package installed it in the root, and the other suite's and the 6.12
    # backport's vmlinuz, copied under WORK to be seen inside the roots too.
    kdir = os.path.join(args.work, "kernels")
    os.makedirs(kdir)
    copied = {}
    for _, pin, release, image, _ in SUITES:
        if not os.path.exists(roots[pin] + image):
            fail(f"{roots[pin]}: no {image}: its kernel package is not installed")
            return None
        copied[pin] = os.path.join(kdir, "vmlinuz-" + release)
        shutil.copy(roots[pin] + image, copied[pin])
    backport = os.path.join(kdir, os.path.basename(backport_vmlinuz))
    shutil.copy(backport_vmlinuz, backport)
    for name, pin, release, image, ids in SUITES:
        dkms = SuiteDkms(f"{name}'s dkms", roots[pin],
                         os.path.join(args.work, "suite-" + pin), env,
                         args.bin, args.work)
        versions = dkms.shell("dkms --version; gcc --version | head -1; "
                              "pahole --version").splitlines()
        print(f"{name} ({roots[pin]}): {', '.join(versions[:3])}:")
        others = [copied[o] for o in copied if o != pin]
        run_suite_build(args, dkms, release, [image, *others, backport], ids)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--corpus", default=None)
    args = ap.parse_args()
    args.bin = os.path.abspath(args.bin)
    args.work = os.path.abspath(args.work)
    corpus = args.corpus or os.path.join(os.path.dirname(args.bin), "corpus")

    if not shutil.which("dkms"):
        skip("dkms is not installed (utils/install-deps.sh installs it)")
    if not os.path.isdir(f"/lib/modules/{DEB12}/build"):
        skip(f"linux-headers-{DEB12} is not installed (utils/install-deps.sh)")
    k50 = os.path.join(corpus, f"vmlinux-{DEB12}.btf")
    k47 = os.path.join(corpus, "vmlinux-6.1.0-47-amd64.btf")
    clang = os.path.join(corpus, "vmlinux-6.1-clang19.btf")
    for f in (k50, k47, clang):
        if not os.path.exists(f):
            skip(f"{f} missing: run ctest -R corpus-prepare")
    for tool in ("btfkit-dkms", "btf-link", "btf-relocate"):
        if not os.access(os.path.join(args.bin, tool), os.X_OK):
            fail(f"{tool} not built in {args.bin}")
            return 1

    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    env = dict(os.environ)
    for v in ("BTFKIT_BASE", "BTFKIT_CHECK_AGAINST", "BTFKIT_FATAL_WARNINGS",
              "BTFKIT_KERNEL_VERSION", "BTFKIT_DKMS_ROOT"):
        env.pop(v, None)
    env.update({"PATH": args.bin + ":" + env.get("PATH", "/usr/bin:/bin"),
                "BTFKIT_CACHE_DIR": os.path.join(args.work, "cache")})

    # The backport's headers and image, and Debian 13's dkms, pinned.
    headers = kernels.Headers(BACKPORT + "-headers", args.work)
    image = kernels.Kernel(BACKPORT, os.path.join(args.work, "image"))
    if headers.release != image.release:
        fail(f"headers {headers.release} and image {image.release} differ")
        return 1
    dkms13 = os.path.join(kernels.fetch("dkms-3.2")[0], "usr", "sbin", "dkms")
    # A system root whose /boot holds a vmlinuz of 6.1.0-50-amd64 (no image
    # of it is installed here): a bzImage, zstd like Debian's, of an ELF
    # holding the corpus's BTF of that build, found by btfkit-dkms itself.
    fake_root = os.path.join(args.work, "root")
    os.makedirs(os.path.join(fake_root, "boot"))
    elf = os.path.join(args.work, "vmlinux-" + DEB12)
    found_vmlinuz = os.path.join(fake_root, "boot", "vmlinuz-" + DEB12)
    mki = os.path.join(ROOT, "utils", "compat-report", "make-kernel-image.py")
    subprocess.run([sys.executable, mki, "elf", elf, "--section", ".BTF=" + k50],
                   check=True)
    subprocess.run([sys.executable, mki, "bzimage", found_vmlinuz, "--payload", elf,
                    "--compress", "zstd", "--version",
                    DEB12 + " (debian-kernel@lists.debian.org) #1 SMP"], check=True)
    empty_root = os.path.join(args.work, "empty-root")
    os.makedirs(empty_root)
    kernels_ = {"k50": k50, "k47": k47, "clang": clang, "root": fake_root,
                "empty": empty_root, "vmlinuz61": found_vmlinuz,
                "vmlinuz612": image.vmlinuz}

    for name, prog in (("dkms 3.0.10 (Debian 12)", "dkms"),
                       ("dkms 3.2.2 (Debian 13, unstable)", dkms13)):
        p = subprocess.run([prog, "--version"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        want = name.split()[1]
        if p.stdout.strip() != "dkms-" + want:
            fail(f"{prog} --version says '{p.stdout.strip()}', want dkms-{want}")
            continue
        print(f"{name}:")
        dkms = Dkms(name, prog, os.path.join(args.work, "dkms-" + want), env)
        run_builds(args, dkms, headers, kernels_)

    skipped = suite_builds(args, env, image.vmlinuz)
    if failures:
        print(f"dkms-build: {len(failures)} failures")
        return 1
    if skipped:
        skip("Debian 13 and unstable not built: " + skipped)
    print("dkms-build: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
