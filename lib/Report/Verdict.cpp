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
// looks for the marks of that.
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
  J.KernelName = KernelName.empty() ? moduleKernelName(Module, {})
                                    : std::move(KernelName);
  J.Module = std::move(Module);
  J.Split = &Split;
  J.Refusal = moduleLoadIssues(*Split.base());
  J.RefusedBlob = BTFBaseSectionName;
  if (J.Refusal.empty()) {
    J.Refusal = moduleLoadIssues(Split);
    J.RefusedBlob = BTFSectionName;
  }
  if (J.Refusal.empty())
    J.RefusedBlob.clear();
  return J;
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
                                        const RelocateOptions &RO) const {
  ModuleVerdict V;
  V.Module = Module;
  V.KernelName = KernelName;
  V.Target = TargetName.str();
  if (Contents) {
    V.Resilient = false;
    LoadOptions LO;
    LO.Base = &Target;
    LO.UseEmbeddedBase = false;
    auto F = BTFFile::load(Contents, LO);
    if (!F)
      V.Refusal.push_back(issueFromError(F.takeError()));
    else
      V.Refusal = moduleLoadIssues(F->btf());
    if (V.Refusal.empty())
      V.Foreign = checkForeignBase(F->btf(), Functions ? &*Functions : nullptr,
                                   SymbolsSkipped);
    return V;
  }
  V.Refusal = Refusal;
  if (!Refusal.empty())
    return V;
  auto R = relocate(*Split, Index, RO);
  if (!R)
    return R.takeError();
  V.Reloc = std::make_shared<RelocateResult>(std::move(*R));
  return V;
}
