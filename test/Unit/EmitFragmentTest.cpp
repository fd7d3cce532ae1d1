//===- EmitFragmentTest.cpp - A translation unit's fragment ---------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// What the plugin makes of a unit's types: renumbered over the base,
// deduplicated against it, distilled, and the distilled composites held by
// value tagged, by the relocator's own rule.
//
//===----------------------------------------------------------------------===//

#include "btfkit/EmitFragment.h"
#include "btfkit/Relocate.h"

#include "FragmentFixtures.h"
#include "TestSupport.h"

#include "gtest/gtest.h"

using namespace btfkit;
using namespace btfkit::unittest;
using namespace llvm;

namespace {

std::unique_ptr<BTF> kernel() {
  auto K = BTF::parseOwned(kernelBlob(), nullptr, "vmlinux");
  if (!K) {
    ADD_FAILURE() << toString(K.takeError());
    return nullptr;
  }
  return std::move(*K);
}

TEST(EmitFragment, StandaloneTypesMoveOverTheBase) {
  auto Base = kernel();
  ASSERT_TRUE(Base);
  std::vector<uint8_t> Unit = unitBlob("a_priv", /*ByValue=*/true);
  auto Over = standaloneOverBase(Unit, *Base, "a.c");
  ASSERT_EXPECTED(Over);
  const BTF &O = **Over;
  EXPECT_EQ(O.base(), Base.get());
  ASSERT_EQ(O.firstId(), 5u);
  ASSERT_EQ(O.numTypes(), 4u);
  // Unit id N is now 4 + N, names and all.
  EXPECT_EQ(O.type(5).name(), "int");
  EXPECT_EQ(O.type(6).name(), "device");
  EXPECT_EQ(O.type(6).members()[0].Type, 5u);
  EXPECT_EQ(O.type(7).name(), "a_priv");
  EXPECT_EQ(O.type(7).members()[0].Type, 6u);
  EXPECT_EQ(O.str(O.type(7).members()[1].NameOff), "n");

  auto Split = standaloneOverBase(unitBlob("x", true), **Over, "b.c");
  EXPECT_FALSE(bool(Split));
  consumeError(Split.takeError());
}

TEST(EmitFragment, DedupsDistillsAndTagsWhatIsEmbedded) {
  auto Base = kernel();
  ASSERT_TRUE(Base);
  auto F =
      makeSplitFragment(unitBlob("a_priv", /*ByValue=*/true), *Base, "a.c");
  ASSERT_EXPECTED(F);
  EXPECT_EQ(F->TypesIn, 4u);
  // int and device are the base's; a_priv and shared stay.
  EXPECT_EQ(F->TypesDeduped, 2u);
  EXPECT_EQ(F->TypesOut, 2u);
  EXPECT_EQ(F->DistilledTypes, 2u);
  EXPECT_EQ(F->EmbeddedComposites, 1u);

  auto DB = BTF::parse(F->DistilledBase, nullptr, "distilled");
  ASSERT_EXPECTED(DB);
  ASSERT_EQ((*DB)->numTypes(), 2u);
  EXPECT_EQ((*DB)->type(2).name(), "device");
  EXPECT_EQ((*DB)->type(2).vlen(), 0u);
  auto Types = BTF::parse(F->Types, DB->get(), "types");
  ASSERT_EXPECTED(Types);
  Type Priv = (*Types)->type(3);
  EXPECT_EQ(Priv.name(), "a_priv");
  EXPECT_EQ(Priv.members()[0].Type, 2u);
  auto Tags = BTF::parse(F->EmbeddedTags, Types->get(), "tags");
  ASSERT_EXPECTED(Tags);
  ASSERT_EQ((*Tags)->numTypes(), 1u);
  Type Tag = (*Tags)->type(5);
  EXPECT_TRUE(Tag.is(Kind::DeclTag));
  EXPECT_EQ(Tag.name(), EmbeddedTagValue);
  EXPECT_EQ(Tag.typeId(), 2u);
  EXPECT_EQ(Tag.declTagComponent(), -1);

  // The types relocate back onto the kernel they came from.
  BaseIndex Index(*Base);
  auto R = relocate(**Types, Index);
  ASSERT_EXPECTED(R);
  EXPECT_TRUE(R->relocated());

  // Held through a pointer: nothing to tag, the pointer is the base's.
  auto P =
      makeSplitFragment(unitBlob("b_priv", /*ByValue=*/false), *Base, "b.c");
  ASSERT_EXPECTED(P);
  EXPECT_EQ(P->EmbeddedComposites, 0u);
  auto PB = BTF::parse(P->DistilledBase, nullptr, "distilled");
  ASSERT_EXPECTED(PB);
  auto PS = BTF::parse(P->Types, PB->get(), "types");
  ASSERT_EXPECTED(PS);
  EXPECT_EQ((*PS)->type((*PS)->firstId()).name(), "b_priv");
  auto PT = BTF::parse(P->EmbeddedTags, PS->get(), "tags");
  ASSERT_EXPECTED(PT);
  EXPECT_EQ((*PT)->numTypes(), 0u);
}

} // namespace
