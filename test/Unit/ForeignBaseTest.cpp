//===- ForeignBaseTest.cpp - Is this split BTF this kernel's? -------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// checkForeignBase() on one split BTF read over its own base and over
// others, each made to leave one mark: the boundaries of the string check
// (a name at the first byte of the split's own strings is a string), the
// symbol check, and a FUNC used as a type.
//
//===----------------------------------------------------------------------===//

#include "btfkit/ForeignBase.h"
#include "btfkit/Builder.h"
#include "btfkit/Writer.h"

#include "TestSupport.h"
#include "gtest/gtest.h"

using namespace btfkit;
using namespace llvm;

namespace {

std::unique_ptr<BTF> build(const Builder &B, std::string Name) {
  auto BTFOrErr = B.build(std::move(Name));
  EXPECT_TRUE(static_cast<bool>(BTFOrErr)) << toString(BTFOrErr.takeError());
  return BTFOrErr ? std::move(*BTFOrErr) : nullptr;
}

/// A base: int, a prototype returning it, and one struct whose member
/// name is \p Member; \p ExtraFunc adds a FUNC after them.
std::unique_ptr<BTF> makeBase(StringRef Member, bool ExtraFunc = false) {
  Builder B;
  uint32_t Int = B.addInt("int", 4, IntSigned);
  uint32_t Proto = B.addFuncProto(Int);
  B.addStruct("list_head", 8);
  B.addMember(Member, Int, 0);
  if (ExtraFunc)
    B.addFunc("list_del", Proto, FuncGlobal);
  return build(B, "base.btf");
}

/// The module's split over \p Own: struct mod_ctx { int seed; }, a pointer
/// to it and FUNC mod_init; its bytes, to read over other bases.
std::vector<uint8_t> makeSplit(const BTF &Own) {
  Builder S(&Own);
  S.setReuseBaseStrings(true);
  uint32_t Ctx = S.addStruct("mod_ctx", 4);
  S.addMember("seed", 1, 0);
  S.addPtr(Ctx);
  S.addFunc("mod_init", 2, FuncStatic);
  auto Split = build(S, "mod.btf");
  return Split ? serializeBTF(*Split) : std::vector<uint8_t>();
}

ForeignBaseReport checkOver(const std::vector<uint8_t> &Bytes, const BTF &Base,
                            const ModuleFunctions *Functions = nullptr) {
  auto Split = BTF::parse(Bytes, &Base, "mod.btf");
  EXPECT_TRUE(static_cast<bool>(Split)) << toString(Split.takeError());
  return Split ? checkForeignBase(**Split, Functions, "raw input")
               : ForeignBaseReport();
}

std::vector<std::string> messages(const ForeignBaseReport &R) {
  std::vector<std::string> M;
  for (const ForeignFinding &F : R.Findings)
    M.push_back(foreignMarkName(F.Mark).str() + ": " + F.Message);
  return M;
}

TEST(ForeignBaseTest, OwnBaseHasNoMarks) {
  auto Own = makeBase("next");
  ASSERT_TRUE(Own);
  std::vector<uint8_t> Bytes = makeSplit(*Own);
  ModuleFunctions F;
  F.Names.insert("mod_init");
  ForeignBaseReport R = checkOver(Bytes, *Own, &F);
  EXPECT_EQ(messages(R), std::vector<std::string>());
  EXPECT_FALSE(R.foreign());
  // mod_ctx, seed and mod_init; the first starts the split's own strings.
  EXPECT_EQ(R.NamesChecked, 3u);
  EXPECT_EQ(R.FunctionsChecked, 1u);
  EXPECT_EQ(R.TypesChecked, 3u);
  EXPECT_EQ(R.SymbolsSkipped, "");
}

TEST(ForeignBaseTest, NamesShiftedIntoTheKernelsStrings) {
  auto Own = makeBase("next");
  // Same types; the member's longer name moves the split's strings on, so
  // its names are read inside "next_pointer_of_another_build".
  auto Other = makeBase("next_pointer_of_another_build");
  ASSERT_TRUE(Own && Other);
  ForeignBaseReport R = checkOver(makeSplit(*Own), *Other);
  EXPECT_EQ(messages(R),
            std::vector<std::string>(
                {"mid-string-name: [4] STRUCT 'pointer_of_another_build': "
                 "name offset 20 starts mid-string in the kernel's strings "
                 "('pointer_of_another_build' inside "
                 "'next_pointer_of_another_build')",
                 "mid-string-name: [6] FUNC 'other_build': name offset 33 "
                 "starts mid-string in the kernel's strings ('other_build' "
                 "inside 'next_pointer_of_another_build')"}));
  EXPECT_EQ(R.count(ForeignMark::MidStringName), 2u);
  EXPECT_EQ(R.SymbolsSkipped, "raw input");
}

TEST(ForeignBaseTest, FunctionsThatAreNotSymbols) {
  auto Own = makeBase("next");
  ASSERT_TRUE(Own);
  ModuleFunctions F;
  F.Names.insert("mod_exit");
  ForeignBaseReport R = checkOver(makeSplit(*Own), *Own, &F);
  EXPECT_EQ(messages(R),
            std::vector<std::string>(
                {"not-a-symbol: [6] FUNC 'mod_init' is not a function of the "
                 "module (its ELF has no such symbol)"}));
}

TEST(ForeignBaseTest, FuncUsedAsAType) {
  auto Own = makeBase("next");
  // One more type: the split's pointer to its own struct now points at the
  // base's FUNC, which the resolve pass lets through.
  auto Other = makeBase("next", /*ExtraFunc=*/true);
  ASSERT_TRUE(Own && Other);
  ForeignBaseReport R = checkOver(makeSplit(*Own), *Other);
  EXPECT_EQ(R.count(ForeignMark::BadType), 1u);
  ASSERT_FALSE(R.Findings.empty());
  EXPECT_EQ(messages(R).back(),
            "bad-type: [6] PTR '(anon)' uses [4] FUNC 'list_del' as a type "
            "(no compiler writes that)");
}

TEST(ForeignBaseTest, SymbolsOfWhatIsNotAnELF) {
  std::string WhyNot;
  std::vector<uint8_t> NotELF = {1, 2, 3, 4};
  EXPECT_FALSE(readModuleFunctions("x.btf", NotELF, WhyNot));
  EXPECT_NE(WhyNot.find("not a readable ELF file"), std::string::npos);
}

} // namespace
