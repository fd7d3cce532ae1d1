//===- btfkit/DistillModule.h - A module file made resilient ----*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// A shipped module with classic split BTF (.BTF over vmlinux) turned into
/// one with resilient split BTF (.BTF over its own .BTF.base), the way a
/// module built by Linux >= 6.11 has it. Distilling renumbers every type
/// (distill(): the distilled base's types 1..N, then the split's), so the
/// ids the kernel build's resolve_btfids wrote into the module's .BTF_ids
/// (vmlinux ids for kernel types, ids after vmlinux's for the module's
/// own) are rewritten with them: a kfunc set or BTF_ID list left in the old
/// numbering names other types, and the module's init fails (EINVAL).
/// Every tool that distills a module file goes through distillModule().
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_DISTILLMODULE_H
#define BTFKIT_DISTILLMODULE_H

#include "btfkit/BTF.h"
#include "btfkit/BTFIds.h"
#include "btfkit/Distill.h"
#include "btfkit/Reader.h"
#include "btfkit/Writer.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace btfkit {

/// One module file distilled.
struct DistilledModule {
  /// How the input was read: an ELF module, or raw split BTF.
  BTFFile::FileFormat Format = BTFFile::Raw;
  /// Both serialized in the input's byte order.
  std::vector<uint8_t> BaseBlob, SplitBlob;
  /// An ELF input's .BTF_ids in the new numbering, when it has the section.
  std::optional<std::vector<uint8_t>> BTFIds;
  /// Full sentences naming the file, the symbol and the type.
  std::vector<std::string> Warnings;

  /// The edits that make the ELF input resilient: .BTF and .BTF.base
  /// replaced or added, .BTF_ids rewritten when there is one. The blobs are
  /// moved into them.
  std::vector<SectionEdit> takeSectionEdits();
};

/// Distills the module in \p Contents (its identifier names it): an ELF
/// object with a classic .BTF, or raw split BTF, over \p Base (named
/// \p BaseName in messages). An ELF module's .BTF_ids is rewritten as
/// translateBTFIds() says; a module without one is not looked at further
/// (its symbols are not read). Errors name the file: a module that already
/// has a .BTF.base, BTF that cannot be distilled (distill()), a .BTF_ids
/// that cannot be read or rewritten.
llvm::Expected<DistilledModule>
distillModule(std::shared_ptr<const llvm::MemoryBuffer> Contents,
              const BTF &Base, llvm::StringRef BaseName);

/// The section \p Ids of module \p Path, whose ids resolve_btfids wrote
/// against \p Old (the module's classic split BTF over vmlinux), in the
/// numbering of \p D (distill(Old)): the same section with
///
///  - every id slot that names its symbol's type (same kind and name)
///    rewritten to that type's new id;
///  - a slot whose type the result does not carry (a kernel type no type of
///    the module uses), or that does not name its symbol's type, resolved
///    as Linux >= 6.11's resolve_btfids resolves a module (by kind and
///    name, over the module's .BTF.base and .BTF: the first such type, else
///    unresolved, 0), with a warning naming the file, the symbol and the
///    type;
///  - 0 (unresolved) left 0;
///  - a section no symbol marks (no symbol table) left as it is, with a
///    warning;
///  - every set and set8 sorted again by id (flags move with their ids),
///    as resolve_btfids sorts them: the kernel binary-searches them.
///
/// Errors name the file, the section and the set: a set running past the
/// section.
llvm::Expected<std::vector<uint8_t>>
translateBTFIds(llvm::StringRef Path, const BTFIdsSection &Ids, const BTF &Old,
                const DistillResult &D, std::vector<std::string> &Warnings);

} // namespace btfkit

#endif // BTFKIT_DISTILLMODULE_H
