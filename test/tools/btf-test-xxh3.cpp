//===- btf-test-xxh3.cpp - The checksum of the base index cache, for tests
//-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// btf-test-xxh3 --xxh3-128 < DATA
//
// A test helper, not a user tool: prints the 16 bytes of xxh3_128(DATA) as
// a base index cache entry stores them (low 64 bits, then high, each in
// host byte order), in hex. test/plugin/Inputs/damage-cache-entry.py uses
// it to forge a checksum over damaged tables.
//
//===----------------------------------------------------------------------===//

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <cstring>

using namespace llvm;

int main(int argc, char **argv) {
  if (argc != 2 || std::strcmp(argv[1], "--xxh3-128") != 0) {
    errs() << "usage: btf-test-xxh3 --xxh3-128 < DATA\n";
    return 2;
  }
  auto In = MemoryBuffer::getSTDIN();
  if (!In) {
    errs() << "btf-test-xxh3: cannot read standard input: "
           << In.getError().message() << '\n';
    return 2;
  }
  XXH128_hash_t H = xxh3_128bits(arrayRefFromStringRef((*In)->getBuffer()));
  uint8_t Bytes[16];
  std::memcpy(Bytes, &H.low64, 8);
  std::memcpy(Bytes + 8, &H.high64, 8);
  outs() << toHex(ArrayRef<uint8_t>(Bytes), /*LowerCase=*/true) << '\n';
  return 0;
}
