//===- ld.lld-btf.cpp - lld, then btfkit's link step on its output -------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// ld.lld-btf [ld.lld options] [--btf-base=BASE] [--btf-check-against=K]...
//            [--btf-merge=auto|always|never] [--btf-fatal-warnings]
//            [--btf-no-missing-warning] [--btf-dwarf-fallback]
//            [--btf-verbose]
//
// A drop-in for ld.lld (`make LD=ld.lld-btf`): runs lld in process
// (lld::lldMain, the ELF driver of liblld-19-dev) on everything but
// btfkit's --btf-* options, then, when lld succeeded, the output is a
// module (BTFOptions.h, wantsLinkStep) and it holds fragments, merges and
// checks its BTF in place (include/btfkit/Link.h), as btf-link would.
//
// Exit status: lld's when lld fails (its messages untouched); else 0, or 1
// when a check failed under --btf-fatal-warnings, or 2 when the link step
// failed (bad fragments, unreadable base). On 1 and 2 the output is
// removed, as a linker leaves no output of a failed link (make would
// otherwise take the unmerged file as up to date).
//
//===----------------------------------------------------------------------===//

#include "BTFOptions.h"

#include "btfkit/Link.h"
#include "btfkit/ToolSupport.h"

#include "lld/Common/Driver.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

LLD_HAS_DRIVER(elf)

using namespace btfkit;
using namespace llvm;

static constexpr const char *Tool = "ld.lld-btf";

/// The output's identity before the link, to tell whether lld wrote it:
/// `--version` or `--help` link nothing, and an old a.out must then be left
/// alone. lld writes through a temporary file renamed into place, so a
/// written output is a new file; but lld unlinks the old output first, and
/// the file system may give the new file the freed inode number (seen on
/// ext4 when relinking a .ko: the merge was then skipped). So the
/// identity is the inode with the modification time and the size: a new
/// file written by this link has a later modification time.
struct FileIdentity {
  sys::fs::UniqueID ID;
  sys::TimePoint<> Modified;
  uint64_t Size;
  bool operator==(const FileIdentity &O) const {
    return ID == O.ID && Modified == O.Modified && Size == O.Size;
  }
};

static std::optional<FileIdentity> fileID(StringRef Path) {
  sys::fs::file_status St;
  if (sys::fs::status(Path, St) || !sys::fs::is_regular_file(St))
    return std::nullopt;
  return FileIdentity{St.getUniqueID(), St.getLastModificationTime(),
                      St.getSize()};
}

static int failLink(StringRef Output, int Code) {
  sys::fs::remove(Output);
  return Code;
}

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  auto CL = parseLdCommandLine(argc, argv);
  if (!CL) {
    reportError(Tool, CL.takeError());
    return 1;
  }

  bool Step = wantsLinkStep(*CL);
  std::optional<FileIdentity> Before;
  if (Step)
    Before = fileID(CL->Output);

  lld::Result R =
      lld::lldMain(CL->LldArgs, outs(), errs(), {{lld::Gnu, &lld::elf::link}});
  outs().flush();
  errs().flush();
  // A failed link is lld's to report. canRunAgain false means lld crashed
  // and recovered: its state (and this process's) is not to be trusted.
  if (R.retCode != 0 || !R.canRunAgain || !Step)
    return R.retCode != 0 ? R.retCode : (R.canRunAgain ? 0 : 1);

  std::optional<FileIdentity> After = fileID(CL->Output);
  if (!After || After == Before)
    return 0; // nothing linked (--version, --help) or not a regular file

  auto Has = hasFragments(CL->Output);
  if (!Has) {
    // Not an ELF file lld wrote (--oformat=binary): nothing to merge.
    consumeError(Has.takeError());
    return 0;
  }
  if (!*Has)
    return 0; // objects built without the plugin: plain lld output

  auto Report = linkModuleBTF(CL->Output, CL->Output, CL->Link, outs());
  if (!Report) {
    reportError(Tool, Report.takeError());
    return failLink(CL->Output, 2);
  }
  outs().flush();
  for (const std::string &W : Report->Warnings) {
    if (CL->Link.FatalWarnings)
      errs() << Tool << ": error: " << W << '\n';
    else
      reportWarning(Tool, W);
  }
  if (!Report->Written) {
    errs() << Tool << ": error: " << CL->Output
           << ": not written: warnings are fatal (--btf-fatal-warnings)\n";
    return failLink(CL->Output, 1);
  }
  if (CL->Link.Verbose)
    outs() << CL->Output << ": merged " << Report->NumFragments << " fragment"
           << (Report->NumFragments == 1 ? "" : "s") << ": .BTF.base "
           << Report->NumBaseTypes << " types, .BTF " << Report->NumSplitTypes
           << " types\n";
  return 0;
}
