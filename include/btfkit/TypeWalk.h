//===- btfkit/TypeWalk.h - The references and names of a type ---*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The one place that knows which words of a type record are type ids and
/// which are string offsets. Every algorithm (reader checks, validation,
/// dedup, distill, relocate, copying between BTFs) walks records through
/// these functions, so adding a kind means teaching it here once.
///
/// The slot visitors work on raw record words so that a copied record can be
/// rewritten in place (ids remapped, strings moved).
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_TYPEWALK_H
#define BTFKIT_TYPEWALK_H

#include "btfkit/BTF.h"

#include "llvm/ADT/STLFunctionalExtras.h"

#include <type_traits>

namespace btfkit {

/// Inline forms of the slot visitors below, for hot loops (the reader's
/// structural checks run once per record of every file loaded). \p Rec
/// points to CommonType or const CommonType; \p Fn takes a uint32_t
/// reference of the same constness.
template <typename RecT, typename FnT>
inline void visitTypeSlots(RecT *Rec, FnT &&Fn) {
  constexpr bool IsConst = std::is_const_v<RecT>;
  auto Elems = [&](auto *Tag) {
    using T = std::remove_pointer_t<decltype(Tag)>;
    return reinterpret_cast<std::conditional_t<IsConst, const T, T> *>(Rec +
                                                                       1);
  };
  uint32_t Vlen = infoVlen(Rec->Info);
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
    auto *A = Elems((ArrayInfo *)nullptr);
    Fn(A->Type);
    Fn(A->IndexType);
    return;
  }
  case Kind::Struct:
  case Kind::Union: {
    auto *M = Elems((Member *)nullptr);
    for (uint32_t I = 0; I < Vlen; ++I)
      Fn(M[I].Type);
    return;
  }
  case Kind::FuncProto: {
    Fn(Rec->SizeOrType);
    auto *P = Elems((Param *)nullptr);
    for (uint32_t I = 0; I < Vlen; ++I)
      Fn(P[I].Type);
    return;
  }
  case Kind::Datasec: {
    auto *S = Elems((VarSecInfo *)nullptr);
    for (uint32_t I = 0; I < Vlen; ++I)
      Fn(S[I].Type);
    return;
  }
  default: // INT, ENUM, FWD, FLOAT, ENUM64 and unknown kinds refer to none.
    return;
  }
}

template <typename RecT, typename FnT>
inline void visitNameSlots(RecT *Rec, FnT &&Fn) {
  constexpr bool IsConst = std::is_const_v<RecT>;
  auto Elems = [&](auto *Tag) {
    using T = std::remove_pointer_t<decltype(Tag)>;
    return reinterpret_cast<std::conditional_t<IsConst, const T, T> *>(Rec +
                                                                       1);
  };
  Fn(Rec->NameOff);
  uint32_t Vlen = infoVlen(Rec->Info);
  switch (Kind(infoKind(Rec->Info))) {
  case Kind::Struct:
  case Kind::Union: {
    auto *M = Elems((Member *)nullptr);
    for (uint32_t I = 0; I < Vlen; ++I)
      Fn(M[I].NameOff);
    return;
  }
  case Kind::Enum: {
    auto *E = Elems((EnumValue *)nullptr);
    for (uint32_t I = 0; I < Vlen; ++I)
      Fn(E[I].NameOff);
    return;
  }
  case Kind::Enum64: {
    auto *E = Elems((Enum64Value *)nullptr);
    for (uint32_t I = 0; I < Vlen; ++I)
      Fn(E[I].NameOff);
    return;
  }
  case Kind::FuncProto: {
    auto *P = Elems((Param *)nullptr);
    for (uint32_t I = 0; I < Vlen; ++I)
      Fn(P[I].NameOff);
    return;
  }
  default:
    return;
  }
}

/// Calls \p Fn on every type-id word of the record at \p Rec, in record
/// order (for ARRAY: element type, then index type).
void forEachTypeSlot(CommonType *Rec, llvm::function_ref<void(uint32_t &)> Fn);
/// Calls \p Fn on every string-offset word of the record at \p Rec: the
/// type's name, then member / enumerator / parameter names.
void forEachNameSlot(CommonType *Rec, llvm::function_ref<void(uint32_t &)> Fn);

/// Read-only forms over a Type view.
void forEachTypeRef(const Type &T, llvm::function_ref<void(uint32_t)> Fn);
void forEachNameRef(const Type &T, llvm::function_ref<void(uint32_t)> Fn);

/// Follows TYPEDEF and modifiers (CONST, VOLATILE, RESTRICT, TYPE_TAG) from
/// \p Id to the first other type. The chain must be loop-free (BTF
/// guarantees it).
Type skipModsAndTypedefs(const BTF &B, uint32_t Id);

} // namespace btfkit

#endif // BTFKIT_TYPEWALK_H
