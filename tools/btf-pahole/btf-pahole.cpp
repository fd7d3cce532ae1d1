//===- btf-pahole.cpp - A PAHOLE= drop-in that runs the link step ---------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Kbuild's modfinal step (scripts/Makefile.modfinal, Linux 6.1) runs
//
//   $(PAHOLE) -J $(PAHOLE_FLAGS) --btf_base vmlinux mod.ko
//
// With PAHOLE=btf-pahole that runs btfkit's link step on mod.ko in place:
// the fragments its objects carry are merged into .BTF + .BTF.base and
// checked, the base taken from --btf_base. pahole's other flags
// (scripts/pahole-flags.sh: --btf_gen_floats, -j, --lang_exclude=...,
// --skip_encoding_btf_*, --btf_gen_optimized, --btf_features=...) do not
// apply: the BTF was encoded at compile time by the plugin; they are
// accepted and ignored. `--version` answers like pahole 1.24, the version
// whose encoding the plugin mirrors, so pahole-flags.sh picks the flags it
// picks for that version.
//
// btfkit's own options may be given on the command line or, since Kbuild's
// command line is fixed, through the environment:
//   --check-against=KERNEL      BTFKIT_CHECK_AGAINST=K1:K2:...
//   --fatal-warnings            BTFKIT_FATAL_WARNINGS=1
//   --kernel-version=X.Y        BTFKIT_KERNEL_VERSION=X.Y
// The checks use that release's rules, else those of the tree Kbuild
// builds ($KERNELVERSION), else the defaults of KernelVersion::forTarget.
//
// Linux 7.x's scripts/gen-btf.sh runs instead
//
//   $(PAHOLE) -J $(PAHOLE_FLAGS) --btf_base vmlinux
//   --btf_encode_detached=X.BTF.1 X.ko
//
// and btf-pahole then writes the module's BTF to X.BTF.1 as classic split
// BTF over vmlinux, leaving X.ko alone (linkModuleDetachedBTF()); the
// resolve_btfids step (btf-resolve-btfids) distills and sorts it.
//
// The compile units without a fragment (GCC-built objects, assembly) are
// encoded from the module's DWARF (lib/Link's --dwarf-fallback route; one
// line names them), so a GCC-built module gets BTF as pahole would give
// it, made resilient. A module that already has .BTF and .BTF.base (linked
// by ld.lld-btf) is left as it is in the 6.x step. A check that was asked
// for (--fatal-warnings, --check-against) and cannot run is an error.
//
// Exit status: 0 done, 1 failed checks with --fatal-warnings, 2 an error.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Error.h"
#include "btfkit/KernelVersion.h"
#include "btfkit/Link.h"
#include "btfkit/Reader.h"
#include "btfkit/ToolSupport.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

using namespace btfkit;
using namespace llvm;

static constexpr const char *Tool = "btf-pahole";
/// The pahole version whose encoding the plugin mirrors (docs/Plugin.md).
static constexpr const char *PaholeVersion = "v1.24";

enum LinkWork { Fragments, Dwarf, Merged, Nothing };

/// What the link step has to work with in \p Module: fragments, else
/// .BTF and .BTF.base already merged (by ld.lld-btf), else DWARF to
/// encode, else nothing.
static Expected<LinkWork> whatToLink(const MemoryBuffer &Module) {
  auto Has = hasFragments(Module);
  if (!Has)
    return Has.takeError();
  if (*Has)
    return Fragments;
  StringRef Path = Module.getBufferIdentifier();
  ArrayRef<uint8_t> Image = arrayRefFromStringRef(Module.getBuffer());
  bool All = true;
  for (StringRef Name : {".BTF", ".BTF.base"}) {
    auto Sec = findELFSection(Path, Image, Name);
    if (!Sec)
      return Sec.takeError();
    All &= Sec->has_value();
  }
  if (All)
    return Merged;
  auto Debug = findELFSection(Path, Image, ".debug_info");
  if (!Debug)
    return Debug.takeError();
  return *Debug ? Dwarf : Nothing;
}

/// pahole options that take a separate value ("-j 4" takes none: -j's
/// value must be attached in pahole too).
static bool takesValue(StringRef Opt) {
  static const char *const WithValue[] = {
      "-C",
      "--class_name",
      "-E",
      "-e",
      "--exclude",
      "-i",
      "--contains",
      "-l",
      "--show_first_biggest_size_base_type_member",
      "-M",
      "--lang",
      "--lang_exclude",
      "--btf_encode_detached",
      "--btf_features",
      "-d",
      "--recursive",
      "-F",
      "--format_path",
      "-s",
      "--seek_bytes",
      "--count",
      "-y",
      "--prefix_filter",
      "-z",
      "--hole_size_ge",
      "-T",
      "--nr_methods",
      "-w",
      "--word_size",
      "-x",
      "--exclude_prefix",
      "-A",
      "--config",
      "-S",
      "--cacheline_size"};
  for (const char *O : WithValue)
    if (Opt == O)
      return true;
  return false;
}

static void printHelp() {
  outs()
      << R"(OVERVIEW: a PAHOLE= drop-in for Kbuild that runs btfkit's link step

USAGE (Linux 6.1 - 6.12, Makefile.modfinal):
  btf-pahole -J [PAHOLE_FLAGS] --btf_base VMLINUX MODULE.ko
      Writes MODULE.ko's .BTF (split) and .BTF.base (distilled base) in place.
USAGE (Linux 7.x, scripts/gen-btf.sh):
  btf-pahole -J [PAHOLE_FLAGS] --btf_base VMLINUX --btf_encode_detached=OUT MODULE.ko
      Writes the module's BTF to OUT as raw classic split BTF over VMLINUX
      and leaves MODULE.ko as it is; RESOLVE_BTFIDS=btf-resolve-btfids
      distills and sorts it.

The BTF comes from the btfkit fragments the plugin put into the objects;
objects without one (GCC-built, assembly) are encoded from their DWARF
(one line names them). A module already linked by ld.lld-btf is kept as
it is (6.x) or taken as it is (7.x). pahole's other flags (PAHOLE_FLAGS:
--btf_gen_floats, -j, --btf_features=..., --lang_exclude=...) are accepted
and do not apply. --version answers v1.24.

OPTIONS (btfkit's own; the environment form is for Kbuild's fixed command line):
  --check-against=KERNEL    BTFKIT_CHECK_AGAINST=K1:K2:...
      check that the module's BTF relocates onto these kernels' BTF
  --fatal-warnings          BTFKIT_FATAL_WARNINGS=1
      a failed check or a warning fails the step, and nothing is written
  --kernel-version=X.Y      BTFKIT_KERNEL_VERSION=X.Y
      the release whose rules the checks use (default: the tree's)
  --help                    this text

Exit status: 0 done, 1 failed checks with --fatal-warnings, 2 an error.
)";
}

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  LinkOptions Opts;
  std::optional<std::string> File;
  std::optional<std::string> KernelVersionArg;
  std::optional<std::string> Detached;
  bool Encode = false;
  for (int I = 1; I < argc; ++I) {
    StringRef A = argv[I];
    if (A == "--version") {
      outs() << PaholeVersion << '\n';
      return 0;
    }
    if (A == "--help" || A == "-h") {
      printHelp();
      return 0;
    }
    if (A.consume_front("--btf_encode_detached=")) {
      Detached = A.str();
      continue;
    }
    if (A == "--btf_encode_detached" && I + 1 < argc) {
      Detached = argv[++I];
      continue;
    }
    if (A == "-J" || A == "--btf_encode") {
      Encode = true;
    } else if (A == "--btf_base" && I + 1 < argc) {
      Opts.BasePath = argv[++I];
    } else if (A.consume_front("--btf_base=")) {
      Opts.BasePath = A.str();
    } else if (A.consume_front("--check-against=")) {
      Opts.CheckAgainst.push_back(A.str());
    } else if (A == "--fatal-warnings") {
      Opts.FatalWarnings = true;
    } else if (A.consume_front("--kernel-version=")) {
      KernelVersionArg = A.str();
    } else if (A == "--kernel-version" && I + 1 < argc) {
      KernelVersionArg = argv[++I];
    } else if (A.starts_with("-")) {
      if (!A.contains('=') && takesValue(A) && I + 1 < argc)
        ++I; // a pahole option that does not apply, and its value
    } else if (!File) {
      File = A.str();
    } else {
      reportError(Tool, createStringError(inconvertibleErrorCode(),
                                          "more than one file given: " + *File +
                                              ", " + A));
      return 2;
    }
  }
  if (auto Env = sys::Process::GetEnv("BTFKIT_CHECK_AGAINST")) {
    SmallVector<StringRef, 4> Ks;
    StringRef(*Env).split(Ks, ':', -1, /*KeepEmpty=*/false);
    for (StringRef K : Ks)
      Opts.CheckAgainst.push_back(K.str());
  }
  if (auto Env = sys::Process::GetEnv("BTFKIT_FATAL_WARNINGS"))
    Opts.FatalWarnings |= !Env->empty() && *Env != "0";
  auto Kernel =
      KernelVersion::fromToolOptions("--kernel-version", KernelVersionArg,
                                     /*InKbuild=*/true);
  if (!Kernel) {
    reportError(Tool, Kernel.takeError());
    return 2;
  }
  Opts.Kernel = *Kernel;

  if (!File) {
    reportError(Tool, createStringError(inconvertibleErrorCode(),
                                        "no file given (usage: btf-pahole "
                                        "-J --btf_base VMLINUX MODULE.ko)"));
    return 2;
  }
  if (!Encode) {
    reportError(Tool, createStringError(
                          inconvertibleErrorCode(),
                          "only BTF encoding (-J) is supported: btf-pahole "
                          "stands in for pahole in Kbuild's modfinal step"));
    return 2;
  }

  auto Linked = readLinkedFile(*File);
  if (!Linked) {
    reportError(Tool, Linked.takeError());
    return 2;
  }
  // Objects built without the plugin get their BTF from DWARF, as pahole
  // gives it to them.
  Opts.DwarfFallback = Opts.AnnounceDwarfUnits = true;
  auto What = whatToLink(**Linked);
  if (!What) {
    reportError(Tool, What.takeError());
    return 2;
  }
  if (*What == Nothing) {
    // pahole gives no BTF to a module without DWARF either; a check that
    // was asked for cannot run, though.
    std::string Msg = *File + ": no btfkit fragments and no DWARF: no BTF "
                              "generated";
    if (Opts.FatalWarnings || !Opts.CheckAgainst.empty()) {
      reportError(Tool, createStringError(inconvertibleErrorCode(),
                                          Msg + "; the checks asked for "
                                                "(BTFKIT_CHECK_AGAINST, "
                                                "BTFKIT_FATAL_WARNINGS) "
                                                "cannot run"));
      return 2;
    }
    reportWarning(Tool, Msg);
    return 0;
  }
  if (Detached) {
    auto R = linkModuleDetachedBTF(std::move(*Linked), *Detached, Opts, outs());
    if (!R) {
      reportError(Tool, R.takeError());
      return 2;
    }
    return finishLinkStep(Tool, *Detached, *R, Opts, "BTFKIT_FATAL_WARNINGS",
                          outs(), errs());
  }
  // A module linked by ld.lld-btf (LD=ld.lld-btf and PAHOLE=btf-pahole
  // together) was merged and checked at its link: nothing is left to do.
  if (*What == Merged)
    return 0;

  auto R = linkModuleBTF(std::move(*Linked), *File, Opts, outs());
  if (!R) {
    reportError(Tool, R.takeError());
    return 2;
  }
  return finishLinkStep(Tool, *File, *R, Opts, "BTFKIT_FATAL_WARNINGS", outs(),
                        errs());
}
