//===- EncodeScalars.cpp - Base types, pointers, typedefs, tags -----------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The TypeEncoder's bookkeeping (ids, the INT table, the array index type)
// and pahole 1.24's rules for the kinds that wrap one other type: INT and
// FLOAT, PTR with its TYPE_TAGs, TYPEDEF, the qualifiers, DECL_TAG.
//
//===----------------------------------------------------------------------===//

#include "btfkit/EncodePolicy.h"

#include "llvm/BinaryFormat/Dwarf.h"

using namespace btfkit;
using namespace llvm;

uint32_t TypeEncoder::reserve() { return add(EncodedType()); }

uint32_t TypeEncoder::add(EncodedType E) {
  Types.push_back(std::move(E));
  return uint32_t(Types.size());
}

uint32_t TypeEncoder::intType(StringRef Name, uint32_t Size,
                              uint32_t Encoding) {
  // DWARF 5 has DW_ATE_[un]signed_N helper types of any size; pahole 1.24
  // replaces INTs of a size BTF cannot hold by this 4-byte stand-in.
  if (Size == 0 || Size > 16 || (Size & (Size - 1))) {
    Name = "__SANITIZED_FAKE_INT__";
    Size = 4;
  }
  if (IntNames) {
    StringRef Mapped = IntNames->lookup(Name, Size, Encoding);
    if (!Mapped.empty())
      Name = Mapped;
  }
  // One INT per C type, however many base type entries name it.
  std::string Key = (Name + "/" + Twine(Size) + "/" + Twine(Encoding)).str();
  auto [It, New] = IntIds.try_emplace(Key, 0);
  if (New) {
    EncodedType E;
    E.TypeKind = Kind::Int;
    E.Name = Name.str();
    E.Size = Size;
    E.IntEncoding = Encoding;
    It->second = add(std::move(E));
  }
  return It->second;
}

uint32_t TypeEncoder::indexType() {
  // pahole 1.24 indexes arrays by the CU's "int", adding one if the CU has
  // none; it is the same INT either way.
  if (!IndexTypeId)
    IndexTypeId = intType("int", 4, IntSigned);
  return IndexTypeId;
}

uint32_t TypeEncoder::encodeBaseType(StringRef Name, uint32_t ByteSize,
                                     unsigned Ate, EncodeWarning Warn) {
  BaseTypeForm F = baseTypeForm(Ate);
  if (F.How == BaseTypeForm::Float && has(FeatFloat)) {
    EncodedType E;
    E.TypeKind = Kind::Float;
    E.Name = Name.str();
    E.Size = ByteSize;
    return add(std::move(E));
  }
  // Complex and decimal floats: BTF has no kind for them. An INT of the
  // same size keeps the layouts of the structs that hold one. (Floats
  // without the float feature: an INT without encoding, as pahole without
  // --btf_gen_floats.)
  if (F.How == BaseTypeForm::Unsupported) {
    StringRef EncName = dwarf::AttributeEncodingString(Ate);
    Warn("base type '" + Name + "' (" +
         (EncName.empty() ? "encoding " + Twine(Ate) : Twine(EncName)) +
         ") has no BTF kind; encoded as an INT of its size");
  }
  return intType(Name, ByteSize, F.IntEncoding);
}

void TypeEncoder::encodePointer(uint32_t Id, uint32_t Target,
                                ArrayRef<StringRef> TypeTags) {
  // clang 19 hangs the btf_type_tag attributes of the pointee on the
  // pointer, in source order: for "int __a __b *p" the BTF chain is
  // PTR -> __b -> __a -> int (what the BPF backend and pahole make of it).
  if (has(FeatTypeTag))
    for (StringRef Tag : TypeTags) {
      EncodedType E;
      E.TypeKind = Kind::TypeTag;
      E.Name = Tag.str();
      E.Type = Target;
      Target = add(std::move(E));
    }
  EncodedType &E = at(Id);
  E.TypeKind = Kind::Ptr;
  E.Type = Target;
}

void TypeEncoder::encodeTypedef(uint32_t Id, StringRef Name, uint32_t Target,
                                ArrayRef<StringRef> DeclTags) {
  EncodedType &E = at(Id);
  E.TypeKind = Kind::Typedef;
  E.Name = Name.str();
  E.Type = Target;
  addDeclTags(Id, -1, DeclTags);
}

void TypeEncoder::encodeQualifier(uint32_t Id, unsigned DwTag,
                                  uint32_t Target) {
  EncodedType &E = at(Id);
  // C++'s immutable_type (D's immutable) reads as const.
  E.TypeKind = qualifierKind(DwTag).value_or(Kind::Const);
  E.Type = Target;
}

void TypeEncoder::addDeclTags(uint32_t Target, int32_t Component,
                              ArrayRef<StringRef> Values) {
  if (!has(FeatDeclTag))
    return;
  for (StringRef V : Values) {
    EncodedType E;
    E.TypeKind = Kind::DeclTag;
    E.Name = V.str();
    E.Type = Target;
    E.Component = Component;
    add(std::move(E));
  }
}
