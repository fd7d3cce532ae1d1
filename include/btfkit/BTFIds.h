//===- btfkit/BTFIds.h - A module's .BTF_ids section ------------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The .BTF_ids section of a kernel object as the kernel's resolve_btfids
/// (tools/bpf/resolve_btfids/main.c) reads it. The BTF_ID() macros of
/// include/linux/btf_ids.h leave, per id, a zeroed 32-bit word marked by a
/// local symbol
///
///   __BTF_ID__<kind>__<name>__<n>     kind: struct, union, typedef, func
///
/// and per sorted set a header marked by __BTF_ID__set__<name> (u32 count,
/// then u32 ids) or __BTF_ID__set8__<name> (u32 count, u32 flags, then
/// {u32 id, u32 flags} pairs). resolve_btfids writes into each word the id
/// of the first type of that kind and name in the object's BTF, each set's
/// count (from its symbol's size), and sorts every set by id, since the
/// kernel binary-searches them. Everything else in the section (the flags,
/// BTF_ID_UNUSED words) is left alone.
///
/// Those ids are numbers in one BTF's numbering: whoever renumbers the
/// BTF (btf-distill) rewrites them (DistillModule.h).
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_BTFIDS_H
#define BTFKIT_BTFIDS_H

#include "btfkit/Format.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace btfkit {

constexpr const char *BTFIdsSectionName = ".BTF_ids";

/// One symbol resolve_btfids patches.
struct BTFIdSymbol {
  enum SymbolKind : uint8_t { Struct, Union, Typedef, Func, Set, Set8 };
  SymbolKind Kind;
  /// The whole symbol name, for messages.
  std::string Symbol;
  /// The name of the type or function the id slot names, or the set's name.
  std::string Name;
  /// Where the id word (for a set: its header) is in the section.
  uint64_t Offset = 0;
  /// The symbol's size: for a set, its header and entries, which is how
  /// resolve_btfids counts them (size / entry size - 1).
  uint64_t Size = 0;

  bool isSet() const { return Kind == Set || Kind == Set8; }
  /// The BTF kind an id slot names (not for sets).
  btfkit::Kind btfKind() const;
  /// "struct", "func", "set8", ...: the kind as the symbol spells it.
  llvm::StringRef kindName() const;
};

/// A module's .BTF_ids and the symbols over it.
struct BTFIdsSection {
  /// The section's bytes as the file holds them (the file's byte order).
  llvm::ArrayRef<uint8_t> Data;
  bool LittleEndian = true;
  /// In section order (by offset; symbols at one offset in symbol table
  /// order).
  std::vector<BTFIdSymbol> Symbols;

  /// The 32-bit word at \p Offset (Offset + 4 <= Data.size()), host order.
  uint32_t word(uint64_t Offset) const;
};

/// Reads the .BTF_ids section of the ELF image \p Image and the symbols
/// resolve_btfids patches in it: symbols defined in that section whose
/// names start with "__BTF_ID__", parsed as resolve_btfids parses them.
/// std::nullopt when there is no .BTF_ids section: the symbol table is read
/// only when there is one. Errors name \p Path, the section and the
/// symbol: a kind resolve_btfids does not know (it refuses it too), a name
/// it cannot parse, a word outside the section.
llvm::Expected<std::optional<BTFIdsSection>>
readBTFIds(llvm::StringRef Path, llvm::ArrayRef<uint8_t> Image);

} // namespace btfkit

#endif // BTFKIT_BTFIDS_H
