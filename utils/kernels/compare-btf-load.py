#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Compare the validator's verdicts with a kernel's.

    compare-btf-load.py [--vm BZIMAGE] BUILD_DIR FILE|DIR...

Loads every standalone raw BTF file given (DIR: every *.btf under it) into
the running kernel with BPF_BTF_LOAD (needs root or CAP_BPF), and checks
that `btf-dump --validate --kernel-version=<the running release>` gives the
same verdict: valid when the kernel loads it, else a first issue that ends
with the words the kernel's log ends with (its rule).
Split BTF (which BPF_BTF_LOAD cannot take) and files btfkit's reader
refuses are counted and skipped. Prints one line per disagreement and a
summary; exit 0 when all agree, 1 otherwise, 77 when bpf() is not allowed.

With --vm, the kernel is BZIMAGE (a distribution's vmlinuz, e.g. from
utils/kernels/debian-packages.sh) booted under qemu-system-x86_64 (TCG) with
an initramfs (guest.py's) whose /init is the loader: it loads every file and
restarts, which ends QEMU; the release comes from the image's header.

A maintainer's tool, not a test: its answer depends on the machine's
kernel. docs/Validation.md gives the figures of the last run.
"""
import os
import platform
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import guest  # noqa: E402

LOADER = r"""
#include <linux/bpf.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
static char log_buf[1 << 24];
/* Loads one file; prints LOADED or REFUSED -errno then the log (in the VM:
   its last two lines, each line prefixed so the console's can be told
   apart). */
static void load(const char *path, const char *prefix) {
  FILE *f = fopen(path, "rb");
  if (!f) { printf("%sREFUSED -2\n", prefix); return; }
  fseek(f, 0, SEEK_END); long n = ftell(f); rewind(f);
  char *buf = malloc(n ? n : 1);
  if (fread(buf, 1, n, f) != (size_t)n) { printf("%sREFUSED -5\n", prefix); return; }
  fclose(f);
  union bpf_attr a; memset(&a, 0, sizeof a);
  a.btf = (unsigned long)buf; a.btf_size = n;
  a.btf_log_buf = (unsigned long)log_buf; a.btf_log_size = sizeof log_buf;
  a.btf_log_level = 1;
  log_buf[0] = 0;
  int fd = syscall(SYS_bpf, BPF_BTF_LOAD, &a, sizeof a);
  free(buf);
  if (fd >= 0) { close(fd); printf("%sLOADED\n", prefix); return; }
  printf("%sREFUSED %d\n", prefix, -errno);
  if (!*prefix) { printf("%s", log_buf); return; }
  /* The last two lines. */
  char *lines[3] = {0, 0, 0}, *p = log_buf;
  while (p && *p) {
    lines[0] = lines[1]; lines[1] = lines[2]; lines[2] = p;
    p = strchr(p, '\n');
    if (p) *p++ = 0;
  }
  for (int i = 1; i < 3; ++i)
    if (lines[i]) printf("%s%s\n", prefix, lines[i]);
}
int main(int argc, char **argv) {
  if (argc > 1) { load(argv[1], ""); return 0; }
  /* /init in the VM: /t/0.btf, /t/1.btf, ... */
  char path[64], prefix[32];
  for (int i = 0;; ++i) {
    snprintf(path, sizeof path, "/t/%d.btf", i);
    if (access(path, R_OK)) break;
    snprintf(prefix, sizeof prefix, "BTFKIT %d ", i);
    load(path, prefix);
    fflush(stdout);
  }
  printf("BTFKIT END\n");
  fflush(stdout);
  reboot(RB_AUTOBOOT);
  return 0;
}
"""


def same_rule(kernel_line, issue):
    """Whether btfkit's issue line names the rule the kernel's last log line
    ends with: the last two words of the issue (without its parenthesized
    detail) end the kernel's line."""
    if issue.endswith(")") and " (" in issue:
        issue = issue[:issue.rindex(" (")]
    words = issue.split()[-2:]
    return bool(words) and kernel_line.split()[-len(words):] == words


def bzimage_release(path):
    """The release string of an x86 bzImage (its setup header's
    kernel_version)."""
    data = open(path, "rb").read(0x10000)
    off = struct.unpack_from("<H", data, 0x20E)[0] + 0x200
    return data[off:data.index(b"\0", off)].decode().split()[0]


def vm_results(loader, bzimage, files, tmp):
    """Boots BZIMAGE with the loader as /init; returns each file's output
    (the lines the loader printed for it)."""
    cpio_path = os.path.join(tmp, "initrd.cpio")
    cpio = guest.Cpio(cpio_path)
    cpio.dir("t")
    with open(loader, "rb") as f:
        cpio.file("init", f.read(), 0o755)
    for i, f in enumerate(files):
        with open(f, "rb") as fh:
            cpio.file("t/%d.btf" % i, fh.read())
    cpio.close()
    r = subprocess.run(
        [guest.QEMU, "-accel", "tcg", "-cpu", "max", "-m", "3G",
         "-kernel", bzimage, "-initrd", cpio_path, "-nographic", "-no-reboot",
         "-append", "console=ttyS0 quiet panic=-1"],
        capture_output=True, text=True, errors="replace", timeout=1800)
    out = {}
    for line in r.stdout.splitlines():
        # The first line may follow the firmware's terminal escapes.
        line = line.rstrip("\r")
        line = line[line.find("BTFKIT "):] if "BTFKIT " in line else ""
        if line.startswith("BTFKIT ") and not line.startswith("BTFKIT END"):
            _, idx, rest = line.split(" ", 2)
            out.setdefault(int(idx), []).append(rest)
    if "BTFKIT END" not in r.stdout:
        sys.exit("compare-btf-load: the VM did not finish:\n" + r.stdout[-3000:])
    return [("\n".join(out.get(i, ["REFUSED ?"])) + "\n") for i in range(len(files))]


def main():
    args = sys.argv[1:]
    bzimage = None
    if args[:1] == ["--vm"]:
        bzimage, args = args[1], args[2:]
    if len(args) < 2:
        sys.exit(__doc__)
    build = args[0]
    dump = os.path.join(build, "bin", "btf-dump")
    kernel = bzimage_release(bzimage) if bzimage else platform.release()
    release = ".".join(kernel.split(".")[:2])
    files = []
    for p in args[1:]:
        if os.path.isdir(p):
            for folder, _, names in os.walk(p):
                files += [os.path.join(folder, n) for n in names if n.endswith(".btf")]
        else:
            files.append(p)
    with tempfile.TemporaryDirectory() as tmp:
        loader = os.path.join(tmp, "btf-load")
        src = loader + ".c"
        open(src, "w").write(LOADER)
        subprocess.run(["gcc", "-O1", "-static", "-o", loader, src], check=True)
        if not bzimage:
            probe = subprocess.run([loader, "/sys/kernel/btf/vmlinux"], capture_output=True, text=True)
            if "REFUSED -1\n" in probe.stdout or "REFUSED -38" in probe.stdout:
                print("compare-btf-load: bpf() is not allowed here")
                return 77
        agree = differ = skipped = 0
        # What btfkit says of each file it reads standalone: those are compared.
        verdicts, compared = {}, []
        for f in sorted(files):
            v = subprocess.run([dump, "--validate", "--kernel-version=" + release, f],
                               capture_output=True, text=True)
            if v.returncode != 0 and "invalid BTF" not in v.stderr:
                skipped += 1  # btfkit's reader refuses it: nothing to compare
                continue
            if v.returncode == 0 and "split over" in v.stdout:
                skipped += 1
                continue
            verdicts[f] = v
            compared.append(f)
        if bzimage:
            kernel_out = dict(zip(compared, vm_results(loader, bzimage, compared, tmp)))
        for f in compared:
            v = verdicts[f]
            k = kernel_out[f] if bzimage else subprocess.run(
                [loader, f], capture_output=True, text=True).stdout
            loaded = k.startswith("LOADED")
            log = [l.strip() for l in k.splitlines()[1:] if l.strip()]
            last = log[-1] if log else ""
            issue = v.stderr.splitlines()[0] if v.returncode else ""
            if loaded and v.returncode == 0:
                agree += 1
            elif not loaded and v.returncode == 1:
                if same_rule(last, issue):
                    agree += 1
                else:
                    differ += 1
                    print("%s: kernel: %s | btfkit: %s" % (f, last or k.splitlines()[0], issue))
            else:
                differ += 1
                print("%s: kernel: %s | btfkit: %s" % (
                    f, "loads" if loaded else (last or k.splitlines()[0]),
                    "valid" if v.returncode == 0 else issue))
        print("Linux %s: %d agree, %d differ, %d skipped (split BTF or unreadable)"
              % (kernel, agree, differ, skipped))
        return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
