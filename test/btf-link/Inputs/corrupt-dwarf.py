#!/usr/bin/env python3
# Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
"""Corrupt copies of a linked file's .debug_info section:

  corrupt-dwarf.py FILE DEBUG_INFO BAD SHORT

FILE is the linked ELF (read with llvm-dwarfdump to find the DIEs),
DEBUG_INFO its .debug_info section dumped by llvm-objcopy. BAD gets the
abbreviation code of the first DW_TAG_structure_type of the second compile
unit replaced by one the unit's abbreviation table does not have (0x7f);
SHORT is the section with its last 40 bytes cut off, so that the last
unit's header claims more bytes than remain."""
import re
import subprocess
import sys

path, section, bad, short = sys.argv[1:5]
dump = subprocess.run(["llvm-dwarfdump", "--debug-info", path], check=True,
                      capture_output=True, text=True).stdout
units = 0
offset = None
for line in dump.splitlines():
    if "Compile Unit:" in line:
        units += 1
        continue
    m = re.match(r"0x([0-9a-f]+):\s+DW_TAG_structure_type", line)
    if units == 2 and m:
        offset = int(m.group(1), 16)
        break
if offset is None:
    sys.exit("no DW_TAG_structure_type in the second compile unit of " + path)

data = open(section, "rb").read()
open(short, "wb").write(data[:-40])
data = bytearray(data)
data[offset] = 0x7F
open(bad, "wb").write(data)
