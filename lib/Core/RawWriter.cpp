//===- RawWriter.cpp - Raw BTF blobs and atomic file writes ---------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/Error.h"
#include "btfkit/Writer.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SwapByteOrder.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace btfkit;
using namespace llvm;

Header btfkit::blobHeader(uint32_t TypeLen, uint32_t StrLen, bool WithLayout,
                          uint32_t LayoutLen, uint8_t Flags) {
  Header H = {};
  H.Magic = BTFMagic;
  H.Version = BTFVersion;
  H.Flags = Flags;
  H.HdrLen = WithLayout ? LayoutHeaderSize : ClassicHeaderSize;
  H.TypeOff = 0;
  H.TypeLen = TypeLen;
  H.LayoutOff = WithLayout ? TypeLen : 0;
  H.LayoutLen = WithLayout ? LayoutLen : 0;
  H.StrOff = TypeLen + H.LayoutLen;
  H.StrLen = StrLen;
  return H;
}

std::vector<uint8_t>
btfkit::assembleBTF(ArrayRef<uint8_t> Types, StringRef Strings,
                    std::optional<ArrayRef<KindLayout>> Layouts,
                    uint8_t Flags) {
  uint32_t LayoutBytes =
      Layouts ? uint32_t(Layouts->size() * sizeof(KindLayout)) : 0;
  Header H = blobHeader(uint32_t(Types.size()), uint32_t(Strings.size()),
                        Layouts.has_value(), LayoutBytes, Flags);
  std::vector<uint8_t> Out(H.HdrLen + H.StrOff + H.StrLen);
  std::memcpy(Out.data(), &H, H.HdrLen);
  uint8_t *Body = Out.data() + H.HdrLen;
  // memcpy from null is undefined even for 0 bytes.
  if (!Types.empty())
    std::memcpy(Body, Types.data(), Types.size());
  if (LayoutBytes)
    std::memcpy(Body + H.LayoutOff, Layouts->data(), LayoutBytes);
  if (!Strings.empty())
    std::memcpy(Body + H.StrOff, Strings.data(), Strings.size());
  return Out;
}

std::vector<uint8_t> btfkit::withModuleHeader(std::vector<uint8_t> Blob,
                                              const Header &Module) {
  if (Module.HdrLen != LayoutHeaderSize || Module.LayoutLen != 0 ||
      Blob.size() < ClassicHeaderSize)
    return Blob;
  Header H;
  std::memcpy(&H, Blob.data(), ClassicHeaderSize);
  if (H.HdrLen != ClassicHeaderSize)
    return Blob;
  H.HdrLen = LayoutHeaderSize;
  H.LayoutOff = Module.LayoutOff;
  H.LayoutLen = 0;
  std::vector<uint8_t> Out(LayoutHeaderSize);
  std::memcpy(Out.data(), &H, LayoutHeaderSize);
  Out.insert(Out.end(), Blob.begin() + ClassicHeaderSize, Blob.end());
  return Out;
}

std::vector<uint8_t> btfkit::copyOwnTypesAndStrings(const BTF &B) {
  return assembleBTF(B.typeSection(), B.stringSection());
}

std::optional<ArrayRef<KindLayout>> btfkit::layoutSectionFor(const BTF &B) {
  if (B.isSplit() || !B.hasLayoutSection())
    return std::nullopt;
  return B.layouts();
}

std::vector<uint8_t> btfkit::withLayoutSectionOf(std::vector<uint8_t> Classic,
                                                 const BTF &From) {
  std::optional<ArrayRef<KindLayout>> Layouts = layoutSectionFor(From);
  if (!Layouts)
    return Classic;
  Header H;
  std::memcpy(&H, Classic.data(), ClassicHeaderSize);
  ArrayRef<uint8_t> Body = ArrayRef(Classic).drop_front(ClassicHeaderSize);
  return assembleBTF(Body.slice(H.TypeOff, H.TypeLen),
                     toStringRef(Body.slice(H.StrOff, H.StrLen)), Layouts,
                     H.Flags);
}

std::vector<uint8_t> btfkit::serializeBTF(const BTF &B, bool ByteSwap) {
  std::optional<ArrayRef<KindLayout>> Layouts = layoutSectionFor(B);
  std::vector<uint8_t> Out = assembleBTF(B.typeSection(), B.stringSection(),
                                         Layouts, B.header().Flags);
  if (ByteSwap)
    byteSwapBlob(Out);
  return Out;
}

void btfkit::byteSwapBlob(MutableArrayRef<uint8_t> Blob) {
  Header H = {}; // a classic header leaves the layout fields zero
  std::memcpy(&H, Blob.data(), ClassicHeaderSize);
  if (H.HdrLen >= LayoutHeaderSize)
    std::memcpy(&H, Blob.data(), LayoutHeaderSize);
  uint8_t *Body = Blob.data() + H.HdrLen;
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
  uint32_t HdrLen = H.HdrLen;
  H.Magic = sys::getSwappedBytes(H.Magic);
  for (uint32_t *W = &H.HdrLen; W <= &H.LayoutLen; ++W)
    *W = sys::getSwappedBytes(*W);
  std::memcpy(Blob.data(), &H, HdrLen);
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
