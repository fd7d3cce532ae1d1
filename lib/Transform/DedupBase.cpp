//===- DedupBase.cpp - The base BTF's index for deduplication -------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Every base type is final (self-canonical) before deduplication starts, so
// its signature can be computed once, with the same functions split types use
// once they are final (libbpf's btf_dedup_prep does this at the start of every
// run; here it is done once per base and shared). The string index lets split
// strings that the base already holds reuse the base's offsets, as libbpf's
// btf__find_str() on the base does: the lowest offset of a repeated string
// wins.
//
//===----------------------------------------------------------------------===//

#include "DedupIndex.h"

#include "btfkit/Error.h"

#include "llvm/Support/ErrorHandling.h"

#include <cstdlib>
#include <cstring>

#if defined(__linux__)
#include <sys/mman.h>
#endif

using namespace btfkit;
using namespace btfkit::dd;
using namespace llvm;

void btfkit::dd::adviseHugePages(void *Begin, size_t Bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  (void)madvise(Begin, Bytes, MADV_HUGEPAGE);
#endif
}

void btfkit::dd::releasePages(void *Begin, size_t Bytes) {
#if defined(__linux__) && defined(MADV_DONTNEED)
  const uintptr_t Page = 4096;
  uintptr_t B = (reinterpret_cast<uintptr_t>(Begin) + Page - 1) & ~(Page - 1);
  uintptr_t E = (reinterpret_cast<uintptr_t>(Begin) + Bytes) & ~(Page - 1);
  if (E > B)
    (void)madvise(reinterpret_cast<void *>(B), E - B, MADV_DONTNEED);
#else
  (void)Begin;
  (void)Bytes;
#endif
}

ZeroedWords::ZeroedWords(size_t N) : Bytes(N * sizeof(uint32_t)) {
  if (!Bytes)
    return;
#if defined(__linux__)
  void *M = ::mmap(nullptr, Bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (M != MAP_FAILED) {
    P = static_cast<uint32_t *>(M);
    Mapped = true;
    // Big merges touch every page: huge pages save most of the faults.
    constexpr size_t Huge = size_t(2) << 20;
    if (Bytes >= 4 * Huge)
      adviseHugePages(M, Bytes);
    return;
  }
#endif
  P = static_cast<uint32_t *>(std::calloc(N, sizeof(uint32_t)));
  if (!P)
    report_bad_alloc_error("btfkit: out of memory for a dedup table");
}

ZeroedWords::~ZeroedWords() {
#if defined(__linux__)
  if (Mapped) {
    ::munmap(P, Bytes);
    return;
  }
#endif
  std::free(P);
}

DedupBase::DedupBase(std::unique_ptr<Impl> I) : I(std::move(I)) {}
DedupBase::~DedupBase() = default;
const BTF &DedupBase::btf() const { return *I->Base; }

std::vector<const BTF *> DedupBase::Impl::indexRecords(const BTF &B) {
  Base = &B;
  EndId = B.endId();
  TopFirst = B.firstId();
  TopTypes = B.typeSection().data();
  TopOffsets = B.typeOffsets();
  Rec.assign(TopFirst, nullptr);
  Rec[0] = &VoidRecord;
  std::vector<const BTF *> Chain;
  for (const BTF *L = &B; L; L = L->base())
    Chain.push_back(L);
  for (const BTF *L : Chain) {
    if (L == &B)
      continue;
    for (uint32_t Id = L->firstId(); Id < L->endId(); ++Id)
      Rec[Id] = &L->type(Id).common();
  }
  return Chain;
}

std::unique_ptr<DedupBase> DedupBase::create(const BTF &Base) {
  auto I = std::make_unique<Impl>();
  std::vector<const BTF *> Chain = I->indexRecords(Base);
  I->Complete = true;

  I->Types.init(1, I->EndId - 1, I->EndId);
  for (uint32_t Id = 1; Id < I->EndId; ++Id) {
    RecordRef R = I->rec(Id);
    uint64_t H;
    if (finalHash(R, H))
      I->Types.insert(H, Id);
    if (R.isComposite())
      I->Composites.add(R.nameOff(), Id);
  }
  I->Composites.finish();

  size_t NStrings = 0;
  for (const BTF *B : Chain)
    NStrings += B->stringSection().size() / 8;
  I->Strings.reserve(NStrings);
  const Impl &Ref = *I;
  auto StrAt = [&Ref](uint32_t Off) { return Ref.str(Off); };
  for (auto It = Chain.rbegin(); It != Chain.rend(); ++It) {
    StringRef Tab = (*It)->stringSection();
    const uint32_t Begin = (*It)->strBegin();
    for (size_t Pos = 0; Pos < Tab.size();) {
      StringRef S(Tab.data() + Pos);
      uint32_t Off = Begin + uint32_t(Pos);
      if (!S.empty() && Off != 0)
        I->Strings.insert(S, hashString(S), Off, StrAt);
      Pos += S.size() + 1;
    }
  }
  return std::unique_ptr<DedupBase>(new DedupBase(std::move(I)));
}

// The saved form: a header of 32-bit words, then the tables' arrays as they
// are in memory (host byte order; a saved index never leaves the machine
// that wrote it). load() checks sizes only, so that using a saved index
// reads just the pages a deduplication touches; the views never hand out an
// id or offset out of range (DedupIndex.h), whatever the bytes.
namespace {
constexpr uint32_t SavedMagic = 0x58494442; // "BDIX"
// 2: TYPEDEF signatures without the referenced type (hashTypedef).
constexpr uint32_t SavedVersion = 2;
enum SavedWord : unsigned {
  WMagic,
  WVersion,
  WEndId,
  WStrEnd,
  WIdBase,
  WTypeSlots,
  WNextIds,
  WStrSlots,
  WComposites,
  WReserved,
  NumHeaderWords
};
} // namespace

std::vector<uint8_t> DedupBase::save() const {
  assert(I->Complete && "only create()'s index is saved");
  auto TS = I->Types.slots();
  auto NI = I->Types.nextIds();
  auto SS = I->Strings.slots();
  auto CN = I->Composites.entries();
  uint32_t H[NumHeaderWords] = {};
  H[WMagic] = SavedMagic;
  H[WVersion] = SavedVersion;
  H[WEndId] = I->EndId;
  H[WStrEnd] = I->Base->strEnd();
  H[WIdBase] = I->Types.idBase();
  H[WTypeSlots] = uint32_t(TS.size());
  H[WNextIds] = uint32_t(NI.size());
  H[WStrSlots] = uint32_t(SS.size());
  H[WComposites] = uint32_t(CN.size());
  std::vector<uint8_t> Out(sizeof(H) + TS.size() * sizeof(TS[0]) +
                           NI.size() * sizeof(NI[0]) +
                           SS.size() * sizeof(SS[0]) +
                           CN.size() * sizeof(CN[0]));
  size_t At = 0;
  auto Append = [&Out, &At](const void *P, size_t N) {
    if (N) // memcpy from null is undefined even for 0 bytes
      std::memcpy(Out.data() + At, P, N);
    At += N;
  };
  Append(H, sizeof(H));
  Append(TS.data(), TS.size() * sizeof(TS[0]));
  Append(NI.data(), NI.size() * sizeof(NI[0]));
  Append(SS.data(), SS.size() * sizeof(SS[0]));
  Append(CN.data(), CN.size() * sizeof(CN[0]));
  return Out;
}

Expected<std::unique_ptr<DedupBase>>
DedupBase::load(const BTF &Base, ArrayRef<uint8_t> Saved, StringRef Name) {
  auto Bad = [&](const Twine &Why) {
    return makeError(Name, "saved dedup index: " + Why);
  };
  if (reinterpret_cast<uintptr_t>(Saved.data()) % alignof(uint32_t))
    return Bad("not aligned");
  if (Saved.size() < NumHeaderWords * 4)
    return Bad("truncated header");
  const uint32_t *H = reinterpret_cast<const uint32_t *>(Saved.data());
  if (H[WMagic] != SavedMagic || H[WVersion] != SavedVersion)
    return Bad("unknown magic or version");
  if (H[WEndId] != Base.endId() || H[WStrEnd] != Base.strEnd())
    return Bad("made for a base of " + Twine(H[WEndId] - 1) + " types and " +
               Twine(H[WStrEnd]) + " string bytes, not this one's " +
               Twine(Base.endId() - 1) + " and " + Twine(Base.strEnd()));
  uint64_t Need = NumHeaderWords * 4 + uint64_t(H[WTypeSlots]) * 8 +
                  uint64_t(H[WNextIds]) * 4 + uint64_t(H[WStrSlots]) * 8 +
                  uint64_t(H[WComposites]) * 8;
  if (Saved.size() != Need)
    return Bad(Twine(Saved.size()) + " bytes where the header says " +
               Twine(Need));
  const uint32_t *P = H + NumHeaderWords;
  auto Take = [&P](size_t Words) {
    const uint32_t *R = P;
    P += Words;
    return R;
  };
  using TSlot = dd::CandidateTable::Slot;
  using SSlot = dd::StringSet::Slot;
  using CEntry = dd::CompositeNames::Entry;
  ArrayRef<TSlot> TS(reinterpret_cast<const TSlot *>(Take(H[WTypeSlots] * 2)),
                     H[WTypeSlots]);
  ArrayRef<uint32_t> NI(Take(H[WNextIds]), H[WNextIds]);
  ArrayRef<SSlot> SS(reinterpret_cast<const SSlot *>(Take(H[WStrSlots] * 2)),
                     H[WStrSlots]);
  ArrayRef<CEntry> CN(
      reinterpret_cast<const CEntry *>(Take(H[WComposites] * 2)),
      H[WComposites]);

  auto I = std::make_unique<Impl>();
  I->indexRecords(Base);
  I->Complete = true;
  if (H[WIdBase] != 1 || NI.size() != I->EndId - 1 ||
      !I->Types.adopt(TS, NI, H[WIdBase]))
    return Bad("type table does not fit the base");
  if (!I->Strings.adopt(SS, Base.strEnd()))
    return Bad("string table does not fit the base");
  I->Composites.adopt(CN, I->EndId);
  return std::unique_ptr<DedupBase>(new DedupBase(std::move(I)));
}
