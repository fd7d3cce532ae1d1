//===- TypeWalk.cpp - The references and names of a type -----------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/TypeWalk.h"

using namespace btfkit;
using namespace llvm;

void btfkit::forEachTypeSlot(CommonType *Rec,
                             function_ref<void(uint32_t &)> Fn) {
  uint32_t Vlen = infoVlen(Rec->Info);
  void *Extra = Rec + 1;
  switch (Kind(infoKind(Rec->Info))) {
  case Kind::Ptr:
  case Kind::Typedef:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::Func:
  case Kind::Var:
  case Kind::DeclTag:
  case Kind::TypeTag:
    Fn(Rec->SizeOrType);
    return;
  case Kind::Array: {
    auto *A = static_cast<ArrayInfo *>(Extra);
    Fn(A->Type);
    Fn(A->IndexType);
    return;
  }
  case Kind::Struct:
  case Kind::Union: {
    auto *M = static_cast<Member *>(Extra);
    for (uint32_t I = 0; I < Vlen; ++I)
      Fn(M[I].Type);
    return;
  }
  case Kind::FuncProto: {
    Fn(Rec->SizeOrType);
    auto *P = static_cast<Param *>(Extra);
    for (uint32_t I = 0; I < Vlen; ++I)
      Fn(P[I].Type);
    return;
  }
  case Kind::Datasec: {
    auto *S = static_cast<VarSecInfo *>(Extra);
    for (uint32_t I = 0; I < Vlen; ++I)
      Fn(S[I].Type);
    return;
  }
  default: // INT, ENUM, FWD, FLOAT, ENUM64 and unknown kinds refer to none.
    return;
  }
}

void btfkit::forEachNameSlot(CommonType *Rec,
                             function_ref<void(uint32_t &)> Fn) {
  Fn(Rec->NameOff);
  uint32_t Vlen = infoVlen(Rec->Info);
  void *Extra = Rec + 1;
  switch (Kind(infoKind(Rec->Info))) {
  case Kind::Struct:
  case Kind::Union: {
    auto *M = static_cast<Member *>(Extra);
    for (uint32_t I = 0; I < Vlen; ++I)
      Fn(M[I].NameOff);
    return;
  }
  case Kind::Enum: {
    auto *E = static_cast<EnumValue *>(Extra);
    for (uint32_t I = 0; I < Vlen; ++I)
      Fn(E[I].NameOff);
    return;
  }
  case Kind::Enum64: {
    auto *E = static_cast<Enum64Value *>(Extra);
    for (uint32_t I = 0; I < Vlen; ++I)
      Fn(E[I].NameOff);
    return;
  }
  case Kind::FuncProto: {
    auto *P = static_cast<Param *>(Extra);
    for (uint32_t I = 0; I < Vlen; ++I)
      Fn(P[I].NameOff);
    return;
  }
  default:
    return;
  }
}

void btfkit::forEachTypeRef(const Type &T, function_ref<void(uint32_t)> Fn) {
  if (T.isVoid())
    return;
  // The slot walker only reads through the pointer here.
  forEachTypeSlot(const_cast<CommonType *>(&T.common()),
                  [&](uint32_t &Slot) { Fn(Slot); });
}

void btfkit::forEachNameRef(const Type &T, function_ref<void(uint32_t)> Fn) {
  if (T.isVoid())
    return;
  forEachNameSlot(const_cast<CommonType *>(&T.common()),
                  [&](uint32_t &Slot) { Fn(Slot); });
}

Type btfkit::skipModsAndTypedefs(const BTF &B, uint32_t Id) {
  Type T = B.type(Id);
  while (T.is(Kind::Typedef) || T.isModifier())
    T = B.type(T.typeId());
  return T;
}
