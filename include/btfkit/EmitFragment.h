//===- btfkit/EmitFragment.h - A translation unit's fragment ----*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// What the compiler plugin does with a translation unit's BTF once the
/// debug info is converted (Emit.h), without LLVM IR:
///
///   makeSplitFragment   standalone TU types -> split over the base ->
///                       deduplicated against it (Dedup.h) -> distilled
///                       (Distill.h) -> the embedded-type tags: the blobs
///                       of a fragment (docs/FragmentFormat.md).
///
/// The base comes loaded (IndexedBase.h): with its dedup index when the
/// cache has one, else deduplication indexes only the base types the unit
/// could meet (DedupBase::createFor).
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_EMITFRAGMENT_H
#define BTFKIT_EMITFRAGMENT_H

#include "btfkit/BTF.h"
#include "btfkit/Emit.h"
#include "btfkit/Fragment.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace btfkit {

/// A base BTF as one compilation uses it; read-only once loaded, so it can
/// be shared by threads (lld's LTO backends).
class DedupBase;

struct SplitFragment {
  /// The distilled base (a base BTF).
  std::vector<uint8_t> DistilledBase;
  /// The unit's types, split over the distilled base.
  std::vector<uint8_t> Types;
  /// DECL_TAG "btfkit:embedded" (component -1) on every distilled
  /// STRUCT/UNION a split type holds by value; split over distilled base +
  /// types. Present (possibly without types) whenever the rest is.
  std::vector<uint8_t> EmbeddedTags;

  /// Figures for diagnostics and benchmarks.
  uint32_t TypesIn = 0;      ///< the unit's types before deduplication
  uint32_t TypesDeduped = 0; ///< split types left after deduplication
  uint32_t TypesOut = 0;     ///< split types after distillation
  uint32_t DistilledTypes = 0;
  uint32_t EmbeddedComposites = 0;
};

/// The value of the embedded-type tags.
constexpr const char *EmbeddedTagValue = "btfkit:embedded";

/// Turns \p Standalone (a standalone BTF blob, as convertDebugInfo() makes
/// it) into a fragment's blobs over \p Base: the types are renumbered over
/// Base, deduplicated against it (a type equal to a base type becomes a
/// reference to it), the base is distilled, and the distilled composites
/// held by value are tagged. \p Name names the unit in diagnostics.
llvm::Expected<SplitFragment>
makeSplitFragment(llvm::ArrayRef<uint8_t> Standalone, const BTF &Base,
                  llvm::StringRef Name, const DedupBase *Index = nullptr);

/// \p Standalone renumbered as split BTF over \p Base, nothing merged: ids
/// shift by Base's type count, string offsets by its string table's size.
llvm::Expected<std::unique_ptr<BTF>>
standaloneOverBase(llvm::ArrayRef<uint8_t> Standalone, const BTF &Base,
                   llvm::StringRef Name);

} // namespace btfkit

#endif // BTFKIT_EMITFRAGMENT_H
