#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Take the BTF out of a distribution kernel, for the real-kernel checks.

    extract-btf.py vmlinuz BZIMAGE OUT.btf
        the .BTF section of the vmlinux inside an x86 bzImage (the idea of
        the kernel's scripts/extract-vmlinux: find the compressed payload
        the setup header points at, decompress it, read the ELF)
    extract-btf.py modules DIR OUTDIR
        the .BTF of every module under DIR (.ko, .ko.xz, .ko.zst, .ko.gz)
        as OUTDIR/<path under DIR, without .ko...>.btf, and OUTDIR/list.txt
        naming them all, sorted

Test-only plumbing: the library reads ELF files, not compressed kernels.
"""
import gzip
import lzma
import os
import struct
import subprocess
import sys


def die(msg):
    sys.exit("extract-btf: " + msg)


def decompress(data, what):
    """Decompress an xz, zstd or gzip stream (trailing bytes ignored)."""
    if data.startswith(b"\xfd7zXZ\x00"):
        # Streams one after the other (modules may have several), then
        # whatever follows: the kernel appends the decompressed size.
        out = b""
        while data.startswith(b"\xfd7zXZ\x00"):
            d = lzma.LZMADecompressor()
            out += d.decompress(data)
            if not d.eof:
                die("%s: truncated xz stream" % what)
            data = d.unused_data.lstrip(b"\0")
        return out
    if data.startswith(b"\x1f\x8b"):
        return gzip.decompress(data)
    if data.startswith(b"\x28\xb5\x2f\xfd"):
        # The kernel appends the decompressed size after the zstd frame,
        # which the zstd tool takes for a second, broken frame: it still
        # writes all of the first one.
        r = subprocess.run(["zstd", "-dcq"], input=data, capture_output=True)
        if not r.stdout:
            die("%s: zstd failed: %s" % (what, r.stderr.decode().strip()))
        return r.stdout
    die("%s: unknown compression (magic %s)" % (what, data[:4].hex()))


def elf_section(image, name, what):
    """The bytes of section NAME of a little-endian ELF64 image, or None."""
    if image[:4] != b"\x7fELF" or image[4] != 2 or image[5] != 1:
        die("%s: not a little-endian ELF64 file" % what)
    shoff, = struct.unpack_from("<Q", image, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", image, 0x3A)
    sections = [struct.unpack_from("<IIQQQQ", image, shoff + i * shentsize)
                for i in range(shnum)]
    strtab = sections[shstrndx]
    names = image[strtab[4]:strtab[4] + strtab[5]]
    for sh_name, _, _, _, off, size in sections:
        end = names.index(b"\0", sh_name)
        if names[sh_name:end].decode() == name:
            return image[off:off + size]
    return None


def vmlinuz(path, out):
    data = open(path, "rb").read()
    if data[0x202:0x206] != b"HdrS":
        die("%s: not a bzImage (no setup header)" % path)
    setup_sects = data[0x1F1] or 4
    payload_offset, payload_length = struct.unpack_from("<II", data, 0x248)
    start = (setup_sects + 1) * 512 + payload_offset
    image = decompress(data[start:start + payload_length], path)
    btf = elf_section(image, ".BTF", path)
    if btf is None:
        die("%s: its vmlinux has no .BTF section" % path)
    open(out, "wb").write(btf)


def modules(root, outdir):
    names = []
    for folder, _, files in os.walk(root):
        for f in files:
            base = f
            for ext in (".xz", ".zst", ".gz"):
                if base.endswith(ext):
                    base = base[:-len(ext)]
            if not base.endswith(".ko"):
                continue
            path = os.path.join(folder, f)
            data = open(path, "rb").read()
            image = data if base == f else decompress(data, path)
            btf = elf_section(image, ".BTF", path)
            if btf is None:
                continue
            rel = os.path.relpath(os.path.join(folder, base[:-3]), root) + ".btf"
            dest = os.path.join(outdir, rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            open(dest, "wb").write(btf)
            names.append(dest)
    with open(os.path.join(outdir, "list.txt"), "w") as f:
        f.write("".join(n + "\n" for n in sorted(names)))


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("vmlinuz", "modules"):
        sys.exit(__doc__)
    if sys.argv[1] == "vmlinuz":
        vmlinuz(sys.argv[2], sys.argv[3])
    else:
        modules(sys.argv[2], sys.argv[3])


if __name__ == "__main__":
    main()
