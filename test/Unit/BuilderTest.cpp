//===- BuilderTest.cpp - Making BTF ---------------------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/Builder.h"

#include "TestSupport.h"
#include "gtest/gtest.h"

using namespace btfkit;
using namespace llvm;

namespace {

TEST(BuilderTest, DeduplicatesStrings) {
  Builder B;
  uint32_t A = B.addString("alpha");
  EXPECT_EQ(B.addString("alpha"), A);
  EXPECT_EQ(B.addString(""), 0u);
  EXPECT_NE(B.addString("beta"), A);
  EXPECT_EQ(B.string(A), "alpha");
}

TEST(BuilderTest, ReusesBaseStringsWhenAsked) {
  Builder BaseB;
  BaseB.addInt("int", 4, IntSigned);
  auto Base = BaseB.build("base");
  ASSERT_EXPECTED(Base);
  Builder Split(Base->get());
  uint32_t Own = Split.addString("int");
  EXPECT_GE(Own, (*Base)->strEnd());
  Builder Reusing(Base->get());
  Reusing.setReuseBaseStrings(true);
  EXPECT_EQ(Reusing.addString("int"), (*Base)->type(1).nameOff());
}

TEST(BuilderTest, EveryKindRoundTrips) {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  uint32_t Flt = B.addFloat("double", 8);
  uint32_t S = B.addStruct("s", 8, /*KindFlag=*/true);
  B.addMember("bits", Int, 3, 5);
  B.addMember("d", Flt, 0);
  uint32_t E = B.addEnum("e", 4, /*Signed=*/true);
  B.addEnumValue("NEG", -1);
  uint32_t E64 = B.addEnum64("e64", 8);
  B.addEnum64Value("BIG", 1ull << 40);
  uint32_t Fwd = B.addFwd("u", /*IsUnion=*/true);
  uint32_t Proto = B.addFuncProto(Int);
  B.addParam("a", Int);
  B.addParam("", 0); // varargs
  uint32_t Fn = B.addFunc("f", Proto, FuncGlobal);
  uint32_t V = B.addVar("v", Int, VarGlobalAllocated);
  uint32_t DS = B.addDatasec(".data..percpu", 4);
  B.addSecInfo(V, 0, 4);
  uint32_t Tag = B.addDeclTag("user", Fn, 0);
  uint32_t TT = B.addTypeTag("percpu", Int);
  auto Parsed = B.build("all.btf");
  ASSERT_EXPECTED(Parsed);
  const BTF &T = **Parsed;
  EXPECT_EQ(T.type(S).memberBitfieldSize(T.type(S).members()[0]), 5u);
  EXPECT_EQ(T.type(S).memberBitOffset(T.type(S).members()[0]), 3u);
  EXPECT_EQ(T.type(E).enumValues()[0].Val, -1);
  EXPECT_TRUE(T.type(E).kindFlag());
  EXPECT_EQ(T.type(E64).enum64Values()[0].ValHi32, 1u << 8);
  EXPECT_TRUE(T.type(Fwd).kindFlag());
  EXPECT_EQ(T.type(Proto).vlen(), 2u);
  EXPECT_EQ(T.type(Fn).vlen(), uint32_t(FuncGlobal));
  EXPECT_EQ(T.type(V).varLinkage(), uint32_t(VarGlobalAllocated));
  EXPECT_EQ(T.type(DS).secInfos()[0].Type, V);
  EXPECT_EQ(T.type(Tag).declTagComponent(), 0);
  EXPECT_EQ(T.type(TT).name(), "percpu");
}

TEST(BuilderTest, CopiesTypesAcrossBTFs) {
  Builder A;
  uint32_t Int = A.addInt("int", 4, IntSigned);
  uint32_t S = A.addStruct("pair", 8);
  A.addMember("a", Int, 0);
  A.addMember("b", Int, 32);
  auto From = A.build("from");
  ASSERT_EXPECTED(From);
  Builder B;
  B.addString("padding so offsets differ");
  uint32_t NewInt = B.addCopy((*From)->type(Int), [](uint32_t Id) { return Id; });
  uint32_t NewS =
      B.addCopy((*From)->type(S), [&](uint32_t Id) { return Id ? NewInt : 0; });
  auto To = B.build("to");
  ASSERT_EXPECTED(To);
  EXPECT_EQ((*To)->type(NewS).name(), "pair");
  EXPECT_EQ((*To)->str((*To)->type(NewS).members()[1].NameOff), "b");
  EXPECT_EQ((*To)->type(NewS).members()[1].Type, NewInt);
}

} // namespace
