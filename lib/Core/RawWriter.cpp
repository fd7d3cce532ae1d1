//===- RawWriter.cpp - Raw BTF blobs and atomic file writes ---------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/Error.h"
#include "btfkit/Writer.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SwapByteOrder.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace btfkit;
using namespace llvm;

std::vector<uint8_t> btfkit::copyOwnTypesAndStrings(const BTF &B) {
  ArrayRef<uint8_t> Types = B.typeSection();
  StringRef Strs = B.stringSection();
  std::vector<uint8_t> Blob(ClassicHeaderSize + Types.size() + Strs.size());
  Header H = {};
  H.Magic = BTFMagic;
  H.Version = BTFVersion;
  H.HdrLen = ClassicHeaderSize;
  H.TypeOff = 0;
  H.TypeLen = uint32_t(Types.size());
  H.StrOff = H.TypeLen;
  H.StrLen = uint32_t(Strs.size());
  std::memcpy(Blob.data(), &H, ClassicHeaderSize);
  uint8_t *TypeData = Blob.data() + ClassicHeaderSize;
  if (!Types.empty()) // memcpy from null is undefined even for 0 bytes
    std::memcpy(TypeData, Types.data(), Types.size());
  if (!Strs.empty())
    std::memcpy(TypeData + Types.size(), Strs.data(), Strs.size());
  return Blob;
}

std::vector<uint8_t> btfkit::serializeBTF(const BTF &B, bool ByteSwap) {
  ArrayRef<uint8_t> Types = B.typeSection();
  StringRef Strings = B.stringSection();
  ArrayRef<KindLayout> Layouts = B.layouts();
  bool WithLayout = B.hasLayoutSection();
  Header H = {};
  H.Magic = BTFMagic;
  H.Version = BTFVersion;
  H.Flags = B.header().Flags;
  H.HdrLen = WithLayout ? LayoutHeaderSize : ClassicHeaderSize;
  H.TypeOff = 0;
  H.TypeLen = uint32_t(Types.size());
  uint32_t LayoutBytes = uint32_t(Layouts.size() * sizeof(KindLayout));
  H.LayoutOff = WithLayout ? H.TypeLen : 0;
  H.LayoutLen = WithLayout ? LayoutBytes : 0;
  H.StrOff = H.TypeLen + H.LayoutLen;
  H.StrLen = uint32_t(Strings.size());

  std::vector<uint8_t> Out(H.HdrLen + H.StrOff + H.StrLen);
  uint8_t *Body = Out.data() + H.HdrLen;
  if (!Types.empty())
    std::memcpy(Body, Types.data(), Types.size());
  if (H.LayoutLen)
    std::memcpy(Body + H.LayoutOff, Layouts.data(), H.LayoutLen);
  if (!Strings.empty())
    std::memcpy(Body + H.StrOff, Strings.data(), Strings.size());
  if (ByteSwap) {
    // Records are 32-bit words throughout; layout entries hold one 16-bit
    // field (see BTF::load).
    for (uint32_t I = 0; I < H.TypeLen; I += 4) {
      uint32_t W;
      std::memcpy(&W, Body + I, 4);
      W = sys::getSwappedBytes(W);
      std::memcpy(Body + I, &W, 4);
    }
    auto *L = reinterpret_cast<KindLayout *>(Body + H.LayoutOff);
    for (uint32_t I = 0; I < H.LayoutLen / sizeof(KindLayout); ++I)
      L[I].Flags = sys::getSwappedBytes(L[I].Flags);
    H.Magic = sys::getSwappedBytes(H.Magic);
    for (uint32_t *W = &H.HdrLen; W <= &H.LayoutLen; ++W)
      *W = sys::getSwappedBytes(*W);
  }
  std::memcpy(Out.data(), &H, WithLayout ? LayoutHeaderSize : ClassicHeaderSize);
  return Out;
}

bool btfkit::isNonRegularFile(StringRef Path) {
  sys::fs::file_status Status;
  return !sys::fs::status(Path, Status) && sys::fs::exists(Status) &&
         Status.type() != sys::fs::file_type::regular_file;
}

Error btfkit::writeFileAtomically(StringRef Path, ArrayRef<uint8_t> Data,
                                  SpecialOutput Special) {
  auto Out = OutputFile::create(Path, Special);
  if (!Out)
    return Out.takeError();
  if (Error E = Out->write(Data))
    return E;
  return Out->commit();
}
