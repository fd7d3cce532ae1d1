# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
#
# Debian kernel builds as the real-kernel suite sees them: where the pinned
# packages were unpacked (debian-packages.sh), the kernel's release, its
# vmlinuz, its modules, and its vmlinux BTF taken out of the vmlinuz.
import lzma
import os
import re
import shutil
import struct
import subprocess
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
FETCH = os.path.join(HERE, "debian-packages.sh")
OBJCOPY = os.environ.get("LLVM_OBJCOPY", "/usr/lib/llvm-19/bin/llvm-objcopy")


def fetch(*names):
    """Downloads and unpacks the pinned builds NAMES; returns their roots."""
    out = subprocess.run([FETCH, "fetch", *names], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    return out.split()


class Kernel:
    """One pinned Debian kernel build, unpacked."""

    def __init__(self, name, work):
        self.name = name
        self.root = fetch(name)[0]
        trees = []
        for top in ("usr/lib/modules", "lib/modules"):
            base = os.path.join(self.root, top)
            if os.path.isdir(base):
                trees += [os.path.join(base, r) for r in os.listdir(base)]
        if len(trees) != 1:
            raise SystemExit(f"{name}: expected one modules tree under "
                             f"{self.root}, found {trees}")
        self.modules_dir = trees[0]
        self.release = os.path.basename(self.modules_dir)
        candidates = [os.path.join(self.root, "boot", "vmlinuz-" + self.release),
                      os.path.join(self.modules_dir, "vmlinuz")]
        self.vmlinuz = next((c for c in candidates if os.path.exists(c)), None)
        if not self.vmlinuz:
            raise SystemExit(f"{name}: no vmlinuz among {candidates}")
        self.work = os.path.join(work, "kernel-" + name)
        os.makedirs(self.work, exist_ok=True)
        self._modules = None

    def vmlinux_btf(self):
        """The raw .BTF of this build's vmlinux, from the vmlinuz."""
        out = os.path.join(self.work, "vmlinux.btf")
        if not os.path.exists(out):
            elf = os.path.join(self.work, "vmlinux")
            with open(elf + ".tmp", "wb") as f:
                f.write(vmlinux_from_vmlinuz(self.vmlinuz))
            subprocess.run([OBJCOPY, "--dump-section", ".BTF=" + out + ".tmp",
                            elf + ".tmp", os.devnull], check=True)
            os.unlink(elf + ".tmp")
            os.rename(out + ".tmp", out)
        return out

    def modules(self):
        """Module name (underscores) -> its compressed file."""
        if self._modules is None:
            self._modules = {}
            for dirpath, _, files in os.walk(self.modules_dir):
                for f in files:
                    m = re.match(r"(.*)\.ko(\.xz|\.zst|\.gz)?$", f)
                    if m:
                        self._modules[m.group(1).replace("-", "_")] = \
                            os.path.join(dirpath, f)
        return self._modules

    def module_file(self, name):
        """The uncompressed .ko of module NAME, cached in the work folder."""
        out = os.path.join(self.work, "ko", name + ".ko")
        if not os.path.exists(out):
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with open(out + ".tmp", "wb") as f:
                f.write(decompress_file(self.modules()[name]))
            os.rename(out + ".tmp", out)
        return out

    def config_path(self):
        """The build's .config: boot/config-<release> in trixie's images,
        the headers' .config for sid's (pinned beside them)."""
        found = [os.path.join(d, f) for d, _, fs in os.walk(self.root)
                 for f in fs if f == "config-" + self.release or
                 (f == ".config" and d.endswith("linux-headers-" + self.release))]
        if not found:
            raise SystemExit(f"{self.name}: no .config of {self.release} "
                             f"under {self.root} (pin its headers beside it)")
        return found[0]

    def write_tree_config(self, dest):
        """The build's .config as the starting point of a source tree's:
        every line kept, "# CONFIG_X is not set" included (without those,
        olddefconfig turns on the defaults Debian turned off, such as
        RCU_TRACE or COMPAT_BRK, and struct layouts drift from the
        kernel's), Debian's certificate paths emptied (the source package
        has none)."""
        with open(self.config_path()) as f, open(dest, "w") as out:
            for line in f:
                k = line.partition("=")[0]
                if k in ("CONFIG_SYSTEM_TRUSTED_KEYS",
                         "CONFIG_SYSTEM_REVOCATION_KEYS"):
                    line = f'{k}=""\n'
                out.write(line)

    def config(self):
        """The build's .config as a dict."""
        values = {}
        with open(self.config_path()) as f:
            for line in f:
                if line.startswith("CONFIG_"):
                    k, _, v = line.strip().partition("=")
                    values[k] = v
        return values

    def allows_btf_mismatch(self):
        return self.config().get("CONFIG_MODULE_ALLOW_BTF_MISMATCH") == "y"

    def has_btf_ids(self, name):
        return ".BTF_ids" in sections_of(self.module_file(name))

    def relative(self, name):
        """The module's path under kernel/, for reports."""
        return os.path.relpath(self.modules()[name],
                               os.path.join(self.modules_dir, "kernel"))


def tree_name(series, cc, llvm="19"):
    """The folder name of a prepared source tree of SERIES for CC ("gcc" or
    "clang"; clang's LLVM version LLVM): kbuild7.py and real-kernels.py share
    the trees by this name. LLVM 19's clang trees keep their first name."""
    suffix = llvm if cc == "clang" and llvm != "19" else ""
    return f"ktree-{series}-{cc}{suffix}"


def prepare_tree_env(cc, llvm="19"):
    """The environment utils/prepare-kernel-tree.sh prepares a CC tree in."""
    return dict(os.environ, BTFKIT_KTREE_CC=cc, BTFKIT_KTREE_LLVM=llvm)


def install_vmlinux(btf, dest):
    """Puts the vmlinux BTF BTF at DEST (a tree's `vmlinux`, which makes
    Kbuild give modules BTF) unless it is there already, through a rename:
    a build in the same tree that reads DEST never sees it half written."""
    data = open(btf, "rb").read()
    if os.path.exists(dest) and open(dest, "rb").read() == data:
        return
    tmp = f"{dest}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, dest)


def decompress_file(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".xz"):
        return lzma.decompress(data)
    if path.endswith(".gz"):
        return zlib.decompress(data, 16 + zlib.MAX_WBITS)
    if path.endswith(".zst"):
        return subprocess.run(["zstd", "-dc"], input=data, check=True,
                              stdout=subprocess.PIPE).stdout
    return data


def vmlinux_from_vmlinuz(path):
    """The ELF vmlinux inside a bzImage: the first compressed stream at a
    known magic that decompresses to an ELF file."""
    with open(path, "rb") as f:
        image = f.read()
    magics = [(b"\x28\xb5\x2f\xfd", ["zstd", "-dcq"]),
              (b"\xfd7zXZ\x00", ["xz", "-dcq"]),
              (b"\x1f\x8b\x08", ["gzip", "-dcq"])]
    for magic, cmd in magics:
        at = image.find(magic)
        while at >= 0:
            p = subprocess.run(cmd, input=image[at:], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
            if p.stdout[:4] == b"\x7fELF":
                return p.stdout
            at = image.find(magic, at + 1)
    raise SystemExit(f"{path}: no compressed ELF vmlinux found inside")


def module_depends(ko):
    """The module names .modinfo says KO depends on."""
    info = read_sections(ko).get(".modinfo", b"")
    for field in info.split(b"\0"):
        if field.startswith(b"depends="):
            names = field[len(b"depends="):].decode()
            return [d.replace("-", "_") for d in names.split(",") if d]
    return []


def read_sections(elf):
    """Section name -> contents of an ELF64 little-endian file (a module)."""
    with open(elf, "rb") as f:
        return image_sections(f.read(), elf)


def image_sections(data, elf):
    """read_sections() of the bytes DATA of the file ELF."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise SystemExit(f"{elf}: not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    stroff, = struct.unpack_from("<Q", data, shoff + shstrndx * shentsize + 0x18)
    sections = {}
    for i in range(shnum):
        at = shoff + i * shentsize
        name, kind = struct.unpack_from("<II", data, at)
        offset, size = struct.unpack_from("<QQ", data, at + 0x18)
        end = data.index(b"\0", stroff + name)
        sections[data[stroff + name:end].decode()] = \
            b"" if kind == 8 else data[offset:offset + size]  # 8: NOBITS
    return sections


def sections_of(elf):
    return set(read_sections(elf))


def copy_sections(donor, target, out, names):
    """TARGET's module with DONOR's sections NAMES (replaced or added), and
    without a .BTF.base the donor does not have."""
    shutil.copyfile(target, out)
    tmp = out + ".sections"
    os.makedirs(tmp, exist_ok=True)
    have = sections_of(target)
    given = read_sections(donor)
    put = []
    for i, name in enumerate(names):
        f = os.path.join(tmp, str(i))
        with open(f, "wb") as fh:
            fh.write(given[name])
        put += ["--update-section" if name in have else "--add-section",
                f"{name}={f}"]
    if ".BTF.base" in have and ".BTF.base" not in names:
        put += ["--remove-section", ".BTF.base"]
    subprocess.run([OBJCOPY, *put, out], check=True)
    shutil.rmtree(tmp)


class Headers:
    """A pinned linux-headers package unpacked, made usable where it lies:
    Debian's Makefile includes the common headers by their installed path
    (/usr/src/...), so external modules build against a copy of the flavour
    folder whose Makefile names the unpacked common headers instead."""

    def __init__(self, name, work):
        self.root = fetch(name)[0]
        src = os.path.join(self.root, "usr", "src")
        flavour = [d for d in os.listdir(src)
                   if d.startswith("linux-headers-") and not d.endswith("-common")]
        if len(flavour) != 1:
            raise SystemExit(f"{name}: expected one flavour of headers in {src}")
        self.release = flavour[0][len("linux-headers-"):]
        orig = os.path.join(src, flavour[0])
        self.dir = os.path.join(work, "headers-" + self.release)
        if not os.path.exists(os.path.join(self.dir, "Makefile")):
            shutil.rmtree(self.dir, ignore_errors=True)
            shutil.copytree(orig, self.dir, symlinks=True)
            for link in ("scripts", "tools"):
                path = os.path.join(self.dir, link)
                if os.path.islink(path):
                    target = os.path.realpath(os.path.join(orig, link))
                    os.unlink(path)
                    os.symlink(target, path)
            with open(os.path.join(orig, "Makefile")) as f:
                makefile = f.read()
            with open(os.path.join(self.dir, "Makefile"), "w") as f:
                f.write(makefile.replace("/usr/src/", src + "/"))
        self.vmlinux = os.path.join(self.dir, "vmlinux")
