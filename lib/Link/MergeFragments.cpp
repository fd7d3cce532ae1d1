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
// With --dwarf-fallback, the compile units no fragment covers are encoded
// from the linked file's DWARF (DwarfToBTF.h) into standalone BTF and join
// the concatenation like standalone fragments: deduplicated against the
// base and the other objects, their per-CPU DATASEC rebuilt the same way.
//
// Objects compiled with gcc -gbtf carry their own standalone BTF, which
// `ld -r` concatenates in .BTF; its blobs (normalized, GccBTF.cpp) join the
// same way, in place of the DWARF route when asked or when the file has
// neither fragments nor DWARF (GccBTFMode).
//
// mergeFragments() runs these as phases, one function each: readFragments,
// relocateOntoBase or uniteBases, encodeUncoveredUnits or addGccUnits,
// concatenateTypes,
// rebuildDatasecs, dedupAndDistill.
//
//===----------------------------------------------------------------------===//

#include "DwarfToBTF.h"
#include "LinkInternal.h"

#include "btfkit/BaseIndex.h"
#include "btfkit/Builder.h"
#include "btfkit/Dedup.h"
#include "btfkit/Distill.h"
#include "btfkit/Encode.h"
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

/// The indices of \p CUs that no fragment covers. Both lists are in link
/// order (ld places the objects' .debug_info and .BTF.btfkit pieces in
/// the order of its inputs), so each unit is matched to the next fragment
/// when their names agree; when the orders disagree (an LTO fragment's
/// unit list), by name alone, the first units of a name counting as
/// covered. Names cannot tell two objects of one source apart: when the
/// one without a fragment comes first, the other is encoded from DWARF
/// instead, which gives the same types (deduplication merges them).
static std::vector<size_t> uncoveredUnits(ArrayRef<std::string> CUs,
                                          ArrayRef<LoadedFragment> Frags) {
  std::vector<StringRef> Covered;
  for (const LoadedFragment &F : Frags) {
    if (F.View.Manifest.Units.empty())
      Covered.push_back(F.View.Manifest.Source);
    for (const std::string &U : F.View.Manifest.Units)
      Covered.push_back(U);
  }
  std::vector<size_t> Out;
  size_t J = 0;
  for (size_t I = 0; I < CUs.size(); ++I) {
    if (J < Covered.size() && CUs[I] == Covered[J])
      ++J;
    else
      Out.push_back(I);
  }
  if (J == Covered.size())
    return Out;
  Out.clear();
  StringMap<unsigned> Have;
  for (StringRef C : Covered)
    ++Have[C];
  for (size_t I = 0; I < CUs.size(); ++I) {
    auto It = Have.find(CUs[I]);
    if (It != Have.end() && It->second) {
      --It->second;
      continue;
    }
    Out.push_back(I);
  }
  return Out;
}

/// Phase 1: the fragments of \p In's .BTF.btfkit section (none when it has
/// none and \p DwarfFallback may stand in), loaded and checked to be of one
/// compatible producer and of one base (\p IBase's when given).
static Expected<std::vector<LoadedFragment>>
readFragments(const LinkInput &In, const IndexedBase *IBase, bool DwarfFallback,
              LinkReport &Report) {
  auto SecOrErr = findELFSection(In.Path, In.Image, FragmentSectionName);
  if (!SecOrErr)
    return SecOrErr.takeError();
  if (!*SecOrErr && !DwarfFallback)
    return makeError(In.Path, Twine("no ") + FragmentSectionName +
                                  " section: none of its objects was "
                                  "compiled with the btfkit plugin (or the "
                                  "fragments were merged already)");
  std::vector<LoadedFragment> Frags;
  if (*SecOrErr) {
    auto FragsOrErr = loadFragments(In, **SecOrErr);
    if (!FragsOrErr)
      return FragsOrErr.takeError();
    Frags = std::move(*FragsOrErr);
  }
  std::string SecLabel = In.Path + ":" + FragmentSectionName;
  if (Error E = checkFragmentSet(Frags, SecLabel,
                                 IBase ? &IBase->fingerprint() : nullptr,
                                 IBase ? IBase->btf().name() : "", Report))
    return E;
  Report.NumFragments = Frags.size();
  return Frags;
}

namespace {
/// The base every fragment's types are put over, and how.
struct CommonBase {
  /// The original base, or the union of the distilled bases.
  const BTF *Over = nullptr;
  /// Without the original base: the union, and each fragment's map onto it.
  DistilledUnion Union;
  /// With it: each fragment's split types relocated onto it (null for
  /// standalone fragments).
  std::vector<std::unique_ptr<RelocateResult>> Relocs;
};
} // namespace

/// Phase 2, with the original base: relocates each fragment's split types
/// onto it, which cannot fail for the base they were distilled from.
static Expected<CommonBase> relocateOntoBase(ArrayRef<LoadedFragment> Frags,
                                             const IndexedBase &IBase) {
  CommonBase C;
  const BTF &Base = IBase.btf();
  C.Over = &Base;
  C.Relocs.resize(Frags.size());
  const BaseIndex &Index = IBase.relocationIndex();
  for (size_t I = 0; I < Frags.size(); ++I) {
    if (!Frags[I].Distilled)
      continue;
    RelocateOptions RO;
    RO.Name = Frags[I].Label + "[relocated]";
    auto R = relocate(*Frags[I].Types, Index, RO);
    if (!R)
      return R.takeError();
    if (!R->relocated())
      return makeError(
          Frags[I].Label,
          "its distilled base does not relocate onto " + Base.name() +
              ", the base its fingerprint "
              "names: " +
              Twine(R->Failures.size()) + " type(s) unmatched, the first " +
              describeType(
                  Frags[I].Distilled->type(R->Failures.front().DistilledId)));
    C.Relocs[I] = std::make_unique<RelocateResult>(std::move(*R));
  }
  return C;
}

/// Phase 2, without it: the union of the fragments' distilled bases.
static Expected<CommonBase> uniteBases(const LinkInput &In,
                                       ArrayRef<LoadedFragment> Frags,
                                       LinkReport &Report) {
  CommonBase C;
  C.Relocs.resize(Frags.size());
  auto U = uniteDistilledBases(Frags, In.Path + ":.BTF.base");
  if (!U)
    return U.takeError();
  C.Union = std::move(*U);
  C.Over = C.Union.Base.get();
  for (const LoadedFragment &F : Frags)
    if (!F.Distilled && !F.View.Manifest.Base.empty()) {
      Report.Warnings.push_back(
          F.Label + ": built against a base but holds standalone types; "
                    "without the base (--base) they are not deduplicated "
                    "against it and stay in the module's .BTF");
    }
  return C;
}

/// A unit the link step encoded itself (from DWARF, or GCC's BTF), merged
/// like a standalone fragment of source \p Source.
static LoadedFragment standaloneUnit(std::string Label, std::string Source,
                                     std::unique_ptr<BTF> Types) {
  LoadedFragment F;
  F.Label = std::move(Label);
  F.Types = std::move(Types);
  F.View.Manifest.Source = std::move(Source);
  return F;
}

/// Phase 3, --dwarf-fallback: the units without a fragment (\p Uncovered of
/// \p Info's), encoded from DWARF with the fragments' features (Kbuild's
/// defaults when there is no fragment) and INT names following the base's,
/// as the plugin writes them, appended to \p Frags as standalone fragments.
/// (Run even when every unit is covered: it checks that the DWARF reads,
/// so that no unit is missed because its name could not be read.)
static Error encodeUncoveredUnits(const LinkInput &In, const ObjectInfo &Info,
                                  ArrayRef<size_t> Uncovered,
                                  const IndexedBase *IBase,
                                  std::vector<LoadedFragment> &Frags,
                                  CommonBase &Common, LinkReport &Report) {
  const BTF *Base = IBase ? &IBase->btf() : nullptr;
  EncodeOptions DO;
  DO.Features = DefaultFeatures;
  if (!Frags.empty()) {
    auto F = parseFeatures(Frags.front().View.Manifest.Features,
                           Frags.front().Label);
    if (F)
      DO.Features = *F;
    else
      consumeError(F.takeError()); // a newer producer's feature name
  }
  DO.NamingBase = Base;
  DO.QualifiedArrays = IBase && IBase->qualifiedArrays();
  std::vector<uint64_t> Offsets;
  for (size_t I : Uncovered)
    Offsets.push_back(Info.CompileUnitOffsets[I]);
  auto Units = encodeDwarfUnits(In, Offsets, DO, Report.Warnings);
  if (!Units)
    return Units.takeError();
  // Without the base, the fragments' base types are memberless distilled
  // records, which full DWARF-made structs cannot deduplicate into.
  bool Distilled = llvm::any_of(
      Frags, [](const LoadedFragment &F) { return bool(F.Distilled); });
  if (!Base && Distilled && !Units->empty())
    Report.Warnings.push_back(
        In.Path + ": the compile units encoded from DWARF are not "
                  "deduplicated against the base without --base: base "
                  "types they describe are private copies in the "
                  "module's .BTF");
  for (DwarfUnitBTF &U : *Units) {
    Frags.push_back(standaloneUnit(U.Label, U.Name, std::move(U.Types)));
    Report.DwarfUnits.push_back(U.Name);
    Report.NumDwarfFuncs += U.NumFuncs;
    Report.NumDwarfVars += U.NumVars;
  }
  Common.Relocs.resize(Frags.size());
  return Error::success();
}

/// The linked file's .BTF when it may hold gcc -gbtf blobs for \p Gcc: a
/// file merged before (.BTF.base) or of btfkit fragments has none.
static Expected<std::optional<ArrayRef<uint8_t>>>
gccBTFSection(const LinkInput &In, GccBTFMode Gcc) {
  using Result = std::optional<ArrayRef<uint8_t>>;
  if (Gcc == GccBTFMode::Never)
    return Result();
  auto Btf = findELFSection(In.Path, In.Image, BTFSectionName);
  if (!Btf)
    return Btf.takeError();
  auto Base = findELFSection(In.Path, In.Image, BTFBaseSectionName);
  if (!Base)
    return Base.takeError();
  if (Gcc == GccBTFMode::Always) {
    if (!*Btf)
      return makeError(In.Path, "no .BTF section: none of its objects was "
                                "compiled with gcc -gbtf (--gcc-btf)");
    if (*Base)
      return makeError(In.Path + ":" + BTFSectionName,
                       "is a module's split BTF (the file has .BTF.base), "
                       "not the BTF of gcc -gbtf objects (--gcc-btf)");
    return *Btf;
  }
  if (!*Btf || *Base)
    return Result();
  auto Frag = findELFSection(In.Path, In.Image, FragmentSectionName);
  if (!Frag)
    return Frag.takeError();
  return *Frag ? Result() : *Btf;
}

/// Phase 3, GCC's route: the blobs of \p Section, normalized
/// (GccBTF.cpp), appended to \p Frags as standalone fragments. \p NumUnits
/// compile units of the file's DWARF have no fragment: one blob each is
/// expected.
static Error addGccUnits(const LinkInput &In, ArrayRef<uint8_t> Section,
                         size_t NumUnits, const IndexedBase *IBase,
                         std::vector<LoadedFragment> &Frags, CommonBase &Common,
                         LinkReport &Report) {
  auto Units = readGccBlobs(In, Section, IBase);
  if (!Units)
    return Units.takeError();
  if (NumUnits && Units->size() != NumUnits)
    Report.Warnings.push_back(
        In.Path + ": " + std::to_string(NumUnits) +
        " compile units without a btfkit fragment but " +
        std::to_string(Units->size()) +
        " BTF blobs of gcc -gbtf in .BTF: objects compiled without "
        "-gbtf are not in the module's BTF");
  for (GccUnitBTF &U : *Units) {
    Frags.push_back(standaloneUnit(U.Label, U.Label, std::move(U.Types)));
    Report.GccBlobs.push_back(U.Offset);
    Report.NumGccFuncs += U.NumFuncs;
    Report.NumGccVars += U.NumVars;
  }
  Common.Relocs.resize(Frags.size());
  return Error::success();
}

/// The variables of each DATASEC the fragments hold, by section name.
using SectionVars = std::map<std::string, std::vector<SecVar>>;

/// Phase 4: every fragment's types appended to \p CB, over the common
/// base, DATASECs set aside (their variables go to the result). (Strings
/// the base holds get its offsets in deduplication, from the base's
/// index.)
static SectionVars concatenateTypes(ArrayRef<LoadedFragment> Frags,
                                    const CommonBase &Common, Builder &CB) {
  SectionVars Secs;
  for (size_t I = 0; I < Frags.size(); ++I) {
    const LoadedFragment &F = Frags[I];
    const BTF &Src = Common.Relocs[I] ? *Common.Relocs[I]->Split : *F.Types;
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
        (!Common.Relocs[I] && F.Distilled) ? &Common.Union.Map[I] : nullptr;
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
  return Secs;
}

/// Phase 5: one DATASEC per section of \p Secs, added to \p CB, with the
/// linked file's section size and its symbols' offsets and sizes.
static void rebuildDatasecs(const LinkInput &In, ObjectInfo &Info,
                            const SectionVars &Secs, Builder &CB,
                            LinkReport &Report) {
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
}

/// Phase 6: the concatenation deduplicated (what the objects share merged,
/// types equal to the base's taken from it) and, over the original base,
/// distilled; over the union of the distilled bases, that union is the
/// distilled base.
static Expected<MergedModuleBTF> dedupAndDistill(const LinkInput &In,
                                                 const Builder &CB,
                                                 const IndexedBase *IBase,
                                                 CommonBase &Common) {
  std::string Name = In.Path + ":.BTF";
  auto Whole = CB.build(Name + " (before deduplication)");
  if (!Whole)
    return Whole.takeError();
  std::unique_ptr<DedupBase> OwnIndex;
  const DedupBase *DIndex = IBase ? IBase->dedupIndex() : nullptr;
  if (IBase && !DIndex) {
    OwnIndex = DedupBase::create(IBase->btf());
    DIndex = OwnIndex.get();
  }
  auto Merged = dedup(**Whole, Name, {}, DIndex);
  if (!Merged)
    return Merged.takeError();

  MergedModuleBTF Out;
  if (IBase) {
    auto D = distill(**Merged);
    if (!D)
      return D.takeError();
    Out.DistilledBase = std::move(D->Base);
    Out.Split = std::move(D->Split);
  } else {
    Out.DistilledBase = std::move(Common.Union.Base);
    Out.Split = std::move(*Merged);
  }
  return Out;
}

Expected<MergedModuleBTF>
btfkit::mergeFragments(const LinkInput &In, const IndexedBase *IBase,
                       LinkReport &Report, bool DwarfFallback, GccBTFMode Gcc) {
  auto GccSec = gccBTFSection(In, Gcc);
  if (!GccSec)
    return GccSec.takeError();
  auto Frags = readFragments(In, IBase, DwarfFallback || *GccSec, Report);
  if (!Frags)
    return Frags.takeError();
  auto Info = readObjectInfo(In);
  if (!Info)
    return Info.takeError();
  // Compile units without a fragment (two objects may have sources of one
  // name).
  std::vector<size_t> Uncovered = uncoveredUnits(Info->CompileUnits, *Frags);
  // GCC's blobs are the objects' BTF: always when asked for, otherwise
  // where nothing else describes them (no fragment, no DWARF).
  bool UseGcc = *GccSec && (Gcc == GccBTFMode::Always ||
                            (Frags->empty() && Info->CompileUnits.empty()));
  if (!UseGcc)
    for (size_t I : Uncovered)
      Report.MissingUnits.push_back(Info->CompileUnits[I]);

  auto Common =
      IBase ? relocateOntoBase(*Frags, *IBase) : uniteBases(In, *Frags, Report);
  if (!Common)
    return Common.takeError();
  if (UseGcc) {
    if (Error E = addGccUnits(In, **GccSec, Uncovered.size(), IBase, *Frags,
                              *Common, Report))
      return E;
  } else if (DwarfFallback) {
    if (Error E = encodeUncoveredUnits(In, *Info, Uncovered, IBase, *Frags,
                                       *Common, Report))
      return E;
  }
  if (Frags->empty())
    return makeError(In.Path, Twine("no ") + FragmentSectionName +
                                  " section and no DWARF compile unit to "
                                  "encode (--dwarf-fallback): the file has "
                                  "no debug information");

  Builder CB(Common->Over);
  SectionVars Secs = concatenateTypes(*Frags, *Common, CB);
  rebuildDatasecs(In, *Info, Secs, CB, Report);
  auto Out = dedupAndDistill(In, CB, IBase, *Common);
  if (!Out)
    return Out.takeError();
  Report.NumBaseTypes = Out->DistilledBase->numTypes();
  Report.NumSplitTypes = Out->Split->numTypes();
  return Out;
}
