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
bool equalCommon(const uint32_t *A, const uint32_t *B) {
  return A[0] == B[0] && A[1] == B[1] && A[2] == B[2];
}
bool equalIntTag(const uint32_t *A, const uint32_t *B) {
  return equalCommon(A, B) && A[3] == B[3];
}
bool isAnyEnum(const uint32_t *R) {
  return recKind(R) == KEnum || recKind(R) == KEnum64;
}
bool isEnumFwd(const uint32_t *R) { return isAnyEnum(R) && recVlen(R) == 0; }
bool equalEnum(const uint32_t *A, const uint32_t *B) {
  if (!equalCommon(A, B))
    return false;
  uint32_t Words = (recKind(A) == KEnum ? 2 : 3) * recVlen(A);
  return std::memcmp(A + 3, B + 3, Words * 4) == 0;
}
/// An enum without values (a forward declaration) is compatible with any
/// enum of its name, ENUM or ENUM64, whatever the size (libbpf 1.1,
/// "Resolve enum fwd as full enum64 and vice versa").
bool compatEnum(const uint32_t *A, const uint32_t *B) {
  if (!isEnumFwd(A) && !isEnumFwd(B))
    return equalEnum(A, B);
  return A[0] == B[0] && isAnyEnum(A) && isAnyEnum(B);
}
bool shallowEqualStruct(const uint32_t *A, const uint32_t *B) {
  if (!equalCommon(A, B))
    return false;
  const uint32_t *MA = A + 3, *MB = B + 3;
  for (uint32_t I = 0, N = recVlen(A); I < N; ++I, MA += 3, MB += 3)
    if (MA[0] != MB[0] || MA[2] != MB[2])
      return false;
  return true;
}
bool equalArray(const uint32_t *A, const uint32_t *B) {
  return equalCommon(A, B) && A[3] == B[3] && A[4] == B[4] && A[5] == B[5];
}
bool compatArray(const uint32_t *A, const uint32_t *B) {
  return equalCommon(A, B) && A[5] == B[5];
}
bool equalFuncProto(const uint32_t *A, const uint32_t *B) {
  if (!equalCommon(A, B))
    return false;
  return std::memcmp(A + 3, B + 3, recVlen(A) * 8) == 0;
}
bool compatFuncProto(const uint32_t *A, const uint32_t *B) {
  if (A[0] != B[0] || A[1] != B[1])
    return false;
  const uint32_t *PA = A + 3, *PB = B + 3;
  for (uint32_t I = 0, N = recVlen(A); I < N; ++I, PA += 2, PB += 2)
    if (PA[0] != PB[0])
      return false;
  return true;
}
unsigned fwdKind(const uint32_t *R) {
  return recKindFlag(R) ? KUnion : KStruct;
}

bool isRefKind(unsigned K) {
  switch (K) {
  case KConst:
  case KVolatile:
  case KRestrict:
  case KPtr:
  case KTypedef:
  case KFunc:
  case KTypeTag:
    return true;
  default:
    return false;
  }
}

class Deduper {
public:
  Deduper(DedupInput &In, const DedupBase::Impl &BI, const DedupOptions &Opts)
      : In(In), BI(BI), Opts(Opts), FirstId(In.FirstId),
        EndId(In.FirstId + uint32_t(In.Offsets.size())), StrBegin(In.StrBegin) {
  }

  Error run(std::vector<uint8_t> &Out, DedupStats *Stats);

private:
  const uint32_t *rec(uint32_t Id) const {
    return Id < FirstId ? BI.rec(Id) : Words + In.Offsets[Id - FirstId] / 4;
  }
  uint32_t *splitRec(uint32_t Id) {
    return Words + In.Offsets[Id - FirstId] / 4;
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
    if (recKind(rec(Id)) != KFwd)
      return Id;
    uint32_t R = resolve(Id);
    return recKind(rec(R)) == KFwd ? Id : R;
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
  uint32_t findAnonEnum(uint32_t Id, const uint32_t *T);
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
    unsigned K = recKind(splitRec(FirstId + I));
    if (K == 0 || K > MaxKnownKind)
      return makeError(In.Name, "type id " + Twine(FirstId + I) +
                                    ": cannot deduplicate kind " + Twine(K) +
                                    " (" + kindName(K) + ")");
  }
  // Base types are their own canonical types (the default).
  Map.reset(EndId);
  for (uint32_t Id = FirstId; Id < EndId; ++Id) {
    unsigned K = recKind(rec(Id));
    // VAR and DATASEC are never deduplicated.
    if (K != KVar && K != KDatasec)
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
  uint32_t *R = Words;
  for (uint32_t Id = FirstId; Id < EndId; ++Id) {
    uint32_t N = recWords(R);
    forEachRecordName(R, [this](uint32_t &Off) { Off = remapString(Off); });
    R += N;
  }
  StrCache = {};
  NewStringSet = {};
}

// Primitive types ------------------------------------------------------------

void Deduper::dedupPrimitive(uint32_t Id) {
  const uint32_t *T = rec(Id);
  uint32_t New = Id;
  uint64_t H;
  switch (recKind(T)) {
  case KInt:
    H = hashIntTag(T);
    forEachCandidate(H, [&](uint32_t C) {
      if (!equalIntTag(T, rec(C)))
        return false;
      New = C;
      return true;
    });
    break;
  case KEnum:
  case KEnum64:
    H = hashEnum(T);
    if (recName(T) == 0 && !isEnumFwd(T) && !AnonEnumFwds) {
      New = findAnonEnum(Id, T);
      break;
    }
    forEachCandidate(H, [&](uint32_t C) {
      const uint32_t *CR = rec(C);
      if (equalEnum(T, CR)) {
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
  case KFwd:
  case KFloat:
    H = hashCommon(T);
    forEachCandidate(H, [&](uint32_t C) {
      if (!equalCommon(T, rec(C)))
        return false;
      New = C;
      return true;
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
static uint64_t anonEnumKey(const uint32_t *R) { return hashEnumFull(R) >> 1; }

uint32_t Deduper::findAnonEnum(uint32_t Id, const uint32_t *T) {
  const uint64_t Full = anonEnumKey(T);
  SmallVector<uint32_t, 1> &Split = SplitAnonEnums[Full];
  for (uint32_t C : llvm::reverse(Split))
    if (equalEnum(T, rec(C)))
      return C;
  auto Base = BaseAnonEnums.find(Full);
  if (Base != BaseAnonEnums.end())
    for (uint32_t C : Base->second)
      if (equalEnum(T, rec(C)))
        return C;
  Split.push_back(Id); // canonical: a candidate from now on
  return Id;
}

/// Sets up findAnonEnum(): the base's anonymous enums by their whole
/// record, in the order of the base's chain, and whether an anonymous enum
/// declaration exists (then every anonymous enum takes the table's path).
void Deduper::indexAnonEnums() {
  static const uint32_t Anon[3] = {0, 0, 0};
  for (uint32_t C = BI.Types.first(hashEnum(Anon)); C; C = BI.Types.next(C)) {
    const uint32_t *R = rec(C);
    if (!isAnyEnum(R) || recName(R) != 0)
      continue;
    AnonEnumFwds |= isEnumFwd(R);
    BaseAnonEnums[anonEnumKey(R)].push_back(C);
  }
  for (uint32_t Id = FirstId; Id < EndId && !AnonEnumFwds; ++Id) {
    const uint32_t *R = splitRec(Id);
    AnonEnumFwds |= isEnumFwd(R) && recName(R) == 0;
  }
}

bool Deduper::identicalArrays11(uint32_t A, uint32_t B) const {
  const uint32_t *RA = rec(A), *RB = rec(B);
  return recKind(RA) == KArray && recKind(RB) == KArray && equalArray(RA, RB);
}

bool Deduper::identicalStructs11(uint32_t A, uint32_t B) const {
  const uint32_t *RA = rec(A), *RB = rec(B);
  unsigned K = recKind(RA);
  if ((K != KStruct && K != KUnion) || K != recKind(RB) ||
      !shallowEqualStruct(RA, RB))
    return false;
  const uint32_t *MA = RA + 3, *MB = RB + 3;
  for (uint32_t I = 0, N = recVlen(RA); I < N; ++I, MA += 3, MB += 3)
    if (MA[1] != MB[1] && !identicalArrays11(MA[1], MB[1]) &&
        !identicalStructs11(MA[1], MB[1]))
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
    const uint32_t *T1 = rec(A), *T2 = rec(C);
    unsigned K = recKind(T1);
    if (K != recKind(T2))
      return false;
    switch (K) {
    case 0: // void
      return true;
    case KInt:
      return equalIntTag(T1, T2);
    case KEnum:
    case KEnum64:
      return compatEnum(T1, T2);
    case KFwd:
    case KFloat:
      return equalCommon(T1, T2);
    case KConst:
    case KVolatile:
    case KRestrict:
    case KPtr:
    case KTypedef:
    case KFunc:
    case KTypeTag:
      if (T1[0] != T2[0] || T1[1] != T2[1])
        return false;
      A = T1[2];
      C = T2[2];
      if (A == C)
        return true;
      continue; // same depth, as upstream's tail loop
    case KArray:
      if (!compatArray(T1, T2))
        return false;
      if (T1[4] != T2[4] && !identical(T1[4], T2[4], Depth - 1))
        return false;
      return T1[3] == T2[3] || identical(T1[3], T2[3], Depth - 1);
    case KStruct:
    case KUnion: {
      if (!shallowEqualStruct(T1, T2))
        return false;
      const uint32_t *M1 = T1 + 3, *M2 = T2 + 3;
      for (uint32_t I = 0, N = recVlen(T1); I < N; ++I, M1 += 3, M2 += 3)
        if (M1[1] != M2[1] && !identical(M1[1], M2[1], Depth - 1))
          return false;
      return true;
    }
    case KFuncProto: {
      if (!compatFuncProto(T1, T2))
        return false;
      if (T1[2] != T2[2] && !identical(T1[2], T2[2], Depth - 1))
        return false;
      const uint32_t *P1 = T1 + 3, *P2 = T2 + 3;
      for (uint32_t I = 0, N = recVlen(T1); I < N; ++I, P1 += 2, P2 += 2)
        if (P1[1] != P2[1] && !identical(P1[1], P2[1], Depth - 1))
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

    const uint32_t *CT = rec(Cand), *KT = rec(Canon);
    if (CT[0] != KT[0])
      return false;
    unsigned CK = recKind(CT), KK = recKind(KT);
    if ((CK == KFwd || KK == KFwd) && CK != KK) {
      unsigned RealKind, FwdKind;
      if (CK == KFwd) {
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
    case KInt:
      if (!equalIntTag(CT, KT))
        return false;
      break;
    case KEnum:
    case KEnum64:
      if (!compatEnum(CT, KT))
        return false;
      break;
    case KFwd:
    case KFloat:
      if (!equalCommon(CT, KT))
        return false;
      break;
    case KConst:
    case KVolatile:
    case KRestrict:
    case KPtr:
    case KTypedef:
    case KFunc:
    case KTypeTag:
      if (CT[1] != KT[1])
        return false;
      PairStack.push_back({CT[2], KT[2]});
      break;
    case KArray:
      if (!compatArray(CT, KT))
        return false;
      // Index type first, then element type.
      PairStack.push_back({CT[3], KT[3]});
      PairStack.push_back({CT[4], KT[4]});
      break;
    case KStruct:
    case KUnion: {
      if (!shallowEqualStruct(CT, KT))
        return false;
      uint32_t N = recVlen(CT);
      for (uint32_t I = N; I-- > 0;)
        PairStack.push_back({CT[3 + 3 * I + 1], KT[3 + 3 * I + 1]});
      break;
    }
    case KFuncProto: {
      if (!compatFuncProto(CT, KT))
        return false;
      uint32_t N = recVlen(CT);
      for (uint32_t I = N; I-- > 0;)
        PairStack.push_back({CT[3 + 2 * I + 1], KT[3 + 2 * I + 1]});
      PairStack.push_back({CT[2], KT[2]}); // the return type first
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
    unsigned TK = recKind(rec(TId)), CK = recKind(rec(CId));
    // A canonical FWD (even a base one) now stands for the candidate's
    // STRUCT/UNION, so that split FWDs resolved to it follow.
    if (TK != KFwd && CK == KFwd)
      Map.set(CId, TId);
    if (AdjustCanon)
      continue;
    if (TK == KFwd && CK != KFwd)
      Map.set(TId, CId);
    if ((TK == KStruct || TK == KUnion) && CK != KFwd && isMapped(CId) &&
        !isMapped(TId))
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
  const uint32_t *T = rec(Id);
  unsigned K = recKind(T);
  bool Typedef = K == KTypedef && Opts.Compat != DedupCompat::Libbpf11;
  if (K != KStruct && K != KUnion && !Typedef)
    return;
  uint64_t H = Typedef ? hashTypedef(T) : hashStruct(T);
  uint32_t New = Id;
  forEachCandidate(H, [&](uint32_t C) {
    // Also keeps a FWD of colliding signature out (FWD and STRUCT count as
    // equivalent in the walk, which could make a FWD<->STRUCT loop).
    const uint32_t *CR = rec(C);
    if (Typedef ? (CR[0] != T[0] || CR[1] != T[1]) : !shallowEqualStruct(T, CR))
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
    const uint32_t *T = rec(Id);
    unsigned K = recKind(T);
    if ((K != KStruct && K != KUnion) || Map[Id] != Id)
      continue;
    auto [It, New] = Names.try_emplace(recName(T), Id);
    if (!New)
      It->second = 0;
  }
  for (uint32_t Id = FirstId; Id < EndId; ++Id) {
    const uint32_t *T = rec(Id);
    if (recKind(T) != KFwd || Map[Id] != Id)
      continue;
    uint32_t Cand = 0;
    const dd::CompositeNames::Entry *BIt = BI.Composites.find(recName(T));
    auto SIt = Names.find(recName(T));
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
    if (recKind(rec(Cand)) != fwdKind(T))
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
    uint32_t *T = splitRec(Id);
    unsigned K = recKind(T);
    if (Map[Id] == Unprocessed) {
      Map.set(Id, InProgress);
      size_t Before = IdStack.size();
      Error Err = Error::success();
      forEachTypeSlot(reinterpret_cast<CommonType *>(T), [&](uint32_t &Ref) {
        if (Map[Ref] == InProgress && !Err)
          Err = makeError(In.Name, "type id " + Twine(Id) + ": " + kindName(K) +
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
    // Everything T refers to is canonical now.
    forEachTypeSlot(reinterpret_cast<CommonType *>(T),
                    [&](uint32_t &Ref) { Ref = resolve(Ref); });
    uint32_t New = Id;
    uint64_t H;
    if (isRefKind(K)) {
      // Only DedupCompat::Libbpf11 gets here with a TYPEDEF.
      H = K == KTypedef ? hashTypedef(T) : hashCommon(T);
      forEachCandidate(H, [&](uint32_t C) {
        if (!equalCommon(T, rec(C)))
          return false;
        New = C;
        return true;
      });
    } else if (K == KDeclTag) {
      H = hashIntTag(T);
      forEachCandidate(H, [&](uint32_t C) {
        if (!equalIntTag(T, rec(C)))
          return false;
        New = C;
        return true;
      });
    } else if (K == KArray) {
      H = hashArray(T);
      forEachCandidate(H, [&](uint32_t C) {
        if (!equalArray(T, rec(C)))
          return false;
        New = C;
        return true;
      });
    } else if (K == KFuncProto) {
      H = hashFuncProto(T);
      forEachCandidate(H, [&](uint32_t C) {
        if (!equalFuncProto(T, rec(C)))
          return false;
        New = C;
        return true;
      });
    } else {
      return makeError(In.Name, "type id " + Twine(Id) +
                                    ": cannot deduplicate " + kindName(K));
    }
    setCanonical(Id, New, H);
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
    const uint32_t *T = splitRec(Id);
    uint32_t N = recWords(T);
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
