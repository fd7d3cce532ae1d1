# Checks that an edited linked file kept every byte of the original up to
# the end of the original's contents (the last section's end), except the
# ELF header fields that locate the section header table.
import struct
import sys

old = open(sys.argv[1], "rb").read()
new = open(sys.argv[2], "rb").read()
assert old[:4] == b"\x7fELF" and old[4] == 2 and old[5] == 1, "ELF64 LE only"
shoff, = struct.unpack_from("<Q", old, 0x28)
shnum, = struct.unpack_from("<H", old, 0x3C)
end = 0
for i in range(1, shnum):
    _, typ, _, _, off, size = struct.unpack_from("<IIQQQQ", old, shoff + 64 * i)
    if typ != 8:  # SHT_NOBITS
        end = max(end, off + size)
allowed = set(range(0x28, 0x30)) | set(range(0x3C, 0x3E))
bad = [i for i in range(end) if old[i] != new[i] and i not in allowed]
if bad:
    sys.exit("%s: %d bytes changed before offset %#x, first at %#x"
             % (sys.argv[2], len(bad), end, bad[0]))
