//===- Merge.cpp - Concatenating and merging split BTFs -------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Concatenation puts the types of several BTFs one after the other, each
// part's ids and string offsets moved to where its types and strings land;
// references into the common base stay as they are. Deduplicating the
// result is the merge the link step needs (many objects' BTF over one
// vmlinux become one module BTF).
//
//===----------------------------------------------------------------------===//

#include "btfkit/Dedup.h"
#include "btfkit/Error.h"
#include "btfkit/TypeWalk.h"
#include "btfkit/Writer.h"

#include <algorithm>
#include <cstring>

using namespace btfkit;
using namespace llvm;

namespace {
/// Where one BTF of a part's chain lands in the output.
struct Placement {
  const BTF *Src;
  int64_t IdShift;  // output id = input id + IdShift
  int64_t StrShift; // output offset = input offset + StrShift
};
} // namespace

Expected<std::vector<uint8_t>>
btfkit::concatenateToBlob(ArrayRef<const BTF *> Parts, const BTF *Base) {
  const uint32_t FirstId = Base ? Base->endId() : 1;
  const uint32_t StrBegin = Base ? Base->strEnd() : 0;
  std::vector<Placement> Placed; // the parts placed so far
  std::vector<const BTF *> BaseChain;
  for (const BTF *B = Base; B; B = B->base())
    BaseChain.push_back(B);
  auto InBaseChain = [&](const BTF *B) {
    return std::find(BaseChain.begin(), BaseChain.end(), B) != BaseChain.end();
  };

  size_t TypeBytes = 0, StrBytes = 0;
  for (const BTF *P : Parts) {
    TypeBytes += P->typeSection().size();
    StrBytes += P->stringSection().size();
  }
  if (!Base)
    StrBytes += 1;
  std::vector<uint8_t> Out(ClassicHeaderSize + TypeBytes + StrBytes);
  auto *Dst = reinterpret_cast<uint32_t *>(Out.data() + ClassicHeaderSize);
  std::string Strings;
  Strings.reserve(StrBytes);
  if (!Base)
    Strings.push_back('\0');

  uint64_t NextId = FirstId;
  for (const BTF *P : Parts) {
    // How every BTF of P's chain maps into the output.
    std::vector<Placement> Chain;
    Chain.push_back(
        {P, int64_t(NextId) - P->firstId(),
         int64_t(StrBegin) + int64_t(Strings.size()) - P->strBegin()});
    for (const BTF *B = P->base(); B; B = B->base()) {
      if (InBaseChain(B)) {
        Chain.push_back({B, 0, 0});
        continue;
      }
      auto It = std::find_if(Placed.begin(), Placed.end(),
                             [&](const Placement &Q) { return Q.Src == B; });
      if (It == Placed.end())
        return makeError(P->name(),
                         "cannot concatenate: split over " + B->name() +
                             ", which is neither the base" +
                             (Base ? " (" + Base->name() + ")" : "") +
                             " nor an earlier input");
      Chain.push_back(*It);
    }
    auto MapId = [&](uint32_t Id) -> uint32_t {
      if (Id == 0)
        return 0;
      for (const Placement &Q : Chain)
        if (Id >= Q.Src->firstId())
          return uint32_t(Id + Q.IdShift);
      return Id;
    };
    auto MapStr = [&](uint32_t Off) -> uint32_t {
      if (Off == 0)
        return 0;
      for (const Placement &Q : Chain)
        if (Off >= Q.Src->strBegin())
          return uint32_t(Off + Q.StrShift);
      return Off;
    };

    ArrayRef<uint8_t> Sec = P->typeSection();
    std::memcpy(Dst, Sec.data(), Sec.size());
    for (uint32_t Id = P->firstId(); Id < P->endId(); ++Id) {
      auto *Rec = reinterpret_cast<CommonType *>(Dst + P->typeOffset(Id) / 4);
      unsigned K = infoKind(Rec->Info);
      if (!isKnownKind(K))
        return makeError(P->name(), "type id " + Twine(Id) +
                                        ": cannot concatenate kind " +
                                        Twine(K) + " (" + kindName(K) + ")");
      forEachTypeSlot(Rec, [&](uint32_t &Ref) { Ref = MapId(Ref); });
      forEachNameSlot(Rec, [&](uint32_t &Off) { Off = MapStr(Off); });
    }
    Dst += Sec.size() / 4;
    Placed.push_back(Chain.front());
    Strings.append(P->stringSection().data(), P->stringSection().size());
    NextId += P->numTypes();
    // libbpf's limits (2^31 ids and string bytes), not the kernel's: an
    // intermediate this large is normal before deduplication.
    if (NextId > 0x7fffffffu ||
        uint64_t(StrBegin) + Strings.size() > 0x7fffffffu)
      return makeError(P->name(), "cannot concatenate: the result would "
                                  "exceed 2^31 types or string bytes");
  }

  Header H = blobHeader(uint32_t(TypeBytes), uint32_t(Strings.size()));
  std::memcpy(Out.data(), &H, ClassicHeaderSize);
  std::memcpy(Out.data() + ClassicHeaderSize + TypeBytes, Strings.data(),
              Strings.size());
  Out.resize(ClassicHeaderSize + TypeBytes + Strings.size());
  // A standalone result starts with the first part, a base BTF: it keeps
  // that part's layout section (split parts have none of their own).
  if (Base || Parts.empty())
    return Out;
  return withLayoutSectionOf(std::move(Out), *Parts.front());
}

Expected<std::unique_ptr<BTF>> btfkit::merge(ArrayRef<const BTF *> Parts,
                                             const BTF &Base, std::string Name,
                                             const DedupOptions &Opts,
                                             const DedupBase *Index,
                                             DedupStats *Stats) {
  for (const BTF *P : Parts)
    if (P->base() != &Base)
      return makeError(P->name(),
                       "cannot merge: not split over " + Base.name());
  auto Blob = concatenateToBlob(Parts, &Base);
  if (!Blob)
    return Blob.takeError();
  auto Whole = BTF::parseOwned(std::move(*Blob), &Base, Name);
  if (!Whole)
    return Whole.takeError();
  return dedup(**Whole, std::move(Name), Opts, Index, Stats);
}
