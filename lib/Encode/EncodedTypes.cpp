//===- EncodedTypes.cpp - An encoder's described types into BTF -----------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/Builder.h"
#include "btfkit/Encode.h"
#include "btfkit/Error.h"

#include "llvm/BinaryFormat/Dwarf.h"

using namespace btfkit;
using namespace llvm;

Error btfkit::addEncodedTypes(Builder &B, ArrayRef<EncodedType> Types,
                              StringRef Label) {
  if (Types.size() > MaxType)
    return makeError(Label,
                     "too many types for BTF (" + Twine(Types.size()) + ")");
  for (size_t I = 0; I < Types.size(); ++I) {
    const EncodedType &E = Types[I];
    uint32_t Id = 0;
    switch (E.K) {
    case Kind::Int:
      Id = B.addInt(E.Name, E.Word, E.X);
      break;
    case Kind::Float:
      Id = B.addFloat(E.Name, E.Word);
      break;
    case Kind::Ptr:
      Id = B.addPtr(E.Word);
      break;
    case Kind::Array:
      Id = B.addArray(E.X, E.Y, E.Z);
      break;
    case Kind::Struct:
    case Kind::Union:
      Id = E.K == Kind::Struct ? B.addStruct(E.Name, E.Word, E.KindFlag)
                               : B.addUnion(E.Name, E.Word, E.KindFlag);
      for (const EncodedElem &El : E.Elems)
        B.addMember(El.Name, El.A, El.B, E.KindFlag ? El.C : 0);
      break;
    case Kind::Enum:
      Id = B.addEnum(E.Name, E.Word, E.KindFlag);
      for (const EncodedElem &El : E.Elems)
        B.addEnumValue(El.Name, int64_t(El.Value));
      break;
    case Kind::Enum64:
      Id = B.addEnum64(E.Name, E.Word, E.KindFlag);
      for (const EncodedElem &El : E.Elems)
        B.addEnum64Value(El.Name, El.Value);
      break;
    case Kind::Fwd:
      Id = B.addFwd(E.Name, E.KindFlag);
      break;
    case Kind::Typedef:
      Id = B.addTypedef(E.Name, E.Word);
      break;
    case Kind::Const:
    case Kind::Volatile:
    case Kind::Restrict:
      Id = B.addModifier(E.K, E.Word);
      break;
    case Kind::TypeTag:
      Id = B.addTypeTag(E.Name, E.Word);
      break;
    case Kind::FuncProto:
      Id = B.addFuncProto(E.Word);
      for (const EncodedElem &El : E.Elems)
        B.addParam(El.Name, El.A);
      break;
    case Kind::Func:
      Id = B.addFunc(E.Name, E.Word, FuncLinkage(E.X));
      break;
    case Kind::Var:
      Id = B.addVar(E.Name, E.Word, VarLinkage(E.X));
      break;
    case Kind::Datasec:
      Id = B.addDatasec(E.Name, E.Word);
      for (const EncodedElem &El : E.Elems)
        B.addSecInfo(El.A, El.B, El.C);
      break;
    case Kind::DeclTag:
      Id = B.addDeclTag(E.Name, E.Word, E.Component);
      break;
    default:
      return makeError(Label, "internal error: type " + Twine(I + 1) +
                                  " was reserved but never described");
    }
    if (Id != I + 1)
      return makeError(Label, "internal error: type " + Twine(I + 1) +
                                  " got id " + Twine(Id));
  }
  return Error::success();
}

BaseTypeForm btfkit::baseTypeForm(unsigned Ate) {
  BaseTypeForm F;
  switch (Ate) {
  case dwarf::DW_ATE_float:
    F.How = BaseTypeForm::Float;
    break;
  case dwarf::DW_ATE_signed:
  case dwarf::DW_ATE_signed_char:
  case dwarf::DW_ATE_signed_fixed:
    F.IntEncoding = IntSigned;
    break;
  case dwarf::DW_ATE_boolean:
    F.IntEncoding = IntBool;
    break;
  case dwarf::DW_ATE_unsigned:
  case dwarf::DW_ATE_unsigned_char:
  case dwarf::DW_ATE_unsigned_fixed:
  case dwarf::DW_ATE_UTF:
    break;
  default:
    F.How = BaseTypeForm::Unsupported;
    break;
  }
  return F;
}

std::optional<Kind> btfkit::qualifierKind(unsigned DwTag) {
  switch (DwTag) {
  case dwarf::DW_TAG_const_type:
    return Kind::Const;
  case dwarf::DW_TAG_volatile_type:
    return Kind::Volatile;
  case dwarf::DW_TAG_restrict_type:
    return Kind::Restrict;
  default:
    return std::nullopt;
  }
}

void btfkit::describeQualifiedArray(std::vector<EncodedType> &Types,
                                    uint32_t Id, EncodedType Array,
                                    ArrayRef<Kind> Quals) {
  if (Quals.empty()) {
    Types[Id - 1] = std::move(Array);
    return;
  }
  Types.push_back(std::move(Array));
  uint32_t Target = uint32_t(Types.size());
  for (size_t I = Quals.size(); I-- > 1;) {
    EncodedType Q;
    Q.K = Quals[I];
    Q.Word = Target;
    Types.push_back(std::move(Q));
    Target = uint32_t(Types.size());
  }
  EncodedType &Outer = Types[Id - 1];
  Outer = EncodedType();
  Outer.K = Quals.front();
  Outer.Word = Target;
}

uint32_t EncodedInts::get(std::vector<EncodedType> &Types, IntNameMap *Names,
                          StringRef Name, uint32_t Size, uint32_t Encoding) {
  // DWARF 5 has DW_ATE_[un]signed_N helper types of any size; pahole 1.24
  // replaces INTs of a size BTF cannot hold by this 4-byte stand-in.
  if (Size == 0 || Size > 16 || (Size & (Size - 1))) {
    Name = "__SANITIZED_FAKE_INT__";
    Size = 4;
  }
  if (Names) {
    StringRef Mapped = Names->lookup(Name, Size, Encoding);
    if (!Mapped.empty())
      Name = Mapped;
  }
  std::string Key = (Name + "/" + Twine(Size) + "/" + Twine(Encoding)).str();
  auto [It, New] = Ids.try_emplace(Key, 0);
  if (New) {
    EncodedType E;
    E.K = Kind::Int;
    E.Name = Name.str();
    E.Word = Size;
    E.X = Encoding;
    Types.push_back(std::move(E));
    It->second = uint32_t(Types.size());
  }
  return It->second;
}
