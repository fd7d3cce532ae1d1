//===- btfkit/Diff.h - Comparing BTFs by type equivalence -------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Two BTFs describe the same types when every type of one has a
/// structurally equivalent type in the other, whatever the ids and the
/// string layout. Equivalence here is the coarsest one that agrees on every
/// record field (kind, name, size, members' names and offsets, enumerator
/// values, ...) and on the equivalence of the types referenced: computed by
/// partition refinement over both type graphs at once, so cycles need no
/// special care. Base types count like any other (a split type equivalent to
/// a base type matches it).
///
/// The same classes give a canonical order of a BTF's types, used to compare
/// two deduplicated results type by type (docs/Dedup.md).
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_DIFF_H
#define BTFKIT_DIFF_H

#include "btfkit/BTF.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace btfkit {

/// One type of one side without an equivalent on the other.
struct DiffEntry {
  uint32_t Id = 0;
  /// "STRUCT 'foo'" (describeType()).
  std::string What;
  /// Why: "missing", "size differs (8 vs 16)", "member 'x' differs", ...
  std::string Reason;
};

struct DiffResult {
  std::vector<DiffEntry> OnlyInA;
  std::vector<DiffEntry> OnlyInB;
  bool equivalent() const { return OnlyInA.empty() && OnlyInB.empty(); }
};

/// Compares the types \p A and \p B define. When both are split their
/// bases are compared too (base types only ever match, they are not
/// listed).
DiffResult diffBTF(const BTF &A, const BTF &B);

/// Prints \p R as btf-diff does: one line per type, "-" for A, "+" for B.
void printDiff(const DiffResult &R, const BTF &A, const BTF &B,
               llvm::raw_ostream &OS);

/// The own types of \p B in canonical order (old ids, base excluded): by
/// equivalence class signature, then kind, then id. Two BTFs with the same
/// types up to ids and string layout give the same sequence of classes.
std::vector<uint32_t> canonicalOrder(const BTF &B);

/// \p B rewritten with its own types in canonicalOrder(), ids renumbered,
/// over the same base.
llvm::Expected<std::unique_ptr<BTF>> canonicalize(const BTF &B);

} // namespace btfkit

#endif // BTFKIT_DIFF_H
