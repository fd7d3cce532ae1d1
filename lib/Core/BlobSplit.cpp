//===- BlobSplit.cpp - The blobs of a concatenated .BTF section -----------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// GCC's -gbtf writes a .BTF section per object (alignment 1 in GCC 12), and
// a relocatable link (ld.bfd, ld.lld) concatenates them: the section is then
// a sequence of standalone blobs, which readers that parse one header see
// as the first alone. Only the headers are read here; BTF::parse checks
// each blob's contents.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Error.h"
#include "btfkit/Format.h"
#include "btfkit/Reader.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SwapByteOrder.h"

#include <cstring>

using namespace btfkit;
using namespace llvm;

static uint32_t wordAt(const uint8_t *P, bool Swap) {
  uint32_t V;
  std::memcpy(&V, P, 4);
  return Swap ? sys::getSwappedBytes(V) : V;
}

Expected<std::vector<BlobSpan>> btfkit::splitBTFBlobs(ArrayRef<uint8_t> Section,
                                                      StringRef Label) {
  std::vector<BlobSpan> Out;
  uint64_t Pos = 0;
  const uint64_t Size = Section.size();
  while (Pos < Size) {
    // Alignment padding between input sections: zeros up to the next
    // 8-byte boundary (a linker aligns each input section to its own
    // alignment, at most 8 for BTF).
    if (!Out.empty() && Section[Pos] == 0 && Pos % 8) {
      ++Pos;
      continue;
    }
    auto Fail = [&](const Twine &Msg) {
      return makeError(Label,
                       "BTF blob " + Twine(Out.size() + 1) +
                           " at byte offset 0x" + utohexstr(Pos, true) + ": " +
                           Msg,
                       ErrorKind::Malformed);
    };
    uint64_t Left = Size - Pos;
    const uint8_t *P = Section.data() + Pos;
    if (Left < ClassicHeaderSize)
      return Fail("truncated: " + Twine(Left) +
                  " bytes left, fewer than the 24-byte header");
    uint16_t Magic;
    std::memcpy(&Magic, P, 2);
    bool Swap;
    if (Magic == BTFMagic)
      Swap = false;
    else if (Magic == sys::getSwappedBytes(BTFMagic))
      Swap = true;
    else
      return Fail("bad BTF magic 0x" + utohexstr(Magic, true) +
                  " (expected 0xeb9f)");
    if (P[2] != BTFVersion)
      return Fail("unsupported BTF version " + Twine(unsigned(P[2])));
    uint32_t HdrLen = wordAt(P + 4, Swap);
    if (HdrLen < ClassicHeaderSize || HdrLen > Left)
      return Fail("invalid header length " + Twine(HdrLen) + " (" +
                  Twine(Left) + " bytes left in the section)");
    uint64_t End =
        std::max(uint64_t(wordAt(P + 8, Swap)) + wordAt(P + 12, Swap),
                 uint64_t(wordAt(P + 16, Swap)) + wordAt(P + 20, Swap));
    if (HdrLen >= LayoutHeaderSize)
      End =
          std::max(End, uint64_t(wordAt(P + 24, Swap)) + wordAt(P + 28, Swap));
    uint64_t BlobSize = HdrLen + End;
    if (BlobSize > Left)
      return Fail("truncated: its header gives " + Twine(BlobSize) +
                  " bytes, the section has " + Twine(Left) + " left");
    Out.push_back({Pos, Section.slice(Pos, BlobSize)});
    Pos += BlobSize;
  }
  if (Out.empty())
    return makeError(Label, "empty section: no BTF blob", ErrorKind::Malformed);
  return Out;
}
