//===- DedupBaseFor.cpp - A base index restricted to one split BTF --------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// DedupBase::create() hashes every base type and string, which for vmlinux
// (100k types) costs more than a compilation may spend on its base. One
// translation unit can only ever meet a small part of the base, and which
// part follows from the rules deduplication compares by:
//
//  - a split string becomes a base offset only when the base holds the same
//    string, and then the lowest such offset (the one the full index keeps);
//  - every comparison of two types (btf_equal_*, btf_shallow_equal_struct)
//    requires equal name offsets, and for anonymous STRUCT/UNION equal
//    member name offsets: so a base type whose name is not one of the split's
//    strings (at its lowest base offset) never equals a split type; named
//    composites are kept whatever their member names, since a split FWD can
//    resolve to them;
//  - reference types (PTR, TYPEDEF, modifiers, TYPE_TAG, FUNC, DECL_TAG,
//    ARRAY, FUNC_PROTO) equal a split type only when what they refer to is
//    the canonical base type of a split type, i.e. itself such a base type.
//
// The candidate table gets exactly the base types that pass these tests (an
// over-approximation: a cycle through FUNC_PROTO counts as passing), in id
// order, so each signature's chain lists them in the order the full table
// does, minus types that could never be chosen. The strings get the base
// offsets of the split's strings. Records of all base types stay reachable
// by id, since the structural walk of STRUCT/UNION follows base members
// anywhere. The result: dedup() output identical to that over create(Base)
// (test/plugin/dedup-subset.test compares the bytes).
//
//===----------------------------------------------------------------------===//

#include "DedupIndex.h"

#include "btfkit/TypeWalk.h"

#include <cstring>

using namespace btfkit;
using namespace btfkit::dd;
using namespace llvm;

namespace {

/// A prefilter on strings: a two-probe Bloom filter keyed on the length
/// and the first eight bytes, so that nearly every base string is rejected
/// without hashing it whole or probing a hash table.
class StringFilter {
public:
  StringFilter() : Bits(size_t(1) << (LogBits - 6), 0) {}
  void add(llvm::StringRef S) {
    uint64_t K = key(S);
    set(uint32_t(K));
    set(uint32_t(K >> 32));
  }
  bool mayHold(const char *P, size_t Len) const {
    uint64_t K = key(P, Len);
    return test(uint32_t(K)) && test(uint32_t(K >> 32));
  }

private:
  static constexpr unsigned LogBits = 18; // 32 KiB
  static uint64_t key(llvm::StringRef S) { return key(S.data(), S.size()); }
  static uint64_t key(const char *P, size_t Len) {
    uint64_t W = 0;
    std::memcpy(&W, P, Len < 8 ? Len : 8);
    uint64_t K = (W ^ (uint64_t(Len) << 56)) * 0x9e3779b97f4a7c15ull;
    return K ^ (K >> 29);
  }
  void set(uint32_t H) {
    H >>= 32 - LogBits;
    Bits[H >> 6] |= uint64_t(1) << (H & 63);
  }
  bool test(uint32_t H) const {
    H >>= 32 - LogBits;
    return (Bits[H >> 6] >> (H & 63)) & 1;
  }
  std::vector<uint64_t> Bits;
};

enum : uint8_t { Unknown = 0, Visiting, Relevant, Irrelevant };

} // namespace

std::unique_ptr<DedupBase> DedupBase::createFor(const BTF &Base,
                                                const BTF &Split) {
  auto I = std::make_unique<Impl>();
  std::vector<const BTF *> Chain = I->indexRecords(Base);

  // The split's strings: offsets into the base are final already (dedup
  // keeps them); its own ones are looked for in the base.
  // Base offsets a split name can take, one bit per byte of the base's
  // string tables: a test per name of 100k base types must cost ~1 ns.
  const uint32_t BaseStrEnd = Base.strEnd();
  std::vector<uint64_t> Names((BaseStrEnd + 63) / 64 + 1, 0);
  auto SetName = [&Names](uint32_t Off) {
    Names[Off >> 6] |= uint64_t(1) << (Off & 63);
  };
  DenseMap<StringRef, uint32_t> Wanted;
  StringFilter Filter;
  // Offsets into the base are final already (dedup keeps them); the
  // split's own strings are looked for in the base.
  // Every string of the split's own table is wanted (the names its types
  // use, and at most a few more: a converter or dedup writes no others),
  // plus any name that starts inside one of them.
  const uint32_t SplitStrBegin = Split.strBegin();
  StringRef SplitTab = Split.stringSection();
  std::vector<uint64_t> Starts(SplitTab.size() / 64 + 1, 0);
  Wanted.reserve(SplitTab.size() / 16 + 16);
  for (size_t Pos = 0; Pos < SplitTab.size();) {
    StringRef S(SplitTab.data() + Pos);
    Starts[Pos >> 6] |= uint64_t(1) << (Pos & 63);
    Pos += S.size() + 1;
    if (!S.empty() && Wanted.try_emplace(S, 0).second)
      Filter.add(S);
  }
  for (uint32_t Id = Split.firstId(); Id < Split.endId(); ++Id)
    visitNameSlots(&Split.type(Id).common(), [&](uint32_t Off) {
      if (Off == 0)
        return;
      if (Off < SplitStrBegin) {
        if (Off < BaseStrEnd)
          SetName(Off);
        return;
      }
      uint32_t Pos = Off - SplitStrBegin;
      if ((Starts[Pos >> 6] >> (Pos & 63)) & 1)
        return;
      StringRef S = Split.str(Off);
      if (!S.empty() && Wanted.try_emplace(S, 0).second)
        Filter.add(S);
    });

  // One pass over the base strings, lowest offsets first, as the full index
  // inserts them (the lowest offset of a repeated string wins).
  I->Strings.reserve(Wanted.size());
  const Impl &Ref = *I;
  auto StrAt = [&Ref](uint32_t Off) { return Ref.str(Off); };
  size_t Missing = Wanted.size();
  for (auto It = Chain.rbegin(); It != Chain.rend() && Missing; ++It) {
    StringRef Tab = (*It)->stringSection();
    const uint32_t Begin = (*It)->strBegin();
    const char *Data = Tab.data();
    for (size_t Pos = 0; Pos < Tab.size() && Missing;) {
      size_t Len = std::strlen(Data + Pos);
      uint32_t Off = Begin + uint32_t(Pos);
      Pos += Len + 1;
      if (Len == 0 || Off == 0 || !Filter.mayHold(Data + Off - Begin, Len))
        continue;
      StringRef S(Data + Off - Begin, Len);
      auto W = Wanted.find(S);
      if (W == Wanted.end() || W->second)
        continue;
      W->second = Off;
      --Missing;
      SetName(Off);
      I->Strings.insert(S, hashString(S), Off, StrAt);
    }
  }

  auto NameOk = [&Names](uint32_t Off) {
    return (Names[Off >> 6] >> (Off & 63)) & 1 || Off == 0;
  };
  // What a base type must satisfy on its own, references aside.
  auto LocallyOk = [&](RecordRef R) {
    auto NamesOk = [&](auto Parts) {
      return llvm::all_of(Parts,
                          [&](const auto &P) { return NameOk(P.NameOff); });
    };
    switch (R.kind()) {
    case Kind::Struct:
    case Kind::Union:
      return R.nameOff() ? NameOk(R.nameOff()) : NamesOk(R.members());
    case Kind::FuncProto:
      return NamesOk(R.params());
    case Kind::Var:
    case Kind::Datasec:
      return false; // never deduplicated
    default:        // compared by name first; unknown kinds never deduplicated
      return isKnownKind(R.rawKind()) && NameOk(R.nameOff());
    }
  };
  // The types a base type's equivalence depends on: what the reference
  // kinds refer to (composites are compared structurally, without the
  // table; VAR and DATASEC never get this far).
  auto ForEachDep = [](RecordRef R, auto Fn) {
    if (!R.isComposite())
      visitTypeSlots(&R.common(), Fn);
  };

  // Relevance by an explicit depth-first walk (reference chains may be
  // long; the plugin runs inside the compiler's stack).
  const uint32_t End = I->EndId;
  std::vector<uint8_t> State(End, Unknown);
  State[0] = Relevant;
  std::vector<uint32_t> Stack;
  for (uint32_t Root = 1; Root < End; ++Root) {
    if (State[Root] != Unknown)
      continue;
    // Most types settle without the walk: by their own names, or because
    // they refer to nothing.
    RecordRef RR = I->rec(Root);
    if (!LocallyOk(RR)) {
      State[Root] = Irrelevant;
      continue;
    }
    bool HasDeps = false;
    ForEachDep(RR, [&HasDeps](uint32_t) { HasDeps = true; });
    if (!HasDeps) {
      State[Root] = Relevant;
      continue;
    }
    Stack.push_back(Root);
    while (!Stack.empty()) {
      uint32_t Id = Stack.back();
      RecordRef R = I->rec(Id);
      if (State[Id] == Unknown) {
        if (!LocallyOk(R)) {
          State[Id] = Irrelevant;
          Stack.pop_back();
          continue;
        }
        State[Id] = Visiting;
        bool Pushed = false;
        ForEachDep(R, [&](uint32_t D) {
          if (D < End && State[D] == Unknown) {
            Stack.push_back(D);
            Pushed = true;
          }
        });
        if (Pushed)
          continue;
      }
      if (State[Id] == Visiting) {
        bool Ok = true;
        ForEachDep(R, [&](uint32_t D) {
          if (D >= End || State[D] == Irrelevant)
            Ok = false;
        });
        State[Id] = Ok ? Relevant : Irrelevant;
      }
      Stack.pop_back();
    }
  }

  size_t NRelevant = 0;
  for (uint32_t Id = 1; Id < End; ++Id)
    NRelevant += State[Id] == Relevant;
  I->Types.init(1, End - 1, NRelevant);
  for (uint32_t Id = 1; Id < End; ++Id) {
    RecordRef R = I->rec(Id);
    if (R.isComposite() && NameOk(R.nameOff()))
      I->Composites.add(R.nameOff(), Id);
    uint64_t H;
    if (State[Id] == Relevant && finalHash(R, H))
      I->Types.insert(H, Id);
  }
  I->Composites.finish();
  return std::unique_ptr<DedupBase>(new DedupBase(std::move(I)));
}
