//===- Verdict.cpp - Will a kernel load a module's BTF? -------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The kernel's order (kernel/bpf/btf.c, btf_parse_module): the .BTF.base is
// parsed and checked first, then the .BTF over it, then relocated onto the
// running vmlinux; the first failure refuses the module's BTF. A classic
// split BTF is parsed over vmlinux directly: a structural error there is a
// refusal too, with the kernel's -EINVAL. A classic split BTF the kernel
// accepts may still be another build's, read as garbage: checkForeignBase()
// looks for the marks of that. The checks are those of the target's release
// (KernelVersion.h). Releases before 6.11 (DistilledBase) do not read
// .BTF.base at all; a resilient module is judged there as a release of
// those rules that reads it would judge it (docs/Validation.md).
//
//===----------------------------------------------------------------------===//

#include "btfkit/Verdict.h"

#include "btfkit/Reader.h"

#include "llvm/ADT/StringExtras.h"

using namespace btfkit;
using namespace llvm;

ModuleJudge ModuleJudge::resilient(std::string Module, const BTF &Split,
                                   std::string KernelName) {
  ModuleJudge J;
  J.KernelName =
      KernelName.empty() ? moduleKernelName(Module, {}) : std::move(KernelName);
  J.Module = std::move(Module);
  J.Split = &Split;
  return J;
}

ModuleRefusal ModuleJudge::refusal(KernelVersion Kernel) const {
  ModuleRefusal R;
  if (!Split)
    return R;
  R.Issues = moduleLoadIssues(*Split->base(), Kernel);
  R.Blob = BTFBaseSectionName;
  if (R.Issues.empty()) {
    R.Issues = moduleLoadIssues(*Split, Kernel);
    R.Blob = BTFSectionName;
  }
  if (R.Issues.empty())
    R.Blob.clear();
  return R;
}

ModuleJudge ModuleJudge::classic(std::string Module,
                                 std::shared_ptr<const MemoryBuffer> Contents) {
  ModuleJudge J;
  J.Module = std::move(Module);
  J.Contents = std::move(Contents);
  ArrayRef<uint8_t> Bytes = arrayRefFromStringRef(J.Contents->getBuffer());
  J.KernelName = moduleKernelName(J.Module, Bytes);
  if (looksLikeELF(Bytes))
    J.Functions = readModuleFunctions(J.Contents->getBufferIdentifier(), Bytes,
                                      J.SymbolsSkipped);
  else
    J.SymbolsSkipped = "raw BTF input, no symbol table";
  return J;
}

/// A reader's error as the kernel's refusal of the blob.
static ValidationIssue issueFromError(Error E) {
  ValidationIssue I;
  I.Rule = "malformed over this base";
  I.Message = toString(std::move(E));
  I.Errno = -22;
  return I;
}

Expected<ModuleVerdict> ModuleJudge::on(StringRef TargetName, const BTF &Target,
                                        const BaseIndex &Index,
                                        KernelVersion Kernel,
                                        const RelocateOptions &RO) const {
  ModuleVerdict V;
  V.Module = Module;
  V.KernelName = KernelName;
  V.Target = TargetName.str();
  V.Kernel = Kernel;
  if (Contents) {
    V.Resilient = false;
    LoadOptions LO;
    LO.Base = &Target;
    LO.UseEmbeddedBase = false;
    auto F = BTFFile::load(Contents, LO);
    if (!F) {
      V.Refusal.push_back(issueFromError(F.takeError()));
    } else {
      V.Types = F->btf().numTypes();
      V.Refusal = moduleLoadIssues(F->btf(), Kernel);
    }
    if (V.Refusal.empty())
      V.Foreign = checkForeignBase(F->btf(), Functions ? &*Functions : nullptr,
                                   SymbolsSkipped);
    return V;
  }
  V.Types = Split->numTypes();
  V.Refusal = refusal(Kernel).Issues;
  if (!V.Refusal.empty())
    return V;
  auto R = relocate(*Split, Index, RO);
  if (!R)
    return R.takeError();
  V.Reloc = std::make_shared<RelocateResult>(std::move(*R));
  return V;
}
