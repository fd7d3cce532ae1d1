//===- btfkit/ModuleInput.h - A module as distributions ship it -*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// One module's BTF, read once and made ready to be judged on any number of
/// kernels (Verdict.h): a .ko (compressed or not, Decompress.h), an object
/// the btfkit plugin compiled, or raw split BTF. Resilient split BTF is
/// judged as it is. Classic split BTF (no .BTF.base) is judged as the
/// kernel reads it, or, given the kernel it was built against, as if it had
/// shipped resilient: distilled over that kernel on the fly, as btf-distill
/// would, and judged as resilient. btf-relocate and the compatibility report
/// (CompatReport.h) both read modules here, so their verdicts cannot differ.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_MODULEINPUT_H
#define BTFKIT_MODULEINPUT_H

#include "btfkit/BTF.h"
#include "btfkit/BaseIndex.h"
#include "btfkit/Distill.h"
#include "btfkit/Reader.h"
#include "btfkit/Verdict.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace btfkit {

struct ModuleInputOptions {
  /// Raw split BTF is resilient split BTF over this distilled base
  /// (btf-relocate --distilled-base); without it, raw split BTF is classic.
  const BTF *DistilledBase = nullptr;
  /// The kernel classic split BTF was built against (btf-relocate
  /// --built-against): such modules are distilled over it and judged as
  /// resilient. \p BuiltAgainstIndex is its relocation index, and
  /// \p BuiltAgainstName names it in verdicts.
  const BTF *BuiltAgainst = nullptr;
  const BaseIndex *BuiltAgainstIndex = nullptr;
  std::string BuiltAgainstName;
};

/// How a module's BTF is judged.
enum class ModuleForm {
  Resilient, ///< shipped with .BTF.base
  Classic,   ///< no .BTF.base, read over each kernel as it is
  Distilled, ///< no .BTF.base, distilled over the kernel it was built for
};

/// "resilient", "classic", "distilled" (the JSON spelling).
const char *moduleFormName(ModuleForm F);

/// What a verdict means for the module's users: the kernel loads its BTF,
/// refuses it, or loads BTF that is not its own (classic split BTF over
/// another build: names and types read from the wrong base).
enum class VerdictClass { Loads, Refused, Garbled };

/// The class of \p V.
VerdictClass classifyVerdict(const ModuleVerdict &V);

/// "loads", "refused", "garbled" (the JSON spelling).
const char *verdictClassName(VerdictClass C);

class ModuleInput {
public:
  /// Reads the module in \p Contents (its identifier names it). Errors are
  /// bad input: neither BTF nor ELF, no .BTF, a .BTF that is not split, a
  /// classic split that does not distill over the kernel it was built for.
  static llvm::Expected<ModuleInput>
  load(std::shared_ptr<const llvm::MemoryBuffer> Contents,
       const ModuleInputOptions &Opts);

  ModuleInput(ModuleInput &&) = default;
  ModuleInput &operator=(ModuleInput &&) = default;

  ModuleForm form() const { return Form; }
  const std::string &path() const { return Path; }
  /// The module's bytes (decompressed).
  const std::shared_ptr<const llvm::MemoryBuffer> &contents() const {
    return Contents;
  }
  /// The split BTF judged as resilient: as shipped, or as distilled; null
  /// for a classic module.
  const BTF *resilientSplit() const;

  /// A distilled module's verdict on the kernel it was built against, read
  /// as classic, when that kernel does not take it cleanly (it refuses it):
  /// its BTF is not that kernel's, so what it would be if shipped resilient
  /// is not known. Every kernel's verdict is then this one (on() returns it,
  /// its Target naming the built-against kernel). Null otherwise.
  const ModuleVerdict *asBuilt() const { return AsBuilt.get(); }

  /// The verdict on the kernel \p Target (ModuleJudge::on()).
  llvm::Expected<ModuleVerdict> on(llvm::StringRef TargetName,
                                   const BTF &Target, const BaseIndex &Index,
                                   const RelocateOptions &RO = {}) const;

private:
  ModuleInput() = default;
  std::string Path;
  ModuleForm Form = ModuleForm::Resilient;
  std::shared_ptr<const llvm::MemoryBuffer> Contents;
  /// Resilient: the module's BTF. Distilled: its classic BTF over the
  /// built-against kernel.
  std::unique_ptr<BTFFile> File;
  DistillResult Distilled;
  std::unique_ptr<ModuleVerdict> AsBuilt;
  std::unique_ptr<ModuleJudge> Judge;
};

/// The module files named by \p Paths: files as named, directories searched
/// recursively (symbolic links to folders not followed) for .ko, .ko.xz,
/// .ko.zst, .ko.gz and .btf files, each folder's in name order. A path
/// named twice counts once. Errors name a path that cannot be read.
llvm::Expected<std::vector<std::string>>
findModuleFiles(llvm::ArrayRef<std::string> Paths);

/// A module's name from its file name, without its extension and
/// compression: "af_key" for ".../kernel/net/key/af_key.ko.xz".
llvm::StringRef moduleNameOf(llvm::StringRef Path);

} // namespace btfkit

#endif // BTFKIT_MODULEINPUT_H
