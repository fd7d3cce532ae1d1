//===- EncodeTest.cpp - What both encoders share --------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Encode.h: pahole's feature list, the C integer names both encoders
// match against the base, DWARF's base-type and qualifier mapping, and the
// records an encoder hands to the Builder.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Encode.h"
#include "btfkit/Builder.h"

#include "TestSupport.h"

#include "llvm/BinaryFormat/Dwarf.h"

#include "gtest/gtest.h"

using namespace btfkit;
using namespace llvm;

namespace {

TEST(Features, ParsesPaholesListOverTheEmptySet) {
  auto Parse = [](StringRef L) {
    auto F = parseFeatures(L, "--btf_features");
    EXPECT_TRUE(bool(F)) << L.str();
    if (!F) {
      consumeError(F.takeError());
      return ~0u;
    }
    return *F;
  };
  EXPECT_EQ(Parse(""), 0u);
  EXPECT_EQ(Parse("default"), DefaultFeatures);
  EXPECT_EQ(Parse("all"), AllFeatures);
  EXPECT_EQ(Parse("all,none"), 0u);
  EXPECT_EQ(Parse("default,-type_tag"), DefaultFeatures & ~FeatTypeTag);
  EXPECT_EQ(Parse(" var , global_var "), FeatVar | FeatGlobalVar);
  EXPECT_EQ(Parse("-var,var"), FeatVar);
  EXPECT_EQ(featuresString(DefaultFeatures),
            "var,float,decl_tag,type_tag,enum64,optimized_func");
  EXPECT_EQ(Parse(featuresString(AllFeatures)), AllFeatures);
  EXPECT_EQ(featuresString(0), "");

  auto Bad = parseFeatures("var,floats", "--btf_features");
  ASSERT_FALSE(bool(Bad));
  EXPECT_EQ(toString(Bad.takeError()),
            "--btf_features: unknown BTF feature 'floats' (known: var, "
            "global_var, float, decl_tag, type_tag, enum64, consistent_func, "
            "optimized_func, decl_tag_kfuncs, reproducible_build; and "
            "default, all, none)");
}

TEST(IntNames, OneKeyPerCIntegerType) {
  EXPECT_EQ(canonicalIntName("unsigned long"), "ulong");
  EXPECT_EQ(canonicalIntName("long unsigned int"), "ulong");
  EXPECT_EQ(canonicalIntName("int"), "int");
  EXPECT_EQ(canonicalIntName("signed"), "int");
  EXPECT_EQ(canonicalIntName("signed int"), "int");
  EXPECT_EQ(canonicalIntName("long long int"), "llong");
  EXPECT_EQ(canonicalIntName("short unsigned int"), "ushort");
  EXPECT_EQ(canonicalIntName("unsigned __int128"), "uint128");
  // Plain, signed and unsigned char are three types.
  EXPECT_EQ(canonicalIntName("char"), "char");
  EXPECT_EQ(canonicalIntName("signed char"), "schar");
  EXPECT_EQ(canonicalIntName("unsigned char"), "uchar");
  // Not C integer types made of keywords.
  for (StringRef Bad : {"", "_Bool", "u32", "long long long", "short long",
                        "signed unsigned", "long char", "int int"})
    EXPECT_EQ(canonicalIntName(Bad), "") << Bad.str();
}

TEST(IntNames, TheBasesSpellingOfTheSameType) {
  Builder B;
  B.addInt("long unsigned int", 8, 0); // 1
  B.addInt("unsigned long", 8, 0);     // 2: the lowest id wins
  B.addInt("int", 4, IntSigned);       // 3
  B.addInt("char", 1, IntSigned);      // 4
  uint32_t Ull = B.addInt("long long unsigned int", 8, 0); // 5
  auto Base = buildBTF(B, "vmlinux");
  ASSERT_TRUE(Base);
  IntNameMap Names(*Base);
  EXPECT_EQ(Names.lookup("unsigned long", 8, 0), "long unsigned int");
  // Same name as the base's: nothing to change.
  EXPECT_EQ(Names.lookup("long unsigned int", 8, 0), "");
  EXPECT_EQ(Names.lookup("signed int", 4, IntSigned), "int");
  // Size and encoding must agree; the char kinds stay apart.
  EXPECT_EQ(Names.lookup("unsigned long", 4, 0), "");
  EXPECT_EQ(Names.lookup("signed", 4, 0), "");
  EXPECT_EQ(Names.lookup("signed char", 1, IntSigned), "");
  EXPECT_EQ(Names.lookup("u64", 8, 0), "");
  // Only the INTs named by id when the caller knows them.
  std::vector<uint32_t> OnlyUll = {Ull};
  IntNameMap Few(*Base, OnlyUll);
  EXPECT_EQ(Few.lookup("unsigned long long", 8, 0), "long long unsigned int");
  EXPECT_EQ(Few.lookup("unsigned long", 8, 0), "");
}

TEST(DwarfForms, BaseTypesAndQualifiers) {
  EXPECT_EQ(baseTypeForm(dwarf::DW_ATE_float).How, BaseTypeForm::Float);
  BaseTypeForm S = baseTypeForm(dwarf::DW_ATE_signed);
  EXPECT_EQ(S.How, BaseTypeForm::Int);
  EXPECT_EQ(S.IntEncoding, IntSigned);
  EXPECT_EQ(baseTypeForm(dwarf::DW_ATE_signed_char).IntEncoding, IntSigned);
  EXPECT_EQ(baseTypeForm(dwarf::DW_ATE_unsigned).IntEncoding, 0u);
  EXPECT_EQ(baseTypeForm(dwarf::DW_ATE_boolean).IntEncoding, IntBool);
  EXPECT_EQ(baseTypeForm(dwarf::DW_ATE_complex_float).How,
            BaseTypeForm::Unsupported);
  EXPECT_EQ(qualifierKind(dwarf::DW_TAG_const_type), Kind::Const);
  EXPECT_EQ(qualifierKind(dwarf::DW_TAG_volatile_type), Kind::Volatile);
  EXPECT_EQ(qualifierKind(dwarf::DW_TAG_restrict_type), Kind::Restrict);
  EXPECT_EQ(qualifierKind(dwarf::DW_TAG_typedef), std::nullopt);
}

TEST(EncodedTypes, BecomeRecordsInListOrder) {
  std::vector<EncodedType> Types(4);
  Types[0].TypeKind = Kind::Int;
  Types[0].Name = "int";
  Types[0].Size = 4;
  Types[0].IntEncoding = IntSigned;
  Types[1].TypeKind = Kind::Struct;
  Types[1].Name = "s";
  Types[1].Size = 8;
  Types[1].KindFlag = true;
  Types[1].Elems.push_back({"bits", 1, 0, 3, 0});
  Types[1].Elems.push_back({"next", 3, 32, 0, 0});
  Types[2].TypeKind = Kind::Ptr;
  Types[2].Type = 2;
  Types[3].TypeKind = Kind::Enum64;
  Types[3].Name = "e";
  Types[3].Size = 8;
  Types[3].Elems.push_back({"BIG", 0, 0, 0, uint64_t(1) << 40});
  Builder B;
  ASSERT_NO_ERROR(addEncodedTypes(B, Types, "unit.c"));
  auto T = buildBTF(B, "unit.c");
  ASSERT_TRUE(T);
  ASSERT_EQ(T->numTypes(), 4u);
  EXPECT_EQ(T->type(1).intEncoding(), IntSigned);
  Type S = T->type(2);
  EXPECT_TRUE(S.kindFlag());
  ASSERT_EQ(S.members().size(), 2u);
  EXPECT_EQ(S.memberBitfieldSize(S.members()[0]), 3u);
  EXPECT_EQ(S.memberBitOffset(S.members()[1]), 32u);
  EXPECT_EQ(S.members()[1].Type, 3u);
  EXPECT_EQ(T->type(3).typeId(), 2u);
  ASSERT_EQ(T->type(4).enum64Values().size(), 1u);
  EXPECT_EQ(T->type(4).enum64Values()[0].ValHi32, 1u << 8);

  // A builder with types already cannot take the list at its ids.
  Builder Busy;
  Busy.addInt("int", 4, IntSigned);
  Error E = addEncodedTypes(Busy, Types, "unit.c");
  ASSERT_TRUE(bool(E));
  EXPECT_EQ(toString(std::move(E)).rfind("unit.c: ", 0), 0u);
}

} // namespace
