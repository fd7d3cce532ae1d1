//===- BaseIndex.cpp - A target base, indexed for relocation --------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The facts recorded are those btf_relocate_map_distilled_base() (kernel
// and libbpf btf_relocate.c) derives from the base on every call: the kinds
// it looks at, and the "needs size" rule, which for STRUCT/UNION depends on
// how many composites share the *name offset* (not the name text; the two
// agree in any deduplicated BTF).
//
//===----------------------------------------------------------------------===//

#include "btfkit/BaseIndex.h"
#include "btfkit/Distill.h"

using namespace btfkit;
using namespace llvm;

BaseIndex::BaseIndex(const BTF &Target) : Target(Target) {
  uint32_t End = Target.endId();
  // Composites per name offset; only "more than one" matters.
  DenseMap<uint32_t, uint8_t> CompositeNames;
  for (uint32_t Id = 1; Id < End; ++Id) {
    Type T = Target.type(Id);
    if (T.isComposite() && T.nameOff()) {
      uint8_t &N = CompositeNames[T.nameOff()];
      if (N < 2)
        ++N;
    }
  }

  // Group the entries by name (a counting sort keeps id order in a group).
  std::vector<Entry> Flat;
  std::vector<uint32_t> GroupOf;
  std::vector<uint32_t> GroupSize;
  DenseMap<StringRef, uint32_t> Group;
  for (uint32_t Id = 1; Id < End; ++Id) {
    Type T = Target.type(Id);
    if (!T.nameOff() || !isDistilledBaseKind(T.kind()))
      continue;
    Entry E;
    E.Id = Id;
    E.NameOff = T.nameOff();
    E.Size = T.common().SizeOrType; // FWD's is unused: 0 in valid BTF
    E.K = T.kind();
    E.KindFlag = T.kindFlag();
    E.IntEncoding = T.is(Kind::Int) ? uint8_t(T.intEncoding()) : 0;
    switch (E.K) {
    case Kind::Fwd:
      E.NeedsSize = false;
      break;
    case Kind::Struct:
    case Kind::Union:
      E.NeedsSize = CompositeNames.lookup(E.NameOff) > 1;
      break;
    default:
      E.NeedsSize = true;
      break;
    }
    auto [It, New] = Group.try_emplace(T.name(), uint32_t(GroupSize.size()));
    if (New)
      GroupSize.push_back(0);
    ++GroupSize[It->second];
    GroupOf.push_back(It->second);
    Flat.push_back(E);
  }
  std::vector<uint32_t> Start(GroupSize.size());
  uint32_t Pos = 0;
  for (size_t G = 0; G < GroupSize.size(); ++G) {
    Start[G] = Pos;
    Pos += GroupSize[G];
  }
  Entries.resize(Flat.size());
  std::vector<uint32_t> Fill = Start;
  for (size_t I = 0; I < Flat.size(); ++I)
    Entries[Fill[GroupOf[I]]++] = Flat[I];
  ByName.reserve(Group.size());
  for (auto &KV : Group)
    ByName[KV.first] = {Start[KV.second],
                        Start[KV.second] + GroupSize[KV.second]};
}

ArrayRef<BaseIndex::Entry> BaseIndex::lookup(StringRef Name) const {
  auto It = ByName.find(Name);
  if (It == ByName.end())
    return {};
  return ArrayRef<Entry>(Entries).slice(It->second.first,
                                        It->second.second - It->second.first);
}
