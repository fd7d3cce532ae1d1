//===- ValidateTest.cpp - The kernel's BTF rules --------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The API of the validator and the rules the lit tests cannot reach with
// btf-asm: limits that need huge inputs, records btf-asm cannot spell, the
// issue fields (phase, errno, module-load verdict) and the name rules.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Validate.h"
#include "btfkit/Builder.h"
#include "btfkit/Writer.h"

#include "TestSupport.h"
#include "gtest/gtest.h"

using namespace btfkit;
using namespace llvm;

namespace {

std::unique_ptr<BTF> build(const Builder &B) {
  auto BTFOrErr = B.build("t.btf");
  EXPECT_TRUE(static_cast<bool>(BTFOrErr)) << toString(BTFOrErr.takeError());
  return BTFOrErr ? std::move(*BTFOrErr) : nullptr;
}

std::string firstMessage(const BTF &T, ValidateOptions Opts = {}) {
  std::vector<ValidationIssue> Issues = validate(T, Opts);
  return Issues.empty() ? "" : Issues.front().Message;
}

// A BTF with one type of each kind the kernel knows, all valid.
void addAllKinds(Builder &B) {
  uint32_t Int = B.addInt("int", 4, IntSigned);
  uint32_t Long = B.addInt("long", 8, IntSigned);
  // Elements follow their type, so the pointer comes first.
  uint32_t Ptr = B.addPtr(B.nextId() + 1);
  uint32_t Node = B.addStruct("node", 24, /*KindFlag=*/true);
  B.addMember("next", Ptr, 0);
  B.addMember("flags", Int, 64, 3);
  B.addMember("mode", Int, 67, 5);
  B.addMember("arr", B.nextId(), 128);
  B.addArray(Int, Int, 2);
  uint32_t U = B.addUnion("", 8);
  B.addMember("l", Long, 0);
  B.addMember("i", Int, 0);
  B.addEnum("state", 4, /*Signed=*/true);
  B.addEnumValue("S_NEG", -1);
  B.addEnum64("big", 8);
  B.addEnum64Value("HUGE", ~0ull);
  B.addFwd("opaque", /*IsUnion=*/false);
  uint32_t TD = B.addTypedef("node_t", Node);
  B.addModifier(Kind::Const, B.addModifier(Kind::Volatile, Int));
  B.addModifier(Kind::Restrict, Ptr);
  uint32_t Proto = B.addFuncProto(Int);
  B.addParam("n", Ptr);
  B.addParam("", 0);
  uint32_t Func = B.addFunc("walk", Proto, FuncGlobal);
  uint32_t Var = B.addVar("counter", Int, VarGlobalAllocated);
  uint32_t Var2 = B.addVar("u", U, VarStatic);
  B.addDatasec(".data..percpu", 16);
  B.addSecInfo(Var, 0, 4);
  B.addSecInfo(Var2, 8, 8);
  B.addFloat("double", 8);
  B.addDeclTag("user", Func, 0);
  B.addDeclTag("kfunc", Func, -1);
  B.addDeclTag("member_tag", Node, 1);
  B.addPtr(B.addTypeTag("percpu", B.addModifier(Kind::Const, TD)));
}

TEST(ValidateTest, AllKindsAreValid) {
  Builder B;
  addAllKinds(B);
  auto T = build(B);
  ASSERT_TRUE(T);
  EXPECT_EQ(firstMessage(*T), "");
  ASSERT_NO_ERROR(checkValid(*T));
}

TEST(ValidateTest, SplitOverBaseIsValid) {
  Builder BB;
  addAllKinds(BB);
  auto Base = build(BB);
  ASSERT_TRUE(Base);
  uint32_t NodeT = 0;
  for (uint32_t Id = 1; Id < Base->endId(); ++Id)
    if (Base->type(Id).is(Kind::Typedef) && Base->type(Id).name() == "node_t")
      NodeT = Id;
  ASSERT_NE(NodeT, 0u);

  // Embeds base 'node' (24 bytes) by value through its base typedef.
  Builder S(Base.get());
  S.setReuseBaseStrings(true);
  uint32_t Priv = S.addStruct("my_priv", 32);
  S.addMember("node", NodeT, 0);
  auto T = build(S);
  ASSERT_TRUE(T);
  EXPECT_EQ(T->firstId(), Base->endId());
  EXPECT_EQ(firstMessage(*T), "");

  // 16 bytes cannot hold it: found by the resolve pass only.
  S.record(Priv).SizeOrType = 16;
  auto Small = build(S);
  ASSERT_TRUE(Small);
  std::vector<ValidationIssue> Issues = validate(*Small);
  ASSERT_EQ(Issues.size(), 1u);
  EXPECT_EQ(Issues[0].TypeId, Priv);
  EXPECT_EQ(Issues[0].Rule, "Member exceeds struct_size");
  EXPECT_EQ(Issues[0].Phase, ValidationPhase::Resolve);
  EXPECT_FALSE(Issues[0].RefusedAtModuleLoad);
  ValidateOptions ModuleLoad;
  ModuleLoad.ResolveTypes = false;
  EXPECT_TRUE(validate(*Small, ModuleLoad).empty());
}

TEST(ValidateTest, RecordsBtfAsmCannotSpell) {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  uint32_t Fwd = B.addFwd("f", false);
  uint32_t Arr = B.addArray(Int, Int, 2);
  B.record(Fwd).SizeOrType = 5;
  B.record(Arr).SizeOrType = 8;
  auto T = build(B);
  ASSERT_TRUE(T);
  ValidateOptions All;
  All.StopAtFirst = false;
  std::vector<ValidationIssue> Issues = validate(*T, All);
  ASSERT_EQ(Issues.size(), 2u);
  EXPECT_EQ(Issues[0].Message, "[2] FWD 'f' type != 0");
  EXPECT_EQ(Issues[1].Message, "[3] ARRAY '(anon)' size != 0");
  EXPECT_EQ(Issues[0].Phase, ValidationPhase::Meta);
  EXPECT_TRUE(Issues[0].RefusedAtModuleLoad);
  EXPECT_EQ(Issues[0].Errno, -22);
}

TEST(ValidateTest, ErrnoOfUnsupportedEncoding) {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  B.recordWords(Int)[3] = makeIntData(IntSigned | IntChar, 0, 32);
  auto T = build(B);
  ASSERT_TRUE(T);
  std::vector<ValidationIssue> Issues = validate(*T);
  ASSERT_EQ(Issues.size(), 1u);
  EXPECT_EQ(Issues[0].Rule, "Unsupported encoding");
  EXPECT_EQ(Issues[0].Errno, -524);
}

/// Options that judge by \p Major.\p Minor's rules.
ValidateOptions rulesOf(unsigned Major, unsigned Minor) {
  ValidateOptions Opts;
  Opts.Kernel = KernelVersion(Major, Minor);
  return Opts;
}

TEST(ValidateTest, VlenAboveKernelLimit) {
  // 65536 members: the format's 24-bit vlen holds it, BTF_INFO_MASK does
  // not before 7.0; from 7.0 on the kernel takes 24-bit vlens too.
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  uint32_t S = B.addStruct("wide", 4);
  for (unsigned I = 0; I <= MaxVlen; ++I)
    B.addMember("", Int, 0);
  auto T = build(B);
  ASSERT_TRUE(T);
  EXPECT_EQ(firstMessage(*T, rulesOf(6, 19)),
            "[" + std::to_string(S) + "] Invalid btf_info:" + "4010000");
  EXPECT_EQ(firstMessage(*T, rulesOf(7, 0)), "");
}

TEST(ValidateTest, TooManyTypes) {
  // One more type than the kernel's table holds (ids 0..0xffffe).
  Builder B;
  for (uint32_t I = 1; I < MaxType; ++I)
    B.addPtr(0);
  auto Fits = build(B);
  ASSERT_TRUE(Fits);
  EXPECT_EQ(firstMessage(*Fits), "");
  B.addPtr(0);
  auto T = build(B);
  ASSERT_TRUE(T);
  std::vector<ValidationIssue> Issues = validate(*T);
  ASSERT_EQ(Issues.size(), 1u);
  EXPECT_EQ(Issues[0].Rule, "Exceeded max num of types");
  EXPECT_FALSE(Issues[0].RefusedAtModuleLoad);
}

TEST(ValidateTest, SizeLimitOfBTFLoadOnly) {
  // 15 MB of strings and 2.4 MB of types: more than BPF_BTF_LOAD takes,
  // fine for a module.
  Builder B;
  B.addInt("int", 4, IntSigned);
  for (unsigned I = 0; I < 15000; ++I)
    B.addString(std::to_string(I) + std::string(1000, 'x'));
  for (unsigned I = 0; I < 200000; ++I)
    B.addPtr(1);
  auto T = build(B);
  ASSERT_TRUE(T);
  std::vector<ValidationIssue> Issues = validate(*T);
  ASSERT_EQ(Issues.size(), 1u);
  EXPECT_EQ(Issues[0].Rule, "BTF is larger than BTF_MAX_SIZE");
  EXPECT_EQ(Issues[0].Errno, -7);
  EXPECT_FALSE(Issues[0].RefusedAtModuleLoad);
  ValidateOptions ModuleLoad;
  ModuleLoad.ResolveTypes = false;
  EXPECT_TRUE(validate(*T, ModuleLoad).empty());
}

TEST(ValidateTest, StringSectionBeyondNameOffsets) {
  // Offsets are 24 bits: a string section past 16 MiB is refused.
  Builder B;
  B.addInt("int", 4, IntSigned);
  for (unsigned I = 0; I * 1000 < (17u << 20); ++I)
    B.addString(std::to_string(I) + std::string(1000, 'x'));
  auto T = build(B);
  ASSERT_TRUE(T);
  ValidateOptions ModuleLoad;
  ModuleLoad.ResolveTypes = false;
  std::vector<ValidationIssue> Issues = validate(*T, ModuleLoad);
  ASSERT_EQ(Issues.size(), 1u);
  EXPECT_EQ(Issues[0].Phase, ValidationPhase::Strings);
  EXPECT_EQ(Issues[0].Rule, "Invalid string section");
  EXPECT_TRUE(Issues[0].RefusedAtModuleLoad);
}

TEST(ValidateTest, NamesFollowTheKernelsCtype) {
  auto Check = [](StringRef Name) {
    Builder B;
    B.addTypedef(Name, B.addInt("int", 4, IntSigned));
    auto T = build(B);
    return T ? firstMessage(*T) : std::string("no BTF");
  };
  EXPECT_EQ(Check("_ok.name9"), "");
  // The kernel's isalpha() takes Latin-1 letters, not the signs among them.
  EXPECT_EQ(Check("\xe9t\xe9"), "");
  EXPECT_EQ(Check("a\xd7"
                  "b"),
            "[2] TYPEDEF 'a\\xd7b' Invalid name");
  EXPECT_EQ(Check("9lives"), "[2] TYPEDEF '9lives' Invalid name");
  // At most KSYM_NAME_LEN (512) characters; messages cut long names.
  EXPECT_EQ(Check(std::string(512, 'n')), "");
  std::string Msg = Check(std::string(513, 'n'));
  EXPECT_EQ(Msg, "[2] TYPEDEF '" + std::string(80, 'n') + "...' Invalid name");
  // Unprintable bytes are escaped so that a message stays one line.
  EXPECT_EQ(Check("a\nb"), "[2] TYPEDEF 'a\\x0ab' Invalid name");
}

TEST(ValidateTest, CollectsAllIssuesWithoutConsequences) {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  uint32_t S = B.addStruct("self", 4);
  B.addMember("s", S, 0);
  uint32_t User = B.addStruct("user", 4);
  B.addMember("s", S, 0); // refers to the failed type: no second issue
  uint32_t Small = B.addStruct("small", 2);
  B.addMember("i", Int, 0);
  auto T = build(B);
  ASSERT_TRUE(T);
  ValidateOptions All;
  All.StopAtFirst = false;
  std::vector<ValidationIssue> Issues = validate(*T, All);
  ASSERT_EQ(Issues.size(), 2u);
  EXPECT_EQ(Issues[0].TypeId, S);
  EXPECT_EQ(Issues[0].Rule, "Loop detected");
  EXPECT_EQ(Issues[0].Errno, -17);
  EXPECT_EQ(Issues[1].TypeId, Small);
  EXPECT_EQ(Issues[1].Rule, "Member exceeds struct_size");
  (void)User;
  // The first one alone, as the kernel stops there.
  EXPECT_EQ(validate(*T).size(), 1u);
}

TEST(ValidateTest, CheckValidNamesTheFile) {
  Builder B;
  B.addPtr(B.addInt("int", 4, IntSigned));
  B.record(2).NameOff = B.addString("p");
  auto T = build(B);
  ASSERT_TRUE(T);
  Error E = checkValid(*T);
  ASSERT_TRUE(static_cast<bool>(E));
  EXPECT_EQ(toString(std::move(E)), "t.btf: [2] PTR 'p' Invalid name");
}

TEST(ValidateTest, TypeTagsAfterModifiers) {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  uint32_t Const = B.addModifier(Kind::Const, Int);
  uint32_t Tag = B.addTypeTag("user", Const); // tag then const: fine
  B.addPtr(Tag);
  auto Ok = build(B);
  ASSERT_TRUE(Ok);
  EXPECT_EQ(firstMessage(*Ok), "");
  uint32_t Bad = B.addModifier(Kind::Volatile, Tag); // volatile then tag
  auto T = build(B);
  ASSERT_TRUE(T);
  std::vector<ValidationIssue> Issues = validate(*T, rulesOf(6, 12));
  ASSERT_EQ(Issues.size(), 1u);
  EXPECT_EQ(Issues[0].TypeId, Bad);
  EXPECT_EQ(Issues[0].Phase, ValidationPhase::TypeTags);
  EXPECT_TRUE(Issues[0].RefusedAtModuleLoad);
  // From 7.0 on modifiers come in any order.
  EXPECT_TRUE(validate(*T, rulesOf(7, 0)).empty());
}

TEST(ValidateTest, KernelVersionsParse) {
  auto P = [](StringRef S) { return KernelVersion::parse(S); };
  EXPECT_EQ(P("6.12"), KernelVersion(6, 12));
  EXPECT_EQ(P("6.12.117"), KernelVersion(6, 12));
  EXPECT_EQ(P("7.2.13+deb14-amd64"), KernelVersion(7, 2));
  EXPECT_EQ(P("6.18.44-fc-v1252"), KernelVersion(6, 18));
  EXPECT_EQ(P("7.3-rc1"), KernelVersion(7, 3));
  for (StringRef Bad : {"", "6", "6.", ".12", "six", "6.x", "6.12x", "v6.12"})
    EXPECT_FALSE(P(Bad)) << Bad.str();
  EXPECT_LT(KernelVersion(6, 9), KernelVersion(6, 12));
  EXPECT_LT(KernelVersion(6, 19), KernelVersion(7, 0));
  EXPECT_EQ(KernelVersion(6, 12).str(), "6.12");

  auto Old = KernelVersion::parseOption("--kernel-version", "5.15");
  ASSERT_FALSE(static_cast<bool>(Old));
  EXPECT_EQ(toString(Old.takeError()),
            "--kernel-version: btfkit knows the BTF rules of Linux 6.1 and "
            "later, not 5.15");
  auto Ok = KernelVersion::parseOption("--kernel-version", "6.6");
  ASSERT_EXPECTED(Ok);
  EXPECT_EQ(*Ok, KernelVersion(6, 6));
}

TEST(ValidateTest, RuleChangesAreOrderedAndKnown) {
  // One row a change, oldest first, each within the releases btfkit read.
  ArrayRef<RuleChangeInfo> Rows = ruleChanges();
  ASSERT_EQ(Rows.size(), 6u);
  for (size_t I = 0; I < Rows.size(); ++I) {
    EXPECT_GE(Rows[I].Since, KernelVersion::oldest());
    EXPECT_FALSE(KernelVersion::newest() < Rows[I].Since);
    if (I)
      EXPECT_FALSE(Rows[I].Since < Rows[I - 1].Since);
    // A change is absent the release before it and present from it on.
    KernelVersion Since = Rows[I].Since;
    KernelVersion Before = Since.Minor
                               ? KernelVersion(Since.Major, Since.Minor - 1)
                               : KernelVersion(Since.Major - 1, 19);
    EXPECT_FALSE(KernelRules(Before).has(Rows[I].Change));
    EXPECT_TRUE(KernelRules(Since).has(Rows[I].Change));
    EXPECT_TRUE(KernelRules().has(Rows[I].Change)); // the newest has all
  }
  EXPECT_EQ(firstWith(RuleChange::TagKindFlag), KernelVersion(6, 15));
  EXPECT_EQ(KernelRules(KernelVersion(6, 12)).headerSize(), 24u);
  EXPECT_EQ(KernelRules(KernelVersion(7, 2)).headerSize(), 32u);
}

TEST(ValidateTest, DefaultRulesFollowTheTarget) {
  // A file is judged by the newest rules, the running kernel's own BTF by
  // its release.
  EXPECT_EQ(KernelVersion::forTarget("vmlinux.btf"), KernelVersion::newest());
  EXPECT_EQ(KernelVersion::forTarget(""), KernelVersion::newest());
  std::optional<KernelVersion> Running = KernelVersion::running();
  if (Running && KernelVersion::oldest() < *Running)
    EXPECT_EQ(KernelVersion::forTarget("/sys/kernel/btf/vmlinux"), *Running);
  EXPECT_EQ(KernelVersion::orForTarget(KernelVersion(6, 6),
                                       "/sys/kernel/btf/vmlinux"),
            KernelVersion(6, 6));
  // The library's own default is the newest rules.
  EXPECT_EQ(ValidateOptions().Kernel, KernelVersion::newest());
}

TEST(ValidateTest, AttributeTagsByRelease) {
  // TYPE_TAG and DECL_TAG with the kind flag: refused before 6.15, at
  // module load too, taken from 6.15 on.
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  uint32_t Tag = B.addTypeTag("nullable", Int);
  B.addPtr(Tag);
  auto T = build(B);
  ASSERT_TRUE(T);
  std::vector<uint8_t> Blob = serializeBTF(*T);
  auto *Rec = reinterpret_cast<CommonType *>(Blob.data() + ClassicHeaderSize +
                                             T->typeOffset(Tag));
  Rec->Info |= 1u << 31;
  auto Flagged = BTF::parseOwned(Blob, nullptr, "t.btf");
  ASSERT_EXPECTED(Flagged);
  std::vector<ValidationIssue> Old =
      moduleLoadIssues(**Flagged, KernelVersion(6, 14));
  ASSERT_EQ(Old.size(), 1u);
  EXPECT_EQ(Old[0].Message,
            "[2] TYPE_TAG 'nullable' Invalid btf_info kind_flag");
  EXPECT_TRUE(moduleLoadIssues(**Flagged, KernelVersion(6, 15)).empty());
  EXPECT_TRUE(validate(**Flagged).empty());
}

} // namespace
