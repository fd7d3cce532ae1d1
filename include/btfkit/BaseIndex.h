//===- btfkit/BaseIndex.h - A target base, indexed for relocation -*- C++ -*-//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// What relocation needs to know about a target base (a vmlinux BTF), found
/// once: for every name, the named INT, FLOAT, ENUM, ENUM64, FWD, STRUCT and
/// UNION types that carry it, in id order, with their kind, flag, size and
/// INT encoding, and whether the kernel's matcher compares sizes for them
/// (it does for INT/FLOAT/ENUM/ENUM64 always, and for a STRUCT/UNION whose
/// name offset is shared by another composite). libbpf and the kernel
/// recompute all of this for every module they relocate; an index built
/// once makes relocating many modules onto one kernel cheap.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_BASEINDEX_H
#define BTFKIT_BASEINDEX_H

#include "btfkit/BTF.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringRef.h"

#include <vector>

namespace btfkit {

class BaseIndex {
public:
  /// One named type of the base a distilled type may match.
  struct Entry {
    uint32_t Id;
    uint32_t NameOff;
    uint32_t Size; // the size word (0 for FWD)
    Kind K;
    bool KindFlag;
    /// The kernel compares the name *and* size for this type (see above).
    bool NeedsSize;
    uint8_t IntEncoding; // INT only
  };

  /// Indexes \p Target, which must outlive the index.
  explicit BaseIndex(const BTF &Target);

  const BTF &btf() const { return Target; }
  /// The types named \p Name, ascending ids; empty when there are none.
  llvm::ArrayRef<Entry> lookup(llvm::StringRef Name) const;
  /// The number of indexed types.
  size_t numEntries() const { return Entries.size(); }

private:
  const BTF &Target;
  std::vector<Entry> Entries; // grouped by name, ascending id in a group
  /// Name -> [begin, end) in Entries.
  llvm::DenseMap<llvm::StringRef, std::pair<uint32_t, uint32_t>> ByName;
};

} // namespace btfkit

#endif // BTFKIT_BASEINDEX_H
