//===- KernelBaseTest.cpp - Telling a kernel's BTF from the rest ----------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// classifyBTFFile() on the files users name where a kernel's BTF is wanted:
// a kernel's raw BTF, a module's classic split BTF (which reads only over
// its base), and bytes that are no BTF; notAKernelBTF() saying what a file
// is and what to name instead.
//
//===----------------------------------------------------------------------===//

#include "btfkit/KernelBase.h"
#include "btfkit/Builder.h"
#include "btfkit/Error.h"
#include "btfkit/Writer.h"

#include "TestSupport.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include "gtest/gtest.h"

using namespace btfkit;
using namespace llvm;

namespace {

std::shared_ptr<const MemoryBuffer> bufferOf(ArrayRef<uint8_t> Bytes,
                                             StringRef Name) {
  return MemoryBuffer::getMemBufferCopy(
      StringRef(reinterpret_cast<const char *>(Bytes.data()), Bytes.size()),
      Name);
}

/// A kernel: int and struct list_head { int next; }.
std::unique_ptr<BTF> makeKernel() {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  B.addStruct("list_head", 4);
  B.addMember("next", Int, 0);
  return buildBTF(B, "vmlinux.btf");
}

/// A module's classic .BTF over \p Kernel: struct mod_ctx { int seed; }
/// and a pointer to the base's list_head.
std::vector<uint8_t> makeSplit(const BTF &Kernel) {
  Builder S(&Kernel);
  S.addStruct("mod_ctx", 4);
  S.addMember("seed", 1, 0);
  S.addPtr(2);
  auto Split = buildBTF(S, "mod.btf");
  return Split ? serializeBTF(*Split) : std::vector<uint8_t>();
}

TEST(KernelBaseTest, KernelBTFReadsOnItsOwn) {
  auto Kernel = makeKernel();
  ASSERT_TRUE(Kernel);
  auto Buf = bufferOf(serializeBTF(*Kernel), "vmlinux.btf");
  EXPECT_EQ(classifyBTFFile(Buf), BTFFileKind::Kernel);
  EXPECT_TRUE(isKernelBTFFile(Buf));
}

TEST(KernelBaseTest, SplitBTFNeedsItsBase) {
  auto Kernel = makeKernel();
  ASSERT_TRUE(Kernel);
  std::vector<uint8_t> Split = makeSplit(*Kernel);
  ASSERT_FALSE(Split.empty());
  auto Buf = bufferOf(Split, "mod.btf");
  EXPECT_EQ(classifyBTFFile(Buf), BTFFileKind::SplitBTF);
  EXPECT_FALSE(isKernelBTFFile(Buf));
}

TEST(KernelBaseTest, GarbageIsNotBTF) {
  std::vector<uint8_t> Text(64, 'x');
  auto Buf = bufferOf(Text, "notes.txt");
  EXPECT_EQ(classifyBTFFile(Buf), BTFFileKind::NotBTF);
  EXPECT_FALSE(isKernelBTFFile(Buf));
}

TEST(KernelBaseTest, EveryKindIsDescribedApart) {
  std::vector<std::string> Seen;
  for (BTFFileKind K :
       {BTFFileKind::Kernel, BTFFileKind::ResilientModule,
        BTFFileKind::SplitBTF, BTFFileKind::NoBTF, BTFFileKind::NotBTF}) {
    std::string D = describeBTFFileKind(K).str();
    EXPECT_FALSE(D.empty());
    EXPECT_EQ(std::count(Seen.begin(), Seen.end(), D), 0) << D;
    Seen.push_back(D);
  }
}

TEST(KernelBaseTest, SplitBTFGivenAsBaseIsNamed) {
  TempDir Dir;
  auto Kernel = makeKernel();
  ASSERT_TRUE(Kernel);
  std::string Path = Dir.file("mod.btf");
  {
    std::error_code EC;
    raw_fd_ostream OS(Path, EC);
    ASSERT_FALSE(EC);
    std::vector<uint8_t> Split = makeSplit(*Kernel);
    OS.write(reinterpret_cast<const char *>(Split.data()), Split.size());
  }
  Error E = notAKernelBTF(Path, "--base",
                          makeError(Path, "does not read on its own"));
  ASSERT_TRUE(static_cast<bool>(E));
  std::string Msg = toString(std::move(E));
  EXPECT_NE(Msg.find(Path), std::string::npos) << Msg;
  EXPECT_NE(Msg.find("split BTF"), std::string::npos) << Msg;
  EXPECT_NE(Msg.find("--base"), std::string::npos) << Msg;
}

} // namespace
