//===- RecordTest.cpp - The kind table, record views and slot walkers -----===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/Record.h"
#include "btfkit/BTF.h"
#include "btfkit/Builder.h"
#include "btfkit/TypeWalk.h"

#include "TestSupport.h"
#include "gtest/gtest.h"

#include <map>

using namespace btfkit;
using namespace llvm;

namespace {

/// One type of every kind the table lists, in kind order: ids 1..19 are
/// kinds 1..19.
std::unique_ptr<BTF> oneOfEachKind() {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned); // 1
  uint32_t Ptr = B.addPtr(Int);                 // 2
  B.addArray(Int, Int, 4);                      // 3
  uint32_t S = B.addStruct("s", 8);             // 4
  B.addMember("a", Int, 0);
  B.addMember("b", Ptr, 32);
  B.addUnion("u", 4); // 5
  B.addMember("c", Int, 0);
  B.addEnum("e", 4); // 6
  B.addEnumValue("E0", 0);
  B.addEnumValue("E1", 1);
  B.addFwd("f", false);               // 7
  B.addTypedef("t", S);               // 8
  B.addModifier(Kind::Volatile, Int); // 9
  B.addModifier(Kind::Const, Int);    // 10
  B.addModifier(Kind::Restrict, Ptr); // 11
  B.addFunc("fn", 13, FuncGlobal);    // 12
  B.addFuncProto(Int);                // 13
  B.addParam("x", Ptr);
  B.addParam("y", S);
  uint32_t Var = B.addVar("v", Int, VarGlobalAllocated); // 14
  B.addDatasec(".data", 4);                              // 15
  B.addSecInfo(Var, 0, 4);
  B.addFloat("double", 8);   // 16
  B.addDeclTag("tag", S, 1); // 17
  B.addTypeTag("user", Int); // 18
  B.addEnum64("e64", 8);     // 19
  B.addEnum64Value("BIG", uint64_t(1) << 40);
  auto BTFOrErr = B.build("kinds.btf");
  EXPECT_TRUE(static_cast<bool>(BTFOrErr));
  return BTFOrErr ? std::move(*BTFOrErr) : nullptr;
}

TEST(KindTableTest, NamesAndLayoutsOfEveryKind) {
  static const char *const Names[] = {
      "UNKNOWN", "INT",      "PTR",      "ARRAY",      "STRUCT",
      "UNION",   "ENUM",     "FWD",      "TYPEDEF",    "VOLATILE",
      "CONST",   "RESTRICT", "FUNC",     "FUNC_PROTO", "VAR",
      "DATASEC", "FLOAT",    "DECL_TAG", "TYPE_TAG",   "ENUM64"};
  ASSERT_EQ(MaxKnownKind, 19u);
  for (unsigned K = 0; K <= MaxKnownKind; ++K)
    EXPECT_STREQ(kindName(K), Names[K]) << K;
  EXPECT_STREQ(kindName(20), "UNKNOWN");
  EXPECT_STREQ(kindName(127), "UNKNOWN");
  EXPECT_FALSE(isKnownKind(0));
  EXPECT_TRUE(isKnownKind(19));
  EXPECT_FALSE(isKnownKind(20));

  // uapi btf.h: what follows the common record, per kind.
  std::map<Kind, std::pair<unsigned, unsigned>> Sizes = {
      {Kind::Int, {4, 0}},     {Kind::Array, {12, 0}},
      {Kind::Struct, {0, 12}}, {Kind::Union, {0, 12}},
      {Kind::Enum, {0, 8}},    {Kind::FuncProto, {0, 8}},
      {Kind::Var, {4, 0}},     {Kind::Datasec, {0, 12}},
      {Kind::DeclTag, {4, 0}}, {Kind::Enum64, {0, 12}}};
  for (unsigned K = 1; K <= MaxKnownKind; ++K) {
    KindLayout L;
    ASSERT_TRUE(knownKindLayout(K, L)) << K;
    auto Expected =
        Sizes.count(Kind(K)) ? Sizes[Kind(K)] : std::pair<unsigned, unsigned>();
    EXPECT_EQ(L.InfoSize, Expected.first) << kindName(K);
    EXPECT_EQ(L.ElemSize, Expected.second) << kindName(K);
  }
  KindLayout L;
  EXPECT_FALSE(knownKindLayout(0, L));
  EXPECT_FALSE(knownKindLayout(20, L));
}

TEST(KindTableTest, WordsAndTraits) {
  auto B = oneOfEachKind();
  ASSERT_TRUE(B);
  std::string Sized, Typed, Refs, Mods, Composite, Enums;
  for (uint32_t Id = 1; Id < B->endId(); ++Id) {
    Type T = B->type(Id);
    std::string N = std::string(kindName(T.rawKind())) + " ";
    if (T.facts().Word == KindWord::Size)
      Sized += N;
    if (T.facts().Word == KindWord::Type)
      Typed += N;
    if (T.isReference())
      Refs += N;
    if (T.isModifier())
      Mods += N;
    if (T.isComposite())
      Composite += N;
    if (T.isEnum())
      Enums += N;
  }
  EXPECT_EQ(Sized, "INT STRUCT UNION ENUM DATASEC FLOAT ENUM64 ");
  EXPECT_EQ(Typed, "PTR TYPEDEF VOLATILE CONST RESTRICT FUNC FUNC_PROTO VAR "
                   "DECL_TAG TYPE_TAG ");
  EXPECT_EQ(Refs, "PTR TYPEDEF VOLATILE CONST RESTRICT TYPE_TAG ");
  EXPECT_EQ(Mods, "VOLATILE CONST RESTRICT TYPE_TAG ");
  EXPECT_EQ(Composite, "STRUCT UNION ");
  EXPECT_EQ(Enums, "ENUM ENUM64 ");
  // Void is no kind: none of them.
  Type V = B->type(0);
  EXPECT_TRUE(V.isVoid());
  EXPECT_EQ(V.kind(), Kind::Unknown);
  EXPECT_FALSE(V.isReference() || V.isComposite() || V.isEnum());
  EXPECT_EQ(V.nameOff(), 0u);
  EXPECT_EQ(V.vlen(), 0u);
}

TEST(RecordRefTest, PartsByName) {
  auto B = oneOfEachKind();
  ASSERT_TRUE(B);
  EXPECT_EQ(B->type(1).intBits(), 32u);
  EXPECT_EQ(B->type(1).intEncoding(), IntSigned);
  EXPECT_EQ(B->type(3).array().NElems, 4u);
  ASSERT_EQ(B->type(4).members().size(), 2u);
  EXPECT_EQ(B->type(4).memberBitOffset(B->type(4).members()[1]), 32u);
  ASSERT_EQ(B->type(6).enumValues().size(), 2u);
  EXPECT_EQ(B->type(6).enumValues()[1].Val, 1);
  EXPECT_EQ(B->type(13).params().size(), 2u);
  EXPECT_EQ(B->type(14).varLinkage(), uint32_t(VarGlobalAllocated));
  EXPECT_EQ(B->type(15).secInfos()[0].Type, 14u);
  EXPECT_EQ(B->type(17).declTagComponent(), 1);
  EXPECT_EQ(B->type(19).enum64Values()[0].ValHi32, 1u << 8);
  EXPECT_EQ(B->type(4).size(), 8u);
  EXPECT_EQ(B->type(8).typeId(), 4u);
}

TEST(RecordRefTest, SizesFromTheTable) {
  auto B = oneOfEachKind();
  ASSERT_TRUE(B);
  for (uint32_t Id = 1; Id < B->endId(); ++Id) {
    Type T = B->type(Id);
    EXPECT_EQ(T.byteSize(), T.bytes().size()) << describeType(T);
    EXPECT_EQ(T.trailingWords().size() * 4 + sizeof(CommonType),
              T.bytes().size())
        << describeType(T);
  }
  // An ENUM's trailing words are its enumerators' (name, value) pairs.
  Type E = B->type(6);
  ASSERT_EQ(E.trailingWords().size(), 4u);
  EXPECT_EQ(E.trailingWords()[0], E.enumValues()[0].NameOff);
  EXPECT_EQ(E.trailingWords()[3], 1u);
}

// Reading a part of a record of another kind is a caller's bug: checked in
// assertion-enabled builds (-DBTFKIT_ENABLE_ASSERTIONS=ON), free in others. The
// records read here are large enough that the unchecked read stays inside
// the type section.
TEST(RecordRefDeathTest, PartsOfAnotherKindAssert) {
  auto B = oneOfEachKind();
  ASSERT_TRUE(B);
  Type Struct = B->type(4), Enum = B->type(6), Ptr = B->type(2);
  EXPECT_DEBUG_DEATH((void)Enum.members(), "not a STRUCT or UNION");
  EXPECT_DEBUG_DEATH((void)Struct.enumValues(), "another kind");
  EXPECT_DEBUG_DEATH((void)Ptr.intData(), "another kind");
  EXPECT_DEBUG_DEATH((void)Struct.params(), "another kind");
  EXPECT_DEBUG_DEATH((void)Struct.typeId(), "without one");
  EXPECT_DEBUG_DEATH((void)Ptr.size(), "without one");
  EXPECT_DEBUG_DEATH((void)B->type(1).array(), "another kind");
}

/// The slots of type \p Id as "T:<id>" and "N:<string>" items.
std::string slots(const BTF &B, uint32_t Id) {
  std::string S;
  const CommonType *Rec = &B.type(Id).common();
  visitTypeSlots(Rec, [&](uint32_t T) { S += "T:" + std::to_string(T) + " "; });
  visitNameSlots(Rec, [&](uint32_t N) { S += "N:" + B.str(N).str() + " "; });
  return S;
}

TEST(SlotWalkTest, EveryKindInRecordOrder) {
  auto B = oneOfEachKind();
  ASSERT_TRUE(B);
  const char *const Expected[] = {
      "",
      "N:int ",                  // INT
      "T:1 N: ",                 // PTR
      "T:1 T:1 N: ",             // ARRAY: element, index
      "T:1 T:2 N:s N:a N:b ",    // STRUCT
      "T:1 N:u N:c ",            // UNION
      "N:e N:E0 N:E1 ",          // ENUM
      "N:f ",                    // FWD
      "T:4 N:t ",                // TYPEDEF
      "T:1 N: ",                 // VOLATILE
      "T:1 N: ",                 // CONST
      "T:2 N: ",                 // RESTRICT
      "T:13 N:fn ",              // FUNC
      "T:1 T:2 T:4 N: N:x N:y ", // FUNC_PROTO: return first
      "T:1 N:v ",                // VAR
      "T:14 N:.data ",           // DATASEC
      "N:double ",               // FLOAT
      "T:4 N:tag ",              // DECL_TAG
      "T:1 N:user ",             // TYPE_TAG
      "N:e64 N:BIG ",            // ENUM64
  };
  for (uint32_t Id = 1; Id < B->endId(); ++Id)
    EXPECT_EQ(slots(*B, Id), Expected[Id]) << describeType(B->type(Id));
}

TEST(SlotWalkTest, BothSortsAtOnceAsEachAlone) {
  auto B = oneOfEachKind();
  ASSERT_TRUE(B);
  for (uint32_t Id = 1; Id < B->endId(); ++Id) {
    std::string Types, Names;
    visitSlots(
        &B->type(Id).common(),
        [&](uint32_t T) { Types += "T:" + std::to_string(T) + " "; },
        [&](uint32_t N) { Names += "N:" + B->str(N).str() + " "; });
    EXPECT_EQ(Types + Names, slots(*B, Id)) << describeType(B->type(Id));
  }
}

TEST(SlotWalkTest, RewritesInPlace) {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  uint32_t P = B.addFuncProto(Int);
  B.addParam("a", Int);
  B.addParam("b", Int);
  CommonType &R = B.record(P);
  visitTypeSlots(&R, [](uint32_t &T) { T += 100; });
  RecordRef View(&R);
  EXPECT_EQ(View.typeId(), Int + 100);
  EXPECT_EQ(View.params()[0].Type, Int + 100);
  EXPECT_EQ(View.params()[1].Type, Int + 100);
}

} // namespace
