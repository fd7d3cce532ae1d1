//===- BTFOptions.h - ld.lld-btf's command line, split from lld's --------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// ld.lld-btf takes every ld.lld option plus btfkit's, all spelled --btf-*
// (btf-link's option names with that prefix), so that `LD="ld.lld-btf
// --btf-base=…"` works wherever Kbuild runs $(LD). This file takes btfkit's
// options out of argv and reads, from what is left, the two facts of lld's
// command line the link step needs: the output file and whether the link
// is relocatable (-r).
//
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_TOOLS_LD_LLD_BTF_BTFOPTIONS_H
#define BTFKIT_TOOLS_LD_LLD_BTF_BTFOPTIONS_H

#include "btfkit/Link.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace btfkit {

/// When the link step runs on lld's output (docs/LinkStep.md, ld.lld-btf).
enum class MergeMode {
  Auto,   ///< final links, and partial links whose output ends in ".ko"
  Always, ///< whenever the output has fragments
  Never,  ///< plain lld
};

struct LdCommandLine {
  /// argv for lld: argv[0] and every argument that is not btfkit's.
  std::vector<const char *> LldArgs;
  LinkOptions Link;
  MergeMode Merge = MergeMode::Auto;
  /// lld's output: the last -o/--output, "a.out" by default.
  std::string Output = "a.out";
  /// -r / --relocatable / -i given.
  bool Relocatable = false;
};

/// Splits \p Argv. btfkit's options may come anywhere; their values are
/// either joined (--btf-base=FILE) or the next argument. The environment
/// fills in what the command line does not say: BTFKIT_BASE (the variable
/// the plugin reads, so one setting serves compile and link),
/// BTFKIT_CHECK_AGAINST=K1:K2:..., BTFKIT_FATAL_WARNINGS=1,
/// BTFKIT_KERNEL_VERSION=X.Y (else Kbuild's KERNELVERSION). Errors (an
/// unknown --btf-* option, a missing value) are full sentences.
llvm::Expected<LdCommandLine> parseLdCommandLine(int Argc,
                                                 const char *const *Argv);

/// Whether the link step runs on this link's output (its fragments are
/// looked for afterwards in any case but Never).
bool wantsLinkStep(const LdCommandLine &CL);

/// btfkit's --btf-* options, printed after lld's --help.
void printBTFOptionsHelp(llvm::raw_ostream &OS);

} // namespace btfkit

#endif // BTFKIT_TOOLS_LD_LLD_BTF_BTFOPTIONS_H
