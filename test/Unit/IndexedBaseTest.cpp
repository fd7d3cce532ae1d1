//===- IndexedBaseTest.cpp - The base with its indexes, cached or not -----===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A base loaded from its file and one loaded through the base index cache
// must give the encoders the same facts; what the cache holds is only ever
// a saving.
//
//===----------------------------------------------------------------------===//

#include "btfkit/IndexedBase.h"
#include "btfkit/Builder.h"

#include "TestSupport.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

using namespace btfkit;
using namespace llvm;

namespace {

void writeFile(StringRef Path, ArrayRef<uint8_t> Bytes) {
  std::error_code EC;
  raw_fd_ostream OS(Path, EC);
  ASSERT_FALSE(EC) << EC.message();
  OS.write(reinterpret_cast<const char *>(Bytes.data()), Bytes.size());
}

/// A small base as GCC writes one: a long, and a const array of const
/// char (the qualified-array form).
std::vector<uint8_t> gccLikeBase() {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  B.addInt("long int", 8, IntSigned);
  uint32_t Char = B.addInt("char", 1, IntSigned);
  uint32_t ConstChar = B.addModifier(Kind::Const, Char);
  uint32_t Arr = B.addArray(ConstChar, Int, 4);
  uint32_t ConstArr = B.addModifier(Kind::Const, Arr);
  uint32_t S = B.addStruct("filename", 4);
  B.addMember("iname", ConstArr, 0);
  B.addPtr(S);
  return B.serialize();
}

/// The facts an encoder takes from a base.
void expectSameFacts(const IndexedBase &A, const IndexedBase &B) {
  EXPECT_EQ(A.fingerprint(), B.fingerprint());
  EXPECT_EQ(A.longSize(), B.longSize());
  EXPECT_EQ(A.qualifiedArrays(), B.qualifiedArrays());
  EXPECT_EQ(A.intIds().vec(), B.intIds().vec());
  EXPECT_EQ(A.btf().numTypes(), B.btf().numTypes());
}

TEST(IndexedBase, LoadsWithoutACache) {
  TempDir D;
  std::string Path = D.file("vmlinux.btf");
  writeFile(Path, gccLikeBase());
  auto L = IndexedBase::load(Path);
  ASSERT_EXPECTED(L);
  const IndexedBase &Base = **L;
  EXPECT_EQ(Base.cacheStatus(), "");
  EXPECT_EQ(Base.btf().numTypes(), 8u);
  EXPECT_EQ(Base.longSize(), 8u);
  EXPECT_TRUE(Base.qualifiedArrays());
  EXPECT_EQ(Base.intIds().vec(), (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_FALSE(Base.fingerprint().empty());
  // Without a cache, deduplication indexes what each unit needs instead.
  EXPECT_EQ(Base.dedupIndex(), nullptr);
  EXPECT_EQ(D.names(), std::vector<std::string>{"vmlinux.btf"});
}

TEST(IndexedBase, ClangFormBaseHasNoQualifiedArrays) {
  TempDir D;
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  uint32_t Char = B.addInt("char", 1, IntSigned);
  B.addArray(B.addModifier(Kind::Const, Char), Int, 4);
  std::string Path = D.file("clang.btf");
  writeFile(Path, B.serialize());
  auto L = IndexedBase::load(Path);
  ASSERT_EXPECTED(L);
  EXPECT_FALSE((*L)->qualifiedArrays());
  EXPECT_EQ((*L)->longSize(), 0u); // no long at all
}

TEST(IndexedBase, TheCacheIsWrittenThenUsedWithTheSameFacts) {
  TempDir D;
  std::string Path = D.file("vmlinux.btf");
  writeFile(Path, gccLikeBase());
  std::string Cache = D.file("cache");
  auto Uncached = IndexedBase::load(Path);
  ASSERT_EXPECTED(Uncached);

  auto First = IndexedBase::load(Path, Cache);
  ASSERT_EXPECTED(First);
  EXPECT_TRUE(StringRef((*First)->cacheStatus()).starts_with("written to "))
      << (*First)->cacheStatus().str();
  EXPECT_NE((*First)->dedupIndex(), nullptr);
  expectSameFacts(**Uncached, **First);

  auto Second = IndexedBase::load(Path, Cache);
  ASSERT_EXPECTED(Second);
  EXPECT_EQ((*Second)->cacheStatus(), "hit");
  EXPECT_NE((*Second)->dedupIndex(), nullptr);
  expectSameFacts(**Uncached, **Second);
}

TEST(IndexedBase, ADamagedEntryIsRewrittenNeverUsed) {
  TempDir D;
  std::string Path = D.file("vmlinux.btf");
  writeFile(Path, gccLikeBase());
  std::string Cache = D.file("cache");
  auto First = IndexedBase::load(Path, Cache);
  ASSERT_EXPECTED(First);
  // The cache folder's one entry, found by listing.
  std::vector<std::string> Entries;
  std::error_code EC;
  for (sys::fs::directory_iterator It(Cache, EC), End; !EC && It != End;
       It.increment(EC))
    Entries.push_back(It->path());
  ASSERT_EQ(Entries.size(), 1u);
  // Flip one byte in the middle: the checksum no longer matches.
  auto Buf = MemoryBuffer::getFile(Entries[0]);
  ASSERT_TRUE(bool(Buf));
  std::string Bytes = (*Buf)->getBuffer().str();
  Bytes[Bytes.size() / 2] ^= 0x5a;
  writeFile(Entries[0],
            ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(Bytes.data()),
                              Bytes.size()));

  auto Again = IndexedBase::load(Path, Cache);
  ASSERT_EXPECTED(Again);
  EXPECT_TRUE(StringRef((*Again)->cacheStatus()).starts_with("rewritten ("))
      << (*Again)->cacheStatus().str();
  expectSameFacts(**First, **Again);
  auto Then = IndexedBase::load(Path, Cache);
  ASSERT_EXPECTED(Then);
  EXPECT_EQ((*Then)->cacheStatus(), "hit");
}

TEST(IndexedBase, SplitBTFIsNotABase) {
  TempDir D;
  Builder BaseB;
  BaseB.addInt("int", 4, IntSigned);
  auto Base = BaseB.build("base");
  ASSERT_EXPECTED(Base);
  Builder Split(Base->get());
  Split.addPtr(1);
  std::string Path = D.file("split.btf");
  writeFile(Path, Split.serialize());
  auto L = IndexedBase::load(Path);
  EXPECT_FALSE(bool(L));
  consumeError(L.takeError());
}

TEST(IndexedBase, CacheDirSettingOffMeansNone) {
  EXPECT_EQ(baseIndexCacheDir(std::string("off")), std::nullopt);
  EXPECT_EQ(baseIndexCacheDir(std::string("")), std::nullopt);
  EXPECT_EQ(baseIndexCacheDir(std::string("/some/dir")),
            std::optional<std::string>("/some/dir"));
}

} // namespace
