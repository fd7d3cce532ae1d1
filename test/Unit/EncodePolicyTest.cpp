//===- EncodePolicyTest.cpp - The per-kind encoding rules -----------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The rules both encoders share, fed with facts as a walker would give them,
// checked on the records they make (and, where it matters, on the BTF those
// records build).
//
//===----------------------------------------------------------------------===//

#include "btfkit/EncodePolicy.h"
#include "btfkit/Builder.h"

#include "TestSupport.h"

#include "llvm/BinaryFormat/Dwarf.h"

#include "gtest/gtest.h"

using namespace btfkit;
using namespace llvm;

namespace {

/// A TypeEncoder with its options and the warnings it gave.
struct Encoding {
  explicit Encoding(unsigned Features = DefaultFeatures) {
    Opts.Features = Features;
  }
  EncodeOptions Opts;
  TypeEncoder Enc{Opts, nullptr};
  std::vector<std::string> Warnings;
  std::function<void(const Twine &)> Warn = [this](const Twine &M) {
    Warnings.push_back(M.str());
  };
  const EncodedType &at(uint32_t Id) const { return Enc.types()[Id - 1]; }
};

EnumeratorFacts value(StringRef Name, int64_t V, bool Unsigned = false) {
  EnumeratorFacts E;
  E.Name = Name;
  E.Value = uint64_t(V);
  E.Unsigned = Unsigned;
  return E;
}

//===----------------------------------------------------------------------===//
// ENUM / ENUM64
//===----------------------------------------------------------------------===//

TEST(EncodeEnum, DeclaredOnlyEnumHasIntsSize) {
  Encoding E;
  EnumFacts F;
  F.Name = "fwd";
  uint32_t Id = E.Enc.reserve();
  E.Enc.encodeEnum(Id, F, E.Warn);
  EXPECT_EQ(E.at(Id).TypeKind, Kind::Enum);
  EXPECT_EQ(E.at(Id).Size, 4u);
  EXPECT_TRUE(E.at(Id).Elems.empty());
  EXPECT_FALSE(E.at(Id).KindFlag);
}

TEST(EncodeEnum, FourByteEnumIsSignedWhenAValueIsNegative) {
  Encoding E;
  EnumFacts F;
  F.ByteSize = 4;
  F.Values = {value("A", 1), value("B", -1)};
  uint32_t Neg = E.Enc.reserve();
  E.Enc.encodeEnum(Neg, F, E.Warn);
  EXPECT_TRUE(E.at(Neg).KindFlag);

  // The same bits read as unsigned are not negative; nor does a signed
  // underlying type make a 4-byte ENUM signed.
  F.Values = {value("A", 1), value("B", -1, /*Unsigned=*/true)};
  F.BaseSigned = true;
  uint32_t Pos = E.Enc.reserve();
  E.Enc.encodeEnum(Pos, F, E.Warn);
  EXPECT_FALSE(E.at(Pos).KindFlag);
  EXPECT_EQ(E.at(Pos).Elems[1].Value, ~uint64_t(0));
}

TEST(EncodeEnum, EightByteEnumFollowsItsUnderlyingType) {
  Encoding E;
  EnumFacts F;
  F.ByteSize = 8;
  F.Values = {value("BIG", int64_t(1) << 40)};
  uint32_t NoBase = E.Enc.reserve();
  E.Enc.encodeEnum(NoBase, F, E.Warn);
  EXPECT_EQ(E.at(NoBase).TypeKind, Kind::Enum64);
  EXPECT_FALSE(E.at(NoBase).KindFlag);

  F.Values = {value("NEG", -1)};
  F.BaseSigned = false; // negative values do not decide an ENUM64
  uint32_t Unsigned = E.Enc.reserve();
  E.Enc.encodeEnum(Unsigned, F, E.Warn);
  EXPECT_FALSE(E.at(Unsigned).KindFlag);

  F.BaseSigned = true;
  uint32_t Signed = E.Enc.reserve();
  E.Enc.encodeEnum(Signed, F, E.Warn);
  EXPECT_TRUE(E.at(Signed).KindFlag);
}

TEST(EncodeEnum, WithoutEnum64AnEightByteEnumKeepsTheLow32Bits) {
  Encoding E(DefaultFeatures & ~FeatEnum64);
  EnumFacts F;
  F.ByteSize = 8;
  F.BaseSigned = true;
  F.Values = {value("BIG", (int64_t(1) << 32) | 7), value("NEG", -2)};
  uint32_t Id = E.Enc.reserve();
  E.Enc.encodeEnum(Id, F, E.Warn);
  const EncodedType &T = E.at(Id);
  EXPECT_EQ(T.TypeKind, Kind::Enum);
  EXPECT_EQ(T.Size, 8u);
  EXPECT_EQ(T.Elems[0].Value, 7u);
  EXPECT_EQ(T.Elems[1].Value, 0xfffffffeu);
  // Only ENUMs of up to 4 bytes are marked signed.
  EXPECT_FALSE(T.KindFlag);
}

TEST(EncodeEnum, TooManyValuesAreTruncatedWithAWarning) {
  Encoding E;
  EnumFacts F;
  F.Name = "huge";
  F.ByteSize = 4;
  std::vector<std::string> Names(MaxVlen + 2);
  for (size_t I = 0; I < Names.size(); ++I) {
    Names[I] = "V" + std::to_string(I);
    F.Values.push_back(value(Names[I], int64_t(I)));
  }
  uint32_t Id = E.Enc.reserve();
  E.Enc.encodeEnum(Id, F, E.Warn);
  EXPECT_EQ(E.at(Id).Elems.size(), size_t(MaxVlen));
  ASSERT_EQ(E.Warnings.size(), 1u);
  EXPECT_NE(E.Warnings[0].find("enum 'huge' has too many values"),
            std::string::npos);
}

//===----------------------------------------------------------------------===//
// STRUCT / UNION / FWD
//===----------------------------------------------------------------------===//

MemberFacts member(StringRef Name, uint32_t Type, uint64_t BitOffset,
                   std::optional<uint32_t> Bits = std::nullopt) {
  MemberFacts M;
  M.Name = Name;
  M.Type = Type;
  M.BitOffset = BitOffset;
  M.BitfieldSize = Bits;
  return M;
}

TEST(EncodeComposite, BitfieldsSetTheKindFlag) {
  Encoding E;
  uint32_t Int = E.Enc.encodeBaseType("int", 4, dwarf::DW_ATE_signed, E.Warn);
  std::vector<MemberFacts> Members = {member("a", Int, 0, 3),
                                      member("b", Int, 32)};
  CompositeFacts F;
  F.Name = "s";
  F.ByteSize = 8;
  F.NumMembers = Members.size();
  uint32_t Id = E.Enc.reserve();
  E.Enc.encodeComposite(
      Id, F, [&](size_t I) { return Members[I]; }, E.Warn);
  const EncodedType &T = E.at(Id);
  EXPECT_EQ(T.TypeKind, Kind::Struct);
  EXPECT_EQ(T.Size, 8u);
  EXPECT_TRUE(T.KindFlag);
  ASSERT_EQ(T.Elems.size(), 2u);
  EXPECT_EQ(T.Elems[0].Size, 3u);
  EXPECT_EQ(T.Elems[1].Offset, 32u);
  EXPECT_EQ(T.Elems[1].Size, 0u);

  // Built, the bitfield size is in the member's offset word.
  Builder B;
  ASSERT_NO_ERROR(E.Enc.build(B, "test"));
  auto Built = B.build("test");
  ASSERT_EXPECTED(Built);
  Type S = (*Built)->type(Id);
  EXPECT_TRUE(S.kindFlag());
  EXPECT_EQ(S.memberBitfieldSize(S.members()[0]), 3u);
  EXPECT_EQ(S.memberBitOffset(S.members()[1]), 32u);
}

TEST(EncodeComposite, PlainMembersLeaveTheKindFlagClear) {
  Encoding E;
  std::vector<MemberFacts> Members = {member("x", 0, 0), member("y", 0, 32)};
  CompositeFacts F;
  F.IsUnion = true;
  F.ByteSize = 4;
  F.NumMembers = Members.size();
  uint32_t Id = E.Enc.reserve();
  E.Enc.encodeComposite(
      Id, F, [&](size_t I) { return Members[I]; }, E.Warn);
  EXPECT_EQ(E.at(Id).TypeKind, Kind::Union);
  EXPECT_FALSE(E.at(Id).KindFlag);
}

TEST(EncodeComposite, DeclarationsAndOversizedStructsAreForwards) {
  Encoding E;
  bool Asked = false;
  auto Member = [&](size_t) {
    Asked = true;
    return MemberFacts();
  };
  CompositeFacts Decl;
  Decl.Name = "opaque";
  Decl.IsUnion = true;
  Decl.Declaration = true;
  uint32_t A = E.Enc.reserve();
  E.Enc.encodeComposite(A, Decl, Member, E.Warn);
  EXPECT_EQ(E.at(A).TypeKind, Kind::Fwd);
  EXPECT_TRUE(E.at(A).KindFlag); // a union
  EXPECT_TRUE(E.Warnings.empty());

  CompositeFacts Big;
  Big.Name = "big";
  Big.ByteSize = 1 << 20;
  Big.NumMembers = size_t(MaxVlen) + 1;
  uint32_t B = E.Enc.reserve();
  E.Enc.encodeComposite(B, Big, Member, E.Warn);
  EXPECT_EQ(E.at(B).TypeKind, Kind::Fwd);
  EXPECT_FALSE(E.at(B).KindFlag);
  EXPECT_EQ(E.Warnings.size(), 1u);
  // A FWD refers to nothing: no member was looked at, no type added.
  EXPECT_FALSE(Asked);
  EXPECT_EQ(E.Enc.types().size(), 2u);
}

TEST(EncodeComposite, MembersAreResolvedInOrderBeforeTheTags) {
  Encoding E;
  CompositeFacts F;
  F.Name = "tagged";
  F.ByteSize = 8;
  F.NumMembers = 2;
  F.DeclTags = {"on_struct"};
  uint32_t Id = E.Enc.reserve();
  E.Enc.encodeComposite(
      Id, F,
      [&](size_t I) {
        // A walker meets each member's type now: it gets the next id.
        MemberFacts M = member(I ? "b" : "a", E.Enc.reserve(), 32 * I);
        if (I == 1)
          M.DeclTags = {"on_b"};
        return M;
      },
      E.Warn);
  EXPECT_EQ(E.at(Id).Elems[0].Type, 2u);
  EXPECT_EQ(E.at(Id).Elems[1].Type, 3u);
  // The struct's tags first, then each member's with its index.
  ASSERT_EQ(E.Enc.types().size(), 5u);
  EXPECT_EQ(E.at(4).TypeKind, Kind::DeclTag);
  EXPECT_EQ(E.at(4).Name, "on_struct");
  EXPECT_EQ(E.at(4).Type, Id);
  EXPECT_EQ(E.at(4).Component, -1);
  EXPECT_EQ(E.at(5).Name, "on_b");
  EXPECT_EQ(E.at(5).Component, 1);
}

//===----------------------------------------------------------------------===//
// Tags
//===----------------------------------------------------------------------===//

TEST(EncodeTags, DeclTagsNeedTheFeature) {
  for (bool On : {true, false}) {
    Encoding E(On ? DefaultFeatures : DefaultFeatures & ~FeatDeclTag);
    uint32_t Id = E.Enc.reserve();
    TagValues Tags = {"t1", "t2"};
    E.Enc.encodeTypedef(Id, "tint", 0, Tags);
    EXPECT_EQ(E.at(Id).TypeKind, Kind::Typedef);
    EXPECT_EQ(E.Enc.types().size(), On ? 3u : 1u);
    if (On) {
      EXPECT_EQ(E.at(2).Name, "t1");
      EXPECT_EQ(E.at(3).Name, "t2");
      EXPECT_EQ(E.at(3).Type, Id);
    }
  }
}

TEST(EncodeTags, TypeTagsChainFromThePointer) {
  Encoding E;
  uint32_t Int = E.Enc.encodeBaseType("int", 4, dwarf::DW_ATE_signed, E.Warn);
  uint32_t Ptr = E.Enc.reserve();
  TagValues Tags = {"a", "b"};
  E.Enc.encodePointer(Ptr, Int, Tags);
  // int __a __b *: PTR -> b -> a -> int.
  const EncodedType &P = E.at(Ptr);
  EXPECT_EQ(P.TypeKind, Kind::Ptr);
  const EncodedType &B = E.at(P.Type);
  EXPECT_EQ(B.TypeKind, Kind::TypeTag);
  EXPECT_EQ(B.Name, "b");
  const EncodedType &A = E.at(B.Type);
  EXPECT_EQ(A.Name, "a");
  EXPECT_EQ(A.Type, Int);

  Encoding Off(DefaultFeatures & ~FeatTypeTag);
  uint32_t P2 = Off.Enc.reserve();
  Off.Enc.encodePointer(P2, 0, Tags);
  EXPECT_EQ(Off.at(P2).Type, 0u);
  EXPECT_EQ(Off.Enc.types().size(), 1u);
}

TEST(EncodeTags, FunctionsCarryTheirParametersTagsAndKfuncTag) {
  for (unsigned Features :
       {DefaultFeatures, DefaultFeatures | FeatDeclTagKfuncs}) {
    Encoding E(Features);
    uint32_t Proto = E.Enc.reserve();
    ParamFacts P;
    P.Name = "x";
    E.Enc.encodeProto(Proto, 0, {P, P}, E.Warn);
    FuncFacts F;
    F.Name = "f";
    F.Proto = Proto;
    F.DeclTags = {"on_f"};
    F.ParamDeclTags = {TagValues(), {"on_second"}};
    F.InKfuncSet = true;
    uint32_t Id = E.Enc.encodeFunc(F);
    EXPECT_EQ(E.at(Id).Linkage, uint32_t(FuncStatic));
    EXPECT_EQ(E.Enc.numFuncs(), 1u);
    bool Kfuncs = Features & FeatDeclTagKfuncs;
    ASSERT_EQ(E.Enc.types().size(), Kfuncs ? 5u : 4u);
    EXPECT_EQ(E.at(Id + 1).Name, "on_f");
    EXPECT_EQ(E.at(Id + 2).Name, "on_second");
    EXPECT_EQ(E.at(Id + 2).Component, 1);
    if (Kfuncs) {
      EXPECT_EQ(E.at(Id + 3).Name, "bpf_kfunc");
    }
  }
}

//===----------------------------------------------------------------------===//
// INT / FLOAT, ARRAY, qualifiers
//===----------------------------------------------------------------------===//

TEST(EncodeBaseTypes, OneIntPerCTypeAndFloatsByFeature) {
  Encoding E;
  uint32_t A = E.Enc.encodeBaseType("int", 4, dwarf::DW_ATE_signed, E.Warn);
  uint32_t B = E.Enc.encodeBaseType("int", 4, dwarf::DW_ATE_signed, E.Warn);
  EXPECT_EQ(A, B);
  uint32_t Odd = E.Enc.encodeBaseType("DW_ATE_unsigned_24", 3,
                                      dwarf::DW_ATE_unsigned, E.Warn);
  EXPECT_EQ(E.at(Odd).Name, "__SANITIZED_FAKE_INT__");
  EXPECT_EQ(E.at(Odd).Size, 4u);
  uint32_t D = E.Enc.encodeBaseType("double", 8, dwarf::DW_ATE_float, E.Warn);
  EXPECT_EQ(E.at(D).TypeKind, Kind::Float);
  uint32_t C =
      E.Enc.encodeBaseType("complex", 16, dwarf::DW_ATE_complex_float, E.Warn);
  EXPECT_EQ(E.at(C).TypeKind, Kind::Int);
  EXPECT_EQ(E.at(C).Size, 16u);
  EXPECT_EQ(E.Warnings.size(), 1u);

  Encoding NoFloat(DefaultFeatures & ~FeatFloat);
  uint32_t F = NoFloat.Enc.encodeBaseType("double", 8, dwarf::DW_ATE_float,
                                          NoFloat.Warn);
  EXPECT_EQ(NoFloat.at(F).TypeKind, Kind::Int);
  EXPECT_EQ(NoFloat.at(F).IntEncoding, 0u);
}

TEST(EncodeBaseTypes, IntsTakeTheBasesSpelling) {
  Builder BB;
  BB.addInt("long unsigned int", 8, 0);
  auto Base = BB.build("base");
  ASSERT_EXPECTED(Base);
  IntNameMap Names(**Base);
  EncodeOptions Opts;
  TypeEncoder Enc(Opts, &Names);
  uint32_t Id = Enc.encodeBaseType("unsigned long", 8, dwarf::DW_ATE_unsigned,
                                   [](const Twine &) {});
  EXPECT_EQ(Enc.types()[Id - 1].Name, "long unsigned int");
}

TEST(EncodeArray, DimensionsMultiplyAndTheIndexIsInt) {
  Encoding E;
  uint32_t Int = E.Enc.encodeBaseType("int", 4, dwarf::DW_ATE_signed, E.Warn);
  ArrayFacts F;
  F.ElemType = Int;
  F.Counts = {2, 3, 4};
  uint32_t Id = E.Enc.reserve();
  E.Enc.encodeArray(Id, F);
  EXPECT_EQ(E.at(Id).TypeKind, Kind::Array);
  EXPECT_EQ(E.at(Id).NumElems, 24u);
  EXPECT_EQ(E.at(Id).IndexType, Int); // the same "int", not a second one
  EXPECT_EQ(E.Enc.types().size(), 2u);

  // A dimension without a count (flexible, VLA) empties the array.
  F.Counts = {4, -1};
  uint32_t Flex = E.Enc.reserve();
  E.Enc.encodeArray(Flex, F);
  EXPECT_EQ(E.at(Flex).NumElems, 0u);
}

TEST(EncodeArray, ElementQualifiersAreHoistedForClangFormOnly) {
  for (bool Clang : {true, false}) {
    Encoding E;
    E.Opts.QualifiedArrays = true;
    ArrayFacts F;
    F.ElemType = 7; // CONST VOLATILE char, say
    F.Counts = {4};
    F.ElemQualifiers = {Kind::Const, Kind::Volatile};
    F.ClangForm = Clang;
    uint32_t Id = E.Enc.reserve();
    E.Enc.encodeArray(Id, F);
    if (!Clang) {
      EXPECT_EQ(E.at(Id).TypeKind, Kind::Array);
      continue;
    }
    // Id is the outer CONST -> VOLATILE -> ARRAY of the qualified element.
    EXPECT_EQ(E.at(Id).TypeKind, Kind::Const);
    const EncodedType &V = E.at(E.at(Id).Type);
    EXPECT_EQ(V.TypeKind, Kind::Volatile);
    const EncodedType &A = E.at(V.Type);
    EXPECT_EQ(A.TypeKind, Kind::Array);
    EXPECT_EQ(A.Type, 7u);
  }
}

TEST(EncodeQualifiers, ImmutableIsConst) {
  Encoding E;
  uint32_t C = E.Enc.reserve(), V = E.Enc.reserve(), R = E.Enc.reserve();
  E.Enc.encodeQualifier(C, dwarf::DW_TAG_immutable_type, 0);
  E.Enc.encodeQualifier(V, dwarf::DW_TAG_volatile_type, C);
  E.Enc.encodeQualifier(R, dwarf::DW_TAG_restrict_type, V);
  EXPECT_EQ(E.at(C).TypeKind, Kind::Const);
  EXPECT_EQ(E.at(V).TypeKind, Kind::Volatile);
  EXPECT_EQ(E.at(R).TypeKind, Kind::Restrict);
  EXPECT_EQ(E.at(R).Type, V);
}

//===----------------------------------------------------------------------===//
// FUNC_PROTO, VAR, DATASEC, building
//===----------------------------------------------------------------------===//

TEST(EncodeSymbols, OnlyTheFirstFunctionOfANameIsEncoded) {
  Encoding E;
  EXPECT_TRUE(E.Enc.claimFunc("f"));
  EXPECT_FALSE(E.Enc.claimFunc("f"));
  EXPECT_TRUE(E.Enc.claimFunc("g"));
}

TEST(EncodeSymbols, VarargsIsANamelessVoidParameter) {
  Encoding E;
  uint32_t Id = E.Enc.reserve();
  ParamFacts N, Dots;
  N.Name = "n";
  N.Type = 9;
  Dots.Name = "ignored";
  Dots.Type = 9;
  Dots.Unspecified = true;
  E.Enc.encodeProto(Id, 0, {N, Dots}, E.Warn);
  const EncodedType &P = E.at(Id);
  EXPECT_EQ(P.TypeKind, Kind::FuncProto);
  ASSERT_EQ(P.Elems.size(), 2u);
  EXPECT_EQ(P.Elems[0].Name, "n");
  EXPECT_EQ(P.Elems[1].Name, "");
  EXPECT_EQ(P.Elems[1].Type, 0u);
}

TEST(EncodeSymbols, DatasecIsSortedAndEndsWithItsLastVariable) {
  Encoding E;
  VarFacts A, B;
  A.Name = "a";
  A.External = true;
  B.Name = "b";
  uint32_t VA = E.Enc.encodeVar(A), VB = E.Enc.encodeVar(B);
  EXPECT_EQ(E.at(VA).Linkage, uint32_t(VarGlobalAllocated));
  EXPECT_EQ(E.at(VB).Linkage, uint32_t(VarStatic));
  EXPECT_EQ(E.Enc.numVars(), 2u);
  E.Enc.encodeDatasec(".data..percpu", {{VA, 16, 8}, {VB, 0, 4}}, E.Warn);
  const EncodedType &S = E.Enc.types().back();
  EXPECT_EQ(S.TypeKind, Kind::Datasec);
  EXPECT_EQ(S.Size, 24u);
  ASSERT_EQ(S.Elems.size(), 2u);
  EXPECT_EQ(S.Elems[0].Type, VB);
  EXPECT_EQ(S.Elems[1].Offset, 16u);

  size_t Before = E.Enc.types().size();
  E.Enc.encodeDatasec(".bss", {}, E.Warn);
  EXPECT_EQ(E.Enc.types().size(), Before);
}

TEST(EncodeBuild, AReservedTypeMustBeDescribed) {
  Encoding E;
  E.Enc.reserve();
  Builder B;
  Error Err = E.Enc.build(B, "unit.c");
  ASSERT_TRUE(bool(Err));
  EXPECT_NE(toString(std::move(Err)).find("never described"),
            std::string::npos);
}

} // namespace
