//===- LinkTest.cpp - The link step: merge, check, write ------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The fragments of a linked file become one resilient split BTF: over the
// union of their distilled bases, or distilled over the original base;
// types shared by objects once; per-CPU DATASECs rebuilt from the linked
// file; fragments that cannot be merged refused with their sources named.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Link.h"
#include "btfkit/BaseIndex.h"
#include "btfkit/Diff.h"
#include "btfkit/IndexedBase.h"

#include "FragmentFixtures.h"
#include "TestSupport.h"

#include "llvm/ADT/StringExtras.h"

#include "gtest/gtest.h"

using namespace btfkit;
using namespace btfkit::unittest;
using namespace llvm;

namespace {

/// A kernel written to a file, loaded as the link step loads its base.
struct Kernel {
  std::string Path;
  std::unique_ptr<IndexedBase> Base;
  Kernel(const TempDir &Dir, StringRef Name, uint32_t DeviceSize = 16)
      : Path(Dir.file(Name)) {
    EXPECT_FALSE(bool(writeFileAtomically(Path, kernelBlob(DeviceSize))));
    auto B = IndexedBase::load(Path);
    if (!B) {
      ADD_FAILURE() << toString(B.takeError());
      return;
    }
    Base = std::move(*B);
  }
};

/// A linked module of two objects: a.c holds device by value, b.c through
/// a pointer; both have struct shared.
std::shared_ptr<const MemoryBuffer>
linkedModule(const TempDir &Dir, const BTF &Base,
             std::string ProducerB = linkProducer()) {
  std::vector<uint8_t> Frags = concatenated(
      {fragmentOf(unitBlob("a_priv", true), Base, "a.c"),
       fragmentOf(unitBlob("b_priv", false), Base, "b.c", ProducerB)});
  return objectWith(Dir, "m.ko", {{FragmentSectionName, Frags}});
}

/// linkedModule() over a kernel, to be linked over it and checked against
/// one whose device grew (which a.c embeds).
struct CheckedLink {
  TempDir Dir;
  Kernel K{Dir, "vmlinux"};
  Kernel Grown{Dir, "vmlinux-new", /*DeviceSize=*/24};
  std::shared_ptr<const MemoryBuffer> Linked;
  LinkOptions Opts;
  std::string Out = Dir.file("out.ko");
  CheckedLink() {
    if (!K.Base || !Grown.Base)
      return;
    Linked = linkedModule(Dir, K.Base->btf());
    Opts.BasePath = K.Path;
    Opts.CheckAgainst = {Grown.Path};
    Opts.CacheDir = "off";
  }
};

LinkInput inputOf(const MemoryBuffer &Buf) {
  return {Buf.getBufferIdentifier().str(),
          arrayRefFromStringRef(Buf.getBuffer())};
}

unsigned countNamed(const BTF &B, StringRef Name) {
  unsigned N = 0;
  for (uint32_t Id = B.firstId(); Id < B.endId(); ++Id)
    N += B.type(Id).name() == Name;
  return N;
}

TEST(Link, ProducersOfThisFormatVersion) {
  EXPECT_EQ(linkProducer().rfind("btfkit ", 0), 0u);
  EXPECT_TRUE(isCompatibleProducer(linkProducer()));
  EXPECT_FALSE(isCompatibleProducer("pahole 1.24"));
  EXPECT_FALSE(isCompatibleProducer("btfkit"));
  EXPECT_FALSE(isCompatibleProducer("btfkit 99.0.0"));
  EXPECT_FALSE(isCompatibleProducer("btfkit x.y"));
}

TEST(Link, MergesOverTheUnionOfTheDistilledBases) {
  TempDir Dir;
  Kernel K(Dir, "vmlinux");
  ASSERT_TRUE(K.Base);
  auto Linked = linkedModule(Dir, K.Base->btf());
  ASSERT_TRUE(Linked);
  LinkReport Report;
  auto M = mergeFragments(inputOf(*Linked), nullptr, Report);
  ASSERT_EXPECTED(M);
  EXPECT_TRUE(Report.Warnings.empty());
  EXPECT_EQ(Report.NumFragments, 2u);
  EXPECT_TRUE(Report.MissingUnits.empty());
  // a.c's distilled base has int and device, b.c's device: one of each.
  const BTF &DB = *M->DistilledBase;
  EXPECT_EQ(DB.numTypes(), 2u);
  EXPECT_EQ(countNamed(DB, "int"), 1u);
  EXPECT_EQ(countNamed(DB, "device"), 1u);
  const BTF &S = *M->Split;
  EXPECT_EQ(S.base(), &DB);
  EXPECT_EQ(countNamed(S, "shared"), 1u);
  EXPECT_EQ(countNamed(S, "a_priv"), 1u);
  EXPECT_EQ(countNamed(S, "b_priv"), 1u);
  EXPECT_EQ(Report.NumBaseTypes, DB.numTypes());
  EXPECT_EQ(Report.NumSplitTypes, S.numTypes());
}

TEST(Link, WithTheBaseTheResultIsDistilledOverIt) {
  TempDir Dir;
  Kernel K(Dir, "vmlinux");
  ASSERT_TRUE(K.Base);
  auto Linked = linkedModule(Dir, K.Base->btf());
  ASSERT_TRUE(Linked);
  LinkReport Report;
  auto M = mergeFragments(inputOf(*Linked), K.Base.get(), Report);
  ASSERT_EXPECTED(M);
  EXPECT_EQ(Report.NumFragments, 2u);
  EXPECT_EQ(countNamed(*M->Split, "shared"), 1u);
  auto R = relocate(*M->Split, K.Base->relocationIndex());
  ASSERT_EXPECTED(R);
  ASSERT_TRUE(R->relocated());
  // Merged over the base: the same types as without it.
  LinkReport Other;
  auto U = mergeFragments(inputOf(*Linked), nullptr, Other);
  ASSERT_EXPECTED(U);
  auto RU = relocate(*U->Split, K.Base->relocationIndex());
  ASSERT_EXPECTED(RU);
  ASSERT_TRUE(RU->relocated());
  EXPECT_TRUE(diffBTF(*R->Split, *RU->Split).equivalent());
}

TEST(Link, ChecksAgainstOtherKernelsAndWrites) {
  CheckedLink L;
  ASSERT_TRUE(L.Linked);
  const std::string &Out = L.Out;
  LinkOptions &Opts = L.Opts;
  std::string Printed;
  raw_string_ostream OS(Printed);
  auto R = linkModuleBTF(L.Linked, Out, Opts, OS);
  ASSERT_EXPECTED(R);
  EXPECT_TRUE(R->Written);
  // device grew, and a.c embeds it.
  EXPECT_EQ(R->FailedChecks, 1u);
  ASSERT_EQ(R->Warnings.size(), 1u);
  EXPECT_NE(Printed.find("does not relocate onto " + L.Grown.Path),
            std::string::npos)
      << Printed;
  EXPECT_NE(Printed.find("[2] STRUCT 'device' size=16: size mismatch"),
            std::string::npos)
      << Printed;

  auto F = BTFFile::load(Out);
  ASSERT_EXPECTED(F);
  ASSERT_TRUE(F->embeddedBase());
  EXPECT_EQ(F->btf().numTypes(), R->NumSplitTypes);
  EXPECT_EQ(F->embeddedBase()->numTypes(), R->NumBaseTypes);
  auto Frag =
      findELFSection(Out, arrayRefFromStringRef((*mapFile(Out))->getBuffer()),
                     FragmentSectionName);
  ASSERT_EXPECTED(Frag);
  EXPECT_FALSE(Frag->has_value());

  std::string Sum;
  raw_string_ostream SumOS(Sum);
  printLinkSummary("out.ko", *R, SumOS);
  EXPECT_EQ(Sum, "out.ko: merged 2 fragments: .BTF.base " +
                     std::to_string(R->NumBaseTypes) + " types, .BTF " +
                     std::to_string(R->NumSplitTypes) + " types\n");
  std::string Std, Err;
  raw_string_ostream StdOS(Std), ErrOS(Err);
  Opts.Verbose = true;
  EXPECT_EQ(finishLinkStep("btf-link", "out.ko", *R, Opts, "--fatal-warnings",
                           StdOS, ErrOS),
            0);
  EXPECT_EQ(Std, Sum);
  EXPECT_EQ(Err, "btf-link: warning: " + R->Warnings[0] + "\n");
}

TEST(Link, FatalWarningsWriteNothing) {
  CheckedLink L;
  ASSERT_TRUE(L.Linked);
  L.Opts.FatalWarnings = true;
  const std::string &Out = L.Out;
  const LinkOptions &Opts = L.Opts;
  std::string Printed;
  raw_string_ostream OS(Printed);
  auto R = linkModuleBTF(L.Linked, Out, Opts, OS);
  ASSERT_EXPECTED(R);
  EXPECT_FALSE(R->Written);
  EXPECT_FALSE(sys::fs::exists(Out));
  std::string Std, Err;
  raw_string_ostream StdOS(Std), ErrOS(Err);
  EXPECT_EQ(finishLinkStep("btf-link", "out.ko", *R, Opts, "--fatal-warnings",
                           StdOS, ErrOS),
            1);
  EXPECT_EQ(Err, "btf-link: error: " + R->Warnings[0] +
                     "\nbtf-link: error: out.ko: not written: warnings are "
                     "fatal (--fatal-warnings)\n");
}

TEST(Link, PerCPUDatasecsComeFromTheLinkedFile) {
  TempDir Dir;
  Kernel K(Dir, "vmlinux");
  ASSERT_TRUE(K.Base);
  std::vector<uint8_t> Frag = fragmentOf(
      unitBlob("a_priv", true, /*PerCPU=*/true), K.Base->btf(), "a.c");
  // No such section in the linked file: the DATASEC is left out.
  auto NoSec = objectWith(Dir, "nosec.ko", {{FragmentSectionName, Frag}});
  ASSERT_TRUE(NoSec);
  LinkReport R1;
  auto M1 = mergeFragments(inputOf(*NoSec), nullptr, R1);
  ASSERT_EXPECTED(M1);
  ASSERT_EQ(R1.Warnings.size(), 1u);
  EXPECT_EQ(R1.Warnings[0],
            NoSec->getBufferIdentifier().str() +
                ": no section .data..percpu for the variables the fragments "
                "place there; their DATASEC is left out");
  EXPECT_EQ(countNamed(*M1->Split, ".data..percpu"), 0u);
  EXPECT_EQ(countNamed(*M1->Split, "a_priv_count"), 1u);

  // The section, but no symbol for the variable: an empty DATASEC of the
  // section's size.
  auto WithSec = objectWith(Dir, "sec.ko",
                            {{FragmentSectionName, Frag},
                             {".data..percpu", std::vector<uint8_t>(8, 0)}});
  ASSERT_TRUE(WithSec);
  LinkReport R2;
  auto M2 = mergeFragments(inputOf(*WithSec), nullptr, R2);
  ASSERT_EXPECTED(M2);
  ASSERT_EQ(R2.Warnings.size(), 1u);
  EXPECT_NE(R2.Warnings[0].find("variable 'a_priv_count' has no symbol in "
                                ".data..percpu of the linked file"),
            std::string::npos)
      << R2.Warnings[0];
  const BTF &S = *M2->Split;
  Type Sec = S.type(S.endId() - 1);
  ASSERT_TRUE(Sec.is(Kind::Datasec));
  EXPECT_EQ(Sec.name(), ".data..percpu");
  EXPECT_EQ(Sec.size(), 8u);
  EXPECT_EQ(Sec.vlen(), 0u);
}

TEST(Link, RefusesFragmentsThatCannotBeMerged) {
  TempDir Dir;
  Kernel K(Dir, "vmlinux");
  Kernel Grown(Dir, "vmlinux-new", /*DeviceSize=*/24);
  ASSERT_TRUE(K.Base && Grown.Base);
  LinkReport Report;

  auto Foreign = linkedModule(Dir, K.Base->btf(), "btfkit 99.0.0");
  ASSERT_TRUE(Foreign);
  auto M = mergeFragments(inputOf(*Foreign), nullptr, Report);
  ASSERT_FALSE(bool(M));
  EXPECT_NE(toString(M.takeError())
                .find("fragments made by a producer incompatible with " +
                      linkProducer() + ": b.c (by 'btfkit 99.0.0')"),
            std::string::npos);

  std::vector<uint8_t> Mixed = concatenated(
      {fragmentOf(unitBlob("a_priv", true), K.Base->btf(), "a.c"),
       fragmentOf(unitBlob("b_priv", false), Grown.Base->btf(), "b.c")});
  auto Two = objectWith(Dir, "mixed.ko", {{FragmentSectionName, Mixed}});
  ASSERT_TRUE(Two);
  auto N = mergeFragments(inputOf(*Two), nullptr, Report);
  ASSERT_FALSE(bool(N));
  std::string Msg = toString(N.takeError());
  EXPECT_NE(Msg.find("fragments made against different bases cannot be "
                     "merged"),
            std::string::npos);
  EXPECT_NE(Msg.find("\n  base " + K.Base->fingerprint().str() + ": a.c"),
            std::string::npos)
      << Msg;
  EXPECT_NE(Msg.find("\n  base " + Grown.Base->fingerprint().str() + ": b.c"),
            std::string::npos)
      << Msg;

  // Built against one kernel, linked over another.
  auto Linked = linkedModule(Dir, K.Base->btf());
  ASSERT_TRUE(Linked);
  auto W = mergeFragments(inputOf(*Linked), Grown.Base.get(), Report);
  ASSERT_FALSE(bool(W));
  EXPECT_NE(toString(W.takeError())
                .find("name the base they were built "
                      "against"),
            std::string::npos);

  auto Plain = objectWith(Dir, "plain.ko",
                          {{".note", std::vector<uint8_t>{1, 2, 3, 4}}});
  ASSERT_TRUE(Plain);
  auto P = mergeFragments(inputOf(*Plain), nullptr, Report);
  ASSERT_FALSE(bool(P));
  EXPECT_EQ(toString(P.takeError()),
            Plain->getBufferIdentifier().str() +
                ": no .BTF.btfkit section: none of its objects was compiled "
                "with the btfkit plugin (or the fragments were merged "
                "already)");
  auto HF = hasFragments(*Plain);
  ASSERT_EXPECTED(HF);
  EXPECT_FALSE(*HF);
}

/// One object's BTF as gcc 12 -gbtf writes it: unitBlob()'s types plus
/// what GCC adds or encodes its own way.
std::vector<uint8_t> gccBlob(StringRef Own) {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  uint32_t Dev = B.addStruct("device", 16);
  B.addMember("x", Int, 0);
  B.addStruct(Own, 20);
  B.addMember("dev", Dev, 0);
  B.addMember("n", Int, 128);
  // char as SIGNED|CHAR; char[2][3] as ARRAY 3 of ARRAY 2, indexed by
  // "long unsigned int".
  uint32_t Char = B.addInt("char", 1, IntSigned | IntChar);
  uint32_t ULong = B.addInt("long unsigned int", 8, 0);
  uint32_t Inner = B.addArray(Char, ULong, 2);
  uint32_t Outer = B.addArray(Inner, ULong, 3);
  B.addStruct((Own + "_names").str(), 6);
  B.addMember("n", Outer, 0);
  // A FWD with GCC's size word.
  uint32_t Fwd = B.addFwd((Own + "_opaque").str(), false);
  B.record(Fwd).SizeOrType = 6;
  B.addPtr(Fwd);
  // A FUNC, the same again, one with an unnamed parameter, a nameless one.
  uint32_t Proto = B.addFuncProto(Int);
  B.addParam("x", Int);
  B.addFunc((Own + "_fn").str(), Proto, FuncStatic);
  B.addFunc((Own + "_fn").str(), Proto, FuncStatic);
  uint32_t Unnamed = B.addFuncProto(Int);
  B.addParam("", Int);
  B.addFunc((Own + "_cb").str(), Unnamed, FuncStatic);
  B.addFunc("", Unnamed, FuncStatic);
  // A global in .bss: GCC's VAR and DATASEC.
  uint32_t Var = B.addVar((Own + "_global").str(), Int, VarGlobalAllocated);
  B.addDatasec(".bss", 0);
  B.addSecInfo(Var, 0, 4);
  return B.serialize();
}

TEST(Link, GccBlobsOfAConcatenatedBTFAreMerged) {
  TempDir Dir;
  Kernel K(Dir, "vmlinux");
  ASSERT_TRUE(K.Base);
  std::vector<uint8_t> A = gccBlob("a_priv"), B = gccBlob("b_priv");
  auto Linked =
      objectWith(Dir, "m.ko", {{BTFSectionName, concatenated({A, B})}});
  ASSERT_TRUE(Linked);
  LinkReport Report;
  auto M = mergeFragments(inputOf(*Linked), K.Base.get(), Report,
                          /*DwarfFallback=*/true, GccBTFMode::Auto);
  ASSERT_EXPECTED(M);
  EXPECT_TRUE(Report.Warnings.empty());
  EXPECT_EQ(Report.GccBlobs, (std::vector<uint64_t>{0, A.size()}));
  EXPECT_EQ(Report.NumGccFuncs, 2u); // a_priv_fn, b_priv_fn
  EXPECT_EQ(Report.NumGccVars, 0u);
  EXPECT_EQ(Report.NumFragments, 0u);

  // int and device deduplicated into the base.
  const BTF &DB = *M->DistilledBase;
  EXPECT_EQ(countNamed(DB, "device"), 1u);
  const BTF &S = *M->Split;
  EXPECT_EQ(countNamed(S, "device"), 0u);
  EXPECT_EQ(countNamed(S, "a_priv"), 1u);
  EXPECT_EQ(countNamed(S, "a_priv_fn"), 1u);
  EXPECT_EQ(countNamed(S, "a_priv_cb"), 0u);
  EXPECT_EQ(countNamed(S, "a_priv_global"), 0u);
  EXPECT_EQ(countNamed(S, ".bss"), 0u);
  for (uint32_t Id = S.firstId(); Id < S.endId(); ++Id) {
    Type T = S.type(Id);
    EXPECT_FALSE(T.is(Kind::Func) && T.name().empty());
    if (T.is(Kind::Int)) {
      EXPECT_EQ(T.intEncoding() & IntChar, 0u) << T.name().str();
    }
    if (T.is(Kind::Fwd)) {
      EXPECT_EQ(T.common().SizeOrType, 0u);
    }
    if (T.is(Kind::Array)) {
      // One flat array of 6 chars, indexed by int.
      EXPECT_EQ(T.array().NElems, 6u);
      EXPECT_EQ(S.type(T.array().Type).name(), "char");
      EXPECT_EQ(S.type(T.array().IndexType).name(), "int");
    }
  }
  EXPECT_EQ(countNamed(S, "a_priv_opaque"), 1u);

  // --gcc-btf=never: nothing describes the objects.
  LinkReport Never;
  auto N = mergeFragments(inputOf(*Linked), K.Base.get(), Never,
                          /*DwarfFallback=*/true, GccBTFMode::Never);
  ASSERT_FALSE(bool(N));
  EXPECT_NE(toString(N.takeError()).find("no DWARF compile unit"),
            std::string::npos);

  // A blob cut short is named by its offset.
  std::vector<uint8_t> Cut = concatenated({A, B});
  Cut.resize(Cut.size() - 3);
  auto Short = objectWith(Dir, "short.ko", {{BTFSectionName, Cut}});
  ASSERT_TRUE(Short);
  LinkReport R2;
  auto E =
      mergeFragments(inputOf(*Short), K.Base.get(), R2, true, GccBTFMode::Auto);
  ASSERT_FALSE(bool(E));
  EXPECT_EQ(toString(E.takeError()),
            Dir.file("short.ko") + ":.BTF: BTF blob 2 at byte offset 0x" +
                utohexstr(A.size(), true) + ": truncated: its header gives " +
                std::to_string(B.size()) + " bytes, the section has " +
                std::to_string(B.size() - 3) + " left");
}

} // namespace
