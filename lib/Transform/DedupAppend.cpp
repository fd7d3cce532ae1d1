//===- DedupAppend.cpp - Gathering many split BTFs for one dedup ----------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Merging every module of a kernel (4,000 inputs, a million types) is
// mostly a question of memory: loading all inputs, concatenating them and
// handing the concatenation to dedup, which copies the records again, holds
// three copies of every record at once. Here the records are gathered into
// one region as each input arrives (the input can be unloaded right after),
// and dedup rewrites them there. Strings are deduplicated on the way, as
// dedup's string phase would (same offsets: the records' names are visited
// in the same order, base strings keep the base's offsets), so that only the
// final string table is ever held and the phase is skipped. The regions are
// reserved address space that only becomes memory as it is written, so
// that growing them never copies (a vector that doubles holds both the old
// and the new block while it copies).
//
//===----------------------------------------------------------------------===//

#include "DedupIndex.h"

#include "btfkit/Error.h"
#include "btfkit/TypeWalk.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#if defined(__linux__)
#include <sys/mman.h>
#endif

using namespace btfkit;
using namespace btfkit::dd;
using namespace llvm;

namespace {

/// Bytes appended at the end of a reserved range of address space (or of a
/// vector, where reserving is refused: strict overcommit, other systems).
class Region {
public:
  explicit Region(size_t MaxBytes) {
#if defined(__linux__)
    void *M = ::mmap(nullptr, MaxBytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (M != MAP_FAILED) {
      P = static_cast<uint8_t *>(M);
      Reserved = MaxBytes;
    }
#endif
    (void)MaxBytes;
  }
  ~Region() { release(); }

  uint8_t *data() { return P ? P : Fallback.data(); }
  size_t size() const { return Size; }
  /// Room for \p N more bytes at the end; false when the reservation is
  /// exhausted.
  bool grow(size_t N) {
    if (!P) {
      Fallback.resize(Size + N);
    } else if (N > Reserved - Size) {
      return false;
    }
    Size += N;
    return true;
  }
  void release() {
#if defined(__linux__)
    if (P)
      ::munmap(P, Reserved);
#endif
    P = nullptr;
    Reserved = Size = 0;
    Fallback = {};
  }

private:
  uint8_t *P = nullptr;
  size_t Reserved = 0, Size = 0;
  std::vector<uint8_t> Fallback;
};

} // namespace

struct DedupAppender::Impl {
  Impl(const BTF &Base, const DedupBase *Index) : Base(Base) {
    if (!Index) {
      Own = DedupBase::create(Base);
      Index = Own.get();
    }
    assert(&Index->btf() == &Base && Index->impl().Complete &&
           "DedupAppender needs a complete index of its base");
    this->Index = Index;
    BI = &Index->impl();
    Set.reserve(1u << 16);
    Cache.assign(CacheSize, CacheEntry{0, 0, 0});
  }
  const BTF &Base;
  std::unique_ptr<DedupBase> Own;
  const DedupBase *Index = nullptr;
  const DedupBase::Impl *BI = nullptr;
  // Record offsets are 32-bit; string offsets end at 2^31 (libbpf's limit).
  Region Types{size_t(1) << 32};
  Region Strings{size_t(1) << 31};
  // One word per record (2^31 ids at most), in a region too: a vector
  // growing among the inputs' short-lived buffers would fragment the heap.
  Region Offsets{size_t(1) << 33};
  uint64_t StrBytesIn = 0;
  // The output's own strings, and a cache of the current part's offsets
  // (names repeat within a part), told apart from earlier parts' entries by
  // the part's number.
  StringSet Set;
  struct CacheEntry {
    uint32_t Part, In, Out;
  };
  static constexpr size_t CacheSize = 1u << 14;
  std::vector<CacheEntry> Cache;
  uint32_t PartNo = 0;
  // The current part's own names in the order append() meets them, hashed
  // ahead (and their slots prefetched) so that the lookups do not each wait
  // for memory.
  struct Name {
    StringRef S;
    uint32_t Hash;
  };
  std::vector<Name> Names;
  std::string FirstName; // names the input in errors when it is the only one

  uint32_t numTypes() { return uint32_t(Offsets.size() / 4); }
  uint32_t *offsets() { return reinterpret_cast<uint32_t *>(Offsets.data()); }
  uint32_t firstId() const { return Base.endId(); }
  uint32_t strBegin() const { return Base.strEnd(); }
  StringRef ownStr(uint32_t Off) {
    return StringRef(reinterpret_cast<const char *>(Strings.data()) +
                     (Off - strBegin()));
  }
  /// The output offset of the part's own string \p N, at \p Off in the part
  /// (Deduper::remapString's choice).
  uint32_t remapString(uint32_t Off, const Name &N);
  void clear() {
    Types.release();
    Strings.release();
    Offsets.release();
    Set = StringSet();
    Cache = {};
  }
};

uint32_t DedupAppender::Impl::remapString(uint32_t Off, const Name &N) {
  CacheEntry &C = Cache[((Off * 0x9e3779b1u) >> 18) & (CacheSize - 1)];
  if (C.Part == PartNo && C.In == Off)
    return C.Out;
  StringRef S = N.S;
  uint32_t Result = 0;
  if (!S.empty()) {
    uint32_t H = N.Hash;
    Result =
        BI->Strings.lookup(S, H, [this](uint32_t O) { return BI->str(O); });
    if (!Result) {
      uint32_t Candidate = strBegin() + uint32_t(Strings.size());
      Result =
          Set.insert(S, H, Candidate, [this](uint32_t O) { return ownStr(O); });
      if (Result == Candidate) {
        size_t At = Strings.size();
        Strings.grow(S.size() + 1); // within the 2^31 checked by append()
        std::memcpy(Strings.data() + At, S.data(), S.size());
        Strings.data()[At + S.size()] = 0;
      }
    }
  }
  C = {PartNo, Off, Result};
  return Result;
}

DedupAppender::DedupAppender(const BTF &Base, const DedupBase *Index)
    : I(std::make_unique<Impl>(Base, Index)) {}
DedupAppender::~DedupAppender() = default;

uint32_t DedupAppender::numTypes() const { return I->numTypes(); }

Error DedupAppender::append(const BTF &Part) {
  if (Part.base() != &I->Base)
    return makeError(Part.name(),
                     "cannot merge: not split over " + I->Base.name());
  const uint64_t NextId = uint64_t(I->firstId()) + I->numTypes();
  const uint64_t StrAt = uint64_t(I->strBegin()) + I->Strings.size();
  if (NextId + Part.numTypes() > 0x7fffffffu ||
      StrAt + Part.stringSection().size() > 0x7fffffffu)
    return makeError(Part.name(), "cannot concatenate: the result would "
                                  "exceed 2^31 types or string bytes");
  ArrayRef<uint8_t> Sec = Part.typeSection();
  // Kinds first, so that a refused part leaves nothing behind.
  for (uint32_t Id = Part.firstId(); Id < Part.endId(); ++Id) {
    unsigned K = infoKind(
        reinterpret_cast<const CommonType *>(Sec.data() + Part.typeOffset(Id))
            ->Info);
    if (!isKnownKind(K))
      return makeError(Part.name(), "type id " + Twine(Id) +
                                        ": cannot concatenate kind " +
                                        Twine(K) + " (" + kindName(K) + ")");
  }
  const size_t At = I->Types.size();
  const uint32_t FirstOff = I->numTypes();
  if (!I->Types.grow(Sec.size()) ||
      !I->Offsets.grow(size_t(Part.numTypes()) * 4))
    return makeError(Part.name(), "cannot concatenate: the result would "
                                  "exceed 4 GiB of types");
  uint32_t *Offsets = I->offsets() + FirstOff;
  auto *Dst = reinterpret_cast<uint32_t *>(I->Types.data() + At);
  if (!Sec.empty())
    std::memcpy(Dst, Sec.data(), Sec.size());
  const uint32_t PartFirst = Part.firstId();
  const uint32_t IdShift = uint32_t(NextId - PartFirst);
  // Names first: offsets into the base are final already; the part's own
  // strings are hashed and their slots prefetched.
  const uint32_t OwnFrom = std::max(I->strBegin(), 1u);
  I->Names.clear();
  for (uint32_t Id = PartFirst; Id < Part.endId(); ++Id)
    visitNameSlots(
        reinterpret_cast<CommonType *>(Dst + Part.typeOffset(Id) / 4),
        [&](uint32_t &Off) {
          if (Off < OwnFrom)
            return;
          StringRef S = Part.str(Off);
          uint32_t H = S.empty() ? 0 : hashString(S);
          I->BI->Strings.prefetch(H);
          I->Set.prefetch(H);
          I->Names.push_back({S, H});
        });
  const Impl::Name *Next = I->Names.data();
  for (uint32_t Id = PartFirst; Id < Part.endId(); ++Id) {
    uint32_t Off = Part.typeOffset(Id);
    auto *Rec = reinterpret_cast<CommonType *>(Dst + Off / 4);
    // Base ids stay; the part's own ones move.
    forEachTypeSlot(Rec, [&](uint32_t &Ref) {
      if (Ref >= PartFirst)
        Ref += IdShift;
    });
    visitNameSlots(Rec, [&](uint32_t &Name) {
      if (Name >= OwnFrom)
        Name = I->remapString(Name, *Next++);
    });
    *Offsets++ = uint32_t(At) + Off;
  }
  I->StrBytesIn += Part.stringSection().size();
  if (I->PartNo++ == 0)
    I->FirstName = Part.name().str();
  return Error::success();
}

Expected<std::vector<uint8_t>> DedupAppender::dedup(const DedupOptions &Opts,
                                                    DedupStats *Stats) {
  DedupInput In;
  In.Name = I->PartNo == 1 ? StringRef(I->FirstName) : "the merged inputs";
  In.FirstId = I->firstId();
  In.StrBegin = I->strBegin();
  In.Split = true;
  In.Offsets = ArrayRef<uint32_t>(I->offsets(), I->numTypes());
  In.Words = reinterpret_cast<uint32_t *>(I->Types.data());
  In.TypeBytes = I->Types.size();
  In.Strings = StringRef(reinterpret_cast<const char *>(I->Strings.data()),
                         I->Strings.size());
  In.StringsFinal = true;
  In.StrBytesIn = I->StrBytesIn;
  // Appending is over.
  I->Set = StringSet();
  I->Cache = {};
  auto Out = dedupOver(I->Base, In, Opts, I->Index, Stats);
  I->clear();
  return Out;
}
