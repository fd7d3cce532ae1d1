//===- btf-diff.cpp - Compare two BTFs by type equivalence ----------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// btf-diff A B [--base-btf=BASE]
// btf-diff --canonical-dump A [--base-btf=BASE]
//
// Compares the types of A and B (raw BTF or ELF .BTF; both split over BASE
// when it is given; resilient split BTF -- a module with .BTF.base, an
// object with a btfkit fragment -- is relocated onto BASE first)
// independently of type ids and string layout, and lists
// the types of each side that have no equivalent on the other with a short
// reason. Exit status: 0 equivalent, 1 different, 2 an input is refused.
//
// --canonical-dump prints A's types as bpftool does, in canonical order
// (docs/Dedup.md): two deduplicated BTFs with the same types print the same.
//
//===----------------------------------------------------------------------===//

#include "btfkit/BaseIndex.h"
#include "btfkit/Diff.h"
#include "btfkit/Dump.h"
#include "btfkit/Error.h"
#include "btfkit/Reader.h"
#include "btfkit/Relocate.h"
#include "btfkit/ToolSupport.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace btfkit;
using namespace llvm;

static cl::OptionCategory Cat("btf-diff options");
static cl::list<std::string> Inputs(cl::Positional, cl::OneOrMore,
                                    cl::desc("<A> <B>"), cl::cat(Cat));
static cl::opt<std::string>
    BaseBTF("base-btf", cl::value_desc("file"),
            cl::desc("Base BTF both inputs are split over (raw BTF or ELF)"),
            cl::cat(Cat));
static cl::opt<bool>
    CanonicalDump("canonical-dump",
                  cl::desc("Print the one input in canonical order instead"),
                  cl::cat(Cat));
static cl::opt<bool> Quiet("q",
                           cl::desc("Print nothing, only set the exit "
                                    "status"),
                           cl::cat(Cat));

static constexpr const char *Tool = "btf-diff";

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::HideUnrelatedOptions(Cat);
  cl::ParseCommandLineOptions(argc, argv,
                              "compare two BTFs by type equivalence\n");
  if (Inputs.size() != (CanonicalDump ? 1u : 2u)) {
    errs() << Tool << ": error: expected "
           << (CanonicalDump ? "one input" : "two inputs") << '\n';
    return 2;
  }
  std::unique_ptr<BTF> Base;
  if (!BaseBTF.empty()) {
    auto BOrErr = loadBaseBTF(BaseBTF);
    if (!BOrErr) {
      reportError(Tool, BOrErr.takeError());
      return 2;
    }
    Base = std::move(*BOrErr);
  }
  std::vector<BTFFile> Files;
  // Resilient split BTF (a module with .BTF.base, an object's btfkit
  // fragment) compared over --base-btf is first relocated onto it, as the
  // kernel would load it.
  std::unique_ptr<BaseIndex> Index;
  std::vector<std::unique_ptr<BTF>> Relocated;
  std::vector<const BTF *> Sides;
  for (const std::string &In : Inputs) {
    // Read once: the probe and the load below look at the same bytes, and
    // a pipe can be read only once.
    auto Contents = mapFile(In);
    if (!Contents) {
      reportError(Tool, Contents.takeError());
      return 2;
    }
    LoadOptions Opts;
    if (Base) {
      auto Probe = BTFFile::load(*Contents);
      if (!Probe)
        consumeError(Probe.takeError()); // loaded over the base below
      else if (Probe->btf().isSplit() && Probe->embeddedBase()) {
        if (!Index)
          Index = std::make_unique<BaseIndex>(*Base);
        RelocateOptions RO;
        RO.Name = In + " relocated onto " + BaseBTF;
        auto R = relocate(Probe->btf(), *Index, RO);
        if (!R) {
          reportError(Tool, R.takeError());
          return 2;
        }
        if (!R->relocated()) {
          reportError(Tool, makeError(In, "does not relocate onto " + BaseBTF +
                                              ": " + R->Failures.front().Name +
                                              " finds no match (btf-relocate "
                                              "explains)"));
          return 2;
        }
        Files.push_back(std::move(*Probe));
        Relocated.push_back(std::move(R->Split));
        Sides.push_back(Relocated.back().get());
        continue;
      }
      Opts.Base = Base.get();
    }
    auto F = BTFFile::load(*Contents, Opts);
    if (!F) {
      reportError(Tool, F.takeError());
      return 2;
    }
    Files.push_back(std::move(*F));
    Sides.push_back(&Files.back().btf());
  }

  if (CanonicalDump) {
    auto C = canonicalize(*Sides[0]);
    if (!C) {
      reportError(Tool, C.takeError());
      return 2;
    }
    dumpRaw(**C, outs());
    return 0;
  }

  const BTF &A = *Sides[0], &B = *Sides[1];
  DiffResult R = diffBTF(A, B);
  if (!Quiet)
    printDiff(R, A, B, outs());
  return R.equivalent() ? 0 : 1;
}
