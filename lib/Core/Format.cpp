//===- Format.cpp - Facts about the on-disk kinds --------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/Format.h"

using namespace btfkit;

bool btfkit::knownKindLayout(unsigned K, KindLayout &Out) {
  uint8_t Info = 0, Elem = 0;
  switch (Kind(K)) {
  case Kind::Ptr:
  case Kind::Fwd:
  case Kind::Typedef:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::Func:
  case Kind::Float:
  case Kind::TypeTag:
    break;
  case Kind::Int:
    Info = sizeof(uint32_t);
    break;
  case Kind::Array:
    Info = sizeof(ArrayInfo);
    break;
  case Kind::Struct:
  case Kind::Union:
    Elem = sizeof(Member);
    break;
  case Kind::Enum:
    Elem = sizeof(EnumValue);
    break;
  case Kind::FuncProto:
    Elem = sizeof(Param);
    break;
  case Kind::Var:
    Info = sizeof(VarInfo);
    break;
  case Kind::Datasec:
    Elem = sizeof(VarSecInfo);
    break;
  case Kind::DeclTag:
    Info = sizeof(DeclTagInfo);
    break;
  case Kind::Enum64:
    Elem = sizeof(Enum64Value);
    break;
  default:
    return false;
  }
  Out = {Info, Elem, 0};
  return true;
}

const char *btfkit::intEncodingName(uint32_t Enc) {
  switch (Enc) {
  case 0:
    return "(none)";
  case IntSigned:
    return "SIGNED";
  case IntChar:
    return "CHAR";
  case IntBool:
    return "BOOL";
  default:
    return "UNKN";
  }
}

const char *btfkit::kindName(unsigned K) {
  static const char *const Names[] = {
      "UNKNOWN",  "INT",      "PTR",        "ARRAY",   "STRUCT",
      "UNION",    "ENUM",     "FWD",        "TYPEDEF", "VOLATILE",
      "CONST",    "RESTRICT", "FUNC",       "FUNC_PROTO", "VAR",
      "DATASEC",  "FLOAT",    "DECL_TAG",   "TYPE_TAG", "ENUM64"};
  return K <= MaxKnownKind ? Names[K] : Names[0];
}
