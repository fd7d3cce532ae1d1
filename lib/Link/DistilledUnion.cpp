//===- DistilledUnion.cpp - One distilled base for many objects -----------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Without the original base at hand, the link step merges the objects'
// distilled bases. All of them were distilled from one base (the manifests'
// fingerprints were checked equal), so each distilled type stands for one
// base type, and two objects' entries stand for the same base type exactly
// when their records are equal: kind, kind flag, size, INT encoding and
// name. Two entries of one name and kind that differ in size are therefore
// two base types (vmlinux has several structs of one name, e.g. per-driver
// `struct priv`), and both are kept: relocation tells them apart by size,
// as the kernel does for duplicate names (kernel/bpf/btf_relocate.c).
//
// libbpf's distill lists base types in base id order. Each object's list is
// in that order, so the union is ordered by merging the lists (a
// topological order of "comes before" in some object); where no object
// orders two types, the smaller key comes first, which keeps the output a
// function of the input alone.
//
//===----------------------------------------------------------------------===//

#include "LinkInternal.h"

#include "btfkit/Builder.h"
#include "btfkit/Distill.h"
#include "btfkit/Error.h"

#include "llvm/ADT/StringExtras.h"

#include <set>

using namespace btfkit;
using namespace btfkit::link;
using namespace llvm;

/// The identity of a distilled record: everything but the name offset,
/// then the name. The third word is taken as stored: a FWD's is not a size.
static std::string recordKey(const Type &T) {
  std::string K;
  raw_string_ostream OS(K);
  OS << format_hex_no_prefix(T.info(), 8) << ':'
     << format_hex_no_prefix(T.common().SizeOrType, 8) << ':';
  if (T.is(Kind::Int))
    OS << format_hex_no_prefix(T.intData(), 8);
  OS << ':' << T.name();
  return K;
}

Expected<DistilledUnion>
link::uniteDistilledBases(ArrayRef<LoadedFragment> Frags, StringRef Name) {
  struct Node {
    std::string Key;
    const LoadedFragment *From;
    uint32_t Id; // in From's distilled base
    std::set<unsigned> Succ;
    unsigned InDegree = 0;
  };
  std::vector<Node> Nodes;
  StringMap<unsigned> ByKey;
  DistilledUnion U;
  U.Map.resize(Frags.size());

  for (size_t FI = 0; FI < Frags.size(); ++FI) {
    const LoadedFragment &F = Frags[FI];
    if (!F.Distilled)
      continue;
    const BTF &D = *F.Distilled;
    U.Map[FI].assign(D.endId(), 0);
    int Prev = -1;
    for (uint32_t Id = D.firstId(); Id < D.endId(); ++Id) {
      Type T = D.type(Id);
      if (!isDistilledBaseKind(T.kind()) || T.name().empty() ||
          (T.isComposite() && T.vlen()) || (T.isEnum() && T.vlen()))
        return makeError(F.Label, "distilled base type id " + Twine(Id) +
                                      " is " + describeType(T) +
                                      ", which a distilled base cannot hold");
      std::string Key = recordKey(T);
      auto [It, New] = ByKey.try_emplace(Key, Nodes.size());
      if (New)
        Nodes.push_back({Key, &F, Id, {}, 0});
      unsigned N = It->second;
      U.Map[FI][Id] = N; // a node index for now
      if (Prev >= 0 && unsigned(Prev) != N)
        Nodes[Prev].Succ.insert(N);
      Prev = int(N);
    }
  }

  // Kahn's algorithm, the smallest key first among the ready nodes.
  for (const Node &N : Nodes)
    for (unsigned S : N.Succ)
      ++Nodes[S].InDegree;
  std::set<std::pair<StringRef, unsigned>> Ready;
  for (unsigned I = 0; I < Nodes.size(); ++I)
    if (!Nodes[I].InDegree)
      Ready.insert({Nodes[I].Key, I});
  std::vector<unsigned> Order;
  std::vector<bool> Placed(Nodes.size());
  while (Order.size() < Nodes.size()) {
    if (Ready.empty()) {
      // The objects disagree on the order (not from one base after all,
      // or damaged): place the rest by key rather than fail; the check of
      // relocation onto the base catches a real mismatch.
      for (unsigned I = 0; I < Nodes.size(); ++I)
        if (!Placed[I])
          Ready.insert({Nodes[I].Key, I});
    }
    unsigned N = Ready.begin()->second;
    Ready.erase(Ready.begin());
    if (Placed[N])
      continue;
    Placed[N] = true;
    Order.push_back(N);
    for (unsigned S : Nodes[N].Succ)
      if (--Nodes[S].InDegree == 0 && !Placed[S])
        Ready.insert({Nodes[S].Key, S});
  }

  Builder B;
  std::vector<uint32_t> NewId(Nodes.size());
  for (unsigned N : Order) {
    Type T = Nodes[N].From->Distilled->type(Nodes[N].Id);
    NewId[N] = B.addCopy(T, [](uint32_t Id) { return Id; });
  }
  for (std::vector<uint32_t> &M : U.Map)
    for (size_t Id = 1; Id < M.size(); ++Id)
      M[Id] = NewId[M[Id]];
  auto Built = B.build(Name.str());
  if (!Built)
    return Built.takeError();
  U.Base = std::move(*Built);
  return U;
}
