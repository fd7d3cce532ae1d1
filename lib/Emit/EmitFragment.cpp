//===- EmitFragment.cpp - A unit's types as a fragment over a base --------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The converter makes standalone BTF (ids from 1, its own "int"s and
// "struct list_head"s). Renumbering it over the base and deduplicating is
// what pahole does for a module (btf__dedup() of split BTF): every type
// equal to a base type, cycles and forward declarations included, becomes
// a reference to the base's. Building split output in the converter instead
// would have to decide base equivalence type by type during conversion,
// which is dedup's job; renumbering costs one pass over the unit's records.
//
// Distilling then keeps just the base types the unit refers to, as
// memberless composites, sized enums, INTs, FLOATs and FWDs (libbpf's
// btf__distill_base()), and the tags record which distilled composites are
// embedded by value, computed by the relocator's own rule
// (embeddedBaseComposites()), so that tags and relocation never disagree.
//
//===----------------------------------------------------------------------===//

#include "btfkit/EmitFragment.h"

#include "btfkit/Builder.h"
#include "btfkit/Dedup.h"
#include "btfkit/Distill.h"
#include "btfkit/Error.h"
#include "btfkit/Relocate.h"
#include "btfkit/TypeWalk.h"
#include "btfkit/Writer.h"

#include <cstring>

using namespace btfkit;
using namespace llvm;

Expected<std::unique_ptr<BTF>>
btfkit::standaloneOverBase(ArrayRef<uint8_t> Standalone, const BTF &Base,
                           StringRef Name) {
  auto TU = BTF::parse(Standalone, nullptr, Name.str());
  if (!TU)
    return TU.takeError();
  if ((*TU)->isSplit() || Base.isSplit())
    return makeError(Name, "internal error: expected standalone BTF and a "
                           "base that is not split");
  const BTF &S = **TU;
  const uint32_t IdShift = Base.endId() - 1;
  const uint32_t StrShift = Base.strEnd();
  // The own string table keeps its leading NUL: offset 0 stays the base's
  // empty string, and dedup rewrites the table anyway.
  std::vector<uint8_t> Blob = serializeRemapped(
      S, [&](uint32_t Ref) { return Ref ? Ref + IdShift : 0; },
      [&](uint32_t Off) { return Off + StrShift; });
  return BTF::parseOwned(std::move(Blob), &Base, Name.str());
}

Expected<SplitFragment> btfkit::makeSplitFragment(ArrayRef<uint8_t> Standalone,
                                                  const BTF &Base,
                                                  StringRef Name,
                                                  const DedupBase *Index) {
  SplitFragment F;
  auto Over = standaloneOverBase(Standalone, Base, Name);
  if (!Over)
    return Over.takeError();
  F.TypesIn = (*Over)->numTypes();

  // Either index gives the same bytes (DedupBaseFor.cpp).
  std::unique_ptr<DedupBase> Own;
  if (!Index) {
    Own = DedupBase::createFor(Base, **Over);
    Index = Own.get();
  }
  auto Deduped = dedup(**Over, Name.str(), DedupOptions(), Index);
  if (!Deduped)
    return Deduped.takeError();
  F.TypesDeduped = (*Deduped)->numTypes();

  auto D = distill(**Deduped);
  if (!D)
    return D.takeError();
  F.TypesOut = D->Split->numTypes();
  F.DistilledTypes = D->Base->numTypes();

  Builder Tags(D->Split.get());
  std::vector<uint8_t> Embedded = embeddedBaseComposites(*D->Split);
  for (uint32_t Id = 1; Id < Embedded.size(); ++Id)
    if (Embedded[Id]) {
      Tags.addDeclTag(EmbeddedTagValue, Id, -1);
      ++F.EmbeddedComposites;
    }

  F.DistilledBase = serializeBTF(*D->Base);
  F.Types = serializeBTF(*D->Split);
  F.EmbeddedTags = Tags.serialize();
  return F;
}
