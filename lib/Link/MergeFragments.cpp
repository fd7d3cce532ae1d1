//===- MergeFragments.cpp - Many objects' fragments, one module BTF -------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Every fragment's types are first put over one common base:
//
//  - with the original base (the vmlinux the objects were built against),
//    each fragment's split types are relocated onto it (the kernel's own
//    procedure, which cannot fail for the base they were distilled from)
//    and standalone types are appended as they are; after deduplication
//    the module is distilled over that base, so the result is exactly what
//    distilling the merged module over the full base gives (pahole's
//    --btf_features=distilled_base does the same on the .ko);
//  - without it, over the union of the fragments' distilled bases
//    (DistilledUnion.cpp), which is the distilled base of the result.
//
// The types are concatenated over that base, DATASECs excepted: each
// object has its own `.data..percpu` DATASEC with offsets into its own
// section, and the linked file has one such section; one DATASEC per
// section name is rebuilt from the linked file's symbol table. Then the
// whole is deduplicated (Dedup.h), which merges what the objects share.
//
//===----------------------------------------------------------------------===//

#include "LinkInternal.h"

#include "btfkit/BaseIndex.h"
#include "btfkit/Builder.h"
#include "btfkit/Dedup.h"
#include "btfkit/Distill.h"
#include "btfkit/Error.h"
#include "btfkit/Reader.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>

using namespace btfkit;
using namespace btfkit::link;
using namespace llvm;

namespace {
/// One variable of a DATASEC, collected from a fragment.
struct SecVar {
  uint32_t Var;      // id in the concatenation
  std::string Name;  // the VAR's name (its symbol's name)
  uint32_t Size;     // the fragment's size for it
  std::string Label; // the fragment, for diagnostics
};
} // namespace

static Expected<std::vector<LoadedFragment>>
loadFragments(const LinkInput &In, ArrayRef<uint8_t> Section) {
  std::string SecLabel = In.Path + ":" + FragmentSectionName;
  auto Views = parseFragments(Section, SecLabel);
  if (!Views)
    return Views.takeError();
  std::vector<LoadedFragment> Out;
  for (FragmentView &V : *Views) {
    LoadedFragment F;
    F.Label = SecLabel + "[" +
              (V.Manifest.Source.empty() ? "+0x" + utohexstr(V.Offset)
                                         : V.Manifest.Source) +
              "]";
    if (V.Types.empty())
      return makeError(F.Label, "the fragment has no types blob");
    if (!V.DistilledBase.empty()) {
      auto D =
          BTF::parse(V.DistilledBase, nullptr, F.Label + "[distilled-base]");
      if (!D)
        return D.takeError();
      F.Distilled = std::move(*D);
    }
    auto T = BTF::parse(V.Types, F.Distilled.get(), F.Label + "[types]");
    if (!T)
      return T.takeError();
    F.Types = std::move(*T);
    F.View = std::move(V);
    Out.push_back(std::move(F));
  }
  return Out;
}

Expected<MergedModuleBTF> btfkit::mergeFragments(const LinkInput &In,
                                                 const BTF *Base,
                                                 LinkReport &Report) {
  auto SecOrErr = findELFSection(In.Path, In.Image, FragmentSectionName);
  if (!SecOrErr)
    return SecOrErr.takeError();
  if (!*SecOrErr)
    return makeError(In.Path, Twine("no ") + FragmentSectionName +
                                  " section: none of its objects was "
                                  "compiled with the btfkit plugin (or the "
                                  "fragments were merged already)");
  auto FragsOrErr = loadFragments(In, **SecOrErr);
  if (!FragsOrErr)
    return FragsOrErr.takeError();
  std::vector<LoadedFragment> &Frags = *FragsOrErr;
  std::string SecLabel = In.Path + ":" + FragmentSectionName;
  if (Error E = checkFragmentSet(Frags, SecLabel, Base,
                                 Base ? Base->name() : "", Report))
    return E;
  Report.NumFragments = Frags.size();

  auto InfoOrErr = readObjectInfo(In);
  if (!InfoOrErr)
    return InfoOrErr.takeError();
  ObjectInfo &Info = *InfoOrErr;

  // Compile units without a fragment (a multiset difference: two objects
  // may come from sources of one name).
  {
    StringMap<unsigned> Have;
    for (const LoadedFragment &F : Frags) {
      if (F.View.Manifest.Units.empty())
        ++Have[F.View.Manifest.Source];
      for (const std::string &U : F.View.Manifest.Units)
        ++Have[U];
    }
    for (const std::string &CU : Info.CompileUnits) {
      auto It = Have.find(CU);
      if (It != Have.end() && It->second) {
        --It->second;
        continue;
      }
      Report.MissingUnits.push_back(CU);
    }
  }

  // The common base and, per fragment, how its base ids map onto it.
  DistilledUnion Union;
  std::unique_ptr<BaseIndex> Index;
  std::vector<std::unique_ptr<RelocateResult>> Relocs(Frags.size());
  const BTF *Over = Base;
  if (Base) {
    Index = std::make_unique<BaseIndex>(*Base);
    for (size_t I = 0; I < Frags.size(); ++I) {
      if (!Frags[I].Distilled)
        continue;
      RelocateOptions RO;
      RO.Name = Frags[I].Label + "[relocated]";
      auto R = relocate(*Frags[I].Types, *Index, RO);
      if (!R)
        return R.takeError();
      if (!R->relocated())
        return makeError(
            Frags[I].Label,
            "its distilled base does not relocate onto " + Base->name() +
                ", the base its fingerprint "
                "names: " +
                Twine(R->Failures.size()) + " type(s) unmatched, the first " +
                describeType(
                    Frags[I].Distilled->type(R->Failures.front().DistilledId)));
      Relocs[I] = std::make_unique<RelocateResult>(std::move(*R));
    }
  } else {
    auto U = uniteDistilledBases(Frags, In.Path + ":.BTF.base");
    if (!U)
      return U.takeError();
    Union = std::move(*U);
    Over = Union.Base.get();
    for (const LoadedFragment &F : Frags)
      if (!F.Distilled && !F.View.Manifest.Base.empty()) {
        Report.Warnings.push_back(
            F.Label + ": built against a base but holds standalone types; "
                      "without the base (--base) they are not deduplicated "
                      "against it and stay in the module's .BTF");
      }
  }

  // Concatenate, DATASECs set aside.
  Builder CB(Over);
  CB.setReuseBaseStrings(true);
  std::map<std::string, std::vector<SecVar>> Secs;
  for (size_t I = 0; I < Frags.size(); ++I) {
    const LoadedFragment &F = Frags[I];
    const BTF &Src = Relocs[I] ? *Relocs[I]->Split : *F.Types;
    const uint32_t First = Src.firstId();
    // New ids of Src's own types; 0 for those left out (DATASECs and the
    // DECL_TAGs on them).
    std::vector<uint32_t> Local(Src.numTypes());
    uint32_t Next = CB.nextId();
    for (uint32_t Id = First; Id < Src.endId(); ++Id) {
      Type T = Src.type(Id);
      bool Skip =
          T.is(Kind::Datasec) || (T.is(Kind::DeclTag) && T.typeId() >= First &&
                                  Src.type(T.typeId()).is(Kind::Datasec));
      Local[Id - First] = Skip ? 0 : Next++;
    }
    const std::vector<uint32_t> *UMap =
        (!Relocs[I] && F.Distilled) ? &Union.Map[I] : nullptr;
    auto MapId = [&](uint32_t Id) -> uint32_t {
      if (Id >= First)
        return Local[Id - First];
      if (UMap)
        return (*UMap)[Id];
      return Id; // void, or a type of the original base
    };
    for (uint32_t Id = First; Id < Src.endId(); ++Id) {
      Type T = Src.type(Id);
      if (T.is(Kind::Datasec)) {
        for (const VarSecInfo &VS : T.secInfos())
          Secs[T.name().str()].push_back({MapId(VS.Type),
                                          Src.type(VS.Type).name().str(),
                                          VS.Size, F.Label});
        continue;
      }
      if (!Local[Id - First])
        continue;
      uint32_t New = CB.addCopy(T, MapId);
      (void)New;
      assert(New == Local[Id - First] && "id plan and builder disagree");
    }
  }

  // One DATASEC per section, offsets and sizes from the linked file.
  for (auto &[SecName, Vars] : Secs) {
    auto SizeIt = Info.SectionSizes.find(SecName);
    if (SizeIt == Info.SectionSizes.end()) {
      Report.Warnings.push_back(In.Path + ": no section " + SecName +
                                " for the variables the fragments place "
                                "there; their DATASEC is left out");
      continue;
    }
    struct Placed {
      uint64_t Off, Size;
      uint32_t Var;
    };
    std::vector<Placed> P;
    for (const SecVar &V : Vars) {
      auto SymIt = Info.Symbols.find({SecName, V.Name});
      if (SymIt == Info.Symbols.end() || SymIt->second.empty()) {
        Report.Warnings.push_back(V.Label + ": variable '" + V.Name +
                                  "' has no symbol in " + SecName +
                                  " of the linked file; left out of its "
                                  "DATASEC");
        continue;
      }
      auto [Off, Size] = SymIt->second.front();
      SymIt->second.pop_front();
      P.push_back({Off, Size ? Size : V.Size, V.Var});
    }
    std::stable_sort(P.begin(), P.end(), [](const Placed &A, const Placed &B) {
      return A.Off < B.Off;
    });
    CB.addDatasec(SecName, uint32_t(SizeIt->second));
    for (const Placed &X : P)
      CB.addSecInfo(X.Var, uint32_t(X.Off), uint32_t(X.Size));
  }

  std::string Name = In.Path + ":.BTF";
  auto Whole = CB.build(Name + " (before deduplication)");
  if (!Whole)
    return Whole.takeError();
  std::unique_ptr<DedupBase> DIndex;
  if (Base)
    DIndex = DedupBase::create(*Base);
  auto Merged = dedup(**Whole, Name, {}, DIndex.get());
  if (!Merged)
    return Merged.takeError();

  MergedModuleBTF Out;
  if (Base) {
    auto D = distill(**Merged);
    if (!D)
      return D.takeError();
    Out.DistilledBase = std::move(D->Base);
    Out.Split = std::move(D->Split);
  } else {
    Out.DistilledBase = std::move(Union.Base);
    Out.Split = std::move(*Merged);
  }
  Report.NumBaseTypes = Out.DistilledBase->numTypes();
  Report.NumSplitTypes = Out.Split->numTypes();
  return Out;
}
