//===- DedupTest.cpp - Dedup, merge and diff through the library ----------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/Dedup.h"
#include "btfkit/Builder.h"
#include "btfkit/Diff.h"

#include "TestSupport.h"

#include "gtest/gtest.h"

using namespace btfkit;

namespace {

std::unique_ptr<BTF> makeBase() {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  B.addStruct("point", 8);
  B.addMember("x", Int, 0);
  B.addMember("y", Int, 32);
  auto R = B.build("base");
  EXPECT_TRUE(bool(R));
  return std::move(*R);
}

/// An object's BTF over \p Base: its own copies of int and struct point, a
/// pointer to point and a variable of its own name.
std::unique_ptr<BTF> makePart(const BTF &Base, const char *Var) {
  Builder B(&Base);
  uint32_t Int = B.addInt("int", 4, IntSigned);
  uint32_t Pt = B.addStruct("point", 8);
  B.addMember("x", Int, 0);
  B.addMember("y", Int, 32);
  uint32_t Ptr = B.addPtr(Pt);
  B.addVar(Var, Ptr, VarGlobalAllocated);
  auto R = B.build(Var);
  EXPECT_TRUE(bool(R));
  return std::move(*R);
}

TEST(Dedup, MergeReusesBaseTypes) {
  auto Base = makeBase();
  auto A = makePart(*Base, "a"), B = makePart(*Base, "b");
  std::unique_ptr<DedupBase> Index = DedupBase::create(*Base);
  DedupStats S;
  auto M = merge({A.get(), B.get()}, *Base, "merged", {}, Index.get(), &S);
  ASSERT_EXPECTED(M);
  // One pointer to the base's point, two variables.
  EXPECT_EQ(S.TypesBefore, 8u);
  EXPECT_EQ(S.TypesAfter, 3u);
  const BTF &R = **M;
  ASSERT_EQ(R.numTypes(), 3u);
  EXPECT_TRUE(R.type(3).is(Kind::Ptr));
  EXPECT_EQ(R.type(3).typeId(), 2u);
  EXPECT_EQ(R.type(4).name(), "a");
  EXPECT_EQ(R.type(5).name(), "b");
  EXPECT_EQ(R.type(5).typeId(), 3u);
  // Equivalent to the parts merged without dedup.
  auto Raw = concatenateToBlob({A.get(), B.get()}, Base.get());
  ASSERT_EXPECTED(Raw);
  auto Whole = BTF::parseOwned(std::move(*Raw), Base.get(), "whole");
  ASSERT_EXPECTED(Whole);
  EXPECT_EQ((*Whole)->numTypes(), 8u);
  EXPECT_TRUE(diffBTF(**Whole, R).equivalent());
}

TEST(Dedup, SameInputSameBytes) {
  auto Base = makeBase();
  auto A = makePart(*Base, "a");
  auto X = dedupToBlob(*A);
  auto Y = dedupToBlob(*A);
  ASSERT_EXPECTED(X);
  ASSERT_EXPECTED(Y);
  EXPECT_EQ(*X, *Y);
}

TEST(Dedup, MergeRefusesForeignBase) {
  auto Base = makeBase(), Other = makeBase();
  auto A = makePart(*Other, "a");
  auto M = merge({A.get()}, *Base, "merged");
  ASSERT_FALSE(bool(M));
  std::string Msg = llvm::toString(M.takeError());
  EXPECT_NE(Msg.find("not split over base"), std::string::npos) << Msg;
}

/// A part whose strings differ from makePart()'s and repeat within it (a
/// member named like a type, a string the base has and one it does not).
std::unique_ptr<BTF> makeOtherPart(const BTF &Base, const char *Var) {
  Builder B(&Base);
  uint32_t Long = B.addInt("long", 8, IntSigned);
  uint32_t Node = B.addStruct("node", 16);
  B.addMember("node", Node + 1, 0); // the pointer below
  B.addMember("x", Long, 64);
  uint32_t Ptr = B.addPtr(Node);
  EXPECT_EQ(Ptr, Node + 1);
  B.addTypedef("point", Node);
  B.addVar(Var, Ptr, VarGlobalAllocated);
  auto R = B.build(Var);
  EXPECT_TRUE(bool(R));
  return std::move(*R);
}

// The appender gathers parts one at a time, deduplicating strings as they
// come, and deduplicates in place: the bytes must be merge()'s, in both
// modes, whatever was unloaded in between.
TEST(Dedup, AppenderGivesMergesBytes) {
  auto Base = makeBase();
  std::unique_ptr<DedupBase> Index = DedupBase::create(*Base);
  for (DedupCompat C : {DedupCompat::Latest, DedupCompat::Libbpf11}) {
    DedupOptions Opts;
    Opts.Compat = C;
    DedupAppender All(*Base, Index.get());
    std::vector<std::unique_ptr<BTF>> Parts;
    std::vector<const BTF *> Views;
    for (const char *V : {"a", "b", "c", "d"}) {
      Parts.push_back(V[0] % 2 ? makePart(*Base, V) : makeOtherPart(*Base, V));
      Views.push_back(Parts.back().get());
      ASSERT_FALSE(bool(All.append(*Parts.back())));
    }
    EXPECT_EQ(All.numTypes(), 18u);
    DedupStats S, SM;
    auto Blob = All.dedup(Opts, &S);
    ASSERT_EXPECTED(Blob);
    auto Raw = concatenateToBlob(Views, Base.get());
    ASSERT_EXPECTED(Raw);
    auto Whole = BTF::parseOwned(std::move(*Raw), Base.get(), "whole");
    ASSERT_EXPECTED(Whole);
    auto Expected = dedupToBlob(**Whole, Opts, Index.get(), &SM);
    ASSERT_EXPECTED(Expected);
    EXPECT_EQ(*Blob, *Expected);
    EXPECT_EQ(S.TypesBefore, SM.TypesBefore);
    EXPECT_EQ(S.TypesAfter, SM.TypesAfter);
    EXPECT_EQ(S.StrBytesBefore, SM.StrBytesBefore);
    EXPECT_EQ(S.StrBytesAfter, SM.StrBytesAfter);
  }
}

TEST(Dedup, AppenderRefusesForeignBase) {
  auto Base = makeBase(), Other = makeBase();
  auto A = makePart(*Other, "a");
  DedupAppender All(*Base);
  llvm::Error E = All.append(*A);
  ASSERT_TRUE(bool(E));
  std::string Msg = llvm::toString(std::move(E));
  EXPECT_NE(Msg.find("not split over base"), std::string::npos) << Msg;
  EXPECT_EQ(All.numTypes(), 0u);
}

TEST(Diff, ReportsSizeDifference) {
  auto Base = makeBase();
  Builder B(Base.get());
  B.addStruct("point", 12);
  auto Big = B.build("big");
  ASSERT_EXPECTED(Big);
  auto A = makePart(*Base, "a");
  DiffResult R = diffBTF(*A, **Big);
  EXPECT_FALSE(R.equivalent());
  ASSERT_EQ(R.OnlyInB.size(), 1u);
  EXPECT_EQ(R.OnlyInB[0].Reason, "size differs (12 vs 8)");
}

} // namespace
