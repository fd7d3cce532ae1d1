//===- TypeWalkTest.cpp - The references and names of a type --------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Every algorithm finds a record's type ids and string offsets through
// TypeWalk.h: each slot must be visited once, in record order, and a
// rewrite through the slot visitors must land in the record.
//
//===----------------------------------------------------------------------===//

#include "btfkit/TypeWalk.h"
#include "btfkit/Builder.h"

#include "TestSupport.h"

#include "gtest/gtest.h"

using namespace btfkit;
using namespace llvm;

namespace {

TEST(TypeWalk, VisitsEveryReferenceInRecordOrder) {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  uint32_t Arr = B.addArray(Int, Int, 4);
  uint32_t Proto = B.addFuncProto(Int);
  B.addParam("x", Arr);
  B.addParam("y", Int);
  auto Parsed = buildBTF(B, "walk.btf");
  ASSERT_TRUE(Parsed);
  std::vector<uint32_t> Refs;
  forEachTypeRef(Parsed->type(Proto), [&](uint32_t Id) { Refs.push_back(Id); });
  EXPECT_EQ(Refs, (std::vector<uint32_t>{Int, Arr, Int}));
  std::vector<uint32_t> Names;
  forEachNameRef(Parsed->type(Proto),
                 [&](uint32_t Off) { Names.push_back(Off); });
  ASSERT_EQ(Names.size(), 3u);
  EXPECT_EQ(Names[0], 0u); // the prototype is anonymous
  EXPECT_EQ(Parsed->str(Names[1]), "x");
  EXPECT_EQ(Parsed->str(Names[2]), "y");
}

TEST(TypeWalk, EveryKindsSlots) {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned); // 1
  uint32_t S = B.addStruct("s", 8);             // 2
  B.addMember("a", Int, 0);
  B.addMember("b", Int, 32);
  uint32_t E = B.addEnum64("e", 8); // 3
  B.addEnum64Value("E1", 1);
  uint32_t V = B.addVar("v", S, VarStatic); // 4
  uint32_t D = B.addDatasec(".data", 8);    // 5
  B.addSecInfo(V, 0, 8);
  uint32_t Tag = B.addDeclTag("t", S, 1); // 6
  uint32_t Fwd = B.addFwd("f", false);    // 7
  auto T = buildBTF(B, "kinds.btf");
  ASSERT_TRUE(T);
  auto Refs = [&](uint32_t Id) {
    std::vector<uint32_t> R;
    forEachTypeRef(T->type(Id), [&](uint32_t X) { R.push_back(X); });
    return R;
  };
  auto Names = [&](uint32_t Id) {
    std::vector<std::string> R;
    forEachNameRef(T->type(Id),
                   [&](uint32_t X) { R.push_back(T->str(X).str()); });
    return R;
  };
  EXPECT_EQ(Refs(S), (std::vector<uint32_t>{Int, Int}));
  EXPECT_EQ(Names(S), (std::vector<std::string>{"s", "a", "b"}));
  EXPECT_TRUE(Refs(E).empty());
  EXPECT_EQ(Names(E), (std::vector<std::string>{"e", "E1"}));
  EXPECT_EQ(Refs(V), (std::vector<uint32_t>{S}));
  EXPECT_EQ(Refs(D), (std::vector<uint32_t>{V}));
  EXPECT_EQ(Names(D), (std::vector<std::string>{".data"}));
  EXPECT_EQ(Refs(Tag), (std::vector<uint32_t>{S}));
  EXPECT_TRUE(Refs(Fwd).empty());
  EXPECT_TRUE(Refs(Int).empty());
}

TEST(TypeWalk, SlotVisitorsRewriteInPlace) {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  uint32_t Long = B.addInt("long", 8, IntSigned);
  uint32_t Arr = B.addArray(Int, Long, 2);
  uint32_t S = B.addStruct("s", 8);
  B.addMember("m", Arr, 0);
  // Element type then index type.
  std::vector<uint32_t> Seen;
  forEachTypeSlot(&B.record(Arr), [&](uint32_t &Id) {
    Seen.push_back(Id);
    Id = Id == Int ? Long : Int;
  });
  EXPECT_EQ(Seen, (std::vector<uint32_t>{Int, Long}));
  uint32_t Renamed = B.addString("renamed");
  forEachNameSlot(&B.record(S), [&](uint32_t &Off) { Off = Renamed; });
  auto T = buildBTF(B, "rewritten.btf");
  ASSERT_TRUE(T);
  EXPECT_EQ(T->type(Arr).array().Type, Long);
  EXPECT_EQ(T->type(Arr).array().IndexType, Int);
  EXPECT_EQ(T->type(S).name(), "renamed");
  EXPECT_EQ(T->str(T->type(S).members()[0].NameOff), "renamed");
}

TEST(TypeWalk, SkipsModifiersAndTypedefsOnly) {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  uint32_t Ptr = B.addPtr(Int);
  uint32_t TD = B.addTypedef("ip_t", Ptr);
  uint32_t C = B.addModifier(Kind::Const, TD);
  uint32_t Tag = B.addTypeTag("user", C);
  uint32_t V = B.addModifier(Kind::Volatile, Tag);
  auto T = buildBTF(B, "mods.btf");
  ASSERT_TRUE(T);
  EXPECT_EQ(skipModsAndTypedefs(*T, V).id(), Ptr);
  EXPECT_EQ(skipModsAndTypedefs(*T, Ptr).id(), Ptr);
  EXPECT_TRUE(skipModsAndTypedefs(*T, 0).isVoid());
}

} // namespace
