//===- DistillTest.cpp - Distilling a module's base, its ids, its .BTF_ids ===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// distill() must choose the base types libbpf's btf__distill_base() chooses,
// in its order: the named INT/FLOAT/FWD/STRUCT/UNION/ENUM the split needs
// go to the distilled base (composites and enums memberless), everything
// else it needs from the base is copied after the split's own types; and
// say where each type went, for a module's .BTF_ids (DistillModule.h).
//
//===----------------------------------------------------------------------===//

#include "btfkit/Distill.h"
#include "btfkit/BaseIndex.h"
#include "btfkit/Builder.h"
#include "btfkit/Diff.h"
#include "btfkit/DistillModule.h"
#include "btfkit/Relocate.h"

#include "TestSupport.h"

#include "llvm/Support/Endian.h"

#include "gtest/gtest.h"

using namespace btfkit;
using namespace llvm;

namespace {

/// vmlinux: [1] int, [2] struct dev, [3] typedef u32t, [4] struct gone,
/// [5] FUNC_PROTO, [6] FUNC vm_fn.
std::unique_ptr<BTF> makeBase() {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  B.addStruct("dev", 4);
  B.addMember("x", Int, 0);
  B.addTypedef("u32t", Int);
  B.addStruct("gone", 4);
  B.addMember("y", Int, 0);
  uint32_t Proto = B.addFuncProto(Int);
  B.addFunc("vm_fn", Proto, FuncGlobal);
  auto R = B.build("vmlinux");
  EXPECT_TRUE(bool(R));
  return std::move(*R);
}

/// The module: [7] struct m_priv {dev; u32t}, [8] FUNC_PROTO, [9] FUNC m_a,
/// [10] FUNC m_b.
std::unique_ptr<BTF> makeModule(const BTF &Base) {
  Builder B(&Base);
  B.addStruct("m_priv", 8);
  B.addMember("d", 2, 0);
  B.addMember("n", 3, 32);
  uint32_t Proto = B.addFuncProto(1);
  B.addFunc("m_a", Proto, FuncStatic);
  B.addFunc("m_b", Proto, FuncStatic);
  auto R = B.build("m.ko");
  EXPECT_TRUE(bool(R));
  return std::move(*R);
}

TEST(Distill, NewIdSaysWhereEachTypeWent) {
  auto Base = makeBase();
  auto Mod = makeModule(*Base);
  auto D = distill(*Mod);
  ASSERT_EXPECTED(D);
  // Distilled base: [1] int, [2] dev. Split: [3] m_priv, [4] proto, [5]
  // m_a, [6] m_b, then the moved typedef [7].
  ASSERT_EQ(D->Base->endId(), 3u);
  EXPECT_EQ(D->newId(0), 0u);
  EXPECT_EQ(D->newId(1), 1u);
  EXPECT_EQ(D->newId(2), 2u);
  EXPECT_EQ(D->newId(3), 7u);
  EXPECT_EQ(D->newId(4), std::nullopt); // not needed by the module
  EXPECT_EQ(D->newId(6), std::nullopt); // a FUNC never goes to the base
  EXPECT_EQ(D->newId(7), 3u);
  EXPECT_EQ(D->newId(10), 6u);
  EXPECT_EQ(D->newId(11), std::nullopt); // past the input
  EXPECT_EQ(D->Split->type(7).name(), "u32t");
  EXPECT_EQ(D->Split->type(5).name(), "m_a");
}

/// A .BTF_ids image in \p Order from host-order words.
std::vector<uint8_t> words(std::initializer_list<uint32_t> Ws,
                           llvm::endianness Order) {
  std::vector<uint8_t> Out(Ws.size() * 4);
  size_t At = 0;
  for (uint32_t W : Ws) {
    llvm::support::endian::write32(Out.data() + At, W, Order);
    At += 4;
  }
  return Out;
}

BTFIdSymbol sym(BTFIdSymbol::SymbolKind K, const char *Name, uint64_t Off) {
  BTFIdSymbol S;
  S.Kind = K;
  S.Name = Name;
  S.Symbol = std::string("__BTF_ID__") + Name;
  S.Offset = Off;
  return S;
}

void translatesIn(llvm::endianness Order) {
  auto Base = makeBase();
  auto Mod = makeModule(*Base);
  auto D = distill(*Mod);
  ASSERT_EXPECTED(D);
  // A list: dev, gone, m_b; a set8 declaring m_b (0x2), vm_fn (0x3), m_a
  // (0x5), u32t (0x9), sorted by old id: u32t 3, vm_fn 6, m_a 9, m_b 10.
  std::vector<uint8_t> Data = words({2, 4, 10,                 //
                                     4, 1,                     // set8
                                     3, 9, 6, 3, 9, 5, 10, 2}, //
                                    Order);
  BTFIdsSection Ids;
  Ids.Data = Data;
  Ids.LittleEndian = Order == llvm::endianness::little;
  Ids.Symbols = {sym(BTFIdSymbol::Struct, "dev", 0),
                 sym(BTFIdSymbol::Struct, "gone", 4),
                 sym(BTFIdSymbol::Func, "m_b", 8),
                 sym(BTFIdSymbol::Set8, "kfuncs", 12),
                 sym(BTFIdSymbol::Func, "m_b", 20),
                 sym(BTFIdSymbol::Func, "vm_fn", 28),
                 sym(BTFIdSymbol::Func, "m_a", 36),
                 sym(BTFIdSymbol::Typedef, "u32t", 44)};
  std::vector<std::string> Warnings;
  auto Out = translateBTFIds("m.ko", Ids, *Mod, *D, Warnings);
  ASSERT_EXPECTED(Out);
  EXPECT_EQ(*Out, words({2, 0, 6, 4, 1, 0, 3, 5, 5, 6, 2, 7, 9}, Order));
  ASSERT_EQ(Warnings.size(), 2u);
  EXPECT_NE(Warnings[0].find("__BTF_ID__gone held [4] STRUCT 'gone', which "
                             "the distilled base does not carry"),
            std::string::npos)
      << Warnings[0];
  EXPECT_NE(Warnings[1].find("__BTF_ID__vm_fn held [6] FUNC 'vm_fn'"),
            std::string::npos)
      << Warnings[1];
}

TEST(Distill, BTFIdsFollowTheNewNumbering) {
  translatesIn(llvm::endianness::little);
}

TEST(Distill, BTFIdsKeepTheFilesByteOrder) {
  translatesIn(llvm::endianness::big);
}

TEST(Distill, BTFIdsSetPastTheSectionIsAnError) {
  auto Base = makeBase();
  auto Mod = makeModule(*Base);
  auto D = distill(*Mod);
  ASSERT_EXPECTED(D);
  std::vector<uint8_t> Data = words({3, 9, 10}, llvm::endianness::little);
  BTFIdsSection Ids;
  Ids.Data = Data;
  Ids.Symbols = {sym(BTFIdSymbol::Set, "plain", 0)};
  std::vector<std::string> Warnings;
  auto Out = translateBTFIds("m.ko", Ids, *Mod, *D, Warnings);
  ASSERT_FALSE(bool(Out));
  EXPECT_EQ(llvm::toString(Out.takeError()),
            "m.ko:.BTF_ids: __BTF_ID__plain counts 3 entries of 4 bytes from "
            "offset 4, past the end of the section (12 bytes)");
}

/// A full base: what a module refers to, directly or not, and what it
/// does not.
std::unique_ptr<BTF> makeFullBase() {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);   // 1
  uint32_t Long = B.addInt("long", 8, IntSigned); // 2
  uint32_t Point = B.addStruct("point", 16);      // 3
  B.addMember("x", Int, 0);
  B.addMember("z", Long, 64);     // reached only through point's members
  B.addPtr(Point);                // 4
  B.addTypedef("point_t", Point); // 5
  B.addStruct("", 4);             // 6 anonymous
  B.addMember("a", Int, 0);
  B.addEnum64("big", 8); // 7
  B.addEnum64Value("HUGE", uint64_t(1) << 40);
  B.addEnum("", 4); // 8 anonymous
  B.addEnumValue("A", 1);
  B.addStruct("unused", 4);             // 9
  B.addFwd("opaque", /*IsUnion=*/true); // 10
  B.addModifier(Kind::Const, Int);      // 11
  uint32_t Proto = B.addFuncProto(Int); // 12
  B.addFunc("f", Proto, FuncGlobal);    // 13
  return buildBTF(B, "vmlinux");
}

/// A module over it: one struct whose members reach every kind of base
/// type, and a pointer of its own to the FWD.
std::unique_ptr<BTF> makeModuleOverFullBase(const BTF &Base) {
  Builder B(&Base);
  uint32_t S = B.addStruct("s", 64); // 14
  B.addMember("p", 4, 0);
  B.addMember("t", 5, 64);
  B.addMember("a", 6, 192);
  B.addMember("big", 7, 256); // a name the distilled base has
  B.addMember("e", 8, 320);
  B.addMember("o", S + 1, 384);
  B.addMember("k", 11, 448);
  B.addPtr(10); // 15
  return buildBTF(B, "m.ko");
}

/// makeModuleOverFullBase() over makeFullBase(), and what distill() makes of
/// it.
struct Distilled {
  std::unique_ptr<BTF> Base, Mod;
  llvm::Expected<DistillResult> Result =
      llvm::createStringError(llvm::inconvertibleErrorCode(), "not distilled");
  Distilled() : Base(makeFullBase()) {
    if (Base && (Mod = makeModuleOverFullBase(*Base))) {
      llvm::consumeError(Result.takeError());
      Result = distill(*Mod);
    }
  }
};

TEST(Distill, ChoosesTheBaseTypesLibbpfChooses) {
  Distilled X;
  auto &D = X.Result;
  ASSERT_EXPECTED(D);
  const BTF &DB = *D->Base;
  const BTF &DS = *D->Split;

  // Named INT/FLOAT/FWD/STRUCT/UNION/ENUM the module needs, base id order;
  // not `long` (only point's member) nor `unused`.
  EXPECT_FALSE(DB.isSplit());
  ASSERT_EQ(DB.numTypes(), 4u);
  EXPECT_EQ(DB.type(1).name(), "int");
  EXPECT_TRUE(DB.type(1).is(Kind::Int));
  EXPECT_EQ(DB.type(1).intEncoding(), IntSigned);
  Type Point = DB.type(2);
  EXPECT_TRUE(Point.is(Kind::Struct));
  EXPECT_EQ(Point.name(), "point");
  EXPECT_EQ(Point.size(), 16u);
  EXPECT_EQ(Point.vlen(), 0u);
  // An ENUM64 becomes a memberless unsigned ENUM of its size.
  Type Big = DB.type(3);
  EXPECT_TRUE(Big.is(Kind::Enum));
  EXPECT_EQ(Big.name(), "big");
  EXPECT_EQ(Big.size(), 8u);
  EXPECT_EQ(Big.vlen(), 0u);
  EXPECT_FALSE(Big.kindFlag());
  EXPECT_TRUE(DB.type(4).is(Kind::Fwd));
  EXPECT_TRUE(DB.type(4).kindFlag());

  // The module's own types first, then the base types that stay in the
  // split, in base id order: PTR, TYPEDEF, the anonymous struct and enum,
  // CONST.
  EXPECT_EQ(DS.base(), &DB);
  ASSERT_EQ(DS.firstId(), 5u);
  ASSERT_EQ(DS.numTypes(), 7u);
  std::vector<Kind> Kinds;
  for (uint32_t Id = DS.firstId(); Id < DS.endId(); ++Id)
    Kinds.push_back(DS.type(Id).kind());
  EXPECT_EQ(Kinds, (std::vector<Kind>{Kind::Struct, Kind::Ptr, Kind::Ptr,
                                      Kind::Typedef, Kind::Struct, Kind::Enum,
                                      Kind::Const}));
  std::vector<uint32_t> MemberTypes;
  for (const Member &M : DS.type(5).members())
    MemberTypes.push_back(M.Type);
  EXPECT_EQ(MemberTypes, (std::vector<uint32_t>{7, 8, 9, 3, 10, 6, 11}));
  EXPECT_EQ(DS.type(6).typeId(), 4u);
  EXPECT_EQ(DS.type(7).typeId(), 2u);
  EXPECT_EQ(DS.type(8).name(), "point_t");
  EXPECT_EQ(DS.type(9).members()[0].Type, 1u);
  ASSERT_EQ(DS.type(10).enumValues().size(), 1u);
  EXPECT_EQ(DS.type(11).typeId(), 1u);
  // Strings the distilled base holds are shared with it.
  uint32_t BigName = DS.type(5).members()[3].NameOff;
  EXPECT_LT(BigName, DS.strBegin());
  EXPECT_EQ(BigName, Big.nameOff());
  EXPECT_GE(DS.type(5).nameOff(), DS.strBegin());
}

TEST(Distill, RelocatesBackOntoItsBaseAsTheSameTypes) {
  Distilled X;
  auto &D = X.Result;
  ASSERT_EXPECTED(D);
  BaseIndex Index(*X.Base);
  auto R = relocate(*D->Split, Index);
  ASSERT_EXPECTED(R);
  ASSERT_TRUE(R->relocated());
  EXPECT_EQ(R->BaseMap, (std::vector<uint32_t>{0, 1, 3, 7, 10}));
  DiffResult Diff = diffBTF(*X.Mod, *R->Split);
  EXPECT_TRUE(Diff.equivalent());
}

TEST(Distill, RefusesWhatLibbpfRefuses) {
  auto Base = makeFullBase();
  ASSERT_TRUE(Base);
  auto D = distill(*Base);
  ASSERT_FALSE(bool(D));
  EXPECT_EQ(toString(D.takeError()),
            "vmlinux: not split BTF: distilling needs a module's BTF over "
            "its base");

  Builder B(Base.get());
  B.addDeclTag("kfunc", 13, -1);
  auto Tagged = buildBTF(B, "tagged.ko");
  ASSERT_TRUE(Tagged);
  auto T = distill(*Tagged);
  ASSERT_FALSE(bool(T));
  EXPECT_NE(toString(T.takeError())
                .find("tagged.ko: type [14] DECL_TAG 'kfunc' refers to base "
                      "type [13] FUNC 'f', a kind that cannot be distilled"),
            std::string::npos);
}

TEST(Distill, RefusesKindsItCannotRewrite) {
  auto Base = makeFullBase();
  ASSERT_TRUE(Base);
  // Kind 25, stepped over through the layout section.
  Builder B(Base.get());
  B.setEmitLayout(
      true, {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {4, 0, 0}});
  B.addPtr(3);
  B.addRaw({0, 25u << 24, 1, 0});
  auto Odd = buildBTF(B, "odd.ko");
  ASSERT_TRUE(Odd);
  auto D = distill(*Odd);
  ASSERT_FALSE(bool(D));
  EXPECT_EQ(toString(D.takeError()),
            "odd.ko: type [15] has kind 25, unknown to this library: its "
            "type ids and names cannot be rewritten");
}

TEST(Distill, DistilledBaseKinds) {
  for (Kind K : {Kind::Int, Kind::Float, Kind::Enum, Kind::Enum64, Kind::Fwd,
                 Kind::Struct, Kind::Union})
    EXPECT_TRUE(isDistilledBaseKind(K)) << kindName(unsigned(K));
  for (Kind K :
       {Kind::Ptr, Kind::Array, Kind::Typedef, Kind::Const, Kind::FuncProto,
        Kind::Func, Kind::Var, Kind::Datasec, Kind::DeclTag, Kind::TypeTag})
    EXPECT_FALSE(isDistilledBaseKind(K)) << kindName(unsigned(K));
}

} // namespace
