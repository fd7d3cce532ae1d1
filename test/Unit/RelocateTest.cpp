//===- RelocateTest.cpp - Relocation onto a target base, as the kernel ----===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// relocate() must map each distilled type as kernel/bpf/btf_relocate.c
// does (by name, then kind, then size where the kernel compares it), pick
// the failure the kernel reports, and refuse inputs that cannot be
// resilient split BTF with an error naming the type.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Relocate.h"
#include "btfkit/BaseIndex.h"
#include "btfkit/Builder.h"

#include "RelocationFixtures.h"
#include "TestSupport.h"

#include "gtest/gtest.h"

using namespace btfkit;
using namespace llvm;
using namespace btfkit::unittest;

namespace {

std::string relocateError(const BTF &Split, const BaseIndex &Target) {
  auto R = relocate(Split, Target);
  if (R)
    return "";
  return toString(R.takeError());
}

TEST(BaseIndex, IndexesNamedDistillableKindsByName) {
  auto T = makeTarget();
  ASSERT_TRUE(T);
  BaseIndex Index(*T);
  EXPECT_EQ(&Index.btf(), T.get());
  // Every type but the TYPEDEF.
  EXPECT_EQ(Index.numEntries(), 10u);
  EXPECT_TRUE(Index.lookup("dev_t").empty());
  EXPECT_TRUE(Index.lookup("nothing").empty());

  ArrayRef<BaseIndex::Entry> Dup = Index.lookup("dup");
  ASSERT_EQ(Dup.size(), 2u);
  EXPECT_EQ(Dup[0].Id, 5u);
  EXPECT_EQ(Dup[1].Id, 6u);
  // Composites that share a name are told apart by size; a unique one is
  // not, nor is a FWD; scalars always are.
  EXPECT_TRUE(Dup[0].NeedsSize);
  EXPECT_FALSE(Index.lookup("device")[0].NeedsSize);
  EXPECT_EQ(Index.lookup("device")[0].Size, 752u);
  EXPECT_FALSE(Index.lookup("opaque")[0].NeedsSize);
  EXPECT_TRUE(Index.lookup("int")[0].NeedsSize);
  EXPECT_EQ(Index.lookup("int")[0].IntEncoding, IntSigned);
  EXPECT_EQ(Index.lookup("mode")[0].K, Kind::Enum64);
}

TEST(Relocate, MapsByNameKindAndSize) {
  auto T = makeTarget();
  ASSERT_TRUE(T);
  BaseIndex Index(*T);
  Builder DB;
  uint32_t Int = DB.addInt("int", 4, IntSigned); // 1
  uint32_t Dev = DB.addStruct("device", 744);    // 2: size differs
  uint32_t List = DB.addStruct("list_head", 16); // 3
  DB.addUnion("u", 8);                           // 4
  DB.addEnum("mode", 8);                         // 5: ENUM64 there
  DB.addFloat("double", 8);                      // 6
  DB.addFwd("opaque", false);                    // 7
  auto Dist = buildBTF(DB, "m.ko:.BTF.base");
  ASSERT_TRUE(Dist);
  Builder SB(Dist.get());
  uint32_t Ptr = SB.addPtr(Dev);            // 8
  uint32_t Priv = SB.addStruct("priv", 24); // 9
  SB.addMember("dev", Ptr, 0);
  SB.addMember("list", List, 64);
  SB.addVar("count", Int, VarGlobalAllocated); // 10
  auto Split = buildBTF(SB, "m.ko:.BTF");
  ASSERT_TRUE(Split);

  auto R = relocate(*Split, Index);
  ASSERT_EXPECTED(R);
  EXPECT_TRUE(R->relocated());
  EXPECT_EQ(R->kernelFailure(), nullptr);
  // A composite only pointed to maps whatever its size: the kernel
  // compares sizes only for embedded ones and duplicate names.
  EXPECT_EQ(R->BaseMap, (std::vector<uint32_t>{0, 1, 3, 4, 7, 8, 9, 10}));
  ASSERT_TRUE(R->Split);
  const BTF &Out = *R->Split;
  EXPECT_EQ(Out.base(), T.get());
  EXPECT_EQ(Out.name(), "m.ko:.BTF (relocated)");
  // Split ids follow the target's, references to the distilled base take
  // their match, names stay.
  ASSERT_EQ(Out.firstId(), 12u);
  ASSERT_EQ(Out.numTypes(), 3u);
  EXPECT_TRUE(Out.type(12).is(Kind::Ptr));
  EXPECT_EQ(Out.type(12).typeId(), 3u);
  Type P = Out.type(Priv + 4);
  EXPECT_EQ(P.name(), "priv");
  ASSERT_EQ(P.members().size(), 2u);
  EXPECT_EQ(P.members()[0].Type, 12u);
  EXPECT_EQ(Out.str(P.members()[0].NameOff), "dev");
  EXPECT_EQ(P.members()[1].Type, 4u);
  EXPECT_EQ(Out.type(14).name(), "count");
  EXPECT_EQ(Out.type(14).typeId(), 1u);

  RelocateOptions Predict;
  Predict.BuildOutput = false;
  auto Q = relocate(*Split, Index, Predict);
  ASSERT_EXPECTED(Q);
  EXPECT_TRUE(Q->relocated());
  EXPECT_FALSE(Q->Split);
  EXPECT_EQ(Q->BaseMap, R->BaseMap);
}

TEST(Relocate, FwdMatchesACompositeByTheTargetsFlag) {
  auto T = makeTarget();
  ASSERT_TRUE(T);
  BaseIndex Index(*T);
  for (bool IsUnion : {false, true}) {
    Module M = pointerModule([&](Builder &B) {
      B.addFwd("device", IsUnion);
      B.addFwd("u", IsUnion);
    });
    ASSERT_TRUE(M);
    auto R = relocate(*M.Split, Index);
    ASSERT_EXPECTED(R);
    // The kernel looks at the STRUCT's or UNION's own flag (0 for both
    // here), not at the FWD's: a STRUCT always fits, a UNION never.
    EXPECT_EQ(R->BaseMap[1], 3u) << IsUnion;
    ASSERT_EQ(R->Failures.size(), 1u) << IsUnion;
    EXPECT_EQ(R->Failures[0].DistilledId, 2u);
    EXPECT_EQ(R->Failures[0].Reason, RelocFailureKind::KindMismatch);
  }
}

TEST(Relocate, CompositesMatchWhateverTheTargetsKind) {
  auto T = makeTarget();
  ASSERT_TRUE(T);
  BaseIndex Index(*T);
  Module M = pointerModule([](Builder &B) {
    B.addUnion("device", 744);
    B.addStruct("mode", 8);
  });
  ASSERT_TRUE(M);
  auto R = relocate(*M.Split, Index);
  ASSERT_EXPECTED(R);
  // btf_relocate_map_distilled_base() checks only the size of an embedded
  // STRUCT/UNION, never the target's kind: a UNION takes the STRUCT, and a
  // STRUCT the ENUM64 of its name and size.
  EXPECT_TRUE(R->relocated());
  EXPECT_EQ(R->BaseMap, (std::vector<uint32_t>{0, 3, 8}));
}

TEST(Relocate, ListsEveryFailureWithItsReason) {
  auto T = makeTarget();
  ASSERT_TRUE(T);
  BaseIndex Index(*T);
  Module M = failingModule(/*WithAmbiguity=*/true);
  ASSERT_TRUE(M);
  auto R = relocate(*M.Split, Index);
  ASSERT_EXPECTED(R);
  EXPECT_FALSE(R->relocated());
  EXPECT_FALSE(R->Split);
  EXPECT_EQ(R->BaseMap[1], 1u);
  ASSERT_EQ(R->Failures.size(), 5u);

  const RelocFailure &Dev = R->Failures[0];
  EXPECT_EQ(Dev.DistilledId, 2u);
  EXPECT_EQ(Dev.Name, "device");
  EXPECT_EQ(Dev.K, Kind::Struct);
  EXPECT_EQ(Dev.Size, 744u);
  EXPECT_EQ(Dev.Reason, RelocFailureKind::SizeMismatch);
  EXPECT_TRUE(Dev.Embedded);
  EXPECT_EQ(Dev.EmbeddedBy,
            (std::vector<std::string>{"struct hello_priv.devs",
                                      "struct (anon)[9].(anon member 0)"}));
  ASSERT_EQ(Dev.Candidates.size(), 1u);
  EXPECT_EQ(Dev.Candidates[0].Id, 3u);
  EXPECT_EQ(Dev.Candidates[0].Size, 752u);

  EXPECT_EQ(R->Failures[1].Reason, RelocFailureKind::EncodingMismatch);
  EXPECT_EQ(R->Failures[1].IntEncoding, IntSigned);
  ASSERT_EQ(R->Failures[1].Candidates.size(), 1u);
  EXPECT_EQ(R->Failures[1].Candidates[0].IntEncoding, 0u);
  EXPECT_EQ(R->Failures[2].Reason, RelocFailureKind::KindMismatch);
  EXPECT_EQ(R->Failures[2].Candidates[0].K, Kind::Enum64);
  EXPECT_EQ(R->Failures[3].Reason, RelocFailureKind::NoSuchName);
  EXPECT_TRUE(R->Failures[3].Candidates.empty());
  const RelocFailure &Dup = R->Failures[4];
  EXPECT_EQ(Dup.Reason, RelocFailureKind::Ambiguous);
  ASSERT_EQ(Dup.Candidates.size(), 2u);
  EXPECT_EQ(Dup.Candidates[0].Id, 5u);
  EXPECT_EQ(Dup.Candidates[1].Id, 6u);
  for (size_t I = 1; I < 5; ++I)
    EXPECT_FALSE(R->Failures[I].Embedded) << I;

  // The kernel stops at the ambiguity its base walk meets, before it
  // reports any unmapped type.
  EXPECT_EQ(R->kernelFailure(), &Dup);
  EXPECT_EQ(
      std::count_if(R->Failures.begin(), R->Failures.end(),
                    [](const RelocFailure &F) { return F.KernelReports; }),
      1);
}

TEST(Relocate, KernelReportsTheLowestUnmappedIdWithoutAmbiguity) {
  auto T = makeTarget();
  ASSERT_TRUE(T);
  BaseIndex Index(*T);
  Module M = failingModule(/*WithAmbiguity=*/false);
  ASSERT_TRUE(M);
  RelocateOptions Quick;
  Quick.Explain = false;
  auto R = relocate(*M.Split, Index, Quick);
  ASSERT_EXPECTED(R);
  ASSERT_EQ(R->Failures.size(), 4u);
  ASSERT_NE(R->kernelFailure(), nullptr);
  EXPECT_EQ(R->kernelFailure()->DistilledId, 2u);
  // Without explanations: the reasons, but no candidates or embedders.
  EXPECT_EQ(R->Failures[0].Reason, RelocFailureKind::SizeMismatch);
  EXPECT_TRUE(R->Failures[0].Embedded);
  EXPECT_TRUE(R->Failures[0].EmbeddedBy.empty());
  EXPECT_TRUE(R->Failures[0].Candidates.empty());
}

TEST(Relocate, RefusesWhatCannotBeResilientSplitBTF) {
  auto T = makeTarget();
  ASSERT_TRUE(T);
  BaseIndex Index(*T);
  EXPECT_EQ(relocateError(*T, Index), "vmlinux: not split BTF: nothing to "
                                      "relocate");

  Builder DB;
  uint32_t Dev = DB.addStruct("device", 752);
  auto Dist = buildBTF(DB, "d.base");
  ASSERT_TRUE(Dist);
  Builder MidB(Dist.get());
  MidB.addPtr(Dev);
  auto Mid = buildBTF(MidB, "mid");
  ASSERT_TRUE(Mid);
  Builder OverB(Mid.get());
  OverB.addPtr(2);
  auto Over = buildBTF(OverB, "over");
  ASSERT_TRUE(Over);
  EXPECT_NE(relocateError(*Over, Index)
                .find("over: is split over mid, which "
                      "is itself split BTF"),
            std::string::npos);
  // A distilled base holds named INT, FLOAT, ENUM, FWD, STRUCT, UNION.
  Module WithPtr = pointerModule([](Builder &B) { B.addPtr(0); }, "p");
  ASSERT_TRUE(WithPtr);
  EXPECT_EQ(relocateError(*WithPtr.Split, Index),
            "p:.BTF.base: type [1] PTR '(anon)' cannot be in a distilled "
            "base (only INT, FLOAT, ENUM, FWD, STRUCT and UNION can; the "
            "kernel refuses it)");
  Module Anon = pointerModule([](Builder &B) { B.addStruct("", 4); }, "a");
  ASSERT_TRUE(Anon);
  EXPECT_NE(relocateError(*Anon.Split, Index)
                .find("a:.BTF.base: type [1] STRUCT '(anon)' is anonymous"),
            std::string::npos);

  // A split name pointing into the distilled strings, not at a name: the
  // .BTF.base belongs to another .BTF.
  Builder Foreign(Dist.get());
  uint32_t Inside = Dist->type(Dev).nameOff() + 1; // "evice"
  Foreign.addRaw({Inside, makeInfo(Kind::Struct, 0, false), 4});
  auto ForeignSplit = buildBTF(Foreign, "f");
  ASSERT_TRUE(ForeignSplit);
  EXPECT_NE(relocateError(*ForeignSplit, Index)
                .find("f: type [2] STRUCT 'evice' uses string offset " +
                      std::to_string(Inside) +
                      " ('evice') inside the distilled base's string table "
                      "but not at the name of a distilled type"),
            std::string::npos);
}

TEST(Relocate, EmbeddedCompositesAreThoseHeldByValue) {
  Builder DB;
  uint32_t Int = DB.addInt("int", 4, IntSigned);
  uint32_t A = DB.addStruct("a", 4);
  uint32_t B = DB.addStruct("b", 4);
  uint32_t C = DB.addUnion("c", 4);
  uint32_t D = DB.addStruct("d", 4);
  auto Dist = buildBTF(DB, "base");
  ASSERT_TRUE(Dist);
  Builder SB(Dist.get());
  uint32_t TD = SB.addTypedef("a_t", A);
  uint32_t CA = SB.addModifier(Kind::Const, SB.addArray(TD, Int, 2));
  uint32_t PB = SB.addPtr(B);
  uint32_t S = SB.addStruct("s", 32);
  SB.addMember("as", CA, 0);
  SB.addMember("pb", PB, 64);
  SB.addMember("c", C, 128);
  // D is held only by a non-composite: not embedded.
  SB.addVar("dv", D, VarGlobalAllocated);
  auto Split = buildBTF(SB, "split");
  ASSERT_TRUE(Split);
  EXPECT_EQ(compositeHeldByValue(*Split, CA), A);
  EXPECT_EQ(compositeHeldByValue(*Split, PB), 0u);
  EXPECT_EQ(compositeHeldByValue(*Split, S), S);
  EXPECT_EQ(compositeHeldByValue(*Split, Int), 0u);
  std::vector<uint8_t> Want(Dist->endId());
  Want[A] = Want[C] = 1;
  EXPECT_EQ(embeddedBaseComposites(*Split), Want);
  (void)B;
  (void)D;
}

} // namespace
