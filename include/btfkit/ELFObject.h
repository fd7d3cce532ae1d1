//===- btfkit/ELFObject.h - ELF tables LLVM's object API reads --*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// LLVM's object library checks an ELF file's headers when it opens it, but
/// its symbol and relocation accessors end the process (report_fatal_error)
/// on a table they cannot index: an entry size that is not the format's, a
/// size that is not a multiple of it, a relocation naming a symbol past its
/// table. Every reader that walks an ELF file's symbols or relocations
/// (the link step, the module symbol check, .BTF_ids) checks the tables
/// here first, so that such a file is refused with the cause instead.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_ELFOBJECT_H
#define BTFKIT_ELFOBJECT_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace llvm {
namespace object {
class ELFObjectFileBase;
} // namespace object
} // namespace llvm

namespace btfkit {

/// Checks that LLVM's object API can read every symbol table of \p Obj
/// (SHT_SYMTAB, SHT_DYNSYM and their string tables) and every relocation
/// of its SHT_REL/SHT_RELA sections, the symbols they name included.
/// Errors name \p Path and the section.
llvm::Error checkELFTables(llvm::StringRef Path,
                           const llvm::object::ELFObjectFileBase &Obj);

} // namespace btfkit

#endif // BTFKIT_ELFOBJECT_H
