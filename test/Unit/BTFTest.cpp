//===- BTFTest.cpp - Loading BTF: structure checks, byte order, layout ----===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/BTF.h"
#include "btfkit/Builder.h"

#include "TestSupport.h"
#include "llvm/Support/SwapByteOrder.h"
#include "gtest/gtest.h"

#include <cstring>

using namespace btfkit;
using namespace llvm;

namespace {

std::vector<uint8_t> smallBlob() {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  uint32_t S = B.addStruct("pair", 8);
  B.addMember("a", Int, 0);
  B.addMember("b", Int, 32);
  B.addPtr(S);
  return B.serialize();
}

Header &hdr(std::vector<uint8_t> &Blob) {
  return *reinterpret_cast<Header *>(Blob.data());
}

std::string loadError(std::vector<uint8_t> Blob, const BTF *Base = nullptr) {
  auto B = BTF::parseOwned(std::move(Blob), Base, "t.btf");
  if (B)
    return "";
  return toString(B.takeError());
}

TEST(BTFTest, ParsesTypesAndStrings) {
  auto B = BTF::parseOwned(smallBlob(), nullptr, "t.btf");
  ASSERT_EXPECTED(B);
  const BTF &T = **B;
  EXPECT_EQ(T.firstId(), 1u);
  EXPECT_EQ(T.endId(), 4u);
  EXPECT_TRUE(T.type(0).isVoid());
  EXPECT_EQ(T.type(1).kind(), Kind::Int);
  EXPECT_EQ(T.type(1).name(), "int");
  EXPECT_EQ(T.type(1).intBits(), 32u);
  Type S = T.type(2);
  EXPECT_EQ(S.kind(), Kind::Struct);
  ASSERT_EQ(S.members().size(), 2u);
  EXPECT_EQ(T.str(S.members()[1].NameOff), "b");
  EXPECT_EQ(S.memberBitOffset(S.members()[1]), 32u);
  EXPECT_EQ(T.type(3).typeId(), 2u);
  EXPECT_EQ(describeType(S), "STRUCT 'pair'");
}

TEST(BTFTest, SplitContinuesIdsAndStrings) {
  auto Base = BTF::parseOwned(smallBlob(), nullptr, "base.btf");
  ASSERT_EXPECTED(Base);
  Builder SB(Base->get());
  uint32_t P = SB.addPtr(2);
  uint32_t TD = SB.addTypedef("pair_ptr", P);
  EXPECT_EQ(P, 4u);
  auto Split = SB.build("split.btf");
  ASSERT_EXPECTED(Split);
  EXPECT_EQ((*Split)->firstId(), 4u);
  EXPECT_EQ((*Split)->type(TD).name(), "pair_ptr");
  EXPECT_EQ((*Split)->type(2).name(), "pair"); // reached through the base
  EXPECT_EQ((*Split)->strBegin(), (*Base)->strEnd());
  EXPECT_EQ(&(*Split)->root(), Base->get());
}

TEST(BTFTest, SplitOverSplitChains) {
  auto Base = BTF::parseOwned(smallBlob(), nullptr, "vmlinux");
  ASSERT_EXPECTED(Base);
  Builder MB(Base->get());
  uint32_t ModPtr = MB.addPtr(2);
  auto Mod = MB.build("module");
  ASSERT_EXPECTED(Mod);
  Builder TB(Mod->get());
  uint32_t Top = TB.addTypedef("pair_pp", ModPtr);
  auto Upper = TB.build("upper");
  ASSERT_EXPECTED(Upper);
  EXPECT_EQ(Top, 5u);
  EXPECT_EQ((*Upper)->type(Top).typeId(), ModPtr);
  EXPECT_EQ((*Upper)->type(ModPtr).btf().name(), "module");
  EXPECT_EQ((*Upper)->type(1).btf().name(), "vmlinux");
  EXPECT_EQ(&(*Upper)->root(), Base->get());
  // A reference past the chain's end is refused at every level.
  Builder Bad(Mod->get());
  Bad.addPtr(9);
  EXPECT_NE(loadError(Bad.serialize(), Mod->get()).find("refers to type id 9"),
            std::string::npos);
}

TEST(BTFTest, RejectsBadMagicAndTruncation) {
  std::vector<uint8_t> Blob = smallBlob();
  Blob[0] = 0x12;
  EXPECT_NE(loadError(Blob).find("bad BTF magic"), std::string::npos);
  std::vector<uint8_t> Short = smallBlob();
  Short.resize(10);
  EXPECT_NE(loadError(Short).find("truncated"), std::string::npos);
  Blob = smallBlob();
  Blob.resize(Blob.size() - 4);
  EXPECT_NE(loadError(Blob).find("runs past the end"), std::string::npos);
}

TEST(BTFTest, RejectsOutOfRangeReferencesAndNames) {
  Builder B;
  B.addPtr(7);
  EXPECT_NE(loadError(B.serialize()).find("refers to type id 7"),
            std::string::npos);
  Builder C;
  C.addInt("int", 4, IntSigned);
  std::vector<uint8_t> Blob = C.serialize();
  // Point the INT's name past the string table.
  uint32_t Bad = 1000;
  std::memcpy(Blob.data() + hdr(Blob).HdrLen, &Bad, 4);
  EXPECT_NE(loadError(Blob).find("string offset 1000"), std::string::npos);
}

TEST(BTFTest, RejectsUnterminatedStrings) {
  std::vector<uint8_t> Blob = smallBlob();
  Blob.back() = 'x';
  EXPECT_NE(loadError(Blob).find("not NUL-terminated"), std::string::npos);
}

TEST(BTFTest, RejectsVlenBeyondData) {
  Builder B;
  B.addStruct("s", 4);
  std::vector<uint8_t> Blob = B.serialize();
  uint32_t Info = makeInfo(Kind::Struct, 5000, false);
  std::memcpy(Blob.data() + hdr(Blob).HdrLen + 4, &Info, 4);
  EXPECT_NE(loadError(Blob).find("runs past the end of the type section"),
            std::string::npos);
}

TEST(BTFTest, RejectsReferenceLoops) {
  Builder B;
  B.addModifier(Kind::Const, 2);
  B.addModifier(Kind::Volatile, 1);
  EXPECT_NE(loadError(B.serialize()).find("Loop detected"), std::string::npos);
  // A loop through a pointer is still a loop of references...
  Builder P;
  P.addPtr(1);
  EXPECT_NE(loadError(P.serialize()).find("Loop detected"), std::string::npos);
  // ...but a struct reached through a pointer is the normal linked list.
  Builder L;
  uint32_t S = L.addStruct("node", 8);
  L.addMember("next", S + 1, 0);
  L.addPtr(S);
  EXPECT_EQ(loadError(L.serialize()), "");
}

TEST(BTFTest, ReadsForeignByteOrder) {
  std::vector<uint8_t> Blob = smallBlob();
  // Swap the header fields and every word of the type section.
  Header &H = hdr(Blob);
  uint32_t HdrLen = H.HdrLen, TypeLen = H.TypeLen;
  H.Magic = sys::getSwappedBytes(H.Magic);
  for (uint32_t *W = &H.HdrLen; W != &H.StrLen + 1; ++W)
    *W = sys::getSwappedBytes(*W);
  auto *Words = reinterpret_cast<uint32_t *>(Blob.data() + HdrLen);
  for (uint32_t I = 0; I < TypeLen / 4; ++I)
    Words[I] = sys::getSwappedBytes(Words[I]);
  auto B = BTF::parseOwned(Blob, nullptr, "be.btf");
  ASSERT_EXPECTED(B);
  EXPECT_TRUE((*B)->wasByteSwapped());
  EXPECT_EQ((*B)->type(2).name(), "pair");
  EXPECT_EQ((*B)->type(2).size(), 8u);
  EXPECT_EQ((*B)->type(3).typeId(), 2u);
}

TEST(BTFTest, LayoutSectionStepsOverUnknownKinds) {
  // Kind 25 is unknown here; the layout section says it has a 4-byte
  // payload and 8-byte elements.
  Builder B;
  B.setEmitLayout(
      true, {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {4, 8, 0}});
  B.addInt("int", 4, IntSigned);
  uint32_t Unknown[] = {0, (25u << 24) | 2, 1, 0xaa, 1, 2, 3, 4};
  B.addRaw(Unknown);
  B.addPtr(1);
  auto Parsed = B.build("layout.btf");
  ASSERT_EXPECTED(Parsed);
  EXPECT_TRUE((*Parsed)->hasLayoutSection());
  EXPECT_EQ((*Parsed)->type(2).rawKind(), 25u);
  EXPECT_EQ((*Parsed)->type(3).kind(), Kind::Ptr);
  EXPECT_EQ((*Parsed)->type(3).typeId(), 1u);

  Builder NoLayout;
  NoLayout.addRaw(Unknown);
  EXPECT_NE(loadError(NoLayout.serialize()).find("unknown kind 25"),
            std::string::npos);

  // Whatever the kind, a record starts with its name: it must be a string
  // of the chain (readers print and copy it).
  Unknown[0] = 0x1000;
  Builder BadName;
  BadName.setEmitLayout(
      true, {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {4, 8, 0}});
  BadName.addRaw(Unknown);
  EXPECT_EQ(loadError(BadName.serialize()),
            "t.btf: type id 1: UNKNOWN has string offset 4096 past the "
            "string table (1 bytes)");
}

} // namespace
