//===- ResolveBTFIdsTest.cpp - Linux 7.x resolve_btfids's module path -----===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// typesByName(): the kernel tool's order (strcmp of the names, anonymous
// types first, ties in id order); resolveModuleBTFIds() on an object
// without .BTF_ids: the split sorted with every reference renumbered, the
// base distilled with --distill_base, and no X.BTF_ids. The byte identity
// with the kernel's own tool is kbuild7-pipeline's (docs/LinkStep.md).
//
//===----------------------------------------------------------------------===//

#include "btfkit/ResolveBTFIds.h"
#include "btfkit/Builder.h"
#include "btfkit/Error.h"
#include "btfkit/Writer.h"

#include "TestSupport.h"
#include "llvm/Support/MemoryBuffer.h"
#include "gtest/gtest.h"

using namespace btfkit;
using namespace llvm;

namespace {

std::unique_ptr<BTF> makeKernel() {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  B.addStruct("task_struct", 4);
  B.addMember("pid", Int, 0);
  return buildBTF(B, "vmlinux.btf");
}

/// Split over \p Kernel (ids 3..): struct zeta { int z; } [3], an anonymous
/// struct [4], typedef alpha -> zeta [5], struct alpha { ptr } [6], a
/// pointer to task_struct [7], a pointer to zeta [8].
std::unique_ptr<BTF> makeSplit(const BTF &Kernel) {
  Builder S(&Kernel);
  uint32_t Zeta = S.addStruct("zeta", 4);
  S.addMember("z", 1, 0);
  S.addStruct("", 4);
  S.addMember("a", 1, 0);
  S.addTypedef("alpha", Zeta);
  S.addStruct("alpha", 8);
  S.addMember("p", 8, 0);
  S.addPtr(2);
  S.addPtr(Zeta);
  return buildBTF(S, "mod.BTF.1");
}

/// An ELF object with a .text section and no .BTF_ids: nothing to resolve.
std::vector<uint8_t> objectWithoutIds(const TempDir &Dir) {
  std::string Path = Dir.file("mod.ko");
  std::vector<uint8_t> Text(16, 0xc3);
  if (Error E = createELFWithSections(Path, {{".text", Text}})) {
    ADD_FAILURE() << toString(std::move(E));
    return {};
  }
  auto Buf = MemoryBuffer::getFile(Path);
  if (!Buf)
    return {};
  return {(*Buf)->getBufferStart(), (*Buf)->getBufferEnd()};
}

/// The kernel, the split over it, and an object to resolve it for.
class ResolveBTFIdsTest : public ::testing::Test {
protected:
  void SetUp() override {
    Kernel = makeKernel();
    ASSERT_TRUE(Kernel);
    Split = makeSplit(*Kernel);
    ASSERT_TRUE(Split);
    Image = objectWithoutIds(Dir);
    ASSERT_FALSE(Image.empty());
  }
  TempDir Dir;
  std::unique_ptr<BTF> Kernel, Split;
  std::vector<uint8_t> Image;
};

TEST_F(ResolveBTFIdsTest, NameOrderAnonymousFirstTiesById) {
  // Unnamed: the anonymous struct and both pointers, in id order; then
  // "alpha" twice (typedef [5] before struct [6]), then "zeta".
  EXPECT_EQ(typesByName(*Split), (std::vector<uint32_t>{4, 7, 8, 5, 6, 3}));
}

TEST_F(ResolveBTFIdsTest, SortedSplitKeepsEveryReference) {
  auto R = resolveModuleBTFIds("mod.ko", Image, *Split, /*DistillBase=*/false);
  ASSERT_EXPECTED(R);
  EXPECT_FALSE(R->Base);
  EXPECT_FALSE(R->Ids);
  auto Sorted = BTF::parse(R->Split, Kernel.get(), "mod.BTF");
  ASSERT_EXPECTED(Sorted);
  ASSERT_EQ((*Sorted)->numTypes(), 6u);
  // New ids: anon 3, ptr->task 4, ptr->zeta 5, typedef alpha 6,
  // struct alpha 7, zeta 8.
  const BTF &S = **Sorted;
  EXPECT_EQ(S.type(6).name(), "alpha");
  EXPECT_EQ(S.type(6).common().SizeOrType, 8u); // typedef -> zeta, renumbered
  EXPECT_EQ(S.type(5).common().SizeOrType, 8u); // ptr -> zeta
  EXPECT_EQ(S.type(4).common().SizeOrType, 2u); // ptr -> base task_struct
  EXPECT_EQ(S.type(8).name(), "zeta");
}

TEST_F(ResolveBTFIdsTest, DistillBaseWritesTheBase) {
  auto R = resolveModuleBTFIds("mod.ko", Image, *Split, /*DistillBase=*/true);
  ASSERT_EXPECTED(R);
  ASSERT_TRUE(R->Base);
  auto Base = BTF::parse(*R->Base, nullptr, "mod.BTF.base");
  ASSERT_EXPECTED(Base);
  // int (a member's type) and task_struct (a pointer's target).
  EXPECT_EQ((*Base)->numTypes(), 2u);
  auto Sorted = BTF::parse(R->Split, Base->get(), "mod.BTF");
  ASSERT_EXPECTED(Sorted);
  EXPECT_EQ((*Sorted)->numTypes(), 6u);
}

} // namespace
