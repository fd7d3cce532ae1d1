//===- fuzz-dwarf.cpp - libFuzzer target over the link step's ELF reading -===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Each input is a linked (or partially linked) ELF file, as btf-link and
// ld.lld-btf get one: its sections and symbols (ObjectInfo), its DWARF
// compile units (named, and with --dwarf-fallback encoded into BTF by
// DwarfUnits.cpp and DwarfToBTF.cpp, relocations applied), and its
// .BTF.btfkit fragments, merged without a base and over the fixed base
// (utils/fuzz/base.btf), and the gcc -gbtf blobs of its .BTF (GccBTF.cpp).
// The seeds are small objects from clang-19 and gcc (-g, DWARF 4 and 5,
// type units, 32-bit and big-endian targets, `ld -r` outputs with and
// without fragments, gcc -gbtf objects and their `ld -r` output).
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "btfkit/Reader.h"

using namespace btfkit;
using namespace btfkit::fuzz;
using namespace llvm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  ArrayRef<uint8_t> Image(Data, Size);
  if (!looksLikeELF(Image))
    return 0;
  exerciseMerge(Image, nullptr, /*DwarfFallback=*/true);
  exerciseMerge(Image, &fuzzIndexedBase(), /*DwarfFallback=*/true);
  // Without the fallback only the unit names are read, leniently.
  exerciseMerge(Image, nullptr, /*DwarfFallback=*/false);
  // The blobs gcc -gbtf objects leave in .BTF, split and normalized.
  exerciseMerge(Image, &fuzzIndexedBase(), /*DwarfFallback=*/false,
                GccBTFMode::Always);
  return 0;
}
