//===- ReaderTest.cpp - What a file holds, and loading it -----------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Raw BTF, ELF files with .BTF and .BTF.base, objects with a btfkit
// fragment: inspectFile() tells them apart without reading their BTF,
// BTFFile::load() loads the section asked for over the right base, and
// every refusal is an error of the kind callers act on.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Reader.h"
#include "btfkit/Builder.h"
#include "btfkit/ELFObject.h"
#include "btfkit/Error.h"
#include "btfkit/Fragment.h"
#include "btfkit/Writer.h"

#include "RelocationFixtures.h"
#include "TestSupport.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Support/MemoryBuffer.h"

#include "gtest/gtest.h"

#include <cstring>

using namespace btfkit;
using namespace llvm;
using namespace btfkit::unittest;

namespace {

/// goodModule()'s .BTF.base and .BTF blobs.
struct Pair {
  std::vector<uint8_t> Base, Split;
  Pair() {
    Module M = goodModule();
    if (!M)
      return;
    Base = serializeBTF(*M.Dist);
    Split = serializeBTF(*M.Split);
  }
};

std::shared_ptr<const MemoryBuffer> bufferOf(ArrayRef<uint8_t> Bytes,
                                             StringRef Name) {
  return MemoryBuffer::getMemBufferCopy(toStringRef(Bytes), Name);
}

/// The bytes of a new ELF object holding \p Sections.
std::shared_ptr<const MemoryBuffer> elfWith(const TempDir &Dir,
                                            ArrayRef<SectionEdit> Sections,
                                            StringRef Name = "m.ko") {
  std::string Path = Dir.file(Name);
  if (Error E = createELFWithSections(Path, Sections)) {
    ADD_FAILURE() << toString(std::move(E));
    return nullptr;
  }
  auto Buf = mapFile(Path);
  if (!Buf) {
    ADD_FAILURE() << toString(Buf.takeError());
    return nullptr;
  }
  return std::move(*Buf);
}

std::string errorOf(Error E, ErrorKind Kind) {
  if (!E)
    return "success";
  EXPECT_TRUE(isErrorKind(E, Kind));
  return toString(std::move(E));
}

TEST(Reader, TellsRawBTFFromELFAndNeither) {
  Pair P;
  auto Raw = bufferOf(P.Base, "base.btf");
  EXPECT_TRUE(looksLikeRawBTF(P.Base));
  EXPECT_FALSE(looksLikeELF(P.Base));
  auto C = inspectFile(*Raw);
  ASSERT_EXPECTED(C);
  EXPECT_EQ(C->Format, BTFFile::Raw);
  auto F = BTFFile::load(Raw);
  ASSERT_EXPECTED(F);
  EXPECT_EQ(F->format(), BTFFile::Raw);
  EXPECT_EQ(F->path(), "base.btf");
  EXPECT_EQ(F->btf().numTypes(), 2u);
  EXPECT_FALSE(F->embeddedBase());

  // The other byte order starts like BTF too.
  std::vector<uint8_t> Swapped = P.Base;
  std::swap(Swapped[0], Swapped[1]);
  EXPECT_TRUE(looksLikeRawBTF(Swapped));

  LoadOptions BaseOnly;
  BaseOnly.Section = BTFBaseSectionName;
  auto NoSec = BTFFile::load(Raw, BaseOnly);
  ASSERT_FALSE(bool(NoSec));
  EXPECT_EQ(errorOf(NoSec.takeError(), ErrorKind::NoSection),
            "base.btf: is raw BTF, it has no section .BTF.base");

  std::vector<uint8_t> Text = {'h', 'e', 'l', 'l', 'o'};
  auto Junk = inspectFile(*bufferOf(Text, "notes.txt"));
  ASSERT_FALSE(bool(Junk));
  EXPECT_EQ(errorOf(Junk.takeError(), ErrorKind::NotBTF),
            "notes.txt: neither raw BTF (magic 0xeb9f) nor an ELF file");
  auto Empty = BTFFile::load(bufferOf({}, "empty"));
  ASSERT_FALSE(bool(Empty));
  EXPECT_EQ(errorOf(Empty.takeError(), ErrorKind::NotBTF),
            "empty: empty file, neither BTF nor ELF");
  auto NotElf = findELFSection("notes.txt", Text, ".BTF");
  ASSERT_FALSE(bool(NotElf));
  EXPECT_EQ(errorOf(NotElf.takeError(), ErrorKind::Malformed)
                .rfind("notes.txt: not a valid ELF file: ", 0),
            0u);
}

TEST(Reader, LoadsAModulesSplitOverItsEmbeddedBase) {
  TempDir Dir;
  Pair P;
  auto Elf = elfWith(Dir, {{".BTF", P.Split}, {".BTF.base", P.Base}});
  ASSERT_TRUE(Elf);
  auto C = inspectFile(*Elf);
  ASSERT_EXPECTED(C);
  EXPECT_EQ(C->Format, BTFFile::ELF);
  EXPECT_TRUE(C->HasBTF);
  EXPECT_TRUE(C->HasBaseSection);
  EXPECT_EQ(C->NumFragments, 0u);

  auto F = BTFFile::load(Elf);
  ASSERT_EXPECTED(F);
  EXPECT_EQ(F->format(), BTFFile::ELF);
  EXPECT_TRUE(F->hasBaseSection());
  ASSERT_TRUE(F->embeddedBase());
  EXPECT_EQ(F->btf().base(), F->embeddedBase());
  EXPECT_EQ(F->btf().name(), Elf->getBufferIdentifier().str() + ":.BTF");
  EXPECT_EQ(F->btf().firstId(), 3u);
  EXPECT_EQ(F->btf().type(3).name(), "good_priv");

  std::unique_ptr<BTF> Base;
  std::unique_ptr<BTF> Split = F->takeBTF(&Base);
  ASSERT_TRUE(Split && Base);
  EXPECT_EQ(Split->base(), Base.get());

  // The distilled base alone.
  LoadOptions BaseOnly;
  BaseOnly.Section = BTFBaseSectionName;
  auto B = BTFFile::load(Elf, BaseOnly);
  ASSERT_EXPECTED(B);
  EXPECT_FALSE(B->btf().isSplit());
  EXPECT_EQ(B->btf().numTypes(), 2u);

  // Without its base the split refers to ids it does not have.
  LoadOptions Alone;
  Alone.UseEmbeddedBase = false;
  auto A = BTFFile::load(Elf, Alone);
  ASSERT_FALSE(bool(A));
  EXPECT_NE(toString(A.takeError()).find(":.BTF"), std::string::npos);

  // A section that is not there.
  auto NoBTF =
      elfWith(Dir, {{".note", std::vector<uint8_t>{1, 2, 3, 4}}}, "plain.o");
  ASSERT_TRUE(NoBTF);
  auto N = BTFFile::load(NoBTF);
  ASSERT_FALSE(bool(N));
  EXPECT_NE(
      errorOf(N.takeError(), ErrorKind::NoSection).find("no .BTF section"),
      std::string::npos);
  auto NC = inspectFile(*NoBTF);
  ASSERT_EXPECTED(NC);
  EXPECT_FALSE(NC->HasBTF);
  EXPECT_FALSE(NC->HasBaseSection);
}

TEST(Reader, AnObjectsFragmentStandsInForItsSections) {
  TempDir Dir;
  Pair P;
  auto Base = BTF::parse(P.Base, nullptr, "base");
  ASSERT_EXPECTED(Base);
  auto Split = BTF::parse(P.Split, Base->get(), "split");
  ASSERT_EXPECTED(Split);
  // One embedded-type tag on `device` (held by value by priv).
  Builder TB(Split->get());
  TB.addDeclTag("btfkit:embedded", 2, -1);
  FragmentManifest M;
  M.Producer = "btfkit test";
  M.Source = "m.c";
  std::vector<uint8_t> Frag =
      serializeFragment(M, P.Base, P.Split, TB.serialize());
  auto Elf = elfWith(Dir, {{FragmentSectionName, Frag}}, "m.o");
  ASSERT_TRUE(Elf);

  auto C = inspectFile(*Elf);
  ASSERT_EXPECTED(C);
  EXPECT_FALSE(C->HasBTF);
  EXPECT_EQ(C->NumFragments, 1u);
  EXPECT_EQ(C->NumFragmentsWithBase, 1u);

  auto F = BTFFile::load(Elf);
  ASSERT_EXPECTED(F);
  EXPECT_TRUE(F->hasBaseSection());
  ASSERT_TRUE(F->embeddedBase());
  EXPECT_EQ(F->btf().type(3).name(), "good_priv");

  LoadOptions Tags;
  Tags.Section = FragmentEmbeddedTagsView;
  auto T = BTFFile::load(Elf, Tags);
  ASSERT_EXPECTED(T);
  EXPECT_EQ(T->btf().firstId(), 4u);
  EXPECT_TRUE(T->btf().type(4).is(Kind::DeclTag));
  EXPECT_EQ(T->btf().type(4).typeId(), 2u);

  LoadOptions DistBase;
  DistBase.Section = FragmentDistilledBaseView;
  auto D = BTFFile::load(Elf, DistBase);
  ASSERT_EXPECTED(D);
  EXPECT_EQ(D->btf().numTypes(), 2u);

  LoadOptions Other;
  Other.Section = ".BTF.ext";
  auto O = BTFFile::load(Elf, Other);
  ASSERT_FALSE(bool(O));
  EXPECT_NE(toString(O.takeError())
                .find("is an object with a btfkit fragment; it has no "
                      "section .BTF.ext"),
            std::string::npos);

  // Two fragments (a partial link): inspectFile counts them, the
  // one-fragment views refuse.
  std::vector<uint8_t> Two = Frag;
  Two.insert(Two.end(), Frag.begin(), Frag.end());
  auto Partial = elfWith(Dir, {{FragmentSectionName, Two}}, "partial.o");
  ASSERT_TRUE(Partial);
  auto PC = inspectFile(*Partial);
  ASSERT_EXPECTED(PC);
  EXPECT_EQ(PC->NumFragments, 2u);
  auto PF = BTFFile::load(Partial);
  EXPECT_FALSE(bool(PF));
  consumeError(PF.takeError());
}

TEST(Reader, LoadBaseBTFRefusesSplitBTF) {
  TempDir Dir;
  Pair P;
  std::string BasePath = Dir.file("base.btf"), SplitPath = Dir.file("m.btf");
  ASSERT_NO_ERROR(writeFileAtomically(BasePath, P.Base));
  ASSERT_NO_ERROR(writeFileAtomically(SplitPath, P.Split));
  auto B = loadBaseBTF(BasePath);
  ASSERT_EXPECTED(B);
  EXPECT_EQ((*B)->numTypes(), 2u);
  EXPECT_EQ((*B)->name(), BasePath);
  // Read as a base, split BTF refers to types it does not have.
  auto S = loadBaseBTF(SplitPath);
  ASSERT_FALSE(bool(S));
  EXPECT_EQ(toString(S.takeError()).rfind(SplitPath + ": ", 0), 0u);
}

/// An object whose sections 1-3 are a symbol table of two (null) symbols
/// with entries of \p SymEntSize bytes, its string table, and a RELA
/// section with one relocation naming symbol \p RelSym; checked.
std::string tablesError(uint64_t SymEntSize, uint32_t RelSym) {
  TempDir Dir;
  std::string Path = Dir.file("t.o");
  ELF::Elf64_Rela Rela = {};
  Rela.setSymbolAndType(RelSym, 1);
  std::vector<uint8_t> RelaBytes(sizeof(Rela));
  std::memcpy(RelaBytes.data(), &Rela, sizeof(Rela));
  if (Error E =
          createELFWithSections(Path, {{".symtab", std::vector<uint8_t>(48, 0)},
                                       {".strtab", std::vector<uint8_t>(1, 0)},
                                       {".rela.text", RelaBytes}}))
    return "cannot write: " + toString(std::move(E));
  // createELFWithSections() makes PROGBITS: give them their types.
  auto Buf = MemoryBuffer::getFile(Path);
  if (!Buf)
    return "cannot read";
  std::vector<uint8_t> Image((*Buf)->getBufferStart(), (*Buf)->getBufferEnd());
  ELF::Elf64_Ehdr Ehdr;
  std::memcpy(&Ehdr, Image.data(), sizeof(Ehdr));
  auto *Sh = reinterpret_cast<ELF::Elf64_Shdr *>(Image.data() + Ehdr.e_shoff);
  Sh[1].sh_type = ELF::SHT_SYMTAB;
  Sh[1].sh_entsize = SymEntSize;
  Sh[1].sh_link = 2;
  Sh[2].sh_type = ELF::SHT_STRTAB;
  Sh[3].sh_type = ELF::SHT_RELA;
  Sh[3].sh_entsize = sizeof(ELF::Elf64_Rela);
  Sh[3].sh_link = 1;
  auto Obj = object::ObjectFile::createObjectFile(
      MemoryBufferRef(toStringRef(Image), "t.o"));
  if (!Obj)
    return "cannot open: " + toString(Obj.takeError());
  Error E = checkELFTables("t.o", *cast<object::ELFObjectFileBase>(Obj->get()));
  return E ? toString(std::move(E)) : "";
}

TEST(Reader, ELFTablesLLVMCannotIndexAreRefused) {
  EXPECT_EQ(tablesError(24, 1), "");
  EXPECT_EQ(tablesError(24, 0), "");
  EXPECT_EQ(tablesError(8, 1),
            "t.o: section 1: section [index 1] has invalid sh_entsize: "
            "expected 24, but got 8");
  EXPECT_EQ(tablesError(24, 5), "t.o: section 3: relocation at offset 0x0 "
                                "names symbol 5 of a table of 2");
}

} // namespace

namespace {

/// A standalone blob of one INT named \p Name, as gcc -gbtf writes one per
/// object.
std::vector<uint8_t> intBlob(StringRef Name) {
  Builder B;
  B.addInt(Name, 4, IntSigned);
  return B.serialize();
}

TEST(Reader, SplitsConcatenatedBlobs) {
  // Names of the length that leaves the first blob off an 8-byte boundary,
  // so that padding can follow it.
  std::string Name = "i";
  std::vector<uint8_t> A = intBlob(Name);
  while (A.size() % 8 == 0) {
    Name += "i";
    A = intBlob(Name);
  }
  std::vector<uint8_t> B = intBlob("unsigned int");
  auto Cat = [](std::initializer_list<ArrayRef<uint8_t>> Parts) {
    std::vector<uint8_t> Out;
    for (ArrayRef<uint8_t> P : Parts)
      Out.insert(Out.end(), P.begin(), P.end());
    return Out;
  };

  // Back to back (GCC 12's .BTF has alignment 1), the second unaligned.
  std::vector<uint8_t> AB = Cat({A, B});
  auto Blobs = splitBTFBlobs(AB, "m.ko:.BTF");
  ASSERT_EXPECTED(Blobs);
  ASSERT_EQ(Blobs->size(), 2u);
  EXPECT_EQ((*Blobs)[0].Offset, 0u);
  EXPECT_EQ((*Blobs)[0].Data.size(), A.size());
  EXPECT_EQ((*Blobs)[1].Offset, A.size());
  EXPECT_EQ((*Blobs)[1].Data, ArrayRef<uint8_t>(B));

  // Zeros up to the next 8-byte boundary are an input section's
  // alignment, after a blob and at the end.
  std::vector<uint8_t> Pad(8 - A.size() % 8, 0);
  std::vector<uint8_t> Tail((8 - (A.size() + Pad.size() + B.size()) % 8) % 8,
                            0);
  std::vector<uint8_t> Padded = Cat({A, Pad, B, Tail});
  Blobs = splitBTFBlobs(Padded, "m.ko:.BTF");
  ASSERT_EXPECTED(Blobs);
  ASSERT_EQ(Blobs->size(), 2u);
  EXPECT_EQ((*Blobs)[1].Offset, A.size() + Pad.size());
  EXPECT_EQ((*Blobs)[1].Data, ArrayRef<uint8_t>(B));

  // The other byte order.
  auto Swapped = BTF::parse(A, nullptr, "a");
  ASSERT_EXPECTED(Swapped);
  std::vector<uint8_t> SA = serializeBTF(**Swapped, /*ByteSwap=*/true);
  Blobs = splitBTFBlobs(Cat({SA, SA}), "be.o:.BTF");
  ASSERT_EXPECTED(Blobs);
  EXPECT_EQ(Blobs->size(), 2u);

  // Each error names the section, the blob and its byte offset.
  std::string Off = "0x" + utohexstr(A.size(), true);
  std::vector<uint8_t> Truncated = Cat({A, ArrayRef<uint8_t>(B).drop_back()});
  auto Bad = splitBTFBlobs(Truncated, "m.ko:.BTF");
  ASSERT_FALSE(bool(Bad));
  EXPECT_EQ(errorOf(Bad.takeError(), ErrorKind::Malformed),
            "m.ko:.BTF: BTF blob 2 at byte offset " + Off +
                ": truncated: its header gives " + std::to_string(B.size()) +
                " bytes, the section has " + std::to_string(B.size() - 1) +
                " left");
  Bad =
      splitBTFBlobs(Cat({A, ArrayRef<uint8_t>(B).take_front(10)}), "m.ko:.BTF");
  ASSERT_FALSE(bool(Bad));
  EXPECT_EQ(errorOf(Bad.takeError(), ErrorKind::Malformed),
            "m.ko:.BTF: BTF blob 2 at byte offset " + Off +
                ": truncated: 10 bytes left, fewer than the 24-byte header");
  std::vector<uint8_t> Junk = B;
  Junk[0] = 0x42;
  Bad = splitBTFBlobs(Cat({A, Junk}), "m.ko:.BTF");
  ASSERT_FALSE(bool(Bad));
  EXPECT_EQ(errorOf(Bad.takeError(), ErrorKind::Malformed),
            "m.ko:.BTF: BTF blob 2 at byte offset " + Off +
                ": bad BTF magic 0xeb42 (expected 0xeb9f)");
  Junk = B;
  Junk[4] = 200; // hdr_len
  Bad = splitBTFBlobs(Cat({A, Junk}), "m.ko:.BTF");
  ASSERT_FALSE(bool(Bad));
  EXPECT_EQ(errorOf(Bad.takeError(), ErrorKind::Malformed),
            "m.ko:.BTF: BTF blob 2 at byte offset " + Off +
                ": invalid header length 200 (" + std::to_string(B.size()) +
                " bytes left in the section)");
  Bad = splitBTFBlobs({}, "m.ko:.BTF");
  ASSERT_FALSE(bool(Bad));
  EXPECT_EQ(errorOf(Bad.takeError(), ErrorKind::Malformed),
            "m.ko:.BTF: empty section: no BTF blob");

  // A reader of one blob refuses the section rather than show the first.
  TempDir Dir;
  auto Elf = elfWith(Dir, {{".BTF", AB}});
  ASSERT_TRUE(Elf);
  auto F = BTFFile::load(Elf);
  ASSERT_FALSE(bool(F));
  EXPECT_EQ(errorOf(F.takeError(), ErrorKind::Malformed),
            Dir.file("m.ko") +
                ":.BTF: holds 2 concatenated BTF blobs (a relocatable link "
                "of objects compiled with gcc -gbtf), not one module's BTF: "
                "btf-link merges them into one");
  // One blob followed by alignment padding reads as before.
  std::vector<uint8_t> APad = Cat({A, Pad});
  auto One = BTFFile::load(elfWith(Dir, {{".BTF", APad}}, "one.o"));
  ASSERT_EXPECTED(One);
  EXPECT_EQ(One->btf().numTypes(), 1u);
}

} // namespace
