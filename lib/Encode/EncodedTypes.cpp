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
