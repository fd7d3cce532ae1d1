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

const uint32_t DedupBase::Impl::VoidRecord[3] = {0, 0, 0};

DedupBase::DedupBase(std::unique_ptr<Impl> I) : I(std::move(I)) {}
DedupBase::~DedupBase() = default;
const BTF &DedupBase::btf() const { return *I->Base; }

std::unique_ptr<DedupBase> DedupBase::create(const BTF &Base) {
  auto I = std::make_unique<Impl>();
  I->Base = &Base;
  I->EndId = Base.endId();
  I->Rec.resize(I->EndId, nullptr);
  I->Rec[0] = Impl::VoidRecord;
  // The chain, lowest first.
  std::vector<const BTF *> Chain;
  for (const BTF *B = &Base; B; B = B->base())
    Chain.push_back(B);
  for (const BTF *B : Chain) {
    auto *Words = reinterpret_cast<const uint32_t *>(B->typeSection().data());
    for (uint32_t Id = B->firstId(); Id < B->endId(); ++Id)
      I->Rec[Id] = Words + B->typeOffset(Id) / 4;
  }

  I->Types.init(1, I->EndId, I->EndId);
  for (uint32_t Id = 1; Id < I->EndId; ++Id) {
    const uint32_t *R = I->Rec[Id];
    uint64_t H;
    if (recKind(R) <= MaxKnownKind && finalHash(R, H))
      I->Types.insert(H, Id);
    if (recKind(R) == KStruct || recKind(R) == KUnion) {
      auto [It, New] = I->CompositeNames.try_emplace(recName(R), Id);
      if (!New)
        It->second = 0;
    }
  }

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
