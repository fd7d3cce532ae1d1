//===- btf-link.cpp - Merge and check a linked module's BTF ---------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// btf-link [--base=BASE | --no-base] [--check-against=KERNEL]...
//          [--fatal-warnings] [--[no-]dwarf-fallback] [--kernel-version=X.Y]
//          [--gcc-btf=auto|always|never] [-o OUT] FILE
//
// Runs the link step (include/btfkit/Link.h) on FILE, a linked or partially
// linked ELF (a kernel module is `ld -r` output) whose objects were compiled
// with the btfkit plugin: merges their .BTF.btfkit fragments into .BTF +
// .BTF.base, checks the result, and writes it to FILE in place or to OUT.
// BASE must be a kernel's BTF (a module, split BTF or garbage is refused,
// saying what it is); without --base, Kbuild's $(objtree)/vmlinux is used
// when $abs_objtree names a tree that has one, and objects that carry no
// base of their own (no fragment base, DWARF) are refused (LinkBase.cpp).
// The objects without a fragment (GCC-built, assembly) are encoded from
// the file's DWARF and merged with the others (one line names them; not
// with an explicit --dwarf-fallback); --no-dwarf-fallback leaves them out
// with a warning each. Objects compiled with gcc -gbtf carry BTF of their
// own, which `ld -r` concatenates in .BTF: those blobs are merged instead
// when the file has neither fragments nor DWARF, or with
// --gcc-btf=always. The checks use the rules of
// --kernel-version's release (or $BTFKIT_KERNEL_VERSION's), else each
// kernel's default: the running kernel's for /sys/kernel/btf/vmlinux, else
// the newest btfkit knows.
//
// Exit status: 0 written (warnings allowed), 1 a check failed or warned
// under --fatal-warnings (nothing written), 2 bad input or an error
// (nothing written).
//
//===----------------------------------------------------------------------===//

#include "btfkit/Error.h"
#include "btfkit/KernelVersion.h"
#include "btfkit/Link.h"
#include "btfkit/ToolSupport.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace btfkit;
using namespace llvm;

static cl::OptionCategory Cat("btf-link options");
static cl::opt<std::string> Input(cl::Positional, cl::Required,
                                  cl::desc("<linked ELF file>"), cl::cat(Cat));
static cl::opt<std::string>
    Output("o", cl::value_desc("file"),
           cl::desc("Write the result here (default: FILE in place)"),
           cl::cat(Cat));
static cl::opt<std::string>
    Base("base", cl::value_desc("file"),
         cl::desc("The kernel BTF the objects were built against (raw BTF, "
                  "vmlinux ELF or /sys/kernel/btf/vmlinux); default: "
                  "Kbuild's $(objtree)/vmlinux ($abs_objtree/vmlinux) if it "
                  "exists. Required when the objects carry no base (built "
                  "without one, or --dwarf-fallback)"),
         cl::cat(Cat));
static cl::alias BaseAlias1("btf-base", cl::aliasopt(Base),
                            cl::desc("Alias for --base"));
static cl::alias BaseAlias2("base-btf", cl::aliasopt(Base),
                            cl::desc("Alias for --base"));
static cl::opt<bool> NoBase(
    "no-base",
    cl::desc("Link without a kernel base, not even Kbuild's vmlinux: objects "
             "that carry none give standalone BTF (for objects that are not "
             "kernel modules; no kernel relates such BTF to its own)"),
    cl::cat(Cat));
static cl::list<std::string> CheckAgainst(
    "check-against", cl::value_desc("kernel BTF"),
    cl::desc("Check that the module's BTF relocates onto this kernel's BTF "
             "(vmlinux ELF, raw BTF, /sys/kernel/btf/vmlinux); repeatable"),
    cl::cat(Cat));
static cl::opt<bool>
    FatalWarnings("fatal-warnings",
                  cl::desc("Treat warnings and failed checks as errors"),
                  cl::cat(Cat));
static cl::opt<bool> DwarfFallback(
    "dwarf-fallback",
    cl::desc("Encode the objects without a fragment (built without the "
             "plugin, GCC-built, assembly with -g) from their DWARF, as "
             "pahole 1.24 would; FILE then needs no fragment at all. The "
             "default; given explicitly, the line naming them is left out"),
    cl::cat(Cat));
static cl::opt<bool> NoDwarfFallback(
    "no-dwarf-fallback",
    cl::desc("Do not encode objects without a fragment: warn about them "
             "(their types and functions are left out of the BTF)"),
    cl::cat(Cat));
static cl::opt<bool>
    NoMissing("no-missing-warning",
              cl::desc("Do not warn about compile units without a fragment"),
              cl::cat(Cat));
static cl::opt<std::string> KernelVersionOpt(
    "kernel-version", cl::value_desc("X.Y"),
    cl::desc("Check by this Linux release's rules (default: the running "
             "kernel's for /sys/kernel/btf/vmlinux, else the newest known)"),
    cl::cat(Cat));
static cl::opt<GccBTFMode> GccBTF(
    "gcc-btf", cl::init(GccBTFMode::Auto),
    cl::desc("Merge the BTF objects compiled with gcc -gbtf carry (the "
             "blobs `ld -r` concatenated in .BTF)"),
    cl::values(clEnumValN(GccBTFMode::Auto, "auto",
                          "when the file has neither fragments nor DWARF "
                          "(default)"),
               clEnumValN(GccBTFMode::Always, "always",
                          "in place of the DWARF route"),
               clEnumValN(GccBTFMode::Never, "never", "never")),
    cl::cat(Cat));
static cl::opt<bool> IfFragments(
    "if-fragments",
    cl::desc("Do nothing (exit 0) when FILE has no .BTF.btfkit section"),
    cl::cat(Cat));
static cl::opt<bool> Verbose("v", cl::desc("Print a summary and every verdict"),
                             cl::cat(Cat));
static cl::opt<std::string> CacheDir(
    "cache-dir", cl::value_desc("dir"),
    cl::desc("Where the base's index is kept between runs, shared with the "
             "plugin (\"off\": nowhere); default $BTFKIT_CACHE_DIR, else "
             "$XDG_CACHE_HOME/btfkit or ~/.cache/btfkit"),
    cl::cat(Cat));

static constexpr const char *Tool = "btf-link";

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::HideUnrelatedOptions(Cat);
  cl::ParseCommandLineOptions(argc, argv,
                              "merge and check the BTF of a linked module\n");
  std::string Out = Output.empty() ? Input : Output;
  auto Kernel = kernelVersionOption(KernelVersionOpt);
  if (!Kernel) {
    reportError(Tool, Kernel.takeError());
    return 2;
  }
  auto Linked = readLinkedFile(Input);
  if (!Linked) {
    reportError(Tool, Linked.takeError());
    return 2;
  }

  if (IfFragments) {
    auto Has = hasFragments(**Linked);
    if (!Has) {
      reportError(Tool, Has.takeError());
      return 2;
    }
    if (!*Has)
      return 0;
  }

  if (NoBase && !Base.empty()) {
    reportError(Tool, makeError("--no-base", "contradicts --base=" + Base +
                                                 ": drop one of them"));
    return 2;
  }
  LinkOptions Opts;
  Opts.BasePath = Base;
  Opts.NoBase = NoBase;
  Opts.CheckAgainst = CheckAgainst;
  Opts.FatalWarnings = FatalWarnings;
  // Objects without fragments take the DWARF route unless told otherwise;
  // when that was not asked for, one line names them.
  Opts.DwarfFallback = !NoDwarfFallback;
  Opts.AnnounceDwarfUnits = !DwarfFallback;
  Opts.NoMissingWarning = NoMissing;
  Opts.GccBTF = GccBTF;
  Opts.Verbose = Verbose;
  Opts.Kernel = *Kernel;
  if (CacheDir.getNumOccurrences())
    Opts.CacheDir = CacheDir;
  auto R = linkModuleBTF(std::move(*Linked), Out, Opts, outs());
  if (!R) {
    reportError(Tool, R.takeError());
    return 2;
  }
  return finishLinkStep(Tool, Out, *R, Opts, "--fatal-warnings", outs(),
                        errs());
}
