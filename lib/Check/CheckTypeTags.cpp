//===- CheckTypeTags.cpp - The kernel's modifier-chain rules --------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// btf_check_type_tags (btf_check_modifier_chain_length from
// AnyModifierOrder on), run on every BTF the kernel loads (vmlinux,
// modules, BPF_BTF_LOAD): no chain of modifiers (TYPEDEF, VOLATILE, CONST,
// RESTRICT, TYPE_TAG) walked from a new type is longer than 32; and before
// AnyModifierOrder, the TYPE_TAGs of a chain come first, so that "PTR ->
// TYPE_TAG -> CONST -> INT" is fine and "PTR -> CONST -> TYPE_TAG -> INT"
// is not.
//
// The walk from each modifier stops at a modifier already checked (one
// with a smaller id than the last checked), as the kernel's does, so the
// length limit counts exactly what the kernel counts.
//
//===----------------------------------------------------------------------===//

#include "Checker.h"

using namespace btfkit;
using namespace btfkit::check;
using namespace llvm;

void btfkit::check::checkTypeTags(Checker &C) {
  const BTF &B = C.B;
  const bool TagsFirst = !C.Rules.has(RuleChange::AnyModifierOrder);
  int64_t GoodId = int64_t(B.firstId()) - 1;
  for (uint32_t Id = B.firstId(), End = B.endId(); Id < End; ++Id) {
    Type T = B.type(Id);
    if (!isKernelModifier(T))
      continue;
    int ChainLimit = 32;
    uint32_t Cur = Id;
    bool InTags = T.is(Kind::TypeTag);
    while (isKernelModifier(T)) {
      if (!ChainLimit--) {
        C.reportType(ValidationPhase::TypeTags, Id,
                     "Max chain length or cycle detected", "", ELoop,
                     "more than 32 modifiers in a row");
        break;
      }
      if (T.is(Kind::TypeTag)) {
        if (TagsFirst && !InTags) {
          C.reportType(ValidationPhase::TypeTags, Id,
                       "Type tags don't precede modifiers", "", EInval,
                       "TYPE_TAG [" + Twine(Cur) + "] follows a modifier");
          break;
        }
      } else {
        InTags = false;
      }
      if (int64_t(Cur) <= GoodId)
        break;
      Cur = T.typeId();
      T = B.type(Cur);
    }
    if (C.stopped())
      return;
    GoodId = Id;
  }
}
