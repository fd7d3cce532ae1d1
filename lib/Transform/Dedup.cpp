//===- Dedup.cpp - BTF deduplication, split-aware -------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The algorithm is libbpf's btf__dedup() (src/btf.c, whose long comments
// explain it), phase by phase, so that the result is the one libbpf gives:
//
//   strings     -> every name is re-added, base strings reused
//   primitives  -> INT, FLOAT, FWD, ENUM/ENUM64 (an enum without values
//                  resolves to the full enum of that name, either kind)
//   composites  -> STRUCT/UNION and TYPEDEF (libbpf head; 1.1 had typedefs
//                  with the references) by a side-by-side walk of both type
//                  graphs that records a hypothetical canon->candidate map; a
//                  contradiction means "not equivalent"; FWDs resolve to
//                  the STRUCT/UNION they meet
//   FWDs        -> a FWD still unresolved takes the one STRUCT/UNION of its
//                  name, when the name is unambiguous
//   references  -> PTR, modifiers, FUNC, ARRAY, FUNC_PROTO,
//                  DECL_TAG, once everything they refer to is canonical
//   compaction  -> canonical types keep their order, ids are rewritten
//
// What differs is the machinery: flat arrays indexed by id, a candidate
// table with no per-entry allocation (DedupIndex.h), base signatures computed
// once per base (DedupBase), and explicit stacks instead of recursion so
// that deep type graphs cannot exhaust the stack (the visiting order is the
// recursive one, which the hypothetical map's outcome depends on).
//
//===----------------------------------------------------------------------===//

#include "DedupIndex.h"

#include "btfkit/Error.h"
#include "btfkit/TypeWalk.h"
#include "btfkit/Writer.h"

#include "llvm/ADT/SmallVector.h"

#include <algorithm>
#include <cstring>

using namespace btfkit;
using namespace btfkit::dd;
using namespace llvm;

namespace {

constexpr uint32_t Unprocessed = 0xffffffffu;
constexpr uint32_t InProgress = 0xfffffffeu;
constexpr uint32_t MaxId = 0x7fffffffu;

// Structural comparisons on records (libbpf's btf_equal_* / btf_compat_*).
bool equalCommon(RecordRef A, RecordRef B) {
  const CommonType &CA = A.common(), &CB = B.common();
  return CA.NameOff == CB.NameOff && CA.Info == CB.Info &&
         CA.SizeOrType == CB.SizeOrType;
}
/// The whole records equal: what libbpf's btf_equal_int, btf_equal_common,
/// btf_equal_array and btf_equal_fnproto compare once the types referred
/// to are canonical (INT, FWD, FLOAT, the reference kinds, DECL_TAG, ARRAY,
/// FUNC_PROTO), and btf_equal_enum for enums.
bool equalRecord(RecordRef A, RecordRef B) {
  if (!equalCommon(A, B))
    return false;
  // Equal info words: the same kind and vlen, so as many trailing words.
  ArrayRef<uint32_t> WA = A.trailingWords(), WB = B.trailingWords();
  for (size_t I = 0, N = WA.size(); I < N; ++I)
    if (WA[I] != WB[I])
      return false;
  return true;
}
bool isEnumFwd(RecordRef R) { return R.isEnum() && R.vlen() == 0; }
/// An enum without values (a forward declaration) is compatible with any
/// enum of its name, ENUM or ENUM64, whatever the size (libbpf 1.1,
/// "Resolve enum fwd as full enum64 and vice versa").
bool compatEnum(RecordRef A, RecordRef B) {
  if (!isEnumFwd(A) && !isEnumFwd(B))
    return equalRecord(A, B);
  return A.nameOff() == B.nameOff() && A.isEnum() && B.isEnum();
}
/// Everything but the member types.
bool shallowEqualStruct(RecordRef A, RecordRef B) {
  if (!equalCommon(A, B))
    return false;
  ArrayRef<Member> MA = A.members(), MB = B.members();
  for (size_t I = 0, N = MA.size(); I < N; ++I)
    if (MA[I].NameOff != MB[I].NameOff || MA[I].Offset != MB[I].Offset)
      return false;
  return true;
}
/// Everything but the element and index types.
bool compatArray(RecordRef A, RecordRef B) {
  return equalCommon(A, B) && A.array().NElems == B.array().NElems;
}
/// Everything but the return and parameter types.
bool compatFuncProto(RecordRef A, RecordRef B) {
  if (A.nameOff() != B.nameOff() || A.info() != B.info())
    return false;
  ArrayRef<Param> PA = A.params(), PB = B.params();
  for (size_t I = 0, N = PA.size(); I < N; ++I)
    if (PA[I].NameOff != PB[I].NameOff)
      return false;
  return true;
}
/// The kind a FWD declares.
Kind fwdKind(RecordRef R) { return R.kindFlag() ? Kind::Union : Kind::Struct; }

/// The kinds the reference phase deduplicates: those that refer to other
/// types and are compared exactly once those are canonical.
bool dedupedAsReference(RecordRef R) {
  return R.isReference() || R.is(Kind::Func) || R.is(Kind::DeclTag) ||
         R.is(Kind::Array) || R.is(Kind::FuncProto);
}

class Deduper {
public:
  Deduper(DedupInput &In, const DedupBase::Impl &BI, const DedupOptions &Opts)
      : In(In), BI(BI), Opts(Opts), FirstId(In.FirstId),
        EndId(In.FirstId + uint32_t(In.Offsets.size())), StrBegin(In.StrBegin) {
  }

  Error run(std::vector<uint8_t> &Out, DedupStats *Stats);

private:
  RecordRef rec(uint32_t Id) const {
    return Id < FirstId ? BI.rec(Id) : RecordRef(splitRec(Id));
  }
  CommonType *splitRec(uint32_t Id) const {
    return reinterpret_cast<CommonType *>(Words + In.Offsets[Id - FirstId] / 4);
  }
  /// One of the input's own strings.
  StringRef ownStr(uint32_t Off) const {
    return StringRef(In.Strings.data() + (Off - StrBegin));
  }
  bool isMapped(uint32_t Id) const { return Map[Id] <= MaxId; }
  uint32_t resolve(uint32_t Id) const {
    while (isMapped(Id) && Map[Id] != Id)
      Id = Map[Id];
    return Id;
  }
  uint32_t resolveFwd(uint32_t Id) const {
    if (!rec(Id).is(Kind::Fwd))
      return Id;
    uint32_t R = resolve(Id);
    return rec(R).is(Kind::Fwd) ? Id : R;
  }
  /// Calls \p Fn on every candidate of signature \p H until it returns
  /// true: split types newest first, then base types. This is the order
  /// libbpf's hashmap yields them in when it has not grown since the base
  /// types went in (new entries go to the head of a bucket), which decides
  /// the outcome when a type is equivalent to several candidates.
  template <typename FnT> void forEachCandidate(uint64_t H, FnT Fn) const {
    for (uint32_t C = Table.first(H); C; C = Table.next(C))
      if (Fn(C))
        return;
    for (uint32_t C = BI.Types.first(H); C; C = BI.Types.next(C))
      if (Fn(C))
        return;
  }
  /// The first candidate of signature \p H whose record equals \p T's
  /// (equalRecord()), else \p Id: how a final type finds its canonical
  /// one.
  uint32_t findEqual(uint32_t Id, RecordRef T, uint64_t H) const {
    uint32_t Found = Id;
    forEachCandidate(H, [&](uint32_t C) {
      if (!equalRecord(T, rec(C)))
        return false;
      Found = C;
      return true;
    });
    return Found;
  }
  void setCanonical(uint32_t Id, uint32_t Canon, uint64_t H) {
    Map.set(Id, Canon);
    if (Canon == Id)
      Table.insert(H, Id);
  }

  Error prepare();
  void dedupStrings();
  uint32_t remapString(uint32_t Off);
  void dedupPrimitive(uint32_t Id);
  void indexAnonEnums();
  uint32_t findAnonEnum(uint32_t Id, RecordRef T);
  void dedupComposite(uint32_t Id);
  bool isEquivalent(uint32_t Cand, uint32_t Canon);
  bool identical(uint32_t A, uint32_t B, int Depth) const;
  bool identicalArrays11(uint32_t A, uint32_t B) const;
  bool identicalStructs11(uint32_t A, uint32_t B) const;
  void mergeHypothetical();
  void clearHypothetical();
  void resolveFwds();
  Error dedupReference(uint32_t Root);
  Error compactAndWrite(std::vector<uint8_t> &Out, DedupStats *Stats);

  DedupInput &In;
  const DedupBase::Impl &BI;
  DedupOptions Opts;
  const uint32_t FirstId, EndId, StrBegin;

  // The output blob, first holding a copy of the input's types (same
  // layout, so the input's offsets index it) that is rewritten in place and
  // finally compacted to the front, behind the header: no second copy.
  // Unused when the input's records are handed over (In.Words).
  std::vector<uint8_t> Buf;
  uint32_t *Words = nullptr;
  // Both are indexed by every id, base ones included, and read their
  // default (the id itself; Unprocessed) until set.
  LazyIdArray<true> Map;                 // id -> canonical id (or Unprocessed)
  LazyIdArray<false, Unprocessed> Hypot; // canon -> candidate during one walk
  std::vector<uint32_t> HypotList;
  bool AdjustCanon = false;
  CandidateTable Table; // split types found canonical
  // Anonymous enums by their whole record (findAnonEnum()): the split's
  // canonical ones oldest first, the base's in its chain's order.
  DenseMap<uint64_t, SmallVector<uint32_t, 1>> SplitAnonEnums, BaseAnonEnums;
  bool AnonEnumFwds = false;
  std::vector<std::pair<uint32_t, uint32_t>> PairStack;
  std::vector<uint32_t> IdStack;

  std::string NewStrings;
  StringSet NewStringSet;
  struct CacheEntry {
    uint32_t In, Out;
  };
  std::vector<CacheEntry> StrCache; // direct-mapped: input offset -> output
};

} // namespace

Error Deduper::prepare() {
  const uint32_t N = EndId - FirstId;
  if (In.Words) {
    Words = In.Words;
  } else {
    ArrayRef<uint8_t> Sec = In.CopyFrom;
    resizeLarge(Buf, ClassicHeaderSize + Sec.size(), uint8_t(0));
    Words = reinterpret_cast<uint32_t *>(Buf.data() + ClassicHeaderSize);
    if (!Sec.empty())
      std::memcpy(Words, Sec.data(), Sec.size());
  }
  for (uint32_t I = 0; I < N; ++I) {
    unsigned K = rec(FirstId + I).rawKind();
    if (!isKnownKind(K))
      return makeError(In.Name, "type id " + Twine(FirstId + I) +
                                    ": cannot deduplicate kind " + Twine(K) +
                                    " (" + kindName(K) + ")");
  }
  // Base types are their own canonical types (the default).
  Map.reset(EndId);
  for (uint32_t Id = FirstId; Id < EndId; ++Id) {
    RecordRef R = rec(Id);
    // VAR and DATASEC are never deduplicated.
    if (!R.is(Kind::Var) && !R.is(Kind::Datasec))
      Map.set(Id, Unprocessed);
  }
  Hypot.reset(EndId);
  Table.init(FirstId, N, N / 3 + 16);
  return Error::success();
}

// Strings --------------------------------------------------------------------

uint32_t Deduper::remapString(uint32_t Off) {
  // Offsets into the base are final already.
  if (Off == 0 || Off < StrBegin)
    return Off;
  CacheEntry &C = StrCache[(Off * 0x9e3779b1u) >> 16];
  if (C.In == Off)
    return C.Out;
  StringRef S = ownStr(Off);
  uint32_t Result = 0;
  if (!S.empty()) {
    uint32_t H = hashString(S);
    Result = BI.Strings.lookup(S, H, [this](uint32_t O) { return BI.str(O); });
    if (!Result) {
      uint32_t Candidate = StrBegin + uint32_t(NewStrings.size());
      Result = NewStringSet.insert(S, H, Candidate, [this](uint32_t O) {
        return StringRef(NewStrings.data() + (O - StrBegin));
      });
      if (Result == Candidate) {
        NewStrings.append(S.data(), S.size());
        NewStrings.push_back('\0');
      }
    }
  }
  C = {Off, Result};
  return Result;
}

void Deduper::dedupStrings() {
  // A base table starts with the empty string; a split one starts with its
  // first string (as libbpf writes it).
  if (!In.Split)
    NewStrings.push_back('\0');
  // Most input strings are repeats (every module carries its own copy of
  // the names it uses): start small and let the set grow.
  NewStringSet.reserve(In.Strings.size() / 64 + 16);
  StrCache.assign(1u << 16, CacheEntry{0, 0});
  // The records lie back to back: walk them in order.
  auto *R = reinterpret_cast<uint8_t *>(Words);
  for (uint32_t Id = FirstId; Id < EndId; ++Id) {
    auto *Rec = reinterpret_cast<CommonType *>(R);
    R += RecordRef(Rec).byteSize();
    visitNameSlots(Rec, [this](uint32_t &Off) { Off = remapString(Off); });
  }
  StrCache = {};
  NewStringSet = {};
}

// Primitive types ------------------------------------------------------------

void Deduper::dedupPrimitive(uint32_t Id) {
  RecordRef T = rec(Id);
  uint32_t New = Id;
  uint64_t H;
  switch (T.kind()) {
  case Kind::Int:
  case Kind::Fwd:
  case Kind::Float:
    finalHash(T, H);
    New = findEqual(Id, T, H);
    break;
  case Kind::Enum:
  case Kind::Enum64:
    H = hashEnum(T);
    if (T.nameOff() == 0 && !isEnumFwd(T) && !AnonEnumFwds) {
      New = findAnonEnum(Id, T);
      break;
    }
    forEachCandidate(H, [&](uint32_t C) {
      RecordRef CR = rec(C);
      if (equalRecord(T, CR)) {
        New = C;
        return true;
      }
      if (compatEnum(T, CR)) {
        if (isEnumFwd(T)) {
          New = C; // a declaration resolves to the full enum
          return true;
        }
        Map.set(C, Id); // a canonical declaration resolves to this full enum
      }
      return false;
    });
    break;
  default:
    return;
  }
  setCanonical(Id, New, H);
}

// Structs and unions ---------------------------------------------------------

/// Anonymous enums all share one signature (an enum's is its name, so that
/// a declaration meets its definition), so libbpf compares each with every
/// anonymous enum kept so far: 5,580 of them in the corpus's modules, most
/// of the time of the primitive phase. Without anonymous declarations (an
/// anonymous enum without values, which C cannot write) nothing but an
/// equal enum can be chosen, and equal enums share the whole record: looking
/// among those, in the table's order (split newest first, then base), finds
/// the candidate the table's chain would.
/// hashEnumFull() as a DenseMap key (never one of its two reserved keys).
static uint64_t anonEnumKey(RecordRef R) { return hashEnumFull(R) >> 1; }

uint32_t Deduper::findAnonEnum(uint32_t Id, RecordRef T) {
  const uint64_t Full = anonEnumKey(T);
  SmallVector<uint32_t, 1> &Split = SplitAnonEnums[Full];
  for (uint32_t C : llvm::reverse(Split))
    if (equalRecord(T, rec(C)))
      return C;
  auto Base = BaseAnonEnums.find(Full);
  if (Base != BaseAnonEnums.end())
    for (uint32_t C : Base->second)
      if (equalRecord(T, rec(C)))
        return C;
  Split.push_back(Id); // canonical: a candidate from now on
  return Id;
}

/// Sets up findAnonEnum(): the base's anonymous enums by their whole
/// record, in the order of the base's chain, and whether an anonymous enum
/// declaration exists (then every anonymous enum takes the table's path).
void Deduper::indexAnonEnums() {
  // An anonymous enum's signature is that of void's all-zero record.
  for (uint32_t C = BI.Types.first(hashEnum(RecordRef())); C;
       C = BI.Types.next(C)) {
    RecordRef R = rec(C);
    if (!R.isEnum() || R.nameOff() != 0)
      continue;
    AnonEnumFwds |= isEnumFwd(R);
    BaseAnonEnums[anonEnumKey(R)].push_back(C);
  }
  for (uint32_t Id = FirstId; Id < EndId && !AnonEnumFwds; ++Id) {
    RecordRef R = rec(Id);
    AnonEnumFwds |= isEnumFwd(R) && R.nameOff() == 0;
  }
}

bool Deduper::identicalArrays11(uint32_t A, uint32_t B) const {
  RecordRef RA = rec(A), RB = rec(B);
  return RA.is(Kind::Array) && RB.is(Kind::Array) && equalRecord(RA, RB);
}

bool Deduper::identicalStructs11(uint32_t A, uint32_t B) const {
  RecordRef RA = rec(A), RB = rec(B);
  if (!RA.isComposite() || RA.kind() != RB.kind() ||
      !shallowEqualStruct(RA, RB))
    return false;
  ArrayRef<Member> MA = RA.members(), MB = RB.members();
  for (size_t I = 0, N = MA.size(); I < N; ++I)
    if (MA[I].Type != MB[I].Type &&
        !identicalArrays11(MA[I].Type, MB[I].Type) &&
        !identicalStructs11(MA[I].Type, MB[I].Type))
      return false;
  return true;
}

/// Whether \p A and \p C, two types of one candidate graph, are the same
/// type written twice (compilers sometimes emit a struct, an array or a
/// pointer twice within one CU). libbpf 1.1 accepts identical arrays and
/// structs whose members are identical down to their ids, arrays or nested
/// structs ("Btf dedup identical struct test needs check for nested
/// structs/arrays"). Later libbpf also accepts identical pointers (commit
/// "libbpf: Add identical pointer detection to btf_dedup_is_equiv()") and
/// then any structurally identical pair up to a depth of 16 ("libbpf:
/// Improve BTF dedup handling of "identical" BTF types"); that version
/// compares an array's element and index types with themselves (a typo,
/// `a2 = btf_array(t1)`), so arrays of differently named element types pass
/// as identical there. Here they are compared properly.
bool Deduper::identical(uint32_t A, uint32_t C, int Depth) const {
  if (Opts.Compat == DedupCompat::Libbpf11)
    return identicalArrays11(A, C) || identicalStructs11(A, C);
  while (true) {
    if (Depth <= 0)
      return false;
    RecordRef T1 = rec(A), T2 = rec(C);
    if (T1.kind() != T2.kind())
      return false;
    switch (T1.kind()) {
    case Kind::Unknown: // void
      return true;
    case Kind::Int:
    case Kind::Fwd:
    case Kind::Float:
      return equalRecord(T1, T2);
    case Kind::Enum:
    case Kind::Enum64:
      return compatEnum(T1, T2);
    case Kind::Const:
    case Kind::Volatile:
    case Kind::Restrict:
    case Kind::Ptr:
    case Kind::Typedef:
    case Kind::Func:
    case Kind::TypeTag:
      if (T1.nameOff() != T2.nameOff() || T1.info() != T2.info())
        return false;
      A = T1.typeId();
      C = T2.typeId();
      if (A == C)
        return true;
      continue; // same depth, as upstream's tail loop
    case Kind::Array: {
      if (!compatArray(T1, T2))
        return false;
      const ArrayInfo &A1 = T1.array(), &A2 = T2.array();
      if (A1.IndexType != A2.IndexType &&
          !identical(A1.IndexType, A2.IndexType, Depth - 1))
        return false;
      return A1.Type == A2.Type || identical(A1.Type, A2.Type, Depth - 1);
    }
    case Kind::Struct:
    case Kind::Union: {
      if (!shallowEqualStruct(T1, T2))
        return false;
      ArrayRef<Member> M1 = T1.members(), M2 = T2.members();
      for (size_t I = 0, N = M1.size(); I < N; ++I)
        if (M1[I].Type != M2[I].Type &&
            !identical(M1[I].Type, M2[I].Type, Depth - 1))
          return false;
      return true;
    }
    case Kind::FuncProto: {
      if (!compatFuncProto(T1, T2))
        return false;
      if (T1.typeId() != T2.typeId() &&
          !identical(T1.typeId(), T2.typeId(), Depth - 1))
        return false;
      ArrayRef<Param> P1 = T1.params(), P2 = T2.params();
      for (size_t I = 0, N = P1.size(); I < N; ++I)
        if (P1[I].Type != P2[I].Type &&
            !identical(P1[I].Type, P2[I].Type, Depth - 1))
          return false;
      return true;
    }
    default:
      return false;
    }
  }
}

void Deduper::clearHypothetical() {
  for (uint32_t Id : HypotList)
    Hypot.set(Id, Unprocessed);
  HypotList.clear();
  AdjustCanon = false;
}

/// The side-by-side walk of libbpf's btf_dedup_is_equiv(), depth first in
/// record order, with an explicit stack: a pair is checked when popped, and
/// its referenced pairs are pushed in reverse so that they are checked in
/// the recursive order. Any failure ends the walk.
bool Deduper::isEquivalent(uint32_t CandRoot, uint32_t CanonRoot) {
  PairStack.clear();
  PairStack.push_back({CandRoot, CanonRoot});
  while (!PairStack.empty()) {
    auto [Cand, Canon] = PairStack.back();
    PairStack.pop_back();
    if (resolve(Cand) == resolve(Canon))
      continue;
    Canon = resolveFwd(Canon);
    uint32_t Seen = Hypot[Canon];
    if (Seen <= MaxId) {
      // A cycle brings us back to a pair already assumed; a different
      // candidate for the same canonical type is a contradiction, unless
      // the two candidates are the same type written twice.
      if (Seen == Cand || identical(Seen, Cand, 16))
        continue;
      return false;
    }
    Hypot.set(Canon, Cand);
    HypotList.push_back(Canon);

    RecordRef CT = rec(Cand), KT = rec(Canon);
    if (CT.nameOff() != KT.nameOff())
      return false;
    Kind CK = CT.kind(), KK = KT.kind();
    if ((CK == Kind::Fwd || KK == Kind::Fwd) && CK != KK) {
      Kind RealKind, FwdKind;
      if (CK == Kind::Fwd) {
        RealKind = KK;
        FwdKind = fwdKind(CT);
      } else {
        RealKind = CK;
        FwdKind = fwdKind(KT);
        // Resolving a base FWD would change the base: for split BTF the
        // graphs then do not count as equivalent.
        if (FwdKind == RealKind && Canon < FirstId)
          AdjustCanon = true;
      }
      if (FwdKind != RealKind)
        return false;
      continue;
    }
    if (CK != KK)
      return false;
    switch (CK) {
    case Kind::Int:
    case Kind::Fwd:
    case Kind::Float:
      if (!equalRecord(CT, KT))
        return false;
      break;
    case Kind::Enum:
    case Kind::Enum64:
      if (!compatEnum(CT, KT))
        return false;
      break;
    case Kind::Const:
    case Kind::Volatile:
    case Kind::Restrict:
    case Kind::Ptr:
    case Kind::Typedef:
    case Kind::Func:
    case Kind::TypeTag:
      if (CT.info() != KT.info())
        return false;
      PairStack.push_back({CT.typeId(), KT.typeId()});
      break;
    case Kind::Array: {
      if (!compatArray(CT, KT))
        return false;
      // Index type first, then element type.
      const ArrayInfo &CA = CT.array(), &KA = KT.array();
      PairStack.push_back({CA.Type, KA.Type});
      PairStack.push_back({CA.IndexType, KA.IndexType});
      break;
    }
    case Kind::Struct:
    case Kind::Union: {
      if (!shallowEqualStruct(CT, KT))
        return false;
      ArrayRef<Member> CM = CT.members(), KM = KT.members();
      for (size_t I = CM.size(); I-- > 0;)
        PairStack.push_back({CM[I].Type, KM[I].Type});
      break;
    }
    case Kind::FuncProto: {
      if (!compatFuncProto(CT, KT))
        return false;
      ArrayRef<Param> CP = CT.params(), KP = KT.params();
      for (size_t I = CP.size(); I-- > 0;)
        PairStack.push_back({CP[I].Type, KP[I].Type});
      PairStack.push_back({CT.typeId(), KT.typeId()}); // the return type first
      break;
    }
    default:
      // VAR, DATASEC, DECL_TAG cannot appear inside a type graph of valid
      // BTF; libbpf fails the whole dedup, this just says "different".
      return false;
    }
  }
  return true;
}

/// libbpf's btf_dedup_merge_hypot_map(): records FWD resolutions, and maps
/// structs of the candidate graph to their canonical counterparts where
/// that is already safe.
void Deduper::mergeHypothetical() {
  for (uint32_t CanonId : HypotList) {
    uint32_t TId = resolve(Hypot[CanonId]);
    uint32_t CId = resolve(CanonId);
    RecordRef T = rec(TId), C = rec(CId);
    bool TFwd = T.is(Kind::Fwd), CFwd = C.is(Kind::Fwd);
    // A canonical FWD (even a base one) now stands for the candidate's
    // STRUCT/UNION, so that split FWDs resolved to it follow.
    if (!TFwd && CFwd)
      Map.set(CId, TId);
    if (AdjustCanon)
      continue;
    if (TFwd && !CFwd)
      Map.set(TId, CId);
    if (T.isComposite() && !CFwd && isMapped(CId) && !isMapped(TId))
      Map.set(TId, CId);
  }
}

/// STRUCT and UNION, and (but for DedupCompat::Libbpf11) TYPEDEF: later
/// libbpf deduplicates typedefs here, by the same graph walk, instead of
/// with the reference types ("libbpf: Fix BTF dedup to support recursive
/// typedef definitions"). The walk can prove a typedef equal to one whose
/// target is a different but equivalent type graph (e.g. a struct that the
/// exact comparison after this phase would still see as a distinct copy),
/// so fewer typedefs, and fewer types referring to them, stay duplicated.
void Deduper::dedupComposite(uint32_t Id) {
  if (isMapped(Id))
    return;
  RecordRef T = rec(Id);
  bool Typedef = T.is(Kind::Typedef) && Opts.Compat != DedupCompat::Libbpf11;
  if (!T.isComposite() && !Typedef)
    return;
  uint64_t H = Typedef ? hashTypedef(T) : hashStruct(T);
  uint32_t New = Id;
  forEachCandidate(H, [&](uint32_t C) {
    // Also keeps a FWD of colliding signature out (FWD and STRUCT count as
    // equivalent in the walk, which could make a FWD<->STRUCT loop).
    RecordRef CR = rec(C);
    if (Typedef ? (CR.nameOff() != T.nameOff() || CR.info() != T.info())
                : !shallowEqualStruct(T, CR))
      return false;
    clearHypothetical();
    if (!isEquivalent(Id, C))
      return false;
    mergeHypothetical();
    if (AdjustCanon)
      return false;
    New = C;
    return true;
  });
  setCanonical(Id, New, H);
}

// FWDs of unambiguous names --------------------------------------------------

/// libbpf's btf_dedup_resolve_fwds() (libbpf 1.1): a FWD not resolved by a
/// graph walk takes the STRUCT/UNION of its name when exactly one canonical
/// STRUCT or UNION has that name in the base and split types together.
void Deduper::resolveFwds() {
  DenseMap<uint32_t, uint32_t> Names; // split composites: name -> id or 0
  for (uint32_t Id = FirstId; Id < EndId; ++Id) {
    RecordRef T = rec(Id);
    if (!T.isComposite() || Map[Id] != Id)
      continue;
    auto [It, New] = Names.try_emplace(T.nameOff(), Id);
    if (!New)
      It->second = 0;
  }
  for (uint32_t Id = FirstId; Id < EndId; ++Id) {
    RecordRef T = rec(Id);
    if (!T.is(Kind::Fwd) || Map[Id] != Id)
      continue;
    uint32_t Cand = 0;
    const dd::CompositeNames::Entry *BIt = BI.Composites.find(T.nameOff());
    auto SIt = Names.find(T.nameOff());
    bool InBase = BIt != nullptr;
    bool InSplit = SIt != Names.end();
    if (InBase && InSplit)
      continue; // ambiguous
    if (InBase)
      Cand = BIt->Id;
    else if (InSplit)
      Cand = SIt->second;
    if (!Cand)
      continue;
    if (rec(Cand).kind() != fwdKind(T))
      continue;
    Map.set(Id, Cand);
  }
}

// Reference types ------------------------------------------------------------

/// libbpf's btf_dedup_ref_type(), with an explicit stack: a type is
/// finished once everything it refers to is canonical, in the recursive
/// order (record order, depth first).
Error Deduper::dedupReference(uint32_t Root) {
  IdStack.clear();
  IdStack.push_back(Root);
  while (!IdStack.empty()) {
    uint32_t Id = IdStack.back();
    if (isMapped(Id)) {
      IdStack.pop_back();
      continue;
    }
    CommonType *T = splitRec(Id);
    RecordRef R(T);
    if (Map[Id] == Unprocessed) {
      Map.set(Id, InProgress);
      size_t Before = IdStack.size();
      Error Err = Error::success();
      forEachTypeSlot(T, [&](uint32_t &Ref) {
        if (Map[Ref] == InProgress && !Err)
          Err = makeError(In.Name, "type id " + Twine(Id) + ": " +
                                       kindName(R.rawKind()) +
                                       " is part of a reference loop "
                                       "through type id " +
                                       Twine(Ref));
        else if (!isMapped(Ref))
          IdStack.push_back(Ref);
      });
      if (Err)
        return Err;
      std::reverse(IdStack.begin() + Before, IdStack.end());
      continue;
    }
    // Everything T refers to is canonical now: T is final, and equal to a
    // canonical type of its signature when their records are equal.
    forEachTypeSlot(T, [&](uint32_t &Ref) { Ref = resolve(Ref); });
    uint64_t H;
    if (!dedupedAsReference(R) || !finalHash(R, H))
      return makeError(In.Name, "type id " + Twine(Id) +
                                    ": cannot deduplicate " +
                                    kindName(R.rawKind()));
    setCanonical(Id, findEqual(Id, R, H), H);
    IdStack.pop_back();
  }
  return Error::success();
}

// Compaction -----------------------------------------------------------------

Error Deduper::compactAndWrite(std::vector<uint8_t> &Out, DedupStats *Stats) {
  // What is not needed any more goes before the output grows.
  Table = CandidateTable();
  PairStack = {};
  IdStack = {};
  HypotList = {};
  Hypot.release();
  // Old split id -> new id; base ids stay.
  std::vector<uint32_t> SplitNewId(EndId - FirstId);
  auto NewId = [&](uint32_t Id) {
    return Id < FirstId ? Id : SplitNewId[Id - FirstId];
  };
  uint32_t Next = FirstId;
  for (uint32_t Id = FirstId; Id < EndId; ++Id)
    SplitNewId[Id - FirstId] = Map[Id] == Id ? Next++ : Unprocessed;
  // Canonical records move to the front in id order (a record only ever
  // moves towards lower addresses), their references rewritten.
  Error Err = Error::success();
  uint32_t *Dst = Words;
  for (uint32_t Id = FirstId; Id < EndId; ++Id) {
    if (Map[Id] != Id)
      continue;
    const CommonType *T = splitRec(Id);
    uint32_t N = RecordRef(T).byteSize() / 4;
    std::memmove(Dst, T, N * 4);
    forEachTypeSlot(reinterpret_cast<CommonType *>(Dst), [&](uint32_t &Ref) {
      uint32_t R = NewId(resolve(Ref));
      if (R > MaxId && !Err)
        Err = makeError(In.Name, "type id " + Twine(Id) +
                                     ": internal error: reference to type " +
                                     Twine(Ref) + " has no canonical type");
      Ref = R;
    });
    Dst += N;
  }
  if (Err)
    return Err;
  StringRef OutStrings = In.StringsFinal ? In.Strings : StringRef(NewStrings);
  Header H = blobHeader(uint32_t(reinterpret_cast<uint8_t *>(Dst) -
                                 reinterpret_cast<uint8_t *>(Words)),
                        uint32_t(OutStrings.size()));
  Map.release();
  SplitNewId = {};
  if (In.Words) {
    // Handed-over records are the caller's scratch: what compaction left
    // behind goes back before the output is allocated.
    releasePages(Dst, In.TypeBytes - H.TypeLen);
    // The records were handed over: the result is copied out of them (the
    // smaller of the two, after compaction).
    Buf.reserve(size_t(ClassicHeaderSize) + H.TypeLen + H.StrLen);
    Buf.resize(ClassicHeaderSize);
    auto *T = reinterpret_cast<const uint8_t *>(Words);
    Buf.insert(Buf.end(), T, T + H.TypeLen);
  } else {
    Buf.resize(size_t(ClassicHeaderSize) + H.TypeLen);
  }
  Buf.insert(Buf.end(), OutStrings.begin(), OutStrings.end());
  NewStrings = {};
  std::memcpy(Buf.data(), &H, ClassicHeaderSize);
  if (Buf.capacity() > Buf.size() + Buf.size() / 4)
    Buf.shrink_to_fit();
  Words = nullptr;
  Out = std::move(Buf);
  if (Stats) {
    Stats->TypesBefore = EndId - FirstId;
    Stats->TypesAfter = Next - FirstId;
    Stats->StrBytesBefore =
        uint32_t(In.StrBytesIn ? In.StrBytesIn : In.Strings.size());
    Stats->StrBytesAfter = H.StrLen;
  }
  return Error::success();
}

Error Deduper::run(std::vector<uint8_t> &Out, DedupStats *Stats) {
  if (Error E = prepare())
    return E;
  if (!In.StringsFinal)
    dedupStrings();
  indexAnonEnums();
  for (uint32_t Id = FirstId; Id < EndId; ++Id)
    dedupPrimitive(Id);
  SplitAnonEnums = decltype(SplitAnonEnums)();
  BaseAnonEnums = decltype(BaseAnonEnums)();
  for (uint32_t Id = FirstId; Id < EndId; ++Id)
    dedupComposite(Id);
  clearHypothetical();
  resolveFwds();
  for (uint32_t Id = FirstId; Id < EndId; ++Id)
    if (!isMapped(Id))
      if (Error E = dedupReference(Id))
        return E;
  return compactAndWrite(Out, Stats);
}

Error dd::runDedup(DedupInput &In, const DedupBase::Impl &BI,
                   const DedupOptions &Opts, std::vector<uint8_t> &Out,
                   DedupStats *Stats) {
  Deduper D(In, BI, Opts);
  return D.run(Out, Stats);
}

/// The index to deduplicate split BTF over \p Base with: \p Index, checked,
/// or one made in \p Own.
static Expected<const DedupBase::Impl *>
baseIndex(const BTF &Base, StringRef Name, const DedupBase *Index,
          std::unique_ptr<DedupBase> &Own) {
  if (Index && &Index->btf() != &Base)
    return makeError(Name, "internal error: dedup index of " +
                               Index->btf().name() +
                               " used for BTF split over " + Base.name());
  if (!Index) {
    Own = DedupBase::create(Base);
    Index = Own.get();
  }
  return &Index->impl();
}

Expected<std::vector<uint8_t>> btfkit::dedupToBlob(const BTF &B,
                                                   const DedupOptions &Opts,
                                                   const DedupBase *Index,
                                                   DedupStats *Stats) {
  std::unique_ptr<DedupBase> Own;
  DedupBase::Impl Standalone;
  const DedupBase::Impl *BI = &Standalone;
  if (B.isSplit()) {
    auto I = baseIndex(*B.base(), B.name(), Index, Own);
    if (!I)
      return I.takeError();
    BI = *I;
  }
  DedupInput In;
  In.Name = B.name();
  In.FirstId = B.firstId();
  In.StrBegin = B.strBegin();
  In.Split = B.isSplit();
  In.Offsets = B.typeOffsets();
  In.CopyFrom = B.typeSection();
  In.Strings = B.stringSection();
  std::vector<uint8_t> Out;
  if (Error E = runDedup(In, *BI, Opts, Out, Stats))
    return E;
  // A base BTF keeps its layout section, as libbpf's btf__dedup() does.
  return withLayoutSectionOf(std::move(Out), B);
}

Expected<std::vector<uint8_t>> dd::dedupOver(const BTF &Base, DedupInput &In,
                                             const DedupOptions &Opts,
                                             const DedupBase *Index,
                                             DedupStats *Stats) {
  std::unique_ptr<DedupBase> Own;
  auto BI = baseIndex(Base, In.Name, Index, Own);
  if (!BI)
    return BI.takeError();
  std::vector<uint8_t> Out;
  if (Error E = runDedup(In, **BI, Opts, Out, Stats))
    return E;
  return Out;
}

Expected<std::unique_ptr<BTF>> btfkit::dedup(const BTF &B, std::string Name,
                                             const DedupOptions &Opts,
                                             const DedupBase *Index,
                                             DedupStats *Stats) {
  auto Blob = dedupToBlob(B, Opts, Index, Stats);
  if (!Blob)
    return Blob.takeError();
  return BTF::parseOwned(std::move(*Blob), B.base(), std::move(Name));
}
