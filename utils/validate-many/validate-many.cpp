//===- validate-many.cpp - Validate many BTF files in one process ---------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// btfkit-validate-many [--base-btf=FILE] [--module-load] FILE... @LIST...
//
// A test driver for the corpus: validates every file (raw BTF or ELF), split
// over one base loaded once, where `btf-dump --validate` per file would load
// the base 4,000 times. Prints each refused file's issues and a summary;
// exit status 1 when any file is unreadable or invalid.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Reader.h"
#include "btfkit/ToolSupport.h"
#include "btfkit/Validate.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

using namespace btfkit;
using namespace llvm;

static cl::OptionCategory Cat("btfkit-validate-many options");
static cl::list<std::string> Inputs(cl::Positional, cl::desc("<file|@list>..."),
                                    cl::cat(Cat));
static cl::opt<std::string>
    BaseBTF("base-btf", cl::value_desc("file"),
            cl::desc("Base BTF every input is split over"), cl::cat(Cat));
static cl::opt<bool> ModuleLoad(
    "module-load",
    cl::desc("Only the checks Linux applies to vmlinux and module BTF "
             "(no resolve pass)"),
    cl::cat(Cat));

static cl::opt<std::string>
    KernelVersionOpt("kernel-version", cl::value_desc("X.Y"),
                     cl::desc("The Linux release whose rules apply (default: "
                              "the newest known)"),
                     cl::cat(Cat));

static constexpr const char *Tool = "btfkit-validate-many";

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::HideUnrelatedOptions(Cat);
  cl::ParseCommandLineOptions(argc, argv, "validate many BTF files\n");

  std::vector<std::string> Paths;
  for (const std::string &In : Inputs) {
    if (In.empty() || In[0] != '@') {
      Paths.push_back(In);
      continue;
    }
    auto Buf = MemoryBuffer::getFile(In.substr(1), /*IsText=*/true);
    if (!Buf) {
      reportError(Tool, createStringError(Buf.getError(), "%s: cannot open: %s",
                                          In.c_str() + 1,
                                          Buf.getError().message().c_str()));
      return 1;
    }
    SmallVector<StringRef, 0> Lines;
    (*Buf)->getBuffer().split(Lines, '\n', -1, /*KeepEmpty=*/false);
    for (StringRef L : Lines)
      Paths.push_back(L.trim().str());
  }

  std::unique_ptr<BTF> Base;
  if (!BaseBTF.empty()) {
    auto BOrErr = loadBaseBTF(BaseBTF);
    if (!BOrErr) {
      reportError(Tool, BOrErr.takeError());
      return 1;
    }
    Base = std::move(*BOrErr);
  }

  ValidateOptions VOpts;
  VOpts.ResolveTypes = !ModuleLoad;
  auto Kernel = kernelVersionOption(KernelVersionOpt);
  if (!Kernel) {
    reportError(Tool, Kernel.takeError());
    return 1;
  }
  if (*Kernel)
    VOpts.Kernel = **Kernel;
  unsigned Valid = 0, Invalid = 0, Unreadable = 0;
  uint64_t Types = 0;
  for (const std::string &P : Paths) {
    LoadOptions Opts;
    Opts.Base = Base.get();
    auto F = BTFFile::load(P, Opts);
    if (!F) {
      reportError(Tool, F.takeError());
      ++Unreadable;
      continue;
    }
    const BTF &B = F->btf();
    std::vector<ValidationIssue> Issues = validate(B, VOpts);
    Types += B.numTypes();
    if (Issues.empty()) {
      ++Valid;
      continue;
    }
    ++Invalid;
    for (const ValidationIssue &I : Issues)
      errs() << B.name() << ": " << I.Message << '\n';
  }
  outs() << Paths.size() << " files, " << Types << " types: " << Valid
         << " valid, " << Invalid << " invalid, " << Unreadable
         << " unreadable\n";
  return Invalid || Unreadable ? 1 : 0;
}
