//===- DedupIndex.h - Hash tables and type signatures for dedup -*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Internal to lib/Transform: the flat tables deduplication runs on, and the
/// per-kind type signatures (hashes) of libbpf's algorithm. Records are
/// read through RecordRef (Record.h), whether they are the base's (read in
/// place) or the split part's (a mutable copy, rewritten in place).
///
/// No table here allocates per entry: a candidate table is one open-addressed
/// array of hash slots plus one "next id" word per type, which keeps every
/// chain of equal-hash candidates in a fixed order (newest first) whatever
/// the table's growth history.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_LIB_TRANSFORM_DEDUPINDEX_H
#define BTFKIT_LIB_TRANSFORM_DEDUPINDEX_H

#include "btfkit/BTF.h"
#include "btfkit/Dedup.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/xxhash.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace btfkit {
namespace dd {

/// madvise(MADV_HUGEPAGE) where the system has it; a hint only.
void adviseHugePages(void *Begin, size_t Bytes);
/// Gives the whole pages of [Begin, Begin + Bytes) of an anonymous private
/// mapping back to the system (they read as zero afterwards); a hint only.
void releasePages(void *Begin, size_t Bytes);

/// Sizes \p V to \p N elements of \p Fill, asking the kernel for huge pages
/// first when the block is large: dedup touches every page of its big
/// arrays once, and on 4 KiB pages the page faults cost as much as a phase
/// of the algorithm.
template <typename T>
void resizeLarge(std::vector<T> &V, size_t N, const T &Fill) {
  constexpr size_t Huge = size_t(2) << 20;
  V.clear();
  V.reserve(N);
  size_t Bytes = N * sizeof(T);
  if (Bytes >= 4 * Huge) {
    uintptr_t Begin = reinterpret_cast<uintptr_t>(V.data());
    uintptr_t AlignedBegin = (Begin + Huge - 1) & ~(Huge - 1);
    uintptr_t End = (Begin + Bytes) & ~(Huge - 1);
    if (End > AlignedBegin)
      adviseHugePages(reinterpret_cast<void *>(AlignedBegin),
                      End - AlignedBegin);
  }
  V.assign(N, Fill);
}

/// Memory the kernel zero-fills page by page on first touch (an anonymous
/// mapping; calloc where there is none): what a big array costs is then
/// what its user touches.
class ZeroedWords {
public:
  ZeroedWords() = default;
  explicit ZeroedWords(size_t N);
  ZeroedWords(ZeroedWords &&O) noexcept { *this = std::move(O); }
  ZeroedWords &operator=(ZeroedWords &&O) noexcept {
    std::swap(P, O.P);
    std::swap(Bytes, O.Bytes);
    std::swap(Mapped, O.Mapped);
    return *this;
  }
  ~ZeroedWords();
  uint32_t *data() const { return P; }

private:
  uint32_t *P = nullptr;
  size_t Bytes = 0;
  bool Mapped = false;
};

/// A uint32_t per id whose entries read \p Default (or the id itself, with
/// \p Identity) until set, without being written: values are stored XOR
/// the default in zero-filled memory. Deduplicating one translation unit
/// over a 100k-type base touches only the entries of the base types it
/// meets, instead of faulting in and filling two base-sized arrays.
template <bool Identity, uint32_t Default = 0> class LazyIdArray {
public:
  void reset(size_t N) { Mem = ZeroedWords(N); }
  void release() { Mem = ZeroedWords(); }
  uint32_t operator[](uint32_t Id) const { return Mem.data()[Id] ^ key(Id); }
  void set(uint32_t Id, uint32_t V) { Mem.data()[Id] = V ^ key(Id); }

private:
  static uint32_t key(uint32_t Id) { return Identity ? Id : Default; }
  ZeroedWords Mem;
};

// Hashing: a multiply-xorshift combine, finished with a full avalanche
// before it picks a slot. Only equality of signatures matters to the
// algorithm (candidates are checked exactly), never the hash values.
inline uint64_t hashCombine(uint64_t H, uint64_t V) {
  H ^= V + 0x9e3779b97f4a7c15ull + (H << 6) + (H >> 2);
  return H * 0xff51afd7ed558ccdull;
}
inline uint64_t hashFinish(uint64_t H) {
  H ^= H >> 33;
  H *= 0xc4ceb9fe1a85ec53ull;
  H ^= H >> 33;
  return H;
}

// The type signatures of libbpf's dedup (btf.c btf_hash_*): what two types
// must share to be candidates for each other.
inline uint64_t hashCommon(RecordRef R) {
  const CommonType &C = R.common();
  return hashCombine(hashCombine(hashCombine(0, C.NameOff), C.Info),
                     C.SizeOrType);
}
/// TYPEDEF: name and info only. Later libbpf deduplicates typedefs with the
/// structs, by the graph walk, so what they name cannot be part of their
/// signature ("libbpf: Fix BTF dedup to support recursive typedef
/// definitions", then "libbpf: Fix deduplication of typedef with base
/// definitions" for base typedefs). libbpf 1.1 compares typedefs exactly
/// after the structs; the coarser signature only lengthens its chains (equal
/// typedefs stay in the same order), so one base table serves both.
inline uint64_t hashTypedef(RecordRef R) {
  return hashCombine(hashCombine(2, R.nameOff()), R.info());
}
/// INT: the common part and the INT word.
inline uint64_t hashInt(RecordRef R) {
  return hashCombine(hashCommon(R), R.intData());
}
/// DECL_TAG: the common part and the component index.
inline uint64_t hashDeclTag(RecordRef R) {
  return hashCombine(hashCommon(R), uint32_t(R.declTagComponent()));
}
/// ENUM and ENUM64: the name only, so that an enum forward declaration (no
/// values, any size, either kind) meets the full enum (libbpf 1.1 and later).
inline uint64_t hashEnum(RecordRef R) { return hashCombine(1, R.nameOff()); }
/// ENUM and ENUM64 by their whole record (name, info, size, enumerators):
/// equal enums have equal ones.
inline uint64_t hashEnumFull(RecordRef R) {
  uint64_t H = hashCommon(R);
  for (uint32_t W : R.trailingWords())
    H = hashCombine(H, W);
  return H;
}
/// STRUCT and UNION: everything but the member types, which may not be
/// canonical yet when structs are compared.
inline uint64_t hashStruct(RecordRef R) {
  uint64_t H = hashCommon(R);
  for (const Member &M : R.members())
    H = hashCombine(hashCombine(H, M.NameOff), M.Offset);
  return H;
}
/// ARRAY with (canonical) element and index types.
inline uint64_t hashArray(RecordRef R) {
  const ArrayInfo &A = R.array();
  return hashCombine(
      hashCombine(hashCombine(hashCommon(R), A.Type), A.IndexType), A.NElems);
}
/// FUNC_PROTO with (canonical) parameter types.
inline uint64_t hashFuncProto(RecordRef R) {
  uint64_t H = hashCommon(R);
  for (const Param &P : R.params())
    H = hashCombine(hashCombine(H, P.NameOff), P.Type);
  return H;
}

/// The signature a type is entered into the candidate table with once it
/// is final (base types, and split types once canonical). False for kinds
/// never deduplicated (VAR, DATASEC, unknown kinds).
inline bool finalHash(RecordRef R, uint64_t &H) {
  switch (R.kind()) {
  case Kind::Const:
  case Kind::Volatile:
  case Kind::Restrict:
  case Kind::Ptr:
  case Kind::Fwd:
  case Kind::Func:
  case Kind::Float:
  case Kind::TypeTag:
    H = hashCommon(R);
    return true;
  case Kind::Typedef:
    H = hashTypedef(R);
    return true;
  case Kind::Int:
    H = hashInt(R);
    return true;
  case Kind::DeclTag:
    H = hashDeclTag(R);
    return true;
  case Kind::Enum:
  case Kind::Enum64:
    H = hashEnum(R);
    return true;
  case Kind::Struct:
  case Kind::Union:
    H = hashStruct(R);
    return true;
  case Kind::Array:
    H = hashArray(R);
    return true;
  case Kind::FuncProto:
    H = hashFuncProto(R);
    return true;
  default:
    return false;
  }
}

/// A multimap from signature to type ids. Ids of one signature form a chain
/// through Next, newest first: libbpf's hashmap puts a new entry at the
/// head of its bucket, and which of several equivalent candidates wins
/// depends on that order.
///
/// A table either owns its arrays (init(), insert()) or is a read-only view
/// of arrays another table built and saved (adopt(): a base index kept in a
/// file, BaseIndexCache.h).
class CandidateTable {
public:
  // The slot keeps 32 bits of the signature: two signatures that agree on
  // them share a chain, which only adds candidates that the exact
  // comparisons then reject.
  struct Slot {
    uint32_t Hash;
    uint32_t Head; // 0: empty (id 0, void, is never a candidate)
  };

  /// Ids in [IdBase, IdBase + NumIds) may be inserted.
  void init(uint32_t IdBase, uint32_t NumIds, size_t ExpectedKeys) {
    this->IdBase = IdBase;
    resizeLarge(OwnNext, NumIds, 0u);
    size_t Cap = 16;
    while (Cap * 3 < ExpectedKeys * 4)
      Cap <<= 1;
    OwnSlots.assign(Cap, Slot{0, 0});
    Used = 0;
    point();
  }

  /// Makes this a view of saved arrays (slots(), nextIds(), idBase() of a
  /// table that was built). False when the slot count is not a power of
  /// two. The arrays are not read here: a view never hands out an id
  /// outside [IdBase, IdBase + SavedNext.size()), so damaged arrays can
  /// cost candidates, never a read out of bounds.
  bool adopt(llvm::ArrayRef<Slot> SavedSlots,
             llvm::ArrayRef<uint32_t> SavedNext, uint32_t SavedIdBase) {
    size_t N = SavedSlots.size();
    if (N == 0 || (N & (N - 1)) || SavedIdBase == 0)
      return false;
    OwnSlots = {};
    OwnNext = {};
    SlotP = SavedSlots.data();
    NumSlots = N;
    NextP = SavedNext.data();
    NumNext = SavedNext.size();
    IdBase = SavedIdBase;
    return true;
  }

  void insert(uint64_t H, uint32_t Id) {
    if ((Used + 1) * 4 > OwnSlots.size() * 3)
      grow();
    uint32_t K = uint32_t(hashFinish(H));
    Slot &S = OwnSlots[findKey(K)];
    if (S.Head == 0) {
      S.Hash = K;
      ++Used;
    }
    OwnNext[Id - IdBase] = S.Head;
    S.Head = Id;
  }

  /// The newest id of signature \p H, or 0.
  uint32_t first(uint64_t H) const {
    if (!NumSlots)
      return 0;
    size_t I = findKey(uint32_t(hashFinish(H)));
    return I < NumSlots ? checked(SlotP[I].Head) : 0;
  }
  /// The id inserted before \p Id in its chain, or 0.
  uint32_t next(uint32_t Id) const { return checked(NextP[Id - IdBase]); }

  llvm::ArrayRef<Slot> slots() const { return {SlotP, NumSlots}; }
  llvm::ArrayRef<uint32_t> nextIds() const { return {NextP, NumNext}; }
  uint32_t idBase() const { return IdBase; }

private:
  /// \p Id when it is one of the table's (always, but for a damaged saved
  /// table), else 0 (void, never a candidate: it ends a chain).
  uint32_t checked(uint32_t Id) const { return Id - IdBase < NumNext ? Id : 0; }

  /// The slot of \p K or the empty one it would go to; NumSlots when a
  /// damaged saved table has neither (a built one is never full).
  size_t findKey(uint32_t K) const {
    size_t Mask = NumSlots - 1;
    size_t I = K & Mask;
    for (size_t Probes = 0; Probes < NumSlots; ++Probes, I = (I + 1) & Mask)
      if (SlotP[I].Head == 0 || SlotP[I].Hash == K)
        return I;
    return NumSlots;
  }

  void grow() {
    std::vector<Slot> Old;
    Old.swap(OwnSlots);
    OwnSlots.assign(Old.size() * 2, Slot{0, 0});
    point();
    for (const Slot &S : Old)
      if (S.Head)
        OwnSlots[findKey(S.Hash)] = S;
  }

  void point() {
    SlotP = OwnSlots.data();
    NumSlots = OwnSlots.size();
    NextP = OwnNext.data();
    NumNext = OwnNext.size();
  }

  std::vector<Slot> OwnSlots;
  std::vector<uint32_t> OwnNext;
  const Slot *SlotP = nullptr;
  size_t NumSlots = 0;
  const uint32_t *NextP = nullptr;
  size_t NumNext = 0;
  uint32_t IdBase = 0;
  size_t Used = 0;
};

inline uint32_t hashString(llvm::StringRef S);

/// A set of strings identified by their offsets; the owner supplies the
/// string behind an offset. Offset 0 (the empty string) is never stored.
/// Like CandidateTable, it owns its slots or views saved ones (adopt()).
class StringSet {
public:
  struct Slot {
    uint32_t Hash;
    uint32_t Off;
  };

  void reserve(size_t N) {
    size_t Cap = 16;
    while (Cap < N * 2)
      Cap <<= 1;
    OwnSlots.assign(Cap, Slot{0, 0});
    Used = 0;
    point();
  }

  /// Makes this a view of saved slots; false unless their count is a power
  /// of two. Offsets from \p StrEnd on (a damaged saved set) are skipped by
  /// lookup(), not read.
  bool adopt(llvm::ArrayRef<Slot> Saved, uint32_t StrEnd) {
    size_t N = Saved.size();
    if (N == 0 || (N & (N - 1)))
      return false;
    OwnSlots = {};
    SlotP = Saved.data();
    NumSlots = N;
    OffLimit = StrEnd;
    return true;
  }

  /// The offset of \p S, or 0 when absent. \p StrAt maps an offset to its
  /// string.
  template <typename StrAtFn>
  uint32_t lookup(llvm::StringRef S, uint32_t H, StrAtFn StrAt) const {
    if (!NumSlots)
      return 0;
    size_t Mask = NumSlots - 1;
    size_t I = slotFor(H, Mask);
    // Bounded for a damaged saved set without an empty slot.
    for (size_t Probes = 0; Probes < NumSlots; ++Probes, I = (I + 1) & Mask) {
      const Slot &E = SlotP[I];
      if (E.Off == 0)
        return 0;
      if (E.Hash == H && E.Off < OffLimit && StrAt(E.Off) == S)
        return E.Off;
    }
    return 0;
  }

  /// Asks for the slot lookup(_, \p H, _) starts at to be brought into the
  /// cache: a batch of lookups prefetched first waits for memory once.
  void prefetch(uint32_t H) const {
    if (NumSlots)
      __builtin_prefetch(SlotP + slotFor(H, NumSlots - 1));
  }

  /// Adds \p Off (string \p S, hash \p H) unless an equal string is there;
  /// returns the offset the set holds for it.
  template <typename StrAtFn>
  uint32_t insert(llvm::StringRef S, uint32_t H, uint32_t Off, StrAtFn StrAt) {
    if ((Used + 1) * 4 > OwnSlots.size() * 3)
      grow();
    size_t Mask = OwnSlots.size() - 1;
    for (size_t I = slotFor(H, Mask);; I = (I + 1) & Mask) {
      Slot &E = OwnSlots[I];
      if (E.Off == 0) {
        E.Hash = H;
        E.Off = Off;
        ++Used;
        return Off;
      }
      if (E.Hash == H && StrAt(E.Off) == S)
        return E.Off;
    }
  }

  llvm::ArrayRef<Slot> slots() const { return {SlotP, NumSlots}; }
  size_t memoryBytes() const { return OwnSlots.capacity() * sizeof(Slot); }

private:
  static size_t slotFor(uint32_t H, size_t Mask) {
    return size_t(hashFinish(H)) & Mask;
  }
  void grow() {
    std::vector<Slot> Old;
    Old.swap(OwnSlots);
    OwnSlots.assign(Old.empty() ? 16 : Old.size() * 2, Slot{0, 0});
    point();
    size_t Mask = OwnSlots.size() - 1;
    for (const Slot &E : Old) {
      if (!E.Off)
        continue;
      size_t I = slotFor(E.Hash, Mask);
      while (OwnSlots[I].Off)
        I = (I + 1) & Mask;
      OwnSlots[I] = E;
    }
  }
  void point() {
    SlotP = OwnSlots.data();
    NumSlots = OwnSlots.size();
  }

  std::vector<Slot> OwnSlots;
  const Slot *SlotP = nullptr;
  size_t NumSlots = 0;
  uint32_t OffLimit = UINT32_MAX;
  size_t Used = 0;
};

inline uint32_t hashString(llvm::StringRef S) {
  return uint32_t(llvm::xxh3_64bits(S));
}

/// Name offset -> the one STRUCT/UNION of that name, or 0 when several share
/// it (for resolving FWDs whose name is unambiguous). A sorted array, so a
/// saved index can be used in place.
class CompositeNames {
public:
  struct Entry {
    uint32_t Name;
    uint32_t Id; // 0: ambiguous
    bool operator<(const Entry &O) const {
      return Name < O.Name || (Name == O.Name && Id < O.Id);
    }
  };

  /// Building: add() every composite, then finish().
  void add(uint32_t Name, uint32_t Id) { Own.push_back({Name, Id}); }
  void finish() {
    llvm::sort(Own);
    size_t Out = 0;
    for (size_t I = 0; I < Own.size();) {
      size_t J = I + 1;
      while (J < Own.size() && Own[J].Name == Own[I].Name)
        ++J;
      Own[Out++] = {Own[I].Name, J - I == 1 ? Own[I].Id : 0};
      I = J;
    }
    Own.resize(Out);
    View = Own;
  }
  /// Makes this a view of saved entries. Entries out of order (a damaged
  /// saved index) can only make find() miss; ids from \p EndId on are
  /// never returned.
  void adopt(llvm::ArrayRef<Entry> Saved, uint32_t EndId) {
    Own = {};
    View = Saved;
    IdLimit = EndId;
  }

  /// The entry of \p Name (its Id 0 when ambiguous), or null.
  const Entry *find(uint32_t Name) const {
    const Entry *It = std::lower_bound(
        View.begin(), View.end(), Entry{Name, 0},
        [](const Entry &A, const Entry &B) { return A.Name < B.Name; });
    return It != View.end() && It->Name == Name && It->Id < IdLimit ? It
                                                                    : nullptr;
  }
  llvm::ArrayRef<Entry> entries() const { return View; }

private:
  std::vector<Entry> Own;
  llvm::ArrayRef<Entry> View;
  uint32_t IdLimit = UINT32_MAX;
};

/// The types one deduplication runs on: records it may rewrite in place,
/// found by their offsets, and their strings. dedupToBlob() makes one from a
/// loaded BTF (copying its records into the output buffer); DedupAppender
/// hands over the records it gathered, so that they are not copied again.
struct DedupInput {
  llvm::StringRef Name;
  uint32_t FirstId = 1, StrBegin = 0;
  bool Split = false;
  /// Byte offset of each record in Words, in id order.
  llvm::ArrayRef<uint32_t> Offsets;
  /// The records, back to back; null to have dedup copy them from
  /// CopyFrom into its output buffer first.
  uint32_t *Words = nullptr;
  size_t TypeBytes = 0; // of Words
  llvm::ArrayRef<uint8_t> CopyFrom;
  /// The strings at offsets [StrBegin, StrBegin + Strings.size()).
  llvm::StringRef Strings;
  /// True when Strings is final already: every name slot holds a base
  /// offset or an offset of the output's own table (DedupAppender
  /// deduplicates strings as it gathers), so the string phase is skipped.
  bool StringsFinal = false;
  /// The input's string bytes for DedupStats, when not Strings.size().
  uint64_t StrBytesIn = 0;
};

/// Deduplicates \p In over the base \p BI indexes (an empty index for
/// standalone input): dedupToBlob()'s work.
llvm::Error runDedup(DedupInput &In, const DedupBase::Impl &BI,
                     const DedupOptions &Opts, std::vector<uint8_t> &Out,
                     DedupStats *Stats);
/// runDedup() of split input over \p Base, with \p Index (which must index
/// \p Base) or an index made for the occasion.
llvm::Expected<std::vector<uint8_t>> dedupOver(const BTF &Base, DedupInput &In,
                                               const DedupOptions &Opts,
                                               const DedupBase *Index,
                                               DedupStats *Stats);

} // namespace dd

/// The precomputed view of a base BTF.
struct DedupBase::Impl {
  const BTF *Base = nullptr;
  uint32_t EndId = 1;
  /// The record of base id \p Id (void's all-zero one for 0). The base's
  /// own records are found through its offsets, so that indexing a base
  /// costs nothing per type; those of the chain under it through Rec.
  RecordRef rec(uint32_t Id) const {
    if (Id >= TopFirst)
      return RecordRef(reinterpret_cast<const CommonType *>(
          TopTypes + TopOffsets[Id - TopFirst]));
    return RecordRef(Rec[Id]);
  }
  uint32_t TopFirst = 1;
  const uint8_t *TopTypes = nullptr;
  llvm::ArrayRef<uint32_t> TopOffsets;
  /// Records of ids [0, TopFirst).
  std::vector<const CommonType *> Rec{&VoidRecord};
  dd::CandidateTable Types;
  dd::StringSet Strings;
  dd::CompositeNames Composites;
  /// True for create()'s index of every type and string (the one save()
  /// writes), false for createFor()'s.
  bool Complete = false;

  /// Sets Base, EndId and the record lookup for \p B and the chain under
  /// it; returns the chain, \p B first.
  std::vector<const BTF *> indexRecords(const BTF &B);

  llvm::StringRef str(uint32_t Off) const { return Base->str(Off); }
};

} // namespace btfkit

#endif // BTFKIT_LIB_TRANSFORM_DEDUPINDEX_H
