//===- Relocate.cpp - Relocating split BTF onto a new base ----------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The matching rules are btf_relocate_map_distilled_base()'s (kernel
// kernel/bpf/btf_relocate.c = libbpf src/btf_relocate.c). That function
// walks the whole base in id order and, for each named type, binary-searches
// the distilled types it may stand for. Seen from one distilled type D, it
// considers the base types of D's name in ascending id order and accepts
// base type B when
//
//   - the key matches: B is a FWD, or a STRUCT/UNION whose name offset no
//     other base composite shares, or else B's size equals D's (both cut
//     to 31 bits, the width of the kernel's sort key);
//   - and the kinds fit, by D's kind:
//       FWD          B is a FWD of the same kind flag, a STRUCT whose kind
//                    flag is 0, or a UNION whose kind flag is 1 (the
//                    kernel tests B's flag, whatever it means for B);
//       INT          B is an INT with the same encoding;
//       FLOAT        B is a FLOAT;
//       ENUM         B is an ENUM or ENUM64;
//       STRUCT/UNION any B, but when D is embedded by value in a split
//                    composite, B's size word must equal D's size.
//
// The first accepted B is D's match; a second one is an error ("multiple
// candidates"), raised when the base walk reaches it, which is before any
// unmapped type is reported. So the kernel reports the ambiguity whose second
// candidate has the lowest id if there is one, else the unmapped distilled
// type with the lowest id. Doing the search per distilled type over a
// prebuilt name index (BaseIndex) gives the same answer without walking the
// base.
//
// relocate() runs libbpf's phases, one function each: validateInput
// (btf_relocate_validate_distilled_base), mapDistilledBase
// (btf_relocate_map_distilled_base), rewriteOverTarget
// (btf_relocate_rewrite_type_id and the string map).
//
//===----------------------------------------------------------------------===//

#include "btfkit/Relocate.h"
#include "btfkit/Error.h"
#include "btfkit/TypeWalk.h"
#include "btfkit/Writer.h"

#include "llvm/ADT/SmallVector.h"

#include <algorithm>
#include <cstring>

using namespace btfkit;
using namespace llvm;

namespace {

using Entry = BaseIndex::Entry;

/// A distilled type as the matcher sees it.
struct Distilled {
  uint32_t Id;
  Kind K;
  uint32_t Size;
  bool KindFlag;
  uint32_t IntEncoding;
  bool Embedded;
};

bool keyMatches(const Distilled &D, const Entry &E) {
  return !E.NeedsSize || (E.Size & 0x7fffffff) == (D.Size & 0x7fffffff);
}

bool kindFits(const Distilled &D, const Entry &E) {
  switch (D.K) {
  case Kind::Fwd:
    switch (E.K) {
    case Kind::Fwd:
      return D.KindFlag == E.KindFlag;
    case Kind::Struct:
      return !E.KindFlag;
    case Kind::Union:
      return E.KindFlag;
    default:
      return false;
    }
  case Kind::Int:
    return E.K == Kind::Int && E.IntEncoding == D.IntEncoding;
  case Kind::Float:
    return E.K == Kind::Float;
  case Kind::Enum:
    return E.K == Kind::Enum || E.K == Kind::Enum64;
  case Kind::Struct:
  case Kind::Union:
    return !(D.Embedded && E.Size != D.Size);
  default:
    return false;
  }
}

/// The looser test used only to explain a failure: is E of a kind D could
/// match at all, sizes and encodings aside?
bool kindCompatible(const Distilled &D, const Entry &E) {
  switch (D.K) {
  case Kind::Fwd:
    return kindFits(D, E);
  case Kind::Int:
    return E.K == Kind::Int;
  case Kind::Struct:
  case Kind::Union:
    return E.K == Kind::Struct || E.K == Kind::Union;
  default:
    return kindFits(D, E);
  }
}

RelocCandidate candidateOf(const Entry &E) {
  RelocCandidate C;
  C.Id = E.Id;
  C.K = E.K;
  C.Size = E.Size;
  C.KindFlag = E.KindFlag;
  C.IntEncoding = E.IntEncoding;
  return C;
}

std::string compositeLabel(const Type &T) {
  std::string S = T.is(Kind::Union) ? "union " : "struct ";
  if (T.nameOff())
    return S + T.name().str();
  return S + "(anon)[" + std::to_string(T.id()) + "]";
}

} // namespace

uint32_t btfkit::compositeHeldByValue(const BTF &B, uint32_t Id) {
  while (Id) {
    Type T = B.type(Id);
    switch (T.kind()) {
    case Kind::Const:
    case Kind::Restrict:
    case Kind::Volatile:
    case Kind::Typedef:
    case Kind::TypeTag:
      Id = T.typeId();
      break;
    case Kind::Array:
      Id = T.array().Type;
      break;
    case Kind::Struct:
    case Kind::Union:
      return Id;
    default:
      return 0;
    }
  }
  return 0;
}

std::vector<uint8_t> btfkit::embeddedBaseComposites(const BTF &Split) {
  uint32_t NBase = Split.firstId();
  std::vector<uint8_t> Embedded(NBase);
  for (uint32_t Id = NBase; Id < Split.endId(); ++Id) {
    Type T = Split.type(Id);
    if (!T.isComposite())
      continue;
    for (const Member &M : T.members()) {
      uint32_t C = compositeHeldByValue(Split, M.Type);
      if (C && C < NBase)
        Embedded[C] = 1;
    }
  }
  return Embedded;
}

/// btf_relocate_validate_distilled_base(): a distilled base holds named
/// INT, FLOAT, ENUM, FWD, STRUCT and UNION types only.
static Error checkDistilledBase(const BTF &Dist) {
  for (uint32_t Id = 1; Id < Dist.endId(); ++Id) {
    Type T = Dist.type(Id);
    switch (T.kind()) {
    case Kind::Int:
    case Kind::Float:
    case Kind::Enum:
    case Kind::Struct:
    case Kind::Union:
    case Kind::Fwd:
      if (T.nameOff())
        break;
      return makeError(Dist.name(),
                       "type [" + Twine(Id) + "] " + describeType(T) +
                           " is anonymous; a distilled base holds named "
                           "types only (the kernel refuses it)");
    default:
      return makeError(Dist.name(),
                       "type [" + Twine(Id) + "] " + describeType(T) +
                           " cannot be in a distilled base (only INT, "
                           "FLOAT, ENUM, FWD, STRUCT and UNION can; the "
                           "kernel refuses it)");
    }
  }
  return Error::success();
}

/// The split's records are of kinds whose ids can be rewritten, and its
/// offsets into the distilled base's strings name a distilled type: those
/// are the only ones relocation can translate.
static Error checkSplitRecords(const BTF &Split) {
  const BTF &Dist = *Split.base();
  uint32_t DistStrLen = Dist.strEnd();
  std::vector<bool> NameStart(DistStrLen);
  for (uint32_t Id = 1; Id < Dist.endId(); ++Id)
    NameStart[Dist.type(Id).nameOff()] = true;

  for (uint32_t Id = Split.firstId(); Id < Split.endId(); ++Id) {
    Type T = Split.type(Id);
    if (T.rawKind() == 0 || T.rawKind() > MaxKnownKind)
      return makeError(Split.name(),
                       "type [" + Twine(Id) + "] has kind " +
                           Twine(T.rawKind()) +
                           ", whose type ids cannot be relocated");
    Error Bad = Error::success();
    forEachNameRef(T, [&](uint32_t Off) {
      if (Off && Off < DistStrLen && !NameStart[Off] && !Bad)
        Bad = makeError(Split.name(),
                        "type [" + Twine(Id) + "] " + describeType(T) +
                            " uses string offset " + Twine(Off) + " ('" +
                            Split.str(Off) +
                            "') inside the distilled base's string table "
                            "but not at the name of a distilled type: the "
                            ".BTF.base does not belong to this .BTF");
    });
    if (Bad)
      return Bad;
    consumeError(std::move(Bad));
  }
  return Error::success();
}

/// Phase 1, validate: checks what relocation takes for granted about
/// \p Split and its distilled base, and returns which distilled
/// composites are embedded by value (btf_mark_embedded_composite_type_ids()).
static Expected<std::vector<uint8_t>> validateInput(const BTF &Split) {
  if (!Split.isSplit())
    return makeError(Split.name(), "not split BTF: nothing to relocate");
  const BTF &Dist = *Split.base();
  if (Dist.isSplit())
    return makeError(Split.name(), "is split over " + Dist.name() +
                                       ", which is itself split BTF, not a "
                                       "distilled base");
  if (Error E = checkDistilledBase(Dist))
    return E;
  if (Error E = checkSplitRecords(Split))
    return E;
  return embeddedBaseComposites(Split);
}

/// Fills in which split members embed each failing composite.
static void findEmbedders(const BTF &Split, RelocateResult &R) {
  uint32_t NDist = Split.base()->endId();
  std::vector<int32_t> FailureOf(NDist, -1);
  bool Any = false;
  for (size_t I = 0; I < R.Failures.size(); ++I)
    if (R.Failures[I].Embedded) {
      FailureOf[R.Failures[I].DistilledId] = int32_t(I);
      Any = true;
    }
  if (!Any)
    return;
  for (uint32_t Id = Split.firstId(); Id < Split.endId(); ++Id) {
    Type T = Split.type(Id);
    if (!T.isComposite())
      continue;
    for (size_t MI = 0; MI < T.members().size(); ++MI) {
      const Member &M = T.members()[MI];
      uint32_t C = compositeHeldByValue(Split, M.Type);
      if (!C || C >= NDist || FailureOf[C] < 0)
        continue;
      std::string Path = compositeLabel(T) + ".";
      if (M.NameOff)
        Path += Split.str(M.NameOff).str();
      else
        Path += "(anon member " + std::to_string(MI) + ")";
      R.Failures[FailureOf[C]].EmbeddedBy.push_back(std::move(Path));
    }
  }
}

/// Why \p D, a distilled type named in \p Target as \p Cands, has no
/// single match (\p Matches: those that fit).
static RelocFailure describeFailure(const Distilled &D, StringRef Name,
                                    ArrayRef<Entry> Cands,
                                    ArrayRef<const Entry *> Matches,
                                    const RelocateOptions &Opts) {
  RelocFailure F;
  F.DistilledId = D.Id;
  F.Name = Name.str();
  F.K = D.K;
  F.Size = D.Size;
  F.KindFlag = D.KindFlag;
  F.IntEncoding = D.IntEncoding;
  F.Embedded = D.Embedded;
  if (Matches.size() > 1) {
    F.Reason = RelocFailureKind::Ambiguous;
    for (const Entry *E : Matches)
      F.Candidates.push_back(candidateOf(*E));
    return F;
  }
  if (Cands.empty()) {
    F.Reason = RelocFailureKind::NoSuchName;
    return F;
  }
  bool AnyKind = false, SizeFits = false;
  for (const Entry &E : Cands) {
    if (!kindCompatible(D, E))
      continue;
    AnyKind = true;
    if (keyMatches(D, E) && (!D.Embedded || E.Size == D.Size))
      SizeFits = true;
  }
  if (!AnyKind)
    F.Reason = RelocFailureKind::KindMismatch;
  else if (D.K == Kind::Int && SizeFits)
    F.Reason = RelocFailureKind::EncodingMismatch;
  else
    F.Reason = RelocFailureKind::SizeMismatch;
  if (Opts.Explain)
    for (const Entry &E : Cands)
      F.Candidates.push_back(candidateOf(E));
  return F;
}

/// Phase 2, map: finds each distilled type's match in \p Target
/// (btf_relocate_map_distilled_base()), filling BaseMap, or lists why
/// there is none and flags the failure the kernel reports.
static RelocateResult mapDistilledBase(const BTF &Split,
                                       const BaseIndex &Target,
                                       ArrayRef<uint8_t> Embedded,
                                       const RelocateOptions &Opts) {
  const BTF &Dist = *Split.base();
  uint32_t NDist = Dist.endId();
  RelocateResult R;
  R.BaseMap.assign(NDist, 0);
  // For the kernel's choice among several ambiguities.
  uint32_t FirstAmbiguousAt = 0;
  int FirstAmbiguous = -1;
  for (uint32_t Id = 1; Id < NDist; ++Id) {
    Type T = Dist.type(Id);
    Distilled D{Id,
                T.kind(),
                T.common().SizeOrType, // FWD's is unused: 0
                T.kindFlag(),
                T.is(Kind::Int) ? T.intEncoding() : 0,
                Embedded[Id] != 0};
    ArrayRef<Entry> Cands = Target.lookup(T.name());
    SmallVector<const Entry *, 2> Matches;
    for (const Entry &E : Cands) {
      if (!keyMatches(D, E) || !kindFits(D, E))
        continue;
      Matches.push_back(&E);
      if (Matches.size() > 1 && !Opts.Explain)
        break;
    }
    if (Matches.size() == 1) {
      R.BaseMap[Id] = Matches.front()->Id;
      continue;
    }
    if (Matches.size() > 1) {
      // The kernel stops when its base walk reaches the second candidate;
      // on a tie, its sort puts larger sizes first.
      uint32_t At = Matches[1]->Id;
      if (FirstAmbiguous < 0 || At < FirstAmbiguousAt ||
          (At == FirstAmbiguousAt &&
           (D.Size & 0x7fffffff) >
               (R.Failures[FirstAmbiguous].Size & 0x7fffffff))) {
        FirstAmbiguous = int(R.Failures.size());
        FirstAmbiguousAt = At;
      }
    }
    R.Failures.push_back(describeFailure(D, T.name(), Cands, Matches, Opts));
  }
  if (!R.Failures.empty())
    R.Failures[FirstAmbiguous >= 0 ? FirstAmbiguous : 0].KernelReports = true;
  return R;
}

/// Distilled name offset -> target name offset, for the names of the
/// distilled types. Several distilled types may share a name; the kernel's
/// str_map keeps the match it found last, the one with the highest target
/// id.
static std::vector<uint32_t> mapDistilledNames(const BTF &Dist, const BTF &Base,
                                               ArrayRef<uint32_t> BaseMap) {
  uint32_t DistStrLen = Dist.strEnd();
  std::vector<uint32_t> NameMap(DistStrLen, 0);
  std::vector<uint32_t> SetBy(DistStrLen, 0);
  for (uint32_t Id = 1; Id < Dist.endId(); ++Id) {
    uint32_t Off = Dist.type(Id).nameOff();
    if (BaseMap[Id] >= SetBy[Off]) {
      SetBy[Off] = BaseMap[Id];
      NameMap[Off] = Base.type(BaseMap[Id]).nameOff();
    }
  }
  return NameMap;
}

/// Phase 3, rewrite: a copy of \p Split's records over \p Base, rewritten
/// in place as the kernel does (btf_relocate_rewrite_type_id() and the
/// string map): split ids shift by the difference in type counts,
/// distilled ids take their match; own strings shift by the difference in
/// string table sizes, distilled names take the target's name offsets.
static Expected<std::unique_ptr<BTF>>
rewriteOverTarget(const BTF &Split, const BTF &Base, ArrayRef<uint32_t> BaseMap,
                  const RelocateOptions &Opts) {
  const BTF &Dist = *Split.base();
  uint32_t NDist = Dist.endId();
  uint32_t IdShift = Base.endId() - NDist;
  uint32_t DistStrLen = Dist.strEnd();
  uint32_t StrShift = Base.strEnd() - DistStrLen;
  std::vector<uint32_t> NameMap = mapDistilledNames(Dist, Base, BaseMap);
  std::vector<uint8_t> Blob = serializeRemapped(
      Split,
      [&](uint32_t Ref) { return Ref >= NDist ? Ref + IdShift : BaseMap[Ref]; },
      [&](uint32_t Off) {
        return Off >= DistStrLen ? Off + StrShift : NameMap[Off];
      });
  return BTF::parseOwned(std::move(Blob), &Base,
                         Opts.Name.empty() ? Split.name().str() + " (relocated)"
                                           : Opts.Name);
}

Expected<RelocateResult> btfkit::relocate(const BTF &Split,
                                          const BaseIndex &Target,
                                          const RelocateOptions &Opts) {
  auto Embedded = validateInput(Split);
  if (!Embedded)
    return Embedded.takeError();
  RelocateResult R = mapDistilledBase(Split, Target, *Embedded, Opts);
  if (!R.relocated()) {
    if (Opts.Explain)
      findEmbedders(Split, R);
    return R;
  }
  if (!Opts.BuildOutput)
    return R;
  auto Out = rewriteOverTarget(Split, Target.btf(), R.BaseMap, Opts);
  if (!Out)
    return Out.takeError();
  R.Split = std::move(*Out);
  return R;
}
