//===- VerdictTest.cpp - Will a kernel load the module, and why not -------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// ModuleJudge's verdicts (the kernel's order: the .BTF.base checked, then
// the .BTF, then relocation; a classic split read over the target) and
// their renderings (Explain.h), in the wording docs/Relocation.md gives.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Verdict.h"
#include "btfkit/Explain.h"

#include "RelocationFixtures.h"
#include "TestSupport.h"

#include "llvm/Support/MemoryBuffer.h"

#include "gtest/gtest.h"

using namespace btfkit;
using namespace btfkit::unittest;
using namespace llvm;

/// The rules every case is judged by: the newest release btfkit knows.
static const KernelVersion Newest = KernelVersion::newest();

namespace {

std::string text(const ModuleVerdict &V, bool Brief = false) {
  std::string S;
  raw_string_ostream OS(S);
  printVerdictText(V, OS, Brief);
  return S;
}

json::Value jsonOf(const ModuleVerdict &V) {
  std::string S;
  raw_string_ostream OS(S);
  json::OStream J(OS);
  printVerdictJSON(V, J);
  OS.flush();
  auto Parsed = json::parse(S);
  EXPECT_TRUE(bool(Parsed)) << S;
  return Parsed ? std::move(*Parsed) : json::Value(nullptr);
}

TEST(Verdict, ResilientModuleThatRelocates) {
  auto T = makeTarget();
  ASSERT_TRUE(T);
  BaseIndex Index(*T);
  Module M = goodModule();
  ASSERT_TRUE(M);
  ModuleJudge J = ModuleJudge::resilient("good.ko", *M.Split);
  EXPECT_TRUE(J.refusal(Newest).Issues.empty());
  EXPECT_EQ(J.refusal(Newest).Blob, "");
  auto V = J.on("/boot/vmlinux", *T, Index, Newest);
  ASSERT_EXPECTED(V);
  EXPECT_TRUE(V->loads());
  EXPECT_TRUE(V->Resilient);
  ASSERT_TRUE(V->Reloc && V->Reloc->Split);
  EXPECT_EQ(V->Reloc->BaseMap, (std::vector<uint32_t>{0, 1, 3}));
  EXPECT_EQ(text(*V), "good.ko: loads on /boot/vmlinux (relocated, 1 types)\n");
  EXPECT_EQ(verdictCell(*V), "yes");
  json::Value JV = jsonOf(*V);
  const json::Object *O = JV.getAsObject();
  ASSERT_TRUE(O);
  EXPECT_EQ(O->getString("module"), "good.ko");
  EXPECT_EQ(O->getString("form"), "resilient");
  EXPECT_EQ(O->getBoolean("loads"), true);
  EXPECT_EQ(O->getInteger("types"), 1);
  ASSERT_TRUE(O->getArray("failures"));
  EXPECT_TRUE(O->getArray("failures")->empty());

  RelocateOptions Predict;
  Predict.BuildOutput = false;
  auto P = J.on("/boot/vmlinux", *T, Index, Newest, Predict);
  ASSERT_EXPECTED(P);
  EXPECT_EQ(text(*P), "good.ko: loads on /boot/vmlinux (relocates)\n");
}

TEST(Verdict, EveryFailureExplainedAndTheKernelsLine) {
  auto T = makeTarget();
  ASSERT_TRUE(T);
  BaseIndex Index(*T);
  Module M = failingModule(/*WithAmbiguity=*/true);
  ASSERT_TRUE(M);
  ModuleJudge J = ModuleJudge::resilient("hello.ko", *M.Split);
  auto V = J.on("/boot/vmlinux-6.1", *T, Index, Newest);
  ASSERT_EXPECTED(V);
  EXPECT_FALSE(V->loads());
  EXPECT_EQ(
      text(*V),
      "hello.ko: does not relocate onto /boot/vmlinux-6.1: 5 distilled "
      "types unmatched\n"
      "  [2] STRUCT 'device' size=744: size mismatch: 744 bytes here, "
      "vmlinux-6.1 has STRUCT 'device' size=752 [3]; sizes must agree "
      "because it is embedded by value in struct hello_priv.devs, struct "
      "(anon)[9].(anon member 0)\n"
      "  [3] INT 'char' size=1 encoding=SIGNED: encoding mismatch: "
      "vmlinux-6.1 has INT 'char' size=1 encoding=(none) [2]\n"
      "  [4] FLOAT 'mode' size=8: kind mismatch: vmlinux-6.1 has only ENUM64 "
      "'mode' size=8 [8]\n"
      "  [5] STRUCT 'gone' size=4: no such type: vmlinux-6.1 has no INT, "
      "FLOAT, ENUM, FWD, STRUCT or UNION named 'gone'\n"
      "  [6] STRUCT 'dup' size=8: ambiguous: 2 types of vmlinux-6.1 match by "
      "name and size (STRUCT 'dup' size=8 [5], STRUCT 'dup' size=8 [6]); the "
      "kernel cannot choose\n"
      "  the kernel logs: distilled base BTF type 'dup' [6], size 8 has "
      "multiple candidates of the same size (ids [6, 5]) in base BTF; failed "
      "to validate module [hello] BTF: -22\n");
  EXPECT_EQ(text(*V, /*Brief=*/true),
            "hello.ko: does not relocate onto /boot/vmlinux-6.1: 5 distilled "
            "types unmatched\n");
  EXPECT_EQ(verdictCell(*V), "no: dup (ambiguous, +4 more)");

  json::Value JV = jsonOf(*V);
  const json::Object *O = JV.getAsObject();
  ASSERT_TRUE(O);
  EXPECT_EQ(O->getBoolean("loads"), false);
  EXPECT_EQ(O->getString("kernel_message"),
            kernelMessage(*V->Reloc->kernelFailure()));
  const json::Array *Fails = O->getArray("failures");
  ASSERT_TRUE(Fails);
  ASSERT_EQ(Fails->size(), 5u);
  const json::Object *Dev = (*Fails)[0].getAsObject();
  ASSERT_TRUE(Dev);
  EXPECT_EQ(Dev->getString("name"), "device");
  EXPECT_EQ(Dev->getString("reason"), "size-mismatch");
  EXPECT_EQ(Dev->getBoolean("embedded"), true);
  EXPECT_EQ(Dev->getBoolean("kernel_reports"), false);
  ASSERT_TRUE(Dev->getArray("embedded_by"));
  EXPECT_EQ(Dev->getArray("embedded_by")->size(), 2u);
  const json::Object *Dup = (*Fails)[4].getAsObject();
  ASSERT_TRUE(Dup);
  EXPECT_EQ(Dup->getString("reason"), "ambiguous");
  EXPECT_EQ(Dup->getBoolean("kernel_reports"), true);
}

TEST(Verdict, KernelMessageOfAnUnmappedType) {
  auto T = makeTarget();
  ASSERT_TRUE(T);
  BaseIndex Index(*T);
  Module M = failingModule(/*WithAmbiguity=*/false);
  ASSERT_TRUE(M);
  auto V = ModuleJudge::resilient("hello.ko", *M.Split)
               .on("vmlinux", *T, Index, Newest);
  ASSERT_EXPECTED(V);
  ASSERT_TRUE(V->Reloc);
  const RelocFailure *K = V->Reloc->kernelFailure();
  ASSERT_TRUE(K);
  EXPECT_EQ(kernelMessage(*K), "distilled base BTF type 'device' [2] is not "
                               "mapped to base BTF id");
  EXPECT_EQ(verdictCell(*V), "no: device (size-mismatch, +3 more)");
}

TEST(Verdict, JSONTextIsUTF8) {
  EXPECT_EQ(jsonText("device"), "device");
  EXPECT_EQ(jsonText("caf\xc3\xa9"), "caf\xc3\xa9");
  // A name of other bytes: each bad byte becomes U+FFFD.
  EXPECT_EQ(jsonText("bad\xff"), "bad\xef\xbf\xbd");

  auto T = makeTarget();
  ASSERT_TRUE(T);
  BaseIndex Index(*T);
  Module M = pointerModule([](Builder &B) { B.addStruct("bad\xff", 4); });
  ASSERT_TRUE(M);
  auto V = ModuleJudge::resilient("m\xfe.ko", *M.Split)
               .on("vmlinux", *T, Index, Newest);
  ASSERT_EXPECTED(V);
  json::Value JV = jsonOf(*V);
  const json::Object *O = JV.getAsObject();
  ASSERT_TRUE(O);
  EXPECT_EQ(O->getString("module"), "m\xef\xbf\xbd.ko");
  const json::Object *F = (*O->getArray("failures"))[0].getAsObject();
  ASSERT_TRUE(F);
  EXPECT_EQ(F->getString("name"), "bad\xef\xbf\xbd");
}

TEST(Verdict, LongCandidateListsAreCut) {
  Builder TB;
  for (uint32_t Size = 1; Size <= 6; ++Size)
    TB.addStruct("many", Size);
  auto T = buildBTF(TB, "vmlinux");
  ASSERT_TRUE(T);
  BaseIndex Index(*T);
  Module M = pointerModule([](Builder &B) { B.addStruct("many", 7); });
  ASSERT_TRUE(M);
  auto R = relocate(*M.Split, Index);
  ASSERT_EXPECTED(R);
  ASSERT_EQ(R->Failures.size(), 1u);
  EXPECT_EQ(explainFailure(R->Failures[0], "vmlinux"),
            "size mismatch: 7 bytes here, vmlinux has STRUCT 'many' size=1 "
            "[1], STRUCT 'many' size=2 [2], STRUCT 'many' size=3 [3], STRUCT "
            "'many' size=4 [4], and 2 more; with several of that name the "
            "kernel picks by size");
}

TEST(Verdict, AnInvalidBlobIsRefusedBeforeRelocation) {
  auto T = makeTarget();
  ASSERT_TRUE(T);
  BaseIndex Index(*T);
  Module M =
      pointerModule([](Builder &B) { B.addStruct("9lives", 4); }, "bad.ko");
  ASSERT_TRUE(M);
  ModuleJudge J = ModuleJudge::resilient("bad.ko", *M.Split);
  ASSERT_EQ(J.refusal(Newest).Issues.size(), 1u);
  EXPECT_EQ(J.refusal(Newest).Blob, ".BTF.base");
  auto V = J.on("vmlinux", *T, Index, Newest);
  ASSERT_EXPECTED(V);
  EXPECT_FALSE(V->loads());
  EXPECT_FALSE(V->Reloc);
  EXPECT_EQ(text(*V), "bad.ko: refused by vmlinux: invalid BTF, the kernel "
                      "logs \"failed to validate module [bad] BTF: -22\"\n"
                      "  [1] STRUCT '9lives' Invalid name (-22)\n");
  EXPECT_EQ(verdictCell(*V), "no: invalid BTF: Invalid name");

  // The .BTF is checked once the .BTF.base passes.
  Module G = goodModule();
  ASSERT_TRUE(G);
  Builder BadSplit(G.Dist.get());
  BadSplit.addTypedef("9lives", 1);
  auto S2 = buildBTF(BadSplit, "bad2.ko:.BTF");
  ASSERT_TRUE(S2);
  ModuleJudge J2 = ModuleJudge::resilient("bad2.ko", *S2);
  ASSERT_EQ(J2.refusal(Newest).Issues.size(), 1u);
  EXPECT_EQ(J2.refusal(Newest).Blob, ".BTF");
  EXPECT_EQ(J2.refusal(Newest).Issues[0].TypeId, 3u);
}

TEST(Verdict, ClassicSplitIsReadOverEachKernel) {
  auto T = makeTarget();
  ASSERT_TRUE(T);
  BaseIndex Index(*T);
  // Split over the full target: a list node of its own.
  Builder SB(T.get());
  uint32_t Node = SB.addStruct("node", 8);
  SB.addMember("next", Node + 1, 0);
  SB.addPtr(Node);
  std::vector<uint8_t> Blob = SB.serialize();
  std::shared_ptr<const MemoryBuffer> Contents = MemoryBuffer::getMemBufferCopy(
      StringRef(reinterpret_cast<const char *>(Blob.data()), Blob.size()),
      "old.ko");
  ModuleJudge J = ModuleJudge::classic("old.ko", Contents);
  EXPECT_TRUE(J.refusal(Newest).Issues.empty());
  auto V = J.on("vmlinux", *T, Index, Newest);
  ASSERT_EXPECTED(V);
  EXPECT_TRUE(V->loads());
  EXPECT_FALSE(V->Resilient);
  EXPECT_EQ(text(*V),
            "old.ko: loads on vmlinux (classic split BTF, valid over it; no "
            "marks of another build's vmlinux in its 2 names and 2 types; "
            "function symbols not checked: raw BTF input, no symbol table)\n");

  // On a kernel with fewer types the split's own ids move and its
  // reference to its own pointer falls outside the chain.
  Builder Small;
  Small.addInt("int", 4, IntSigned);
  auto Other = buildBTF(Small, "other");
  ASSERT_TRUE(Other);
  BaseIndex OtherIndex(*Other);
  auto W = J.on("other", *Other, OtherIndex, Newest);
  ASSERT_EXPECTED(W);
  EXPECT_FALSE(W->loads());
  ASSERT_EQ(W->Refusal.size(), 1u);
  EXPECT_EQ(W->Refusal[0].Rule, "malformed over this base");
  EXPECT_EQ(W->Refusal[0].Errno, -22);
  EXPECT_NE(W->Refusal[0].Message.find("old.ko"), std::string::npos)
      << W->Refusal[0].Message;
  EXPECT_EQ(text(*W, /*Brief=*/true),
            "old.ko: refused by other: classic split BTF (no .BTF.base), the "
            "kernel logs \"failed to validate module [old] BTF: -22\"\n");
}

} // namespace
