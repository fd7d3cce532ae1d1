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
    switch (E.TypeKind) {
    case Kind::Int:
      Id = B.addInt(E.Name, E.Size, E.IntEncoding);
      break;
    case Kind::Float:
      Id = B.addFloat(E.Name, E.Size);
      break;
    case Kind::Ptr:
      Id = B.addPtr(E.Type);
      break;
    case Kind::Array:
      Id = B.addArray(E.Type, E.IndexType, E.NumElems);
      break;
    case Kind::Struct:
    case Kind::Union:
      Id = E.TypeKind == Kind::Struct ? B.addStruct(E.Name, E.Size, E.KindFlag)
                                      : B.addUnion(E.Name, E.Size, E.KindFlag);
      for (const EncodedElem &El : E.Elems)
        B.addMember(El.Name, El.Type, El.Offset, E.KindFlag ? El.Size : 0);
      break;
    case Kind::Enum:
      Id = B.addEnum(E.Name, E.Size, E.KindFlag);
      for (const EncodedElem &El : E.Elems)
        B.addEnumValue(El.Name, int64_t(El.Value));
      break;
    case Kind::Enum64:
      Id = B.addEnum64(E.Name, E.Size, E.KindFlag);
      for (const EncodedElem &El : E.Elems)
        B.addEnum64Value(El.Name, El.Value);
      break;
    case Kind::Fwd:
      Id = B.addFwd(E.Name, E.KindFlag);
      break;
    case Kind::Typedef:
      Id = B.addTypedef(E.Name, E.Type);
      break;
    case Kind::Const:
    case Kind::Volatile:
    case Kind::Restrict:
      Id = B.addModifier(E.TypeKind, E.Type);
      break;
    case Kind::TypeTag:
      Id = B.addTypeTag(E.Name, E.Type);
      break;
    case Kind::FuncProto:
      Id = B.addFuncProto(E.Type);
      for (const EncodedElem &El : E.Elems)
        B.addParam(El.Name, El.Type);
      break;
    case Kind::Func:
      Id = B.addFunc(E.Name, E.Type, FuncLinkage(E.Linkage));
      break;
    case Kind::Var:
      Id = B.addVar(E.Name, E.Type, VarLinkage(E.Linkage));
      break;
    case Kind::Datasec:
      Id = B.addDatasec(E.Name, E.Size);
      for (const EncodedElem &El : E.Elems)
        B.addSecInfo(El.Type, El.Offset, El.Size);
      break;
    case Kind::DeclTag:
      Id = B.addDeclTag(E.Name, E.Type, E.Component);
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
