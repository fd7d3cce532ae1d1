//===- WriterTest.cpp - Raw BTF and ELF section writers -------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/Writer.h"
#include "btfkit/Builder.h"
#include "btfkit/Reader.h"

#include "TestSupport.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "gtest/gtest.h"

#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace btfkit;
using namespace llvm;

namespace {

/// A BTF with every kind that has its own record layout.
std::unique_ptr<BTF> buildSample(bool WithLayout = false) {
  Builder B;
  if (WithLayout)
    B.setEmitLayout(true);
  uint32_t Int = B.addInt("int", 4, IntSigned);
  uint32_t S = B.addStruct("s", 8, /*KindFlag=*/true);
  B.addMember("bits", Int, 3, 5);
  B.addMember("next", B.nextId() + 1, 32);
  B.addPtr(S);
  uint32_t Arr = B.addArray(Int, Int, 4);
  B.addTypedef("arr_t", Arr);
  B.addEnum("e", 4, /*Signed=*/true);
  B.addEnumValue("NEG", -1);
  B.addEnum64("e64", 8);
  B.addEnum64Value("BIG", 1ull << 40);
  uint32_t Proto = B.addFuncProto(Int);
  B.addParam("a", Int);
  uint32_t Fn = B.addFunc("f", Proto, FuncGlobal);
  uint32_t V = B.addVar("v", Int, VarGlobalAllocated);
  B.addDatasec(".data", 4);
  B.addSecInfo(V, 0, 4);
  B.addDeclTag("user", Fn, 0);
  B.addFloat("double", 8);
  auto Built = B.build("sample");
  if (!Built) {
    ADD_FAILURE() << toString(Built.takeError());
    return nullptr;
  }
  return std::move(*Built);
}

/// Equal types (record by record) and strings.
void expectSameBTF(const BTF &A, const BTF &B) {
  ASSERT_EQ(A.numTypes(), B.numTypes());
  EXPECT_EQ(A.firstId(), B.firstId());
  for (uint32_t Id = A.firstId(); Id < A.endId(); ++Id)
    EXPECT_EQ(A.type(Id).bytes(), B.type(Id).bytes()) << "type id " << Id;
  EXPECT_EQ(A.stringSection(), B.stringSection());
}

std::vector<uint8_t> bytesOf(StringRef S) { return {S.begin(), S.end()}; }

/// The contents of section \p Name of ELF file \p Path, or "<none>".
std::string sectionOf(StringRef Path, StringRef Name) {
  auto Buf = MemoryBuffer::getFile(Path);
  if (!Buf)
    return "<unreadable>";
  auto Sec =
      findELFSection(Path, arrayRefFromStringRef((*Buf)->getBuffer()), Name);
  if (!Sec) {
    return "<error: " + toString(Sec.takeError()) + ">";
  }
  if (!*Sec)
    return "<none>";
  return toStringRef(**Sec).str();
}

TEST(WriterTest, SerializeRoundTrips) {
  auto B = buildSample();
  ASSERT_TRUE(B);
  std::vector<uint8_t> Blob = serializeBTF(*B);
  auto Back = BTF::parseOwned(Blob, nullptr, "again");
  ASSERT_EXPECTED(Back);
  EXPECT_FALSE((*Back)->wasByteSwapped());
  EXPECT_FALSE((*Back)->hasLayoutSection());
  expectSameBTF(*B, **Back);
  // Serializing what was parsed gives the same bytes: the writer is
  // deterministic and loses nothing.
  EXPECT_EQ(serializeBTF(**Back), Blob);
}

TEST(WriterTest, ByteSwappedOutputParsesToTheSameTypes) {
  auto B = buildSample();
  ASSERT_TRUE(B);
  std::vector<uint8_t> Native = serializeBTF(*B);
  std::vector<uint8_t> Swapped = serializeBTF(*B, /*ByteSwap=*/true);
  ASSERT_EQ(Native.size(), Swapped.size());
  EXPECT_NE(Native, Swapped);
  EXPECT_EQ(Swapped[0], Native[1]); // the magic, other way round
  auto Back = BTF::parseOwned(Swapped, nullptr, "swapped");
  ASSERT_EXPECTED(Back);
  EXPECT_TRUE((*Back)->wasByteSwapped());
  expectSameBTF(*B, **Back);
  // And swapping back restores the native blob.
  EXPECT_EQ(serializeBTF(**Back), Native);
  EXPECT_EQ(serializeBTF(**Back, /*ByteSwap=*/true), Swapped);
}

TEST(WriterTest, LayoutSectionIsKept) {
  auto B = buildSample(/*WithLayout=*/true);
  ASSERT_TRUE(B);
  ASSERT_TRUE(B->hasLayoutSection());
  for (bool Swap : {false, true}) {
    auto Back = BTF::parseOwned(serializeBTF(*B, Swap), nullptr, "layout");
    ASSERT_EXPECTED(Back);
    EXPECT_TRUE((*Back)->hasLayoutSection());
    ASSERT_EQ((*Back)->layouts().size(), B->layouts().size());
    for (size_t K = 0; K < B->layouts().size(); ++K) {
      EXPECT_EQ((*Back)->layouts()[K].InfoSize, B->layouts()[K].InfoSize);
      EXPECT_EQ((*Back)->layouts()[K].ElemSize, B->layouts()[K].ElemSize);
      EXPECT_EQ((*Back)->layouts()[K].Flags, B->layouts()[K].Flags);
    }
    expectSameBTF(*B, **Back);
  }
}

TEST(WriterTest, SplitBTFCarriesNoLayoutSection) {
  // A split BTF read with a layout section of its own is written without
  // one, as pahole writes split BTF: the base's describes the kinds.
  auto Base = buildSample(/*WithLayout=*/true);
  ASSERT_TRUE(Base);
  Builder SB(Base.get());
  SB.setEmitLayout(true);
  SB.addPtr(1);
  auto Split = SB.build("split");
  ASSERT_EXPECTED(Split);
  ASSERT_TRUE((*Split)->hasLayoutSection());
  EXPECT_FALSE(layoutSectionFor(**Split));
  auto Back = BTF::parseOwned(serializeBTF(**Split), Base.get(), "again");
  ASSERT_EXPECTED(Back);
  EXPECT_FALSE((*Back)->hasLayoutSection());
  expectSameBTF(**Split, **Back);
  // The base keeps its own.
  ASSERT_TRUE(layoutSectionFor(*Base));
  EXPECT_EQ(layoutSectionFor(*Base)->size(), Base->layouts().size());
}

TEST(WriterTest, SplitBTFSerializesOnlyItsOwnPart) {
  auto Base = buildSample();
  ASSERT_TRUE(Base);
  Builder SB(Base.get());
  uint32_t P = SB.addPtr(1);
  SB.addTypedef("int_ptr", P);
  auto Split = SB.build("split");
  ASSERT_EXPECTED(Split);
  std::vector<uint8_t> Blob = serializeBTF(**Split);
  auto Back = BTF::parseOwned(Blob, Base.get(), "split again");
  ASSERT_EXPECTED(Back);
  EXPECT_EQ((*Back)->firstId(), Base->endId());
  expectSameBTF(**Split, **Back);
  EXPECT_EQ((*Back)->type(Base->endId() + 1).name(), "int_ptr");
}

TEST(WriterTest, CreatesAnObjectTheReaderLoads) {
  TempDir Dir;
  auto Base = buildSample();
  ASSERT_TRUE(Base);
  std::string Obj = Dir.file("new.o");
  ASSERT_NO_ERROR(createELFWithSections(
      Obj, {{".BTF", serializeBTF(*Base)}, {".note.x", bytesOf("abc")}}));
  auto F = BTFFile::load(Obj);
  ASSERT_EXPECTED(F);
  EXPECT_EQ(F->format(), BTFFile::ELF);
  EXPECT_FALSE(F->hasBaseSection());
  expectSameBTF(*Base, F->btf());
  EXPECT_EQ(sectionOf(Obj, ".note.x"), "abc");
  EXPECT_EQ(sectionOf(Obj, ".shstrtab").substr(0, 1), std::string(1, '\0'));
}

TEST(WriterTest, ReplacesAddsAndRemovesSections) {
  TempDir Dir;
  auto Base = buildSample();
  ASSERT_TRUE(Base);
  Builder SB(Base.get());
  SB.addTypedef("mine", 1);
  auto Split = SB.build("split");
  ASSERT_EXPECTED(Split);

  std::string Obj = Dir.file("mod.ko");
  ASSERT_NO_ERROR(createELFWithSections(
      Obj, {{".text", bytesOf("\x90\x90\xc3")}, {".BTF", bytesOf("old")}}));
  ::chmod(Obj.c_str(), 0751);

  // The module's case: .BTF replaced by split BTF, .BTF.base added, in place.
  ASSERT_NO_ERROR(rewriteELFSections(
      Obj, Obj,
      {{".BTF", serializeBTF(**Split)}, {".BTF.base", serializeBTF(*Base)}}));
  auto F = BTFFile::load(Obj);
  ASSERT_EXPECTED(F);
  ASSERT_TRUE(F->embeddedBase());
  expectSameBTF(*Base, *F->embeddedBase());
  EXPECT_EQ(F->btf().type(Base->endId()).name(), "mine");
  EXPECT_EQ(sectionOf(Obj, ".text"), "\x90\x90\xc3");
  struct stat St;
  ASSERT_EQ(::stat(Obj.c_str(), &St), 0);
  EXPECT_EQ(St.st_mode & 0777, 0751u);

  // Removal into another file; the input is left as it was.
  std::string Out = Dir.file("out.ko");
  ASSERT_NO_ERROR(rewriteELFSections(
      Obj, Out, {{".BTF.base", std::nullopt}, {".absent", std::nullopt}}));
  EXPECT_EQ(sectionOf(Out, ".BTF.base"), "<none>");
  EXPECT_EQ(sectionOf(Out, ".text"), "\x90\x90\xc3");
  EXPECT_NE(sectionOf(Obj, ".BTF.base"), "<none>");
  auto G = BTFFile::load(Out, {Base.get()});
  ASSERT_EXPECTED(G);
  EXPECT_FALSE(G->hasBaseSection());
  EXPECT_EQ(G->btf().type(Base->endId()).name(), "mine");

  // Emptying a section keeps it, with no bytes.
  ASSERT_NO_ERROR(rewriteELFSections(Out, Out, {{".text", {{}}}}));
  EXPECT_EQ(sectionOf(Out, ".text"), "");
}

TEST(WriterTest, SectionNamesAreReusedOrAdded) {
  TempDir Dir;
  std::string Obj = Dir.file("names.o");
  ASSERT_NO_ERROR(createELFWithSections(Obj, {{".rel.BTF", bytesOf("x")}}));
  // ".BTF" is a suffix of ".rel.BTF" in the name table; ".BTF.ext" is new.
  ASSERT_NO_ERROR(rewriteELFSections(
      Obj, Obj, {{".BTF", bytesOf("y")}, {".BTF.ext", bytesOf("z")}}));
  EXPECT_EQ(sectionOf(Obj, ".rel.BTF"), "x");
  EXPECT_EQ(sectionOf(Obj, ".BTF"), "y");
  EXPECT_EQ(sectionOf(Obj, ".BTF.ext"), "z");
  std::string Names = sectionOf(Obj, ".shstrtab");
  EXPECT_EQ(Names.find(std::string(".BTF") + '\0'),
            Names.find(std::string(".rel.BTF") + '\0') + 4);
}

TEST(WriterTest, ErrorsNameTheFileAndSection) {
  TempDir Dir;
  std::string Obj = Dir.file("e.o");
  ASSERT_NO_ERROR(createELFWithSections(Obj, {{".BTF", bytesOf("1234")}}));
  Error E =
      rewriteELFSections(Obj, Dir.file("o.o"), {{".shstrtab", std::nullopt}});
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(toString(std::move(E)),
            Obj + ":.shstrtab: cannot remove the section name table");
  E = rewriteELFSections(Obj, Dir.file("o.o"),
                         {{".BTF", bytesOf("a")}, {".BTF", std::nullopt}});
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(toString(std::move(E)), Obj + ":.BTF: section edited twice");
  std::string Raw = Dir.file("raw.btf");
  ASSERT_NO_ERROR(writeFileAtomically(Raw, bytesOf("\x9f\xeb")));
  E = rewriteELFSections(Raw, Dir.file("o.o"), {});
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(toString(std::move(E)), Raw + ": not an ELF file");
  // Nothing was left behind by the failures.
  std::error_code EC;
  unsigned Files = 0;
  SmallString<128> DirPath = sys::path::parent_path(Obj);
  for (sys::fs::directory_iterator I(DirPath, EC), End; I != End && !EC;
       I.increment(EC))
    ++Files;
  EXPECT_EQ(Files, 2u);
}

TEST(WriterTest, WritesIntoPipesAndDevicesInsteadOfReplacingThem) {
  // `btf-relocate -o /dev/null` once renamed its temporary file over
  // /dev/null. A FIFO stands in for the device: it must still be a FIFO
  // afterwards, and the reader at its other end gets the bytes.
  SmallString<128> Dir;
  ASSERT_FALSE(sys::fs::createUniqueDirectory("btfkit-fifo", Dir));
  SmallString<128> Fifo(Dir);
  sys::path::append(Fifo, "out");
  ASSERT_EQ(::mkfifo(Fifo.c_str(), 0600), 0);
  std::vector<uint8_t> Data = {1, 2, 3, 4, 5};
  std::string Got;
  std::thread Reader([&] {
    auto Buf = MemoryBuffer::getFile(Fifo, /*IsText=*/false,
                                     /*RequiresNullTerminator=*/false,
                                     /*IsVolatile=*/true);
    if (Buf)
      Got = (*Buf)->getBuffer().str();
  });
  EXPECT_TRUE(isNonRegularFile(Fifo));
  ASSERT_NO_ERROR(writeFileAtomically(Fifo, Data));
  Reader.join();
  EXPECT_EQ(Got, std::string("\x01\x02\x03\x04\x05"));
  sys::fs::file_status Status;
  ASSERT_FALSE(sys::fs::status(Fifo, Status));
  EXPECT_EQ(Status.type(), sys::fs::file_type::fifo_file);
  // sys::fs::remove leaves anything but files, folders and links alone.
  EXPECT_EQ(::unlink(Fifo.c_str()), 0);
  sys::fs::remove(Dir);
}

} // namespace
