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
//            [--btf-no-missing-warning] [--btf-[no-]dwarf-fallback]
//            [--btf-verbose]
//
// A drop-in for ld.lld (`make LD=ld.lld-btf`): runs lld in process
// (lld::lldMain, the ELF driver of liblld-19-dev) on everything but
// btfkit's --btf-* options, then, when lld succeeded, the output is a
// module (BTFOptions.h, wantsLinkStep) and it holds fragments, merges and
// checks its BTF in place (include/btfkit/Link.h), as btf-link would. The
// objects without a fragment are encoded from DWARF (one line names them),
// and so is a whole module (.ko) without fragments when a base is known
// (--btf-base, BTFKIT_BASE). A module for which checks were asked
// (--btf-check-against, --btf-fatal-warnings) and cannot be given BTF is
// an error, not a silent plain link.
//
// lld writes to a temporary name beside the output, which becomes the
// output only after the merge (or as it is, when nothing is to merge): the
// output is never an unmerged module, even when the process is killed in
// between.
//
// Exit status: lld's when lld fails (its messages untouched); else 0, or 1
// when a check failed under --btf-fatal-warnings, or 2 when the link step
// failed (bad fragments, unreadable base). On 1 and 2 the output is
// removed, as a linker leaves no output of a failed link (make would
// otherwise take the unmerged file as up to date).
//
//===----------------------------------------------------------------------===//

#include "BTFOptions.h"

#include "btfkit/Error.h"
#include "btfkit/Link.h"
#include "btfkit/OutputFile.h"
#include "btfkit/Reader.h"
#include "btfkit/ToolSupport.h"
#include "btfkit/Writer.h"

#include "lld/Common/Driver.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cstring>
#include <optional>

#include <sys/file.h>
#include <unistd.h>

LLD_HAS_DRIVER(elf)

using namespace btfkit;
using namespace llvm;

static constexpr const char *Tool = "ld.lld-btf";

/// lld's output goes to a temporary name next to the output, and becomes
/// the output only once merged: a make that keeps targets of killed
/// commands must never see an unmerged module under the output's name. The
/// placeholder created here reserves the name and, locked, keeps other
/// btfkit processes from taking it for an abandoned temporary file
/// (OutputFile.h); lld replaces it by its own file.
class LinkTemp {
public:
  static Expected<LinkTemp> create(StringRef Output) {
    LinkTemp T;
    SmallString<256> Name;
    if (std::error_code EC =
            sys::fs::createUniqueFile(temporaryNameModel(Output), T.FD, Name))
      return makeError(Output,
                       "cannot create a temporary file: " + EC.message());
    T.Name = std::string(Name);
    sys::RemoveFileOnSignal(T.Name);
    if (::flock(T.FD, LOCK_EX | LOCK_NB) != 0) {
      T.remove();
      return makeError(Output, "cannot lock a temporary file");
    }
    sys::fs::file_status St;
    if (!sys::fs::status(T.FD, St))
      T.Placeholder = St.getUniqueID();
    return std::move(T);
  }
  LinkTemp(LinkTemp &&O) : Name(std::move(O.Name)), FD(O.FD) {
    O.Name.clear();
    O.FD = -1;
    Placeholder = O.Placeholder;
  }
  ~LinkTemp() { remove(); }

  const std::string &name() const { return Name; }

  /// True when lld wrote the file (it replaced the placeholder); the lock
  /// then moves to lld's file.
  bool written() {
    sys::fs::file_status St;
    if (sys::fs::status(Name, St, /*follow=*/false) ||
        !sys::fs::is_regular_file(St) || St.getUniqueID() == Placeholder)
      return false;
    auto Lock = lockTemporary(Name);
    if (!Lock) {
      consumeError(Lock.takeError());
      return false;
    }
    ::close(FD);
    FD = *Lock;
    return true;
  }

  /// Makes lld's file the output (nothing to merge).
  Error publish(StringRef Output) {
    if (::fsync(FD) != 0)
      return makeError(Output, "cannot write: " + Twine(std::strerror(errno)));
    if (std::error_code EC = sys::fs::rename(Name, Output))
      return makeError(Output, "cannot replace: " + EC.message());
    sys::DontRemoveFileOnSignal(Name);
    Name.clear();
    return Error::success();
  }

  void remove() {
    if (!Name.empty()) {
      sys::fs::remove(Name);
      sys::DontRemoveFileOnSignal(Name);
      Name.clear();
    }
    if (FD >= 0)
      ::close(FD);
    FD = -1;
  }

private:
  LinkTemp() = default;
  std::string Name;
  int FD = -1;
  sys::fs::UniqueID Placeholder;
};

static int failLink(StringRef Output, int Code) {
  sys::fs::remove(Output);
  return Code;
}

/// Why a linked module without fragments cannot take the DWARF route, or
/// "" when it can.
static Expected<std::string> whyNoDwarfRoute(const LdCommandLine &CL,
                                             const MemoryBuffer &Linked) {
  if (!CL.Link.DwarfFallback)
    return std::string("--btf-no-dwarf-fallback was given");
  if (CL.Link.BasePath.empty())
    return std::string("no base to encode its DWARF over (--btf-base=, "
                       "BTFKIT_BASE)");
  auto Debug =
      findELFSection(Linked.getBufferIdentifier(),
                     arrayRefFromStringRef(Linked.getBuffer()), ".debug_info");
  if (!Debug)
    return Debug.takeError();
  if (!*Debug)
    return std::string("no DWARF (.debug_info) to encode");
  return std::string();
}

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  auto CL = parseLdCommandLine(argc, argv);
  if (!CL) {
    reportError(Tool, CL.takeError());
    return 1;
  }

  // -o /dev/null and the like are written as lld writes them.
  std::optional<LinkTemp> Temp;
  if (wantsLinkStep(*CL) && !isNonRegularFile(CL->Output)) {
    auto T = LinkTemp::create(CL->Output);
    if (!T) {
      reportError(Tool, T.takeError());
      return 1;
    }
    Temp.emplace(std::move(*T));
    // lld takes the last -o.
    CL->LldArgs.push_back("-o");
    CL->LldArgs.push_back(Temp->name().c_str());
  }

  lld::Result R =
      lld::lldMain(CL->LldArgs, outs(), errs(), {{lld::Gnu, &lld::elf::link}});
  if (R.retCode == 0 && any_of(CL->LldArgs, [](const char *A) {
        return StringRef(A) == "--help" || StringRef(A) == "-help";
      }))
    printBTFOptionsHelp(outs());
  outs().flush();
  errs().flush();
  // A failed link is lld's to report. canRunAgain false means lld crashed
  // and recovered: its state (and this process's) is not to be trusted.
  if (R.retCode != 0 || !R.canRunAgain || !Temp)
    return R.retCode != 0 ? R.retCode : (R.canRunAgain ? 0 : 1);
  if (!Temp->written())
    return 0; // nothing linked (--version, --help): the output is as it was

  auto Linked = readLinkedFile(Temp->name());
  Expected<bool> Has =
      Linked ? hasFragments(**Linked) : Expected<bool>(Linked.takeError());
  if (!Has) {
    Error E = Has.takeError();
    // Not an ELF file (--oformat=binary): nothing to merge. Anything else
    // (a broken ELF, an unreadable file) fails the link.
    if (!isErrorKind(E, ErrorKind::NotELF)) {
      reportError(Tool, std::move(E));
      return failLink(CL->Output, 2);
    }
    consumeError(std::move(E));
    Has = false;
  }
  if (!*Has) {
    auto Why = whyNoDwarfRoute(*CL, **Linked);
    if (!Why) {
      reportError(Tool, Why.takeError());
      return failLink(CL->Output, 2);
    }
    bool Module = CL->Relocatable && StringRef(CL->Output).ends_with(".ko");
    bool Asked = !CL->Link.CheckAgainst.empty() || CL->Link.FatalWarnings;
    if (!Module || !Why->empty()) {
      if (Module && Asked) {
        reportError(Tool, makeError(CL->Output,
                                    "no btfkit fragments, and " + *Why +
                                        ": the checks asked for "
                                        "(--btf-check-against, "
                                        "--btf-fatal-warnings) cannot run"));
        return failLink(CL->Output, 2);
      }
      // Not a module, or nothing to encode from: plain lld output.
      if (Error E = Temp->publish(CL->Output)) {
        reportError(Tool, std::move(E));
        return failLink(CL->Output, 2);
      }
      return 0;
    }
  }

  // Messages name the output, not the temporary file; the output gets the
  // mode lld gave its file.
  sys::fs::file_status St;
  if (!sys::fs::status(Temp->name(), St))
    CL->Link.OutputMode = unsigned(St.permissions()) & 0777;
  auto Report = linkModuleBTF(renameBuffer(std::move(*Linked), CL->Output),
                              CL->Output, CL->Link, outs());
  Temp->remove();
  if (!Report) {
    reportError(Tool, Report.takeError());
    return failLink(CL->Output, 2);
  }
  if (int RC = finishLinkStep(Tool, CL->Output, *Report, CL->Link,
                              "--btf-fatal-warnings", outs(), errs()))
    return failLink(CL->Output, RC);
  return 0;
}
