//===- btfkit/Verdict.h - Will a kernel load a module's BTF? ----*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The one procedure that decides whether a kernel loads a module's BTF,
/// as the kernel does it (btf_parse_module, then btf_relocate for resilient
/// split BTF): every front end (btf-relocate, the link step's checks, the
/// drop-ins) asks this, so their verdicts cannot drift apart. Explain.h
/// renders the verdicts.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_VERDICT_H
#define BTFKIT_VERDICT_H

#include "btfkit/BTF.h"
#include "btfkit/BaseIndex.h"
#include "btfkit/ForeignBase.h"
#include "btfkit/KernelVersion.h"
#include "btfkit/Relocate.h"
#include "btfkit/Validate.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace btfkit {

/// The verdict for one module on one kernel.
struct ModuleVerdict {
  std::string Module; ///< the module file
  std::string Target; ///< the kernel's BTF file
  /// The module's name in the kernel's messages (moduleKernelName()).
  std::string KernelName;
  /// The release whose module-load rules judged the BTF.
  KernelVersion Kernel;
  /// The module's own types (its .BTF's count; 0 for a classic split that
  /// does not read over the target).
  uint32_t Types = 0;
  /// Resilient split BTF (.BTF + .BTF.base), relocated; else classic split
  /// BTF, checked against the target directly as the kernel does.
  bool Resilient = true;
  /// Resilient: the relocation (null when Refusal says why it did not run).
  std::shared_ptr<const RelocateResult> Reloc;
  /// Why the kernel refuses the BTF before or instead of relocating: the
  /// validator's findings (classic split over the target, or the pieces of
  /// a resilient one), or a structural error of a classic split read over
  /// the target.
  std::vector<ValidationIssue> Refusal;
  /// Classic split BTF the kernel loads: whether it is this kernel's BTF,
  /// or one made over another build's vmlinux that the kernel reads as
  /// garbage (ForeignBase.h).
  std::optional<ForeignBaseReport> Foreign;

  /// The kernel loads the module's BTF.
  bool loads() const {
    return Refusal.empty() && (!Resilient || (Reloc && Reloc->relocated()));
  }
  /// It loads, but reads as garbage: classic split BTF of another build.
  bool garbled() const { return loads() && Foreign && Foreign->foreign(); }
  /// It loads and means what the module meant.
  bool good() const { return loads() && !garbled(); }
};

/// Why a kernel refuses a resilient module's BTF before relocating it.
struct ModuleRefusal {
  /// The module-load issues, the first being the one the kernel stops at.
  std::vector<ValidationIssue> Issues;
  /// The blob that has them: ".BTF.base" or ".BTF" (empty when none).
  std::string Blob;
};

/// A module's BTF as the kernel meets it at load, judged on any number of
/// kernels, each by its release's rules (KernelVersion.h).
class ModuleJudge {
public:
  /// Resilient split BTF: \p Split is the module's .BTF over its distilled
  /// base (Split.base()), both checked by the kernel's module-load rules,
  /// the base first. \p Split must outlive the judge.
  /// \p KernelName is the module's name in the kernel's messages
  /// (moduleKernelName()); empty: taken from \p Module's file name.
  static ModuleJudge resilient(std::string Module, const BTF &Split,
                               std::string KernelName = "");
  /// Classic split BTF: the module's .BTF, read from \p Contents (the
  /// module's bytes) over each kernel in turn, as that kernel reads it, and
  /// checked for the marks of another build's base (checkForeignBase(),
  /// with the module's function symbols when \p Contents is an ELF file).
  static ModuleJudge
  classic(std::string Module,
          std::shared_ptr<const llvm::MemoryBuffer> Contents);

  /// The module-load issues of a resilient module by \p Kernel's rules
  /// (none for classic split BTF, which is only judged over a target).
  ModuleRefusal refusal(KernelVersion Kernel) const;

  /// The verdict on the kernel \p Target (named \p TargetName; \p Index is
  /// its relocation index), a \p Kernel release. \p RO says whether to
  /// build the relocated BTF. Errors are btfkit's own failures, not the
  /// kernel's refusals.
  llvm::Expected<ModuleVerdict> on(llvm::StringRef TargetName,
                                   const BTF &Target, const BaseIndex &Index,
                                   KernelVersion Kernel,
                                   const RelocateOptions &RO = {}) const;

private:
  ModuleJudge() = default;
  std::string Module;
  std::string KernelName;
  const BTF *Split = nullptr;
  std::shared_ptr<const llvm::MemoryBuffer> Contents;
  /// Classic: the module's functions, or why the symbol check cannot run.
  std::optional<ModuleFunctions> Functions;
  std::string SymbolsSkipped;
};

} // namespace btfkit

#endif // BTFKIT_VERDICT_H
