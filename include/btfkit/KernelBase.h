//===- btfkit/KernelBase.h - Is this file a kernel's BTF? -------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// A module's BTF is only as right as the base it is made or read over, so
/// the tools never take a base silently wrong: a file named as a kernel's
/// BTF that is a module, split BTF or no BTF at all is refused with an
/// error that says what the file is and what to name instead, and a
/// module's classic split BTF that was not made over the base it is named
/// with (ForeignBase.h's marks) is refused too. btf-link (and through the
/// link step btf-pahole and ld.lld-btf), btf-distill and btf-relocate all
/// report through here (docs/LinkStep.md, docs/Relocation.md).
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_KERNELBASE_H
#define BTFKIT_KERNELBASE_H

#include "btfkit/BTF.h"
#include "btfkit/ForeignBase.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>

namespace btfkit {

/// What a file given where a kernel's BTF is wanted holds.
enum class BTFFileKind {
  Kernel,          ///< complete BTF (raw, or an ELF's .BTF): a vmlinux's
  ResilientModule, ///< an ELF with .BTF and .BTF.base: a module
  SplitBTF,        ///< split BTF without its base: a module's classic .BTF
  NoBTF,           ///< an ELF without a .BTF section
  NotBTF,          ///< neither raw BTF nor an ELF file
};

/// Tells what \p Contents holds (decompressed already: readInput()). Raw
/// BTF or an ELF's .BTF that reads on its own is a kernel's; one that needs
/// a base (its names or type ids continue another blob's) is split BTF.
BTFFileKind
classifyBTFFile(const std::shared_ptr<const llvm::MemoryBuffer> &Contents);

/// "a kernel module (resilient split BTF: .BTF + .BTF.base)", ...: what
/// the error says the file is.
llvm::StringRef describeBTFFileKind(BTFFileKind K);

/// Whether \p Contents, named as a module, is a kernel's BTF instead: raw
/// BTF or an ELF without .BTF.base whose .BTF reads on its own.
bool isKernelBTFFile(
    const std::shared_ptr<const llvm::MemoryBuffer> &Contents);

/// The error for \p Path, given as a kernel's BTF with \p Option (e.g.
/// "--base"), that did not load with \p Cause: when the file is a module,
/// split BTF or no BTF, says so and what to name instead; otherwise
/// \p Cause as it is.
llvm::Error notAKernelBTF(llvm::StringRef Path, llvm::StringRef Option,
                          llvm::Error Cause);

/// The error for a module's classic split BTF \p Split (read from
/// \p Module over \p BasePath's BTF) that bears the marks of another
/// build's base (\p Report.foreign()): it was not made over that base.
/// Success when it bears none.
llvm::Error checkMadeOverBase(llvm::StringRef Module, llvm::StringRef BasePath,
                             const ForeignBaseReport &Report,
                             llvm::StringRef Option);

/// Checks that the module in \p Contents, classic split BTF (an ELF's .BTF
/// without .BTF.base, or raw split BTF), was made over \p Base (read from
/// \p BasePath, named by \p Option): it reads over it
/// (notReadOverBase()) and none of its names starts mid-string nor names
/// a FUNC the module's ELF does not define (checkMadeOverBase(); types no
/// compiler writes are left to the caller's checks, which name them).
/// Success for a module with .BTF.base, which needs no base.
llvm::Error
checkClassicOverBase(const std::shared_ptr<const llvm::MemoryBuffer> &Contents,
                     const BTF &Base, llvm::StringRef BasePath,
                     llvm::StringRef Option);

/// The error for a module whose classic split BTF does not even read over
/// \p BasePath (\p Cause): its ids or strings run past that base's, the
/// mark of another build's base, or of no base at all.
llvm::Error notReadOverBase(llvm::StringRef BasePath, llvm::StringRef Option,
                            llvm::Error Cause);

} // namespace btfkit

#endif // BTFKIT_KERNELBASE_H
