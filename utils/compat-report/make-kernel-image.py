#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Small ELF files and x86 boot images for tests of the kernel and module
readers (KernelImage.h, Decompress.h).

    make-kernel-image.py elf OUT [--section NAME=FILE]... [--banner TEXT]
    make-kernel-image.py bzimage OUT --payload ELF [--compress C] [--version TEXT]

`elf` writes a relocatable ELF64 (x86-64) holding each FILE as section NAME
(.BTF, .BTF.base), and with --banner a .rodata holding linux_banner,
"Linux version TEXT\\n". `bzimage` writes what the x86 boot protocol 2.15
describes (Documentation/arch/x86/boot.rst): one setup sector whose header
carries "HdrS", the version string and the payload's place, then the
payload: the ELF compressed with C (gzip, xz, lzma, zstd, bzip2, or none) and its
size as a 32-bit little-endian number, as arch/x86/boot/compressed appends
it. zstd needs the zstd program.
"""
import argparse
import bz2
import gzip
import lzma
import struct
import subprocess
import sys


def elf(sections):
    """An ELF64 little-endian ET_REL file with the given (name, bytes)."""
    names = b"\0"
    offsets = []
    for name, _ in sections + [(".shstrtab", b"")]:
        offsets.append(len(names))
        names += name.encode() + b"\0"
    body = b""
    placed = []
    pos = 64
    for (name, data), off in zip(sections + [(".shstrtab", names)], offsets):
        pad = (-pos) % 8
        body += b"\0" * pad
        pos += pad
        placed.append((off, pos, len(data), name))
        body += data
        pos += len(data)
    pad = (-pos) % 8
    body += b"\0" * pad
    shoff = pos + pad
    shnum = len(placed) + 1
    header = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8
    header += struct.pack("<HHIQQQIHHHHHH", 1, 62, 1, 0, 0, shoff, 0, 64, 0, 0,
                          64, shnum, shnum - 1)
    shdrs = b"\0" * 64
    for name_off, off, size, name in placed:
        sh_type = 3 if name == ".shstrtab" else 1  # STRTAB, PROGBITS
        flags = 2 if name == ".rodata" else 0       # SHF_ALLOC
        shdrs += struct.pack("<IIQQQQIIQQ", name_off, sh_type, flags, 0, off,
                             size, 0, 0, 1, 0)
    return header + body + shdrs


def compress(data, how):
    if how == "none":
        return data
    if how == "gzip":
        return gzip.compress(data, mtime=0)
    if how == "xz":
        return lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32)
    if how == "lzma":
        return lzma.compress(data, format=lzma.FORMAT_ALONE)
    if how == "bzip2":
        return bz2.compress(data)
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-c", "-19"], input=data,
                              stdout=subprocess.PIPE, check=True).stdout
    sys.exit("make-kernel-image: unknown compression " + how)


def bzimage(payload, version):
    setup = bytearray(1024)  # the boot sector and one setup sector
    setup[0x1f1] = 1                               # setup_sects
    setup[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", setup, 0x206, 0x020F)   # protocol 2.15
    if version:
        text = version.encode() + b"\0"
        at = 0x300
        setup[at:at + len(text)] = text
        struct.pack_into("<H", setup, 0x20E, at - 0x200)
    code = b"\x90" * 256                           # stands for the decompressor
    struct.pack_into("<I", setup, 0x248, len(code))
    struct.pack_into("<I", setup, 0x24C, len(payload))
    return bytes(setup) + code + payload


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["elf", "bzimage"])
    ap.add_argument("out")
    ap.add_argument("--section", action="append", default=[])
    ap.add_argument("--banner")
    ap.add_argument("--payload")
    ap.add_argument("--compress", default="zstd")
    ap.add_argument("--version")
    a = ap.parse_args()
    if a.what == "elf":
        sections = []
        for s in a.section:
            name, path = s.split("=", 1)
            sections.append((name, open(path, "rb").read()))
        if a.banner:
            sections.append((".rodata", b"\0\0%s version %s\n\0Linux version " +
                             a.banner.encode() + b"\n\0"))
        out = elf(sections)
    else:
        vmlinux = open(a.payload, "rb").read()
        payload = compress(vmlinux, a.compress) + struct.pack("<I", len(vmlinux))
        out = bzimage(payload, a.version)
    with open(a.out, "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()
