//===- DiffTest.cpp - Comparing BTFs by type equivalence ------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Two BTFs are equivalent when their types are, whatever the ids and the
// string layout; a difference is reported per type, with the field that
// differs, and the canonical order makes equivalent BTFs byte-identical.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Diff.h"
#include "btfkit/Builder.h"
#include "btfkit/Writer.h"

#include "TestSupport.h"

#include "gtest/gtest.h"

using namespace btfkit;
using namespace llvm;

namespace {

/// int, struct point {x, y}, a list node pointing to itself, a pointer to
/// point: in the order given by \p Reverse, with an unused string first
/// when reversed (another string layout).
std::unique_ptr<BTF> makeTypes(bool Reverse, uint32_t YOffset = 32,
                               StringRef YName = "y",
                               std::string Name = "a.btf") {
  Builder B;
  if (!Reverse) {
    uint32_t Int = B.addInt("int", 4, IntSigned); // 1
    uint32_t Point = B.addStruct("point", 8);     // 2
    B.addMember("x", Int, 0);
    B.addMember(YName, Int, YOffset);
    uint32_t Node = B.addStruct("node", 8); // 3
    B.addMember("next", Node + 1, 0);
    B.addPtr(Node);  // 4
    B.addPtr(Point); // 5
    return buildBTF(B, Name);
  }
  B.addString("unused");
  B.addPtr(5);                            // 1 -> point
  uint32_t NodePtr = B.addPtr(3);         // 2
  uint32_t Node = B.addStruct("node", 8); // 3
  B.addMember("next", NodePtr, 0);
  uint32_t Int = B.addInt("int", 4, IntSigned); // 4
  B.addStruct("point", 8);                      // 5
  B.addMember("x", Int, 0);
  B.addMember(YName, Int, YOffset);
  (void)Node;
  return buildBTF(B, Name);
}

std::string printed(const DiffResult &R, const BTF &A, const BTF &B) {
  std::string S;
  raw_string_ostream OS(S);
  printDiff(R, A, B, OS);
  return S;
}

TEST(Diff, IdsAndStringLayoutDoNotMatter) {
  auto A = makeTypes(false), B = makeTypes(true, 32, "y", "b.btf");
  ASSERT_TRUE(A && B);
  DiffResult R = diffBTF(*A, *B);
  EXPECT_TRUE(R.equivalent());
  EXPECT_EQ(printed(R, *A, *B), "equivalent: a.btf and b.btf\n");
}

TEST(Diff, NamesTheFieldThatDiffers) {
  auto A = makeTypes(false);
  auto Moved = makeTypes(true, 64, "y", "b.btf");
  auto Renamed = makeTypes(true, 32, "z", "c.btf");
  ASSERT_TRUE(A && Moved && Renamed);

  DiffResult R = diffBTF(*A, *Moved);
  ASSERT_EQ(R.OnlyInA.size(), 2u);
  EXPECT_EQ(R.OnlyInA[0].Id, 2u);
  EXPECT_EQ(R.OnlyInA[0].What, "STRUCT 'point'");
  EXPECT_EQ(R.OnlyInA[0].Reason, "member 'y' offset differs (32 vs 64)");
  // The pointer differs only through what it points to.
  EXPECT_EQ(R.OnlyInA[1].Id, 5u);
  EXPECT_EQ(R.OnlyInA[1].Reason, "referenced type differs: [2] STRUCT "
                                 "'point' vs [5] STRUCT 'point'");
  ASSERT_EQ(R.OnlyInB.size(), 2u);
  EXPECT_EQ(R.OnlyInB[0].Id, 1u);
  EXPECT_EQ(R.OnlyInB[1].Reason, "member 'y' offset differs (64 vs 32)");
  // (Which pointer of B the reason compares with is the first of the
  // same record, not necessarily the closest: only the start is sure.)
  EXPECT_EQ(R.OnlyInB[0].Reason.rfind("referenced type differs: [5] STRUCT "
                                      "'point' vs ",
                                      0),
            0u);

  DiffResult N = diffBTF(*A, *Renamed);
  ASSERT_EQ(N.OnlyInA.size(), 2u);
  EXPECT_EQ(N.OnlyInA[0].Reason, "member #1 name differs ('y' vs 'z')");

  Builder Big;
  Big.addStruct("point", 12);
  Big.addStruct("extra", 0);
  auto C = buildBTF(Big, "big.btf");
  ASSERT_TRUE(C);
  DiffResult S = diffBTF(*A, *C);
  EXPECT_EQ(S.OnlyInA[0].Reason, "missing"); // no INT 'int' there
  ASSERT_EQ(S.OnlyInB.size(), 2u);
  EXPECT_EQ(S.OnlyInB[0].Reason, "size differs (12 vs 8)");
  EXPECT_EQ(S.OnlyInB[1].What, "STRUCT 'extra'");
  EXPECT_EQ(S.OnlyInB[1].Reason, "missing");
  EXPECT_EQ(printed(S, *A, *C),
            "- [1] INT 'int': missing\n"
            "- [2] STRUCT 'point': size differs (8 vs 12)\n"
            "- [3] STRUCT 'node': missing\n"
            "- [4] PTR '(anon)': missing\n"
            "- [5] PTR '(anon)': missing\n"
            "+ [1] STRUCT 'point': size differs (12 vs 8)\n"
            "+ [2] STRUCT 'extra': missing\n"
            "5 type(s) of a.btf without an equivalent in big.btf, 2 the other "
            "way\n");
}

TEST(Diff, SplitTypesMatchBaseTypes) {
  auto Base = makeTypes(false, 32, "y", "vmlinux");
  ASSERT_TRUE(Base);
  // One split repeats a base type, the other refers to it.
  Builder A(Base.get());
  uint32_t Int = A.addInt("int", 4, IntSigned);
  A.addTypedef("int_t", Int);
  Builder B(Base.get());
  B.addTypedef("int_t", 1);
  auto SA = buildBTF(A, "a.ko"), SB = buildBTF(B, "b.ko");
  ASSERT_TRUE(SA && SB);
  DiffResult R = diffBTF(*SA, *SB);
  EXPECT_TRUE(R.equivalent());
  Builder C(Base.get());
  C.addTypedef("int_t", 2);
  auto SC = buildBTF(C, "c.ko");
  ASSERT_TRUE(SC);
  DiffResult D = diffBTF(*SB, *SC);
  ASSERT_EQ(D.OnlyInA.size(), 1u);
  EXPECT_EQ(D.OnlyInA[0].Id, 6u);
  EXPECT_EQ(D.OnlyInA[0].Reason, "referenced type differs: [1] INT 'int' vs "
                                 "[2] STRUCT 'point'");
}

TEST(Diff, CanonicalFormsOfEquivalentBTFsAreIdentical) {
  auto A = makeTypes(false), B = makeTypes(true, 32, "y", "b.btf");
  ASSERT_TRUE(A && B);
  std::vector<uint32_t> OA = canonicalOrder(*A), OB = canonicalOrder(*B);
  ASSERT_EQ(OA.size(), 5u);
  ASSERT_EQ(OB.size(), 5u);
  for (size_t I = 0; I < OA.size(); ++I) {
    EXPECT_EQ(A->type(OA[I]).kind(), B->type(OB[I]).kind()) << I;
    EXPECT_EQ(A->type(OA[I]).name(), B->type(OB[I]).name()) << I;
  }
  auto CA = canonicalize(*A), CB = canonicalize(*B);
  ASSERT_EXPECTED(CA);
  ASSERT_EXPECTED(CB);
  EXPECT_EQ(serializeBTF(**CA), serializeBTF(**CB));
  EXPECT_NE(serializeBTF(*A), serializeBTF(*B));
  EXPECT_TRUE(diffBTF(*A, **CA).equivalent());
}

} // namespace
