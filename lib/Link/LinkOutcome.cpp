//===- LinkOutcome.cpp - How every front end ends a link step -------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// btf-link, btf-pahole and ld.lld-btf end a link step the same way: the
// same warnings, the same summary, the same exit status. Written once here
// so that the three cannot drift (ld.lld-btf's summary once lacked the
// DWARF counts btf-link printed).
//
//===----------------------------------------------------------------------===//

#include "btfkit/Link.h"

#include "llvm/Support/WithColor.h"

using namespace btfkit;
using namespace llvm;

void btfkit::printLinkSummary(StringRef Output, const LinkReport &R,
                              raw_ostream &OS) {
  OS << Output << ": merged " << R.NumFragments << " fragment"
     << (R.NumFragments == 1 ? "" : "s") << ": .BTF.base " << R.NumBaseTypes
     << " types, .BTF " << R.NumSplitTypes << " types";
  if (!R.DwarfUnits.empty())
    OS << " (" << R.DwarfUnits.size() << " compile unit"
       << (R.DwarfUnits.size() == 1 ? "" : "s")
       << " from DWARF: " << R.NumDwarfFuncs << " FUNCs, " << R.NumDwarfVars
       << " VARs)";
  if (!R.GccBlobs.empty())
    OS << " (" << R.GccBlobs.size() << " BTF blob"
       << (R.GccBlobs.size() == 1 ? "" : "s")
       << " of gcc -gbtf: " << R.NumGccFuncs << " FUNCs, " << R.NumGccVars
       << " VARs)";
  OS << '\n';
}

int btfkit::finishLinkStep(StringRef Tool, StringRef Output,
                           const LinkReport &R, const LinkOptions &Opts,
                           StringRef FatalSetting, raw_ostream &OS,
                           raw_ostream &ErrOS) {
  OS.flush();
  for (const std::string &W : R.Warnings) {
    if (Opts.FatalWarnings)
      WithColor::error(ErrOS, Tool) << W << '\n';
    else
      WithColor::warning(ErrOS, Tool) << W << '\n';
  }
  if (!R.Written) {
    WithColor::error(ErrOS, Tool)
        << Output << ": not written: warnings are fatal (" << FatalSetting
        << ")\n";
    return 1;
  }
  if (Opts.Verbose)
    printLinkSummary(Output, R, OS);
  return 0;
}
