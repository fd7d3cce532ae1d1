//===- btf-resolve-btfids.cpp - resolve_btfids for distilled modules ------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Linux 7.x's scripts/gen-btf.sh runs resolve_btfids with --btf (and
// --patch_btfids): those command lines are btfkit's own work (GenBTF.cpp)
// and need no real tool. What follows is about Linux 6.1 - 6.12.
//
// Kbuild's modfinal step (Linux 6.1) runs, after the BTF step,
//
//   $(RESOLVE_BTFIDS) -b vmlinux mod.ko
//
// which writes into the module's .BTF_ids section the BTF ids of the types
// and functions its BTF_ID() lists name. resolve_btfids of Linux < 6.11
// reads the module's .BTF as split over vmlinux; a module the link step
// wrote is split over its own .BTF.base (the distilled base), so those ids
// come out wrong: base types get their ids in that vmlinux, the module's
// own types are not found. Linux >= 6.11's resolve_btfids resolves against
// the module's own BTF when it has a .BTF.base (commit 6ba77385f386), and
// the kernel relocates those ids with the module's BTF at load
// (btf_relocate_id()).
//
// With RESOLVE_BTFIDS=btf-resolve-btfids, the same happens with the older
// tool: for a module with a .BTF.base, this writes that section as raw BTF
// to a temporary file and runs the real resolve_btfids with it as the
// -b/--btf_base argument; any other file goes to the real tool unchanged.
//
// btfkit's --kernel-version=X.Y, which the other drop-ins take, is taken
// and dropped here: patching ids checks no kernel rule.
//
// The real tool: $BTFKIT_RESOLVE_BTFIDS, else the one Kbuild builds next
// to the -b file (DIR/tools/bpf/resolve_btfids/resolve_btfids, where DIR
// holds vmlinux in the kernel build tree). Its exit status is this one's;
// 2 when it cannot be found or run, or the module cannot be read.
//
//===----------------------------------------------------------------------===//

#include "GenBTF.h"

#include "btfkit/Error.h"
#include "btfkit/KernelVersion.h"
#include "btfkit/Reader.h"
#include "btfkit/ToolSupport.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

using namespace btfkit;
using namespace llvm;

static constexpr const char *Tool = "btf-resolve-btfids";

namespace {
/// resolve_btfids's command line (tools/bpf/resolve_btfids/main.c:
/// -v/--verbose, --btf FILE, -b/--btf_base FILE, then the object), with
/// where the -b value is so that it can be replaced.
struct CommandLine {
  std::vector<std::string> Args;
  /// btfkit's --kernel-version value, if given (not passed on).
  std::optional<std::string> KernelVersion;
  std::optional<size_t> BaseArg;   // index in Args of the -b value
  std::string BasePrefix;          // "--btf_base=" or "-b" when joined
  std::optional<size_t> ObjectArg; // index in Args of the object
};

CommandLine parse(int argc, char **argv) {
  CommandLine C;
  for (int I = 1; I < argc; ++I) {
    StringRef A = argv[I];
    if (A.consume_front("--kernel-version=")) {
      C.KernelVersion = A.str();
    } else if (A == "--kernel-version" && I + 1 < argc) {
      C.KernelVersion = argv[++I];
    } else {
      C.Args.push_back(argv[I]);
    }
  }
  for (size_t I = 0; I < C.Args.size(); ++I) {
    StringRef A = C.Args[I];
    if ((A == "-b" || A == "--btf_base" || A == "--btf") &&
        I + 1 < C.Args.size()) {
      if (A != "--btf")
        C.BaseArg = I + 1;
      ++I;
    } else if (A.starts_with("--btf_base=")) {
      C.BaseArg = I;
      C.BasePrefix = "--btf_base=";
    } else if (A.starts_with("-b") && A.size() > 2) {
      C.BaseArg = I;
      C.BasePrefix = "-b";
    } else if (A == "--") {
      if (I + 1 < C.Args.size())
        C.ObjectArg = I + 1;
      break;
    } else if (!A.starts_with("-")) {
      C.ObjectArg = I; // options stop at the first non-option
      break;
    }
  }
  return C;
}

std::string valueOf(const CommandLine &C, size_t I) {
  return C.Args[I].substr(I == C.BaseArg ? C.BasePrefix.size() : 0);
}

/// The real resolve_btfids for a -b file at \p Base.
Expected<std::string> realTool(const std::optional<std::string> &Base) {
  if (const char *E = std::getenv("BTFKIT_RESOLVE_BTFIDS"); E && *E)
    return std::string(E);
  if (Base) {
    SmallString<256> P(sys::path::parent_path(*Base));
    sys::path::append(P, "tools/bpf/resolve_btfids/resolve_btfids");
    if (sys::fs::can_execute(P))
      return std::string(P);
    return createStringError(inconvertibleErrorCode(),
                             "no resolve_btfids at " + P +
                                 " (next to the -b file); set "
                                 "BTFKIT_RESOLVE_BTFIDS to the real tool");
  }
  return createStringError(inconvertibleErrorCode(),
                           "no -b file to find resolve_btfids next to; set "
                           "BTFKIT_RESOLVE_BTFIDS to the real tool");
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  ArrayRef<const char *> Args(argv + 1, argv + argc);
  if (llvm::is_contained(Args, StringRef("--help")) ||
      llvm::is_contained(Args, StringRef("-h"))) {
    printHelp(Tool);
    return 0;
  }
  if (isGenBTFCommandLine(Args))
    return runGenBTF(Args);
  CommandLine C = parse(argc, argv);
  if (C.KernelVersion)
    if (auto K =
            KernelVersion::parseOption("--kernel-version", *C.KernelVersion);
        !K) {
      reportError(Tool, K.takeError());
      return 2;
    }
  std::optional<std::string> Base;
  if (C.BaseArg)
    Base = valueOf(C, *C.BaseArg);
  auto Real = realTool(Base);
  if (!Real) {
    reportError(Tool, Real.takeError());
    return 2;
  }

  // A module the link step wrote: its distilled base stands in for -b.
  std::optional<sys::fs::TempFile> Distilled;
  if (C.ObjectArg) {
    const std::string &Obj = C.Args[*C.ObjectArg];
    auto Buf = mapFile(Obj);
    if (!Buf) {
      reportError(Tool, Buf.takeError());
      return 2;
    }
    ArrayRef<uint8_t> Image = arrayRefFromStringRef((*Buf)->getBuffer());
    // The real tool exits 255 on anything else without naming the file.
    if (!looksLikeELF(Image)) {
      reportError(Tool, makeError(Obj, "not an ELF file (resolve_btfids "
                                       "patches the BTF ids of a linked "
                                       "object or module)"));
      return 2;
    }
    auto Sec = findELFSection(Obj, Image, BTFBaseSectionName);
    if (!Sec) {
      reportError(Tool, Sec.takeError());
      return 2;
    }
    if (*Sec) {
      auto T = sys::fs::TempFile::create(
          sys::path::parent_path(Obj).empty()
              ? "btf-base-%%%%%%.btf"
              : (sys::path::parent_path(Obj) + "/.btf-base-%%%%%%.btf").str());
      if (!T) {
        reportError(Tool, T.takeError());
        return 2;
      }
      Distilled.emplace(std::move(*T));
      raw_fd_ostream OS(Distilled->FD, /*shouldClose=*/false);
      OS.write(reinterpret_cast<const char *>((*Sec)->data()), (*Sec)->size());
      OS.flush();
      if (OS.has_error()) {
        reportError(Tool, createStringError(OS.error(), Distilled->TmpName +
                                                            ": cannot write"));
        consumeError(Distilled->discard());
        return 2;
      }
      std::string NewBase = Distilled->TmpName;
      if (C.BaseArg)
        C.Args[*C.BaseArg] = C.BasePrefix + NewBase;
      else {
        C.Args.insert(C.Args.begin() + *C.ObjectArg, NewBase);
        C.Args.insert(C.Args.begin() + *C.ObjectArg, "-b");
      }
    }
  }

  SmallVector<StringRef, 16> Argv{*Real};
  for (const std::string &A : C.Args)
    Argv.push_back(A);
  std::string ErrMsg;
  int RC =
      sys::ExecuteAndWait(*Real, Argv, /*Env=*/std::nullopt, {}, 0, 0, &ErrMsg);
  if (Distilled)
    consumeError(Distilled->discard());
  if (RC < 0) {
    reportError(Tool, createStringError(inconvertibleErrorCode(),
                                        "cannot run " + *Real + ": " + ErrMsg));
    return 2;
  }
  return RC;
}
