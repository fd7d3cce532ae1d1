//===- btfkit/Distill.h - Distilling a split BTF's base ---------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// distill() turns split BTF over its full base (a module's .BTF over
/// vmlinux) into the pair resilient split BTF is made of: a distilled base
/// (.BTF.base) holding just what is needed to find the base types again on
/// another kernel, and a new split BTF over it. The result is the one
/// libbpf's btf__distill_base() gives, type order and string order
/// included:
///
///  - base types the split refers to (directly, or through base PTR, ARRAY,
///    TYPEDEF, modifiers, FUNC_PROTO, TYPE_TAG and anonymous composites),
///    taken in base id order;
///  - INT, FLOAT, FWD go to the distilled base as they are; named STRUCT and
///    UNION as memberless ones of the same size; named ENUM and ENUM64 as a
///    memberless unsigned ENUM of the same size;
///  - every other such type (anonymous composites and enums, PTR, ARRAY,
///    TYPEDEF, modifiers, FUNC_PROTO, TYPE_TAG) is copied into the new split
///    after the original split types;
///  - ids are remapped, strings found in the distilled base are shared.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_DISTILL_H
#define BTFKIT_DISTILL_H

#include "btfkit/BTF.h"

#include "llvm/Support/Error.h"

#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace btfkit {

struct DistillResult {
  /// The distilled base: a standalone BTF.
  std::unique_ptr<BTF> Base;
  /// The new split BTF, over *Base.
  std::unique_ptr<BTF> Split;

  /// Where input type \p OldId went: its id in Base or Split, or
  /// std::nullopt for a base type the result does not carry (no split type
  /// needs it) and for ids past the input. 0 (void) stays 0. Whoever holds
  /// ids of the input (a module's .BTF_ids) renumbers them with this.
  std::optional<uint32_t> newId(uint32_t OldId) const;

  /// The input's base ids the result carries, ascending, with their new
  /// ids; the input's split ids [OldSplitStart, OldEnd) keep their order
  /// and start at Base->endId().
  std::vector<std::pair<uint32_t, uint32_t>> BaseIdMap;
  uint32_t OldSplitStart = 0, OldEnd = 0;
};

/// Distills \p Split, which must be split BTF over its full base. Fails,
/// naming the types involved, when the split is not split BTF or refers
/// (directly or through base types) to a base FUNC, VAR, DATASEC, DECL_TAG
/// or a kind this library does not know: libbpf refuses those too.
llvm::Expected<DistillResult> distill(const BTF &Split);

/// distill()'s result as the raw blobs a writer takes (host byte order,
/// classic header), the bytes serializeBTF() gives for DistillResult's
/// Base and Split. The new split is not loaded back: a batch of thousands
/// of modules (btf-distill --output-dir) writes it as it was made.
struct DistilledBlobs {
  std::vector<uint8_t> Base, Split;
};
llvm::Expected<DistilledBlobs> distillBlobs(const BTF &Split);

/// The kinds a distilled base holds (and a relocation target is searched
/// for): INT, FLOAT, ENUM/ENUM64, FWD, STRUCT, UNION.
bool isDistilledBaseKind(Kind K);

} // namespace btfkit

#endif // BTFKIT_DISTILL_H
