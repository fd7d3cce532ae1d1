//===- Diff.cpp - Comparing BTFs by type equivalence ----------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Equivalence classes by colour refinement: every type starts with a colour
// hashed from its own record (strings by content, never by offset), and each
// round rehashes a type's colour with the colours of the types it refers to,
// in record order. The partition only ever gets finer, so the first round
// that does not add a class is the fixpoint: the coarsest partition stable
// under "same record, equivalent references", i.e. structural equivalence
// (bisimilarity) of the type graphs. 64-bit colours make a collision that
// would merge two classes negligible.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Diff.h"
#include "btfkit/Builder.h"
#include "btfkit/TypeWalk.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/xxhash.h"

#include <algorithm>

using namespace btfkit;
using namespace llvm;

namespace {

uint64_t mix(uint64_t H, uint64_t V) {
  H ^= V + 0x9e3779b97f4a7c15ull + (H << 6) + (H >> 2);
  H *= 0xff51afd7ed558ccdull;
  return H ^ (H >> 29);
}

uint64_t strHash(const Type &T, uint32_t Off) {
  return Off ? xxh3_64bits(T.btf().str(Off)) : 0;
}

/// The colour of a record on its own: every field but the type ids.
uint64_t shallowColour(const Type &T) {
  if (T.isVoid())
    return 0x766f6964; // "void"
  const CommonType &C = T.common();
  uint64_t H = mix(C.Info, strHash(T, C.NameOff));
  switch (T.kind()) {
  case Kind::Int:
    return mix(mix(H, T.size()), T.intData());
  case Kind::Array:
    return mix(H, T.array().NElems);
  case Kind::Struct:
  case Kind::Union:
    H = mix(H, T.size());
    for (const Member &M : T.members())
      H = mix(mix(H, strHash(T, M.NameOff)), M.Offset);
    return H;
  case Kind::Enum:
    H = mix(H, T.size());
    for (const EnumValue &E : T.enumValues())
      H = mix(mix(H, strHash(T, E.NameOff)), uint32_t(E.Val));
    return H;
  case Kind::Enum64:
    H = mix(H, T.size());
    for (const Enum64Value &E : T.enum64Values())
      H = mix(mix(mix(H, strHash(T, E.NameOff)), E.ValLo32), E.ValHi32);
    return H;
  case Kind::FuncProto:
    for (const Param &P : T.params())
      H = mix(H, strHash(T, P.NameOff));
    return H;
  case Kind::Var:
    return mix(H, T.varLinkage());
  case Kind::Datasec:
    H = mix(H, T.size());
    for (const VarSecInfo &S : T.secInfos())
      H = mix(mix(H, S.Offset), S.Size);
    return H;
  case Kind::DeclTag:
    return mix(H, uint32_t(T.declTagComponent()));
  case Kind::Float:
  case Kind::Fwd: // FWD's third word is unused: compared as stored
    return mix(H, C.SizeOrType);
  default:
    if (T.rawKind() > MaxKnownKind) {
      // Opaque kinds compare by their bytes.
      ArrayRef<uint8_t> Bytes = T.bytes();
      return mix(H, xxh3_64bits(Bytes.drop_front(sizeof(CommonType))));
    }
    return H; // reference kinds: the target is compared by refinement
  }
}

/// The type graph of one or two BTF chains as flat arrays: node 0 is void,
/// each chain's ids map to nodes, a shared base is mapped once.
class Graph {
public:
  struct Side {
    const BTF *B;
    size_t Start;                 // its first node
    std::vector<uint32_t> NodeOf; // id -> node
  };

  /// \p BaseById: the base types of a chain keep a colour fixed by their id
  /// (cheaper, when both sides share the same base object anyway).
  void addSide(const BTF &B, const Side *ShareBaseWith, bool BaseById) {
    Side S;
    S.B = &B;
    S.Start = Nodes.empty() ? 1 : Nodes.size();
    S.NodeOf.resize(B.endId());
    S.NodeOf[0] = 0;
    if (Nodes.empty())
      Nodes.push_back(Type());
    uint32_t Own = B.firstId();
    for (uint32_t Id = 1; Id < B.endId(); ++Id) {
      if (Id < Own && ShareBaseWith) {
        S.NodeOf[Id] = ShareBaseWith->NodeOf[Id];
        continue;
      }
      S.NodeOf[Id] = uint32_t(Nodes.size());
      Nodes.push_back(B.type(Id));
      Fixed.push_back(Id < Own && BaseById);
    }
    Sides.push_back(std::move(S));
  }

  void refine() {
    const size_t N = Nodes.size();
    Fixed.insert(Fixed.begin(), true); // void
    // Edges in CSR form, in record order.
    EdgeBegin.assign(N + 1, 0);
    Edges.clear();
    for (size_t I = 0; I < N; ++I) {
      EdgeBegin[I] = uint32_t(Edges.size());
      if (Fixed[I] || Nodes[I].rawKind() > MaxKnownKind)
        continue;
      const Side &S = sideOf(I);
      forEachTypeRef(Nodes[I],
                     [&](uint32_t Ref) { Edges.push_back(S.NodeOf[Ref]); });
    }
    EdgeBegin[N] = uint32_t(Edges.size());
    Colour.resize(N);
    for (size_t I = 0; I < N; ++I)
      Colour[I] =
          Fixed[I] ? mix(0xba5e, Nodes[I].id()) : shallowColour(Nodes[I]);
    Shallow = Colour;
    Free.clear();
    for (size_t I = 0; I < N; ++I)
      if (!Fixed[I])
        Free.push_back(uint32_t(I));
    size_t Classes = countClasses(Colour);
    std::vector<uint64_t> Next(Colour);
    while (true) {
      for (uint32_t I : Free) {
        uint64_t H = Colour[I];
        for (uint32_t E = EdgeBegin[I]; E < EdgeBegin[I + 1]; ++E)
          H = mix(H, Colour[Edges[E]]);
        Next[I] = H;
      }
      size_t NewClasses = countClasses(Next);
      Colour.swap(Next);
      if (NewClasses == Classes)
        break;
      Classes = NewClasses;
    }
  }

  uint64_t colour(const Side &S, uint32_t Id) const {
    return Colour[S.NodeOf[Id]];
  }
  uint64_t shallow(const Side &S, uint32_t Id) const {
    return Shallow[S.NodeOf[Id]];
  }
  const Side &side(unsigned I) const { return Sides[I]; }

private:
  const Side &sideOf(size_t Node) const {
    // Nodes are appended side by side; the second side's nodes come last.
    if (Sides.size() == 2 && Node >= Sides[1].Start)
      return Sides[1];
    return Sides[0];
  }
  /// The number of classes among the nodes that are refined (fixed nodes
  /// never change class).
  size_t countClasses(const std::vector<uint64_t> &C) const {
    std::vector<uint64_t> Sorted;
    Sorted.reserve(Free.size());
    for (uint32_t I : Free)
      Sorted.push_back(C[I]);
    std::sort(Sorted.begin(), Sorted.end());
    return size_t(std::unique(Sorted.begin(), Sorted.end()) - Sorted.begin());
  }

  std::vector<Type> Nodes;
  std::vector<bool> Fixed;
  std::vector<uint32_t> Free; // the nodes that are not fixed
  std::vector<Side> Sides;
  std::vector<uint32_t> EdgeBegin, Edges;
  std::vector<uint64_t> Colour, Shallow;
};

std::string describeRef(const BTF &B, uint32_t Id) {
  Type T = B.type(Id);
  return "[" + std::to_string(Id) + "] " + describeType(T);
}

/// Why \p X (side \p SX) has no equivalent, given a same-kind, same-name
/// type \p Y of the other side.
std::string explain(const Graph &G, const Graph::Side &SX, uint32_t X,
                    const Graph::Side &SY, uint32_t Y) {
  Type TX = SX.B->type(X), TY = SY.B->type(Y);
  auto Vs = [](uint64_t A, uint64_t B) {
    return " (" + std::to_string(A) + " vs " + std::to_string(B) + ")";
  };
  if (G.shallow(SX, X) != G.shallow(SY, Y)) {
    if (TX.kindFlag() != TY.kindFlag())
      return "kind flag differs";
    if (TX.isComposite() || TX.isEnum() || TX.is(Kind::Int) ||
        TX.is(Kind::Float) || TX.is(Kind::Datasec))
      if (TX.size() != TY.size())
        return "size differs" + Vs(TX.size(), TY.size());
    if (TX.vlen() != TY.vlen())
      return "number of " +
             std::string(TX.isComposite()         ? "members"
                         : TX.isEnum()            ? "enumerators"
                         : TX.is(Kind::FuncProto) ? "parameters"
                                                  : "elements") +
             " differs" + Vs(TX.vlen(), TY.vlen());
    if (TX.isComposite()) {
      for (size_t I = 0; I < TX.members().size(); ++I) {
        const Member &MX = TX.members()[I], &MY = TY.members()[I];
        StringRef NX = SX.B->str(MX.NameOff), NY = SY.B->str(MY.NameOff);
        if (NX != NY)
          return "member #" + std::to_string(I) + " name differs ('" +
                 NX.str() + "' vs '" + NY.str() + "')";
        if (MX.Offset != MY.Offset)
          return "member '" + NX.str() + "' offset differs" +
                 Vs(TX.memberBitOffset(MX), TY.memberBitOffset(MY));
      }
    }
    if (TX.is(Kind::Int))
      return "encoding or bits differ";
    if (TX.isEnum())
      return "enumerators differ";
    if (TX.is(Kind::Array))
      return "number of elements differs" +
             Vs(TX.array().NElems, TY.array().NElems);
    if (TX.is(Kind::FuncProto))
      return "parameter names differ";
    return "differs";
  }
  // Same record: some referenced type differs.
  std::vector<uint32_t> RX, RY;
  forEachTypeRef(TX, [&](uint32_t R) { RX.push_back(R); });
  forEachTypeRef(TY, [&](uint32_t R) { RY.push_back(R); });
  // Name the slot closest to the cause: one whose referenced types differ
  // in their own records, else one that is not a pointer (a pointer back
  // into a cycle differs only because the cycle does), else the first.
  size_t Pick = RX.size();
  for (int Pass = 0; Pass < 3 && Pick == RX.size(); ++Pass)
    for (size_t I = 0; I < RX.size() && I < RY.size(); ++I) {
      if (G.colour(SX, RX[I]) == G.colour(SY, RY[I]))
        continue;
      if ((Pass == 0 && G.shallow(SX, RX[I]) == G.shallow(SY, RY[I])) ||
          (Pass == 1 && SX.B->type(RX[I]).is(Kind::Ptr)))
        continue;
      Pick = I;
      break;
    }
  for (size_t I = Pick; I < RX.size() && I < RY.size(); I = RX.size()) {
    std::string Slot;
    if (TX.isComposite())
      Slot = "member '" + SX.B->str(TX.members()[I].NameOff).str() + "'";
    else if (TX.is(Kind::FuncProto))
      Slot = I == 0 ? "return type" : "parameter #" + std::to_string(I - 1);
    else if (TX.is(Kind::Array))
      Slot = I == 0 ? "element type" : "index type";
    else
      Slot = "referenced type";
    return Slot + " differs: " + describeRef(*SX.B, RX[I]) + " vs " +
           describeRef(*SY.B, RY[I]);
  }
  return "differs";
}

void collect(const Graph &G, unsigned XI, std::vector<DiffEntry> &Out) {
  const Graph::Side &SX = G.side(XI), &SY = G.side(1 - XI);
  DenseSet<uint64_t> Other;
  for (uint32_t Id = 0; Id < SY.B->endId(); ++Id)
    Other.insert(G.colour(SY, Id));
  // The other side's types by kind and name, for the reasons.
  StringMap<std::vector<uint32_t>> ByName;
  for (uint32_t Id = 1; Id < SY.B->endId(); ++Id) {
    Type T = SY.B->type(Id);
    ByName[(Twine(T.rawKind()) + ":" + T.name()).str()].push_back(Id);
  }
  for (uint32_t Id = SX.B->firstId(); Id < SX.B->endId(); ++Id) {
    if (Other.count(G.colour(SX, Id)))
      continue;
    Type T = SX.B->type(Id);
    DiffEntry E;
    E.Id = Id;
    E.What = describeType(T);
    auto It = ByName.find((Twine(T.rawKind()) + ":" + T.name()).str());
    if (It == ByName.end()) {
      E.Reason = "missing";
    } else {
      // Prefer a counterpart with the same record, then any.
      uint32_t Y = It->second.front();
      for (uint32_t C : It->second)
        if (G.shallow(SY, C) == G.shallow(SX, Id)) {
          Y = C;
          break;
        }
      E.Reason = explain(G, SX, Id, SY, Y);
    }
    Out.push_back(std::move(E));
  }
}

} // namespace

DiffResult btfkit::diffBTF(const BTF &A, const BTF &B) {
  Graph G;
  G.addSide(A, nullptr, /*BaseById=*/false);
  const Graph::Side *Share =
      (A.base() && A.base() == B.base()) ? &G.side(0) : nullptr;
  G.addSide(B, Share, false);
  G.refine();
  DiffResult R;
  collect(G, 0, R.OnlyInA);
  collect(G, 1, R.OnlyInB);
  return R;
}

void btfkit::printDiff(const DiffResult &R, const BTF &A, const BTF &B,
                       raw_ostream &OS) {
  for (const DiffEntry &E : R.OnlyInA)
    OS << "- [" << E.Id << "] " << E.What << ": " << E.Reason << '\n';
  for (const DiffEntry &E : R.OnlyInB)
    OS << "+ [" << E.Id << "] " << E.What << ": " << E.Reason << '\n';
  if (R.equivalent())
    OS << "equivalent: " << A.name() << " and " << B.name() << '\n';
  else
    OS << R.OnlyInA.size() << " type(s) of " << A.name()
       << " without an equivalent in " << B.name() << ", " << R.OnlyInB.size()
       << " the other way\n";
}

std::vector<uint32_t> btfkit::canonicalOrder(const BTF &B) {
  Graph G;
  G.addSide(B, nullptr, /*BaseById=*/true);
  G.refine();
  const Graph::Side &S = G.side(0);
  std::vector<uint32_t> Order;
  for (uint32_t Id = B.firstId(); Id < B.endId(); ++Id)
    Order.push_back(Id);
  std::stable_sort(Order.begin(), Order.end(), [&](uint32_t X, uint32_t Y) {
    return G.colour(S, X) < G.colour(S, Y);
  });
  return Order;
}

Expected<std::unique_ptr<BTF>> btfkit::canonicalize(const BTF &B) {
  std::vector<uint32_t> Order = canonicalOrder(B);
  std::vector<uint32_t> NewId(B.endId());
  for (uint32_t Id = 0; Id < B.firstId(); ++Id)
    NewId[Id] = Id;
  for (size_t I = 0; I < Order.size(); ++I)
    NewId[Order[I]] = B.firstId() + uint32_t(I);
  Builder Out(B.base());
  for (uint32_t Id : Order)
    Out.addCopy(B.type(Id), [&](uint32_t Ref) { return NewId[Ref]; });
  return Out.build(B.name().str() + " (canonical order)");
}
