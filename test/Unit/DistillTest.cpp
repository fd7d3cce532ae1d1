//===- DistillTest.cpp - Distilling a split BTF's base, as libbpf ---------===//
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
// else it needs from the base is copied after the split's own types.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Distill.h"
#include "btfkit/BaseIndex.h"
#include "btfkit/Builder.h"
#include "btfkit/Diff.h"
#include "btfkit/Relocate.h"

#include "TestSupport.h"

#include "gtest/gtest.h"

using namespace btfkit;
using namespace llvm;

namespace {

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
std::unique_ptr<BTF> makeModule(const BTF &Base) {
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

/// makeModule() over makeFullBase(), and what distill() makes of it.
struct Distilled {
  std::unique_ptr<BTF> Base, Mod;
  llvm::Expected<DistillResult> Result =
      llvm::createStringError(llvm::inconvertibleErrorCode(), "not distilled");
  Distilled() : Base(makeFullBase()) {
    if (Base && (Mod = makeModule(*Base))) {
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
  B.setEmitLayout(true, {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0},
                         {0, 0, 0}, {4, 0, 0}});
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
