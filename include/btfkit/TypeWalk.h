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

namespace btfkit {

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
