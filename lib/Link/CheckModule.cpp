//===- CheckModule.cpp - Will the kernels load the merged BTF? ------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The checks a build can make before the module ever meets a kernel:
//
//  - the kernel's module-load rules (btf_parse_module checks the .BTF.base
//    and the .BTF; the resolve pass is not part of it: Validate.h), those
//    of the release LinkOptions::Kernel names, else of the base's default
//    (KernelVersion::forTarget);
//  - relocation onto the base the objects were built against: it must
//    succeed, since the distilled base was taken from it; a failure is a
//    btfkit bug and fails the link;
//  - relocation onto every kernel the user names, with the verdict and the
//    explanations btf-relocate prints (the same library, the same words).
//
//===----------------------------------------------------------------------===//

#include "LinkInternal.h"

#include "btfkit/BaseIndex.h"
#include "btfkit/Error.h"
#include "btfkit/KernelBase.h"
#include "btfkit/KernelImage.h"
#include "btfkit/Reader.h"
#include "btfkit/Validate.h"
#include "btfkit/Verdict.h"

using namespace btfkit;
using namespace btfkit::link;
using namespace llvm;

Error btfkit::checkMergedBTF(const MergedModuleBTF &M, StringRef Module,
                             const IndexedBase *Base, const LinkOptions &Opts,
                             LinkReport &Report, raw_ostream &OS) {
  ModuleJudge Judge = ModuleJudge::resilient(Module.str(), *M.Split);
  KernelVersion Kernel = KernelVersion::orForTarget(Opts.Kernel, Opts.BasePath);
  ModuleRefusal Refusal = Judge.refusal(Kernel);
  if (!Refusal.Issues.empty()) {
    ++Report.FailedChecks;
    Report.Warnings.push_back(
        (Module + ":" + Refusal.Blob + ": Linux " + Kernel.str() +
         " would refuse this BTF: " + Refusal.Issues.front().Message)
            .str());
  }
  RelocateOptions RO;
  RO.BuildOutput = false;

  if (Base && Refusal.Issues.empty()) {
    auto V = Judge.on(Base->btf().name(), Base->btf(), Base->relocationIndex(),
                      Kernel, RO);
    if (!V)
      return V.takeError();
    if (!V->loads()) {
      std::string Why;
      raw_string_ostream WS(Why);
      printVerdictText(*V, WS);
      return makeError(Module,
                       "internal error: the merged BTF does not relocate "
                       "onto the base its objects were built against "
                       "(please report this btfkit bug):\n" +
                           StringRef(Why).rtrim());
    }
  }

  // A kernel named to check against is read as btf-relocate reads its
  // targets: raw BTF, vmlinux, /sys/kernel/btf/vmlinux or a boot image.
  for (const std::string &Path : Opts.CheckAgainst) {
    auto K = loadKernelBTF(Path);
    if (!K)
      return notAKernelBTF(Path, "--check-against", K.takeError());
    BaseIndex Index(*K->B);
    auto V =
        Judge.on(Path, *K->B, Index,
                 KernelVersion::orForTarget(Opts.Kernel, Path, K->Release), RO);
    if (!V)
      return V.takeError();
    if (!V->loads()) {
      ++Report.FailedChecks;
      Report.Warnings.push_back(Module.str() + ": will not load on " + Path +
                                " (see the verdict above)");
    }
    if (!V->loads() || Opts.Verbose)
      printVerdictText(*V, OS);
  }
  return Error::success();
}
