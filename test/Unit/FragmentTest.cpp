//===- FragmentTest.cpp - Per-object fragments ----------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/Fragment.h"
#include "btfkit/Builder.h"

#include "TestSupport.h"
#include "gtest/gtest.h"

using namespace btfkit;
using namespace llvm;

namespace {

std::vector<uint8_t> typesBlob(StringRef StructName) {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  B.addStruct(StructName, 4);
  B.addMember("x", Int, 0);
  return B.serialize();
}

FragmentManifest manifest(StringRef Source) {
  FragmentManifest M;
  M.Producer = "btfkit test";
  M.Compiler = "LLVM test";
  M.Source = Source.str();
  M.Features = "var,float";
  return M;
}

TEST(FragmentTest, RoundTripsOneFragment) {
  std::vector<uint8_t> Types = typesBlob("a");
  FragmentManifest M = manifest("a.c");
  M.Base.NumTypes = 7;
  M.Base.StrLen = 99;
  M.Base.Hash[0] = 0xab;
  std::vector<uint8_t> Frag = serializeFragment(M, {}, Types, {});
  EXPECT_EQ(Frag.size() % 4, 0u);
  auto Views = parseFragments(Frag, "t");
  ASSERT_EXPECTED(Views);
  ASSERT_EQ(Views->size(), 1u);
  const FragmentView &V = Views->front();
  EXPECT_EQ(V.Manifest.Source, "a.c");
  EXPECT_EQ(V.Manifest.Features, "var,float");
  EXPECT_EQ(V.Manifest.Base, M.Base);
  EXPECT_TRUE(V.DistilledBase.empty());
  EXPECT_EQ(V.Types.vec(), Types);
  // The types blob is an ordinary BTF blob.
  auto B = BTF::parse(V.Types, nullptr, "types");
  ASSERT_EXPECTED(B);
  EXPECT_EQ((*B)->numTypes(), 2u);
}

TEST(FragmentTest, WalksConcatenationWithPadding) {
  // What ld -r makes of two objects: the sections back to back, aligned.
  std::vector<uint8_t> Sec =
      serializeFragment(manifest("a.c"), {}, typesBlob("a"), {});
  Sec.resize(Sec.size() + 12, 0);
  std::vector<uint8_t> Base = typesBlob("base");
  std::vector<uint8_t> Second =
      serializeFragment(manifest("b.c"), Base, typesBlob("b"), {});
  Sec.insert(Sec.end(), Second.begin(), Second.end());
  auto Views = parseFragments(Sec, "t");
  ASSERT_EXPECTED(Views);
  ASSERT_EQ(Views->size(), 2u);
  EXPECT_EQ((*Views)[0].Manifest.Source, "a.c");
  EXPECT_EQ((*Views)[1].Manifest.Source, "b.c");
  EXPECT_EQ((*Views)[1].DistilledBase.vec(), Base);
  EXPECT_EQ((*Views)[1].Manifest.Roles.size(), 2u);

  std::unique_ptr<BTF> DB;
  auto One = loadFragmentTypes(Sec, "t", nullptr, true, DB, nullptr);
  ASSERT_FALSE(static_cast<bool>(One));
  EXPECT_NE(toString(One.takeError()).find("holds 2 btfkit fragments"),
            std::string::npos);
}

TEST(FragmentTest, LoadsTypesOverTheDistilledBase) {
  std::vector<uint8_t> Base = typesBlob("base");
  // A split blob over a 2-type base: ids start at 3.
  auto BaseBTF = BTF::parse(Base, nullptr, "base");
  ASSERT_EXPECTED(BaseBTF);
  Builder S(BaseBTF->get());
  S.addPtr(2);
  std::vector<uint8_t> Sec =
      serializeFragment(manifest("s.c"), Base, S.serialize(), {});
  std::unique_ptr<BTF> DB;
  auto T = loadFragmentTypes(Sec, "t", nullptr, true, DB, nullptr);
  ASSERT_EXPECTED(T);
  ASSERT_TRUE(DB != nullptr);
  EXPECT_EQ((*T)->firstId(), 3u);
  EXPECT_EQ((*T)->type(3).typeId(), 2u);
}

TEST(FragmentTest, RefusesBrokenInput) {
  std::vector<uint8_t> Frag =
      serializeFragment(manifest("a.c"), {}, typesBlob("a"), {});
  auto ErrorOf = [](ArrayRef<uint8_t> Data) {
    auto V = parseFragments(Data, "obj.o:.BTF.btfkit");
    return V ? std::string() : toString(V.takeError());
  };
  // Truncated in the types blob.
  std::string E = ErrorOf(ArrayRef(Frag).drop_back(8));
  EXPECT_NE(E.find("obj.o:.BTF.btfkit+0x"), std::string::npos) << E;
  EXPECT_NE(E.find("types"), std::string::npos) << E;
  // Not a BTF header at all.
  std::vector<uint8_t> Junk(64, 0x41);
  EXPECT_NE(ErrorOf(Junk).find("magic 0xeb9f"), std::string::npos);
  // A BTF blob that is not a manifest.
  std::vector<uint8_t> Plain = typesBlob("a");
  EXPECT_NE(ErrorOf(Plain).find("not a btfkit fragment manifest"),
            std::string::npos);
  // A future format version.
  FragmentManifest M = manifest("a.c");
  M.Version = 99;
  std::vector<uint8_t> Future = serializeFragment(M, {}, typesBlob("a"), {});
  EXPECT_NE(ErrorOf(Future).find("version 99 is not supported"),
            std::string::npos);
  // Only padding.
  std::vector<uint8_t> Zeros(16, 0);
  EXPECT_NE(ErrorOf(Zeros).find("empty fragment section"), std::string::npos);
}

TEST(FragmentTest, FingerprintsIdentifyTheBase) {
  auto A = BTF::parseOwned(typesBlob("a"), nullptr, "a");
  auto B = BTF::parseOwned(typesBlob("b"), nullptr, "b");
  ASSERT_EXPECTED(A);
  ASSERT_EXPECTED(B);
  BaseFingerprint FA = fingerprintBTF(**A), FB = fingerprintBTF(**B);
  EXPECT_NE(FA, FB);
  EXPECT_EQ(FA, fingerprintBTF(**A));
  auto Parsed = BaseFingerprint::parse(FA.str());
  ASSERT_EXPECTED(Parsed);
  EXPECT_EQ(*Parsed, FA);
  EXPECT_EQ(BaseFingerprint().str(), "none");
  auto Bad = BaseFingerprint::parse("xxh3:zz");
  EXPECT_FALSE(static_cast<bool>(Bad));
  consumeError(Bad.takeError());
}

} // namespace
