# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
#
# Runs a list of module loads in a Debian kernel under QEMU and reads back
# what the kernel did: an initramfs of busybox, a static loader and the
# modules (guest/init.sh runs the cases), one boot per list, and a new boot
# after the case that hung or crashed the kernel.
import base64
import os
import queue
import re
import shutil
import stat
import subprocess
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BUSYBOX = "/bin/busybox"
QEMU = "qemu-system-x86_64"


class Case:
    """One load: module NAME from FILE, with the target's own modules DEPS
    (name -> file) loaded first; EXPECTED is the BTF btfkit predicts in
    /sys/kernel/btf/NAME, or None."""

    def __init__(self, ident, name, file, expected=None, deps=None):
        self.ident, self.name, self.file = ident, name, file
        self.expected, self.deps = expected, dict(deps or {})
        # Filled from the guest's report.
        self.load = None       # "ok" or "errno-N-NAME"
        self.btf = None        # "present" / "absent"
        self.cmp = None        # "same" / "differs" / "-"
        self.dmesg = []
        self.kernel_btf = None  # bytes, when cmp == differs
        self.crashed = False


def build_loader(work):
    out = os.path.join(work, "modload")
    src = os.path.join(HERE, "guest", "modload.c")
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(src):
        subprocess.run(["gcc", "-static", "-O2", "-Wall", "-o", out, src],
                       check=True)
    return out


class Cpio:
    """An uncompressed initramfs (cpio "newc"), written as it is filled."""

    def __init__(self, path):
        self.f = open(path, "wb")
        self.ino = 1

    def _entry(self, name, mode, data=b""):
        header = "070701" + "".join("%08X" % v for v in (
            self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0,
            len(name) + 1, 0))
        self.ino += 1
        blob = header.encode() + name.encode() + b"\0"
        blob += b"\0" * (-len(blob) % 4)
        self.f.write(blob + data + b"\0" * (-len(data) % 4))

    def dir(self, name):
        self._entry(name, stat.S_IFDIR | 0o755)

    def file(self, name, data, mode=0o644):
        self._entry(name, stat.S_IFREG | mode, data)

    def close(self):
        self._entry("TRAILER!!!", 0)
        self.f.close()


def make_initramfs(path, cases, loader):
    cpio = Cpio(path)
    for d in ("bin", "m", "m/dep", "e", "proc", "sys", "dev", "tmp"):
        cpio.dir(d)
    with open(BUSYBOX, "rb") as f:
        cpio.file("bin/busybox", f.read(), 0o755)
    with open(os.path.join(HERE, "guest", "init.sh"), "rb") as f:
        cpio.file("init", f.read(), 0o755)
    with open(loader, "rb") as f:
        cpio.file("modload", f.read(), 0o755)
    lines, deps = [], {}
    for c in cases:
        with open(c.file, "rb") as f:
            cpio.file(f"m/{c.ident}.ko", f.read())
        exp = "-"
        if c.expected:
            with open(c.expected, "rb") as f:
                cpio.file(f"e/{c.ident}.btf", f.read())
            exp = f"/e/{c.ident}.btf"
        deps.update(c.deps)
        lines.append(" ".join([c.ident, c.name, f"/m/{c.ident}.ko", exp] +
                              [f"dep/{d}" for d in c.deps]))
    for d, f in sorted(deps.items()):
        with open(f, "rb") as fh:
            cpio.file(f"m/dep/{d}.ko", fh.read())
    cpio.file("cases", ("\n".join(lines) + "\n").encode())
    cpio.close()


LINE = re.compile(r"@@ (\w+) ?(\S*) ?(.*)")


def boot(vmlinuz, cases, work, log, stall=120):
    """Runs CASES in one boot; returns the cases it did not reach (the one
    that hung or crashed the kernel is marked and skipped)."""
    initrd = os.path.join(work, "initramfs.cpio")
    make_initramfs(initrd, cases, build_loader(work))
    by_id = {c.ident: c for c in cases}
    accel = os.environ.get("BTFKIT_QEMU_ACCEL", "tcg")
    cmd = [QEMU, "-accel", accel, "-cpu", "max", "-smp", "1", "-m", "3G",
           "-kernel", vmlinuz, "-initrd", initrd, "-nographic", "-no-reboot",
           "-append", "console=ttyS0 panic=-1 loglevel=1 quiet cryptomgr.notests=1"]
    started = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    lines = queue.Queue()

    def reader():
        for raw in proc.stdout:
            lines.put(raw.decode("utf-8", "replace").rstrip("\r\n"))
        lines.put(None)

    threading.Thread(target=reader, daemon=True).start()
    current, done, kernel = None, set(), None
    try:
        while True:
            # A kernel that says nothing for STALL seconds has hung.
            try:
                text = lines.get(timeout=stall)
            except queue.Empty:
                log.write("@@ harness: no output for %d s, stopping\n" % stall)
                break
            if text is None:
                break
            log.write(text + "\n")
            m = LINE.search(text)
            if not m:
                continue
            what, ident, rest = m.groups()
            c = by_id.get(ident)
            if what == "kernel":
                kernel = ident
            elif what == "begin" and c:
                current = c
            elif what == "case" and c:
                fields = dict(kv.split("=", 1) for kv in rest.split())
                c.load, c.btf, c.cmp = fields["load"], fields["btf"], fields["cmp"]
                done.add(ident)
            elif what == "dmesg" and c:
                c.dmesg.append(re.sub(r"^\[[ \d.]+\] ", "", rest))
            elif what == "b64" and c:
                c.kernel_btf = (c.kernel_btf or b"") + base64.b64decode(rest)
            elif what == "done":
                current = None
                break
    finally:
        proc.kill()
        proc.wait()
    if current is not None and current.ident not in done:
        current.crashed = True
        done.add(current.ident)
    remaining = [c for c in cases if c.ident not in done]
    return kernel, time.time() - started, remaining


def run(vmlinuz, cases, work, log_path, stall=120):
    """Runs every case, booting again after a case that stopped the kernel.
    Returns (kernel release, boots, seconds)."""
    os.makedirs(work, exist_ok=True)
    boots, seconds, release = 0, 0.0, None
    todo = list(cases)
    with open(log_path, "w") as log:
        while todo:
            boots += 1
            kernel, took, rest = boot(vmlinuz, todo, work, log, stall)
            release = release or kernel
            seconds += took
            if len(rest) == len(todo):  # not even one case ran: give up
                for c in rest:
                    c.crashed = True
                break
            todo = rest
    return release, boots, seconds


def clean(work):
    shutil.rmtree(work, ignore_errors=True)
