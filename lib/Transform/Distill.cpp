//===- Distill.cpp - Distilling a split BTF's base ------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The order of everything here follows libbpf's btf__distill_base()
// (src/btf.c), so that the output is the same type for type:
//
//  1. walk the split types in id order and, depth first in record slot
//     order, collect the base ids they need; a named STRUCT/UNION ends the
//     walk (its distilled form has no members);
//  2. in base id order, put the collected named INT/FLOAT/FWD, STRUCT/UNION
//     and ENUM/ENUM64 into the distilled base;
//  3. copy the split types, then (again in base id order) the collected
//     types that stay in the split, into a new split over the distilled
//     base; split ids shift down by what the base lost.
//
// Strings are shared by content with the distilled base (libbpf's
// btf__add_str() on split BTF looks in the base first), which is why
// relocation later has to map distilled-base string offsets. The split's
// own strings are laid out in order of first use, as libbpf's copy does.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Distill.h"

#include "DedupIndex.h"
#include "btfkit/Builder.h"
#include "btfkit/Error.h"
#include "btfkit/TypeWalk.h"
#include "btfkit/Writer.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cstring>

using namespace btfkit;
using namespace llvm;

bool btfkit::isDistilledBaseKind(Kind K) {
  switch (K) {
  case Kind::Int:
  case Kind::Float:
  case Kind::Enum:
  case Kind::Enum64:
  case Kind::Fwd:
  case Kind::Struct:
  case Kind::Union:
    return true;
  default:
    return false;
  }
}

/// Base kinds a split BTF may refer to and still be distilled (the list of
/// btf_add_distilled_type_ids()).
static bool isDistillableKind(Kind K) {
  switch (K) {
  case Kind::Int:
  case Kind::Float:
  case Kind::Fwd:
  case Kind::Array:
  case Kind::Struct:
  case Kind::Union:
  case Kind::Typedef:
  case Kind::Enum:
  case Kind::Enum64:
  case Kind::Ptr:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::Volatile:
  case Kind::FuncProto:
  case Kind::TypeTag:
    return true;
  default:
    return false;
  }
}

/// Where a collected base type goes.
static bool goesToDistilledBase(const Type &T) {
  switch (T.kind()) {
  case Kind::Int:
  case Kind::Float:
  case Kind::Fwd:
    return true;
  case Kind::Struct:
  case Kind::Union:
  case Kind::Enum:
  case Kind::Enum64:
    return T.nameOff() != 0;
  default:
    return false;
  }
}

namespace {
/// Base id -> new id (or Pending while collected but not yet placed); 0 for
/// base types not needed. A module needs a few hundred of vmlinux's ~100k
/// types: the table is kept per thread and only its used entries are
/// cleared, so that distilling many modules does not clear 400 KB each time.
constexpr uint32_t Pending = ~0u;
/// Zero everywhere between calls (ScratchGuard clears what a call set), and
/// zero-filled by the kernel as it is first touched: a distillation over a
/// 100k-type base touches the pages of the base ids it needs only.
struct IdScratchArray {
  dd::ZeroedWords Mem;
  size_t Size = 0;
  MutableArrayRef<uint32_t> get(size_t N) {
    if (Size < N) {
      Mem = dd::ZeroedWords(N);
      Size = N;
    }
    return MutableArrayRef<uint32_t>(Mem.data(), Size);
  }
};
thread_local IdScratchArray IdScratch;

/// Collects the base ids a split BTF needs (step 1).
class BaseCollector {
public:
  BaseCollector(const BTF &Split, MutableArrayRef<uint32_t> Map)
      : Split(Split), SplitStart(Split.firstId()), Map(Map) {}

  Error collect() {
    for (uint32_t Id = SplitStart; Id < Split.endId(); ++Id)
      if (Error E = walk(Split.type(Id)))
        return E;
    llvm::sort(Ids);
    return Error::success();
  }

  /// Collected base ids, ascending.
  std::vector<uint32_t> Ids;

private:
  // The walk is iterative (a base can hold long reference chains) but
  // visits slots in the order libbpf's recursion does, so that the first
  // offending reference is the one libbpf reports.
  struct Frame {
    SmallVector<uint32_t, 8> Slots;
    unsigned Next = 0;
    uint32_t From;
  };

  static void slotsOf(const Type &T, SmallVectorImpl<uint32_t> &Out) {
    forEachTypeRef(T, [&](uint32_t Ref) { Out.push_back(Ref); });
  }

  Error walk(const Type &Root) {
    SmallVector<Frame, 16> Stack;
    Stack.emplace_back();
    Stack.back().From = Root.id();
    slotsOf(Root, Stack.back().Slots);
    while (!Stack.empty()) {
      Frame &F = Stack.back();
      if (F.Next == F.Slots.size()) {
        Stack.pop_back();
        continue;
      }
      uint32_t Ref = F.Slots[F.Next++];
      if (Ref == 0 || Ref >= SplitStart || Map[Ref])
        continue;
      Type BT = Split.type(Ref);
      if (!isDistillableKind(BT.kind()))
        return makeError(
            Split.name(),
            "type [" + Twine(F.From) + "] " + describeType(Split.type(F.From)) +
                " refers to base type [" + Twine(Ref) + "] " +
                describeType(BT) +
                ", a kind that cannot be distilled (the split may refer to "
                "INT, FLOAT, FWD, ARRAY, STRUCT, UNION, TYPEDEF, ENUM, "
                "ENUM64, PTR, modifiers, FUNC_PROTO and TYPE_TAG only)");
      Map[Ref] = Pending;
      Ids.push_back(Ref);
      // A named composite is distilled without members: what it refers to
      // is not needed.
      if (BT.isComposite() && BT.nameOff())
        continue;
      Frame N;
      N.From = Ref;
      slotsOf(BT, N.Slots);
      if (!N.Slots.empty())
        Stack.push_back(std::move(N));
    }
    return Error::success();
  }

  const BTF &Split;
  uint32_t SplitStart;
  MutableArrayRef<uint32_t> Map;
};
} // namespace

namespace {
/// Clears the used entries of the per-thread id table on every way out.
struct ScratchGuard {
  MutableArrayRef<uint32_t> Map;
  ArrayRef<uint32_t> &Used;
  ~ScratchGuard() {
    for (uint32_t Id : Used)
      Map[Id] = 0;
  }
};

/// The string table of the new split: libbpf's btf__add_str() on split BTF,
/// i.e. a string the distilled base holds takes the base's offset, others
/// are appended once each, in order of first use. One set of the new
/// chain's strings answers both (the base's are entered first); it is
/// dedup's string set (DedupIndex.h), which stores an offset and a hash per
/// string and allocates nothing per entry. A source offset met again is
/// answered from a small direct-mapped cache, as in dedup's string phase,
/// without hashing its string again.
class SplitStrings {
public:
  SplitStrings(const BTF &Src, const BTF &NewBase, std::string &Table)
      : Table(Table), Src(Src), BaseStrs(NewBase.stringSection()),
        Begin(NewBase.strEnd()) {
    // Modules use about two distinct strings per type (names of types,
    // members, parameters, enumerators), mostly fewer: the set reserved
    // for one per type holds half as many again before it grows.
    Strs.reserve(Src.numTypes());
    unsigned Bits = std::clamp(Log2_32_Ceil(Src.numTypes()), 8u, 16u);
    Cache.assign(size_t(1) << Bits, CacheEntry{0, 0});
    CacheShift = 32 - Bits;
    for (size_t Pos = 0; Pos < BaseStrs.size();) {
      StringRef S(BaseStrs.data() + Pos);
      if (!S.empty())
        insert(S, uint32_t(Pos));
      Pos += S.size() + 1;
    }
  }

  uint32_t map(uint32_t Off) {
    if (!Off)
      return 0;
    CacheEntry &C = Cache[(Off * 0x9e3779b1u) >> CacheShift];
    if (C.In == Off)
      return C.Out;
    StringRef S = Src.str(Off);
    uint32_t Result = 0;
    if (!S.empty()) { // else the base's "" (libbpf finds it there too)
      uint32_t Candidate = Begin + uint32_t(Table.size());
      Result = insert(S, Candidate);
      if (Result == Candidate)
        Table.append(S.data(), S.size() + 1); // with its NUL
    }
    C = {Off, Result};
    return Result;
  }

  std::string &Table;

private:
  /// The string at offset \p O of the new chain.
  StringRef strAt(uint32_t O) const {
    return StringRef(O < Begin ? BaseStrs.data() + O
                               : Table.data() + (O - Begin));
  }
  uint32_t insert(StringRef S, uint32_t Off) {
    return Strs.insert(S, dd::hashString(S), Off,
                       [this](uint32_t O) { return strAt(O); });
  }

  struct CacheEntry {
    uint32_t In, Out;
  };
  const BTF &Src;
  StringRef BaseStrs;
  uint32_t Begin;
  dd::StringSet Strs;
  std::vector<CacheEntry> Cache; // source offset -> new offset, lossy
  unsigned CacheShift;
};
} // namespace

namespace {
/// The distilled base, and the new split over it as a blob.
struct DistilledSplitBlob {
  std::unique_ptr<BTF> Base;
  std::vector<uint8_t> Split;
  std::vector<std::pair<uint32_t, uint32_t>> BaseIdMap; // old id, new id
};
} // namespace

static Expected<DistilledSplitBlob> distillToBlob(const BTF &Split) {
  if (!Split.isSplit())
    return makeError(Split.name(),
                     "not split BTF: distilling needs a module's BTF over "
                     "its base");
  uint32_t SplitStart = Split.firstId();
  MutableArrayRef<uint32_t> NewId =
      IdScratch.get(SplitStart); // old base id -> new id
  BaseCollector Collector(Split, NewId);
  ArrayRef<uint32_t> Needed;
  ScratchGuard Guard{NewId, Needed};
  Error CE = Collector.collect();
  Needed = Collector.Ids;
  if (CE)
    return CE;

  // Step 2: the distilled base.
  Builder NB;
  auto Identity = [](uint32_t Id) { return Id; };
  for (uint32_t Id : Needed) {
    Type T = Split.type(Id);
    if (!goesToDistilledBase(T))
      continue;
    uint32_t New;
    switch (T.kind()) {
    case Kind::Struct:
      New = NB.addStruct(T.name(), T.size());
      break;
    case Kind::Union:
      New = NB.addUnion(T.name(), T.size());
      break;
    case Kind::Enum:
    case Kind::Enum64:
      // libbpf's btf__add_enum(): unsigned, no enumerators.
      New = NB.addEnum(T.name(), T.size());
      break;
    default: // INT, FLOAT, FWD: as they are (they hold no type ids).
      New = NB.addCopy(T, Identity);
      break;
    }
    NewId[Id] = New;
  }
  auto BaseOrErr = NB.build(Split.name().str() + " (distilled base)");
  if (!BaseOrErr)
    return BaseOrErr.takeError();
  std::unique_ptr<BTF> NewBase = std::move(*BaseOrErr);

  // Step 3: the new split: the split's records, then those of the base
  // types that stay in the split (in base id order), copied and rewritten
  // in place. Moved types get the ids after the split's own.
  uint32_t Shift = SplitStart - NewBase->endId();
  uint32_t Next = NewBase->endId() + Split.numTypes();
  ArrayRef<uint8_t> Own = Split.typeSection();
  size_t Bytes = Own.size();
  SmallVector<uint32_t, 64> Moved;
  for (uint32_t Id : Needed) {
    Type T = Split.type(Id);
    if (goesToDistilledBase(T))
      continue;
    NewId[Id] = Next++;
    Moved.push_back(Id);
    Bytes += T.bytes().size();
  }
  // Records go straight into the blob, after the header; strings follow.
  // They come to the split's own and a few more (the base's strings its
  // records and the moved ones use): the blob and the table are given room
  // for those, so that neither has to move to grow.
  size_t StrRoom = Split.stringSection().size() / 4 * 5 + 4096;
  std::vector<uint8_t> Blob;
  Blob.reserve(ClassicHeaderSize + Bytes + StrRoom);
  Blob.resize(ClassicHeaderSize + Bytes);
  uint8_t *TypeData = Blob.data() + ClassicHeaderSize;
  std::memcpy(TypeData, Own.data(), Own.size());
  std::string Table;
  Table.reserve(StrRoom);
  { // The string tables go before the blob grows by the strings.
    SplitStrings Strs(Split, *NewBase, Table);
    auto Rewrite = [&](uint32_t Start) {
      auto *Rec = reinterpret_cast<CommonType *>(TypeData + Start);
      forEachTypeSlot(Rec, [&](uint32_t &Ref) {
        if (Ref >= SplitStart)
          Ref -= Shift;
        else if (Ref)
          Ref = NewId[Ref];
      });
      forEachNameSlot(Rec, [&](uint32_t &Off) { Off = Strs.map(Off); });
    };
    for (uint32_t Start : Split.typeOffsets())
      Rewrite(Start);
    size_t At = Own.size();
    for (uint32_t Id : Moved) {
      ArrayRef<uint8_t> Rec = Split.type(Id).bytes();
      std::memcpy(TypeData + At, Rec.data(), Rec.size());
      Rewrite(uint32_t(At));
      At += Rec.size();
    }
  }

  Header H = blobHeader(uint32_t(Bytes), uint32_t(Table.size()));
  std::memcpy(Blob.data(), &H, ClassicHeaderSize);
  Blob.insert(Blob.end(), Table.begin(), Table.end());
  // Where the base types kept went (DistillResult::newId()).
  std::vector<std::pair<uint32_t, uint32_t>> BaseIdMap;
  BaseIdMap.reserve(Needed.size());
  for (uint32_t Id : Needed)
    BaseIdMap.emplace_back(Id, NewId[Id]);
  return DistilledSplitBlob{std::move(NewBase), std::move(Blob),
                            std::move(BaseIdMap)};
}

Expected<DistillResult> btfkit::distill(const BTF &Split) {
  auto D = distillToBlob(Split);
  if (!D)
    return D.takeError();
  auto SplitOrErr = BTF::parseOwned(std::move(D->Split), D->Base.get(),
                                    Split.name().str() + " (distilled split)");
  if (!SplitOrErr)
    return SplitOrErr.takeError();
  DistillResult R;
  R.Base = std::move(D->Base);
  R.Split = std::move(*SplitOrErr);
  R.BaseIdMap = std::move(D->BaseIdMap);
  R.OldSplitStart = Split.firstId();
  R.OldEnd = Split.endId();
  return R;
}

std::optional<uint32_t> DistillResult::newId(uint32_t OldId) const {
  if (OldId == 0)
    return 0;
  if (OldId >= OldSplitStart)
    return OldId < OldEnd
               ? std::optional<uint32_t>(OldId - OldSplitStart + Base->endId())
               : std::nullopt;
  auto It = llvm::lower_bound(BaseIdMap, std::make_pair(OldId, uint32_t(0)));
  if (It == BaseIdMap.end() || It->first != OldId)
    return std::nullopt;
  return It->second;
}

Expected<DistilledBlobs> btfkit::distillBlobs(const BTF &Split) {
  auto D = distillToBlob(Split);
  if (!D)
    return D.takeError();
  return DistilledBlobs{serializeBTF(*D->Base), std::move(D->Split)};
}
