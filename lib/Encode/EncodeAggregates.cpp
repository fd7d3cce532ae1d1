//===- EncodeAggregates.cpp - Structs, unions, enums, arrays --------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// pahole 1.24's rules for the kinds with elements of their own: STRUCT and
// UNION (or FWD), ENUM and ENUM64, ARRAY.
//
//===----------------------------------------------------------------------===//

#include "btfkit/EncodePolicy.h"

#include <algorithm>

using namespace btfkit;
using namespace llvm;

void TypeEncoder::encodeComposite(uint32_t Id, const CompositeFacts &F,
                                  function_ref<MemberFacts(size_t)> Member,
                                  EncodeWarning Warn) {
  auto MakeFwd = [&] {
    EncodedType &E = at(Id);
    E.TypeKind = Kind::Fwd;
    E.Name = F.Name.str();
    E.KindFlag = F.IsUnion;
  };
  if (F.Declaration)
    return MakeFwd();
  // Checked before any member is looked at: a FWD refers to nothing, so
  // the members' types are not encoded for it.
  if (F.NumMembers > MaxVlen) {
    Warn("struct '" + F.Name + "' has " + Twine(F.NumMembers) +
         " members, more than BTF can hold; encoded as a forward "
         "declaration");
    return MakeFwd();
  }
  // With any bitfield the kind flag is set and every member's bitfield
  // size is written (0 for plain members), as libbpf's btf__add_field()
  // (used by pahole) does.
  bool KindFlag = false;
  std::vector<EncodedElem> Elems;
  Elems.reserve(F.NumMembers);
  // The members' decl tags, by member index, added after the struct's own.
  SmallVector<std::pair<int32_t, StringRef>, 4> MemberTags;
  for (size_t I = 0; I < F.NumMembers; ++I) {
    MemberFacts M = Member(I);
    EncodedElem &El = Elems.emplace_back();
    El.Name = M.Name.str();
    El.Type = M.Type;
    El.Offset = uint32_t(M.BitOffset);
    if (M.BitfieldSize) {
      El.Size = *M.BitfieldSize;
      KindFlag = true;
    }
    for (StringRef Tag : M.DeclTags)
      MemberTags.emplace_back(int32_t(I), Tag);
  }
  // Member() may have added types: the reference is taken afterwards.
  EncodedType &E = at(Id);
  E.TypeKind = F.IsUnion ? Kind::Union : Kind::Struct;
  E.Name = F.Name.str();
  E.Size = F.ByteSize;
  E.KindFlag = KindFlag;
  E.Elems = std::move(Elems);
  addDeclTags(Id, -1, F.DeclTags);
  for (auto [Index, Tag] : MemberTags)
    addDeclTags(Id, Index, Tag);
}

void TypeEncoder::encodeEnum(uint32_t Id, const EnumFacts &F,
                             EncodeWarning Warn) {
  // A declared-only enum has no size; pahole gives it int's.
  uint32_t Size = F.ByteSize ? F.ByteSize : 4;
  bool Is64 = Size > 4 && has(FeatEnum64);
  EncodedType E;
  E.TypeKind = Is64 ? Kind::Enum64 : Kind::Enum;
  E.Name = F.Name.str();
  E.Size = Size;
  bool AnyNegative = false;
  for (const EnumeratorFacts &V : F.Values) {
    EncodedElem El;
    El.Name = V.Name.str();
    El.Value = V.Value;
    if (!V.Unsigned && int64_t(V.Value) < 0)
      AnyNegative = true;
    if (!Is64 && Size > 4) // no enum64: pahole keeps the low 32 bits
      El.Value = uint32_t(V.Value);
    E.Elems.push_back(std::move(El));
  }
  if (E.Elems.size() > MaxVlen) {
    Warn("enum '" + F.Name + "' has too many values for BTF; kept " +
         Twine(MaxVlen));
    E.Elems.resize(MaxVlen);
  }
  // A 4-byte ENUM is signed when a value is negative (libbpf's
  // btf__add_enum_value(), which pahole uses); an ENUM64 when its
  // underlying type is (pahole's is_signed_enum).
  if (Is64)
    E.KindFlag = F.BaseSigned.value_or(false);
  else
    E.KindFlag = Size <= 4 && AnyNegative;
  at(Id) = std::move(E);
}

void TypeEncoder::encodeArray(uint32_t Id, const ArrayFacts &F) {
  // One ARRAY of all the elements, as pahole encodes every kernel's BTF
  // (btf_encoder.c: array_type__nelems multiplies the dimensions, in
  // uint32_t). int a[2][3] is ARRAY(int)[6]. Nesting one ARRAY per
  // dimension would be closer to the C type, but then no struct with such
  // a member would ever deduplicate against a pahole-made base: the base
  // holds the flat form, and the module would carry private copies of
  // those base structs (found on block/kyber-iosched.c: struct
  // kyber_cpu_latency, utils/kernel-modules/). A dimension without a
  // count (flexible array member, VLA) makes the array empty.
  uint32_t Total = 1;
  for (int64_t Count : F.Counts)
    Total *= Count > 0 ? uint32_t(std::min<int64_t>(Count, UINT32_MAX)) : 0;
  EncodedType Array;
  Array.TypeKind = Kind::Array;
  Array.Type = F.ElemType;
  Array.IndexType = indexType();
  Array.NumElems = Total;

  // Over a GCC-built base, the array carries its element's qualifiers too:
  // GCC's DWARF says const -> array -> const -> char for "const char
  // name[]" where clang's says array -> const -> char (860 such arrays in
  // Debian's 6.1 vmlinux BTF). Both are the same C type; the base's form
  // lets a struct with such a member deduplicate against it (struct
  // filename's iname, and every struct that reaches it). Id becomes the
  // outermost qualifier; the others and the array are appended.
  ArrayRef<Kind> Quals;
  if (Opts.QualifiedArrays && F.ClangForm)
    Quals = F.ElemQualifiers;
  if (Quals.empty()) {
    at(Id) = std::move(Array);
    return;
  }
  uint32_t Target = add(std::move(Array));
  for (size_t I = Quals.size(); I-- > 1;) {
    EncodedType Q;
    Q.TypeKind = Quals[I];
    Q.Type = Target;
    Target = add(std::move(Q));
  }
  EncodedType &Outer = at(Id);
  Outer = EncodedType();
  Outer.TypeKind = Quals.front();
  Outer.Type = Target;
}
