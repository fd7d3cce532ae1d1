//===- btfkit/ForeignBase.h - Is this split BTF this kernel's? --*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// A classic split BTF (a module's .BTF without .BTF.base) is only right
/// over the vmlinux BTF it was made against: its type ids and string
/// offsets continue that base's. Read over another build's vmlinux, its
/// names and type references land wherever the other base puts them, and
/// the kernel's module-load checks often do not notice: the module loads
/// and its BTF is garbage (a 6.12.95 module's `struct xxhash64_tfm_ctx`
/// reads back from 6.12.117 as `struct t_list`).
///
/// checkForeignBase() looks at a classic split BTF as read over a kernel
/// for the marks such a reading leaves, each of which a split BTF read over
/// its own base never has (docs/Relocation.md, "Accepted but wrong"):
///
/// - a name that starts in the middle of a string, in the kernel's string
///   table or in the module's own (BTF producers write every name as a
///   string of its own);
/// - a FUNC whose name is no function the module's ELF defines (pahole
///   encodes only functions of the symbol table);
/// - a type no compiler writes: one the kernel's resolve pass refuses
///   ("Member exceeds struct_size", "Invalid type_id"; BPF_BTF_LOAD runs
///   it, module loading does not), or one that uses a FUNC as a type.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_FOREIGNBASE_H
#define BTFKIT_FOREIGNBASE_H

#include "btfkit/BTF.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"

#include <optional>
#include <string>
#include <vector>

namespace btfkit {

/// Which mark a finding is.
enum class ForeignMark {
  MidStringName, ///< a name offset that is not the start of a string
  NotASymbol,    ///< a FUNC the module's ELF does not define
  BadType,       ///< a type no compiler writes
};
constexpr ForeignMark AllForeignMarks[] = {
    ForeignMark::MidStringName, ForeignMark::NotASymbol, ForeignMark::BadType};

/// "mid-string-name", "not-a-symbol", "bad-type" (the JSON names).
llvm::StringRef foreignMarkName(ForeignMark M);

/// One mark, on one type of the split.
struct ForeignFinding {
  ForeignMark Mark;
  uint32_t TypeId = 0;
  /// A sentence naming the type and what is wrong, e.g. "[113922] STRUCT
  /// 't_list': name offset 2053753 starts mid-string in the kernel's
  /// strings ('t_list' inside 'xfrm_policy_insert_list')".
  std::string Message;
};

/// The functions a module's ELF defines, for the symbol check.
struct ModuleFunctions {
  /// Names of the defined STT_FUNC symbols, cut at the first '.' (GCC's
  /// "foo.isra.0" is BTF's "foo").
  llvm::StringSet<> Names;
};

/// The function symbols of the ELF module \p Image for the symbol check;
/// std::nullopt with the reason in \p WhyNot when the check cannot run: no
/// symbol table, or one without local functions (stripped with
/// --strip-unneeded, which drops static functions pahole did encode).
std::optional<ModuleFunctions>
readModuleFunctions(llvm::StringRef Path, llvm::ArrayRef<uint8_t> Image,
                    std::string &WhyNot);

/// What checkForeignBase() found.
struct ForeignBaseReport {
  /// What was looked at: the split's names (nonzero name offsets), its
  /// FUNCs (against the symbol table, when given) and its types.
  size_t NamesChecked = 0, FunctionsChecked = 0, TypesChecked = 0;
  /// Why the function symbol check did not run, when it did not.
  std::string SymbolsSkipped;
  /// Every finding, by mark then type id.
  std::vector<ForeignFinding> Findings;

  bool foreign() const { return !Findings.empty(); }
  /// How many findings of mark \p M.
  size_t count(ForeignMark M) const;
};

/// Looks at the split BTF \p Split (classic, read over the kernel's vmlinux
/// BTF as the kernel reads it) for the marks of a foreign base. \p
/// Functions, when given, are the module's function symbols;
/// \p SymbolsSkipped says why not otherwise.
ForeignBaseReport checkForeignBase(const BTF &Split,
                                   const ModuleFunctions *Functions,
                                   llvm::StringRef SymbolsSkipped = "");

} // namespace btfkit

#endif // BTFKIT_FOREIGNBASE_H
