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
  visitTypeSlots(Rec, Fn);
}

void btfkit::forEachNameSlot(CommonType *Rec,
                             function_ref<void(uint32_t &)> Fn) {
  visitNameSlots(Rec, Fn);
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
