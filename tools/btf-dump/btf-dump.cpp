//===- btf-dump.cpp - Print and check BTF ---------------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// btf-dump FILE [--base-btf=FILE] [--format=raw|c] [--section=NAME]
//          [--validate [--kernel-version=X.Y] [--all]]
//
// Prints the BTF of a raw BTF file, an ELF object or a /sys/kernel/btf file
// as bpftool does, or as a C header; with --validate, checks it by the
// rules of a kernel release instead: --kernel-version's, else the running
// kernel's for its /sys/kernel/btf files, else the newest btfkit knows.
// Exit status: 0 success, 1 the input is refused (unreadable, malformed, or
// invalid under --validate) or an option is wrong.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Dump.h"
#include "btfkit/KernelVersion.h"
#include "btfkit/Reader.h"
#include "btfkit/ToolSupport.h"
#include "btfkit/Validate.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

using namespace btfkit;
using namespace llvm;

static cl::OptionCategory Cat("btf-dump options");
static cl::opt<std::string> Input(cl::Positional, cl::Required,
                                  cl::desc("<file>"), cl::cat(Cat));
static cl::opt<std::string>
    BaseBTF("base-btf", cl::value_desc("file"),
            cl::desc("Base BTF the input is split over (raw BTF or ELF); "
                     "overrides the input's own .BTF.base"),
            cl::cat(Cat));
enum class Format { Raw, C };
static cl::opt<Format> OutFormat(
    "format", cl::desc("Output format"), cl::init(Format::Raw),
    cl::values(clEnumValN(Format::Raw, "raw", "bpftool's raw listing"),
               clEnumValN(Format::C, "c", "a C header")),
    cl::cat(Cat));
static cl::opt<std::string>
    Section("section", cl::init(BTFSectionName), cl::value_desc("name"),
            cl::desc("ELF section to dump (.BTF, or .BTF.base on its own)"),
            cl::cat(Cat));
static cl::opt<bool> CIncludeBase(
    "c-include-base",
    cl::desc("With --format=c on split BTF: declare all of the base's types "
             "too, as bpftool does (default: only those the split needs)"),
    cl::cat(Cat));
static cl::opt<bool> CBpftoolCompat(
    "c-bpftool-compat",
    cl::desc("With --format=c: print exactly what bpftool 7.1 prints, "
             "without btfkit's layout fixes"),
    cl::cat(Cat));
static cl::opt<bool>
    Validate("validate",
             cl::desc("Check the BTF by the kernel's rules and print the "
                      "verdict instead of the types"),
             cl::cat(Cat));
static cl::opt<bool> AllIssues(
    "all", cl::desc("With --validate: report every issue, not only the first"),
    cl::cat(Cat));
static cl::opt<std::string> KernelVersionOpt(
    "kernel-version", cl::value_desc("X.Y"),
    cl::desc("With --validate: the Linux release whose rules apply (default: "
             "the running kernel's for /sys/kernel/btf files, else the "
             "newest known)"),
    cl::cat(Cat));

static constexpr const char *Tool = "btf-dump";

/// Prints the verdict on one blob by \p Kernel's rules: "valid ...", or its
/// issues and why they matter. True when valid.
static bool validateBlob(const BTF &B, KernelVersion Kernel) {
  ValidateOptions VOpts;
  VOpts.StopAtFirst = !AllIssues;
  VOpts.Kernel = Kernel;
  std::vector<ValidationIssue> Issues = validate(B, VOpts);
  std::string Linux = "Linux " + Kernel.str();
  if (Issues.empty()) {
    outs() << B.name() << ": valid by " << Linux << "'s rules (" << B.numTypes()
           << " types"
           << (B.isSplit() ? ", split over " + B.base()->name().str() : "")
           << ")\n";
    return true;
  }
  for (const ValidationIssue &I : Issues)
    errs() << B.name() << ": " << I.Message << '\n';
  // The kernel checks vmlinux and module BTF without the resolve pass; say
  // which loads the issues stop (docs/Validation.md).
  auto Refusing = llvm::find_if(
      Issues, [](const ValidationIssue &I) { return I.RefusedAtModuleLoad; });
  errs() << B.name() << ": invalid BTF, ";
  if (Refusing != Issues.end())
    errs() << Linux << " would refuse it";
  else
    errs() << "BPF_BTF_LOAD would refuse it (" << Linux
           << " still loads it as vmlinux or module BTF)";
  errs() << " (" << Issues.size() << (Issues.size() == 1 ? " issue" : " issues")
         << (AllIssues ? "" : " shown") << ")\n";
  return false;
}

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::HideUnrelatedOptions(Cat);
  cl::ParseCommandLineOptions(argc, argv, "print and check BTF\n");

  auto Kernel = kernelVersionOption(KernelVersionOpt);
  if (!Kernel) {
    reportError(Tool, Kernel.takeError());
    return 1;
  }

  std::unique_ptr<BTF> Base;
  std::string BasePath = BaseBTF.empty() ? implicitBaseFor(Input) : BaseBTF;
  if (!BasePath.empty()) {
    auto BOrErr = loadBaseBTF(BasePath);
    if (!BOrErr) {
      reportError(Tool, BOrErr.takeError());
      return 1;
    }
    Base = std::move(*BOrErr);
  }

  LoadOptions Opts;
  Opts.Base = Base.get();
  Opts.Section = Section;
  auto FileOrErr = BTFFile::load(Input, Opts);
  if (!FileOrErr) {
    reportError(Tool, FileOrErr.takeError());
    return 1;
  }
  const BTF &B = FileOrErr->btf();

  if (Validate) {
    // A module's .BTF.base is checked first, as the kernel parses it
    // before the .BTF over it (btf_parse_module): what passes here, the
    // kernel accepts. The first blob with issues decides the verdict.
    std::vector<const BTF *> Blobs;
    if (const BTF *Embedded = FileOrErr->embeddedBase();
        Embedded && B.base() == Embedded)
      Blobs.push_back(Embedded);
    Blobs.push_back(&B);
    // The target is the running kernel when the input or its base is one
    // of its /sys/kernel/btf files.
    KernelVersion K = KernelVersion::orForTarget(
        *Kernel,
        StringRef(Input).starts_with("/sys/kernel/btf/") ? Input : BasePath);
    if (Blobs.size() == 2 && !KernelRules(K).has(RuleChange::DistilledBase))
      WithColor::note(errs(), Tool)
          << Input << ": Linux " << K.str() << " does not read .BTF.base ("
          << firstWith(RuleChange::DistilledBase).str()
          << " and later do): it reads .BTF over its own vmlinux BTF; name "
             "that with --base-btf to check what it loads\n";
    for (const BTF *Blob : Blobs)
      if (!validateBlob(*Blob, K))
        return 1;
    return 0;
  }

  if (OutFormat == Format::C) {
    DumpCOptions COpts;
    COpts.IncludeBase = CIncludeBase;
    COpts.BpftoolCompat = CBpftoolCompat;
    if (Error E = dumpC(B, outs(), COpts)) {
      reportError(Tool, std::move(E));
      return 1;
    }
    return 0;
  }
  dumpRaw(B, outs());
  return 0;
}
