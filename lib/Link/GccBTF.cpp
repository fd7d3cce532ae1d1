//===- GccBTF.cpp - The BTF GCC's -gbtf put in a linked file --------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// An object compiled with `gcc -gbtf` carries a standalone .BTF of its
// translation unit; `ld -r` concatenates them (splitBTFBlobs). Each blob
// becomes a standalone unit, merged like a unit encoded from DWARF, after
// the records are brought to what the DWARF route (pahole 1.24's rules,
// lib/Encode) makes of the same source. What GCC 12 writes differently,
// measured on gcc 12.2 (docs/LinkStep.md, "GCC's -gbtf objects"):
//
//  - a FUNC for every function it saw: extern declarations, functions
//    inlined everywhere, a nameless FUNC per function-pointer prototype.
//    pahole keeps those with a symbol of the linked file, once per unit,
//    all of whose parameters are named;
//  - a VAR and a DATASEC for every global (.bss, .data, .rodata, externs);
//    pahole encodes the per-CPU variables only;
//  - char as SIGNED|CHAR, signed char as SIGNED|CHAR, unsigned char as
//    CHAR: pahole sets SIGNED alone;
//  - arrays indexed by "long unsigned int", and one ARRAY per dimension
//    (in reverse order): pahole indexes by "int" and flattens;
//  - a FWD whose size/type word is not 0 (the kernel refuses it);
//  - a 4-byte enum with negative values as unsigned, and an 8-byte enum as
//    an ENUM of only the values that fit in 32 bits: where the base has the
//    enum (same name and size, values that agree), the base's record is
//    taken; elsewhere GCC's stays.
//
//===----------------------------------------------------------------------===//

#include "DwarfToBTF.h"
#include "LinkInternal.h"

#include "btfkit/Builder.h"
#include "btfkit/Error.h"
#include "btfkit/Reader.h"

#include "btfkit/TypeWalk.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace btfkit;
using namespace btfkit::link;
using namespace llvm;

namespace {
/// The base's enums by name, to recover what GCC 12 loses.
class BaseEnums {
public:
  explicit BaseEnums(const BTF *Base) : Base(Base) {}
  /// The base's enum of \p T's name and size whose values GCC's agree with:
  /// an ENUM's all of them (as 32-bit values: GCC 12 leaves negative ones
  /// unsigned), an ENUM64's those GCC 12 kept (the values that fit in 32
  /// bits), or none.
  std::optional<Type> match(const Type &T) {
    if (!Base || T.name().empty())
      return std::nullopt;
    if (!Indexed) {
      for (uint32_t Id = Base->firstId(); Id < Base->endId(); ++Id) {
        Type B = Base->type(Id);
        if (B.isEnum() && !B.name().empty())
          ByName[B.name()].push_back(Id);
      }
      Indexed = true;
    }
    auto It = ByName.find(T.name());
    if (It == ByName.end())
      return std::nullopt;
    for (uint32_t Id : It->second) {
      Type B = Base->type(Id);
      if (B.size() != T.size())
        continue;
      if (B.is(Kind::Enum64)) {
        // GCC 12 keeps the enumerators of an 8-byte enum that fit in 32
        // bits: each must be the base's.
        bool Subset = T.is(Kind::Enum);
        for (uint32_t I = 0; I < T.vlen() && Subset; ++I) {
          StringRef N = T.btf().str(T.enumValues()[I].NameOff);
          uint64_t V = uint32_t(T.enumValues()[I].Val);
          Subset = llvm::any_of(B.enum64Values(), [&](const Enum64Value &E) {
            return Base->str(E.NameOff) == N &&
                   ((uint64_t(E.ValHi32) << 32) | E.ValLo32) == V;
          });
        }
        if (Subset)
          return B;
        continue;
      }
      if (!B.is(Kind::Enum) || B.vlen() != T.vlen())
        continue;
      bool Same = true;
      for (uint32_t I = 0; I < T.vlen() && Same; ++I)
        Same = B.enumValues()[I].Val == T.enumValues()[I].Val &&
               Base->str(B.enumValues()[I].NameOff) ==
                   T.btf().str(T.enumValues()[I].NameOff);
      if (Same)
        return B;
    }
    return std::nullopt;
  }

private:
  const BTF *Base;
  bool Indexed = false;
  StringMap<std::vector<uint32_t>> ByName;
};

/// One blob brought to the DWARF route's form.
class BlobNormalizer {
public:
  BlobNormalizer(const BTF &G, DwarfSymbols &Syms,
                 std::optional<IntNameMap> &IntNames, BaseEnums &Enums)
      : G(G), Syms(Syms), IntNames(IntNames), Enums(Enums) {}

  Expected<std::unique_ptr<BTF>> run(const std::string &Label);
  unsigned NumFuncs = 0, NumVars = 0;

private:
  Type type(uint32_t Id) const { return G.type(Id); }
  void chooseRecords();
  bool keepFunc(const Type &T);
  /// \p Id with ARRAY-of-ARRAY chains followed to the element.
  uint32_t arrayElement(uint32_t Id, uint32_t &Count) const;
  uint32_t addRecord(Builder &B, const Type &T,
                     function_ref<uint32_t(uint32_t)> MapId);

  const BTF &G;
  DwarfSymbols &Syms;
  std::optional<IntNameMap> &IntNames;
  BaseEnums &Enums;
  /// Per id: kept in the result.
  std::vector<bool> Keep;
  /// The "int" arrays are indexed by: 0 until needed.
  uint32_t IndexInt = 0;
};
} // namespace

bool BlobNormalizer::keepFunc(const Type &T) {
  StringRef Name = T.name();
  if (Name.empty() || !T.typeId() || !type(T.typeId()).is(Kind::FuncProto))
    return false;
  // A symbol of its own in the linked file (with no symbol table at all,
  // nothing tells which were defined: all are kept).
  if (!Syms.Functions.empty() && !Syms.Functions.count(Name))
    return false;
  // Every parameter named (pahole's has_arg_names); a trailing
  // (void, unnamed) is the "..." of a variadic function.
  ArrayRef<Param> Ps = type(T.typeId()).params();
  for (size_t I = 0; I < Ps.size(); ++I)
    if (!Ps[I].NameOff && !(I + 1 == Ps.size() && !Ps[I].Type))
      return false;
  // Once per module, as the DWARF route (DwarfSymbols::claimFunction).
  return Syms.claimFunction(Name);
}

uint32_t BlobNormalizer::arrayElement(uint32_t Id, uint32_t &Count) const {
  Count = 1;
  for (unsigned Depth = 0; Depth < 64; ++Depth) {
    Type T = type(Id);
    if (!T.is(Kind::Array))
      return Id;
    uint64_t N = uint64_t(Count) * T.array().NElems;
    Count = N > UINT32_MAX ? UINT32_MAX : uint32_t(N);
    Id = T.array().Type;
  }
  return Id;
}

void BlobNormalizer::chooseRecords() {
  const uint32_t End = G.endId();
  Keep.assign(End, true);
  Keep[0] = false;
  // Records that stay only if something kept refers to them: prototypes of
  // FUNCs left out, inner dimensions of flattened arrays.
  std::vector<bool> Optional(End, false);
  // The per-CPU variables GCC placed in .data..percpu.
  DenseSet<uint32_t> PerCPU;
  for (uint32_t Id = 1; Id < End; ++Id) {
    Type T = type(Id);
    if (T.is(Kind::Datasec) && T.name() == ".data..percpu")
      for (const VarSecInfo &VS : T.secInfos())
        PerCPU.insert(VS.Type);
  }
  for (uint32_t Id = 1; Id < End; ++Id) {
    Type T = type(Id);
    if (T.is(Kind::Func)) {
      if (keepFunc(T)) {
        ++NumFuncs;
        continue;
      }
      Keep[Id] = false;
      if (T.typeId() && T.typeId() < End)
        Optional[T.typeId()] = true;
    } else if (T.is(Kind::Var)) {
      auto It = Syms.PerCPU.find(T.name());
      Keep[Id] = PerCPU.contains(Id) && It != Syms.PerCPU.end();
      NumVars += Keep[Id];
    } else if (T.is(Kind::Datasec)) {
      Keep[Id] = T.name() == ".data..percpu";
    } else if (T.is(Kind::Array)) {
      for (uint32_t Inner = T.array().Type; type(Inner).is(Kind::Array);
           Inner = type(Inner).array().Type)
        Optional[Inner] = true;
    }
  }
  // Optional records are kept when a kept record (other than through an
  // ARRAY's flattened dimensions) refers to them.
  for (uint32_t Id = 1; Id < End; ++Id)
    if (Optional[Id])
      Keep[Id] = false;
  std::vector<uint32_t> Work;
  auto Reach = [&](uint32_t Ref) {
    if (Ref && Ref < End && Optional[Ref] && !Keep[Ref]) {
      Keep[Ref] = true;
      Work.push_back(Ref);
    }
  };
  auto Visit = [&](uint32_t Id) {
    Type T = type(Id);
    if (T.is(Kind::Array)) {
      uint32_t Count;
      Reach(arrayElement(Id, Count));
      return;
    }
    if (T.is(Kind::DeclTag) || T.is(Kind::Datasec))
      return; // follow what they annotate only if kept anyway
    forEachTypeRef(T, Reach);
  };
  for (uint32_t Id = 1; Id < End; ++Id)
    if (Keep[Id])
      Visit(Id);
  while (!Work.empty()) {
    uint32_t Id = Work.back();
    Work.pop_back();
    Visit(Id);
  }
  // Decl tags on what was left out go too.
  for (uint32_t Id = 1; Id < End; ++Id) {
    Type T = type(Id);
    if (T.is(Kind::DeclTag) && (!T.typeId() || !Keep[T.typeId()]))
      Keep[Id] = false;
  }
}

uint32_t BlobNormalizer::addRecord(Builder &B, const Type &T,
                                   function_ref<uint32_t(uint32_t)> MapId) {
  if (T.is(Kind::Int)) {
    // pahole's INT encodings: SIGNED for signed char types, never CHAR.
    uint32_t Enc = T.intEncoding() & ~IntChar;
    StringRef Name = T.name();
    if (IntNames && T.intOffset() == 0 && T.intBits() == T.size() * 8) {
      StringRef BaseName = IntNames->lookup(Name, T.size(), Enc);
      if (!BaseName.empty())
        Name = BaseName;
    }
    return B.addInt(Name, T.size(), Enc, T.intOffset(), T.intBits());
  }
  if (T.is(Kind::Array)) {
    uint32_t Count;
    uint32_t Elem = arrayElement(T.id(), Count);
    return B.addArray(MapId(Elem), IndexInt, Count);
  }
  // GCC 12 leaves a FWD's size/type word set (to what its tree node held,
  // 6 on the kernel's); the kernel refuses a FWD whose type is not 0.
  if (T.is(Kind::Fwd))
    return B.addFwd(T.name(), T.kindFlag());
  if (T.isEnum())
    if (std::optional<Type> BE = Enums.match(T))
      return B.addCopy(*BE, [](uint32_t Id) { return Id; });
  if (T.is(Kind::Datasec)) {
    uint32_t Id = B.addDatasec(T.name(), 0);
    for (const VarSecInfo &VS : T.secInfos())
      if (Keep[VS.Type])
        B.addSecInfo(MapId(VS.Type), VS.Offset, VS.Size);
    return Id;
  }
  return B.addCopy(T, MapId);
}

Expected<std::unique_ptr<BTF>> BlobNormalizer::run(const std::string &Label) {
  chooseRecords();
  const uint32_t End = G.endId();
  std::vector<uint32_t> NewId(End, 0);
  uint32_t Next = 1;
  bool HasArray = false;
  for (uint32_t Id = 1; Id < End; ++Id) {
    if (!Keep[Id])
      continue;
    NewId[Id] = Next++;
    Type T = type(Id);
    HasArray |= T.is(Kind::Array);
    // The unit's own "int" indexes its arrays, as pahole's does.
    if (!IndexInt && T.is(Kind::Int) && T.name() == "int" && T.size() == 4 &&
        T.intEncoding() == IntSigned && T.intBits() == 32)
      IndexInt = NewId[Id];
  }
  Builder B;
  // An "int" added after the unit's types when an array needs one.
  if (HasArray && !IndexInt)
    IndexInt = Next;
  auto MapId = [&](uint32_t Id) { return Id < End ? NewId[Id] : 0; };
  for (uint32_t Id = 1; Id < End; ++Id)
    if (Keep[Id])
      addRecord(B, type(Id), MapId);
  if (IndexInt == B.nextId())
    B.addInt("int", 4, IntSigned);
  return B.build(Label);
}

Expected<std::vector<GccUnitBTF>> link::readGccBlobs(const LinkInput &In,
                                                     ArrayRef<uint8_t> Section,
                                                     const IndexedBase *IBase) {
  std::string SecLabel = In.Path + ":" + BTFSectionName;
  auto Blobs = splitBTFBlobs(Section, SecLabel);
  if (!Blobs)
    return Blobs.takeError();
  auto Syms = readDwarfSymbols(In);
  if (!Syms)
    return Syms.takeError();
  const BTF *Base = IBase ? &IBase->btf() : nullptr;
  std::optional<IntNameMap> IntNames;
  if (Base)
    IntNames.emplace(*Base, IBase->intIds());
  BaseEnums Enums(Base);
  std::vector<GccUnitBTF> Out;
  for (size_t I = 0; I < Blobs->size(); ++I) {
    const BlobSpan &S = (*Blobs)[I];
    GccUnitBTF U;
    U.Offset = S.Offset;
    U.Label = (SecLabel + "[blob " + Twine(I + 1) + " at byte offset 0x" +
               utohexstr(S.Offset, true) + "]")
                  .str();
    // Copied: a blob after the first is rarely 4-byte aligned (GCC 12's
    // .BTF has alignment 1).
    auto G = BTF::parseOwned(std::vector<uint8_t>(S.Data.begin(), S.Data.end()),
                             nullptr, U.Label);
    if (!G)
      return G.takeError();
    if ((*G)->numTypes() == 0)
      continue;
    BlobNormalizer N(**G, *Syms, IntNames, Enums);
    auto T = N.run(U.Label);
    if (!T)
      return T.takeError();
    U.Types = std::move(*T);
    U.NumFuncs = N.NumFuncs;
    U.NumVars = N.NumVars;
    Out.push_back(std::move(U));
  }
  return Out;
}
