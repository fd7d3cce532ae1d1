//===- btf-dedup.cpp - Deduplicate and merge BTF --------------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// btf-dedup IN... [--base-btf=B] -o OUT [--stats] [--concat-only]
//           [--append-to-base] [--compat=latest|libbpf-1.1] [--no-validate]
//
// Concatenates the BTF of the inputs (raw BTF or ELF .BTF; split over B when
// it is given) and deduplicates the result the way libbpf's btf__dedup()
// does, split-aware: types equivalent to a base type become references to
// it. Writes raw BTF. Exit status: 0 success, 1 an input is refused.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Dedup.h"
#include "btfkit/Error.h"
#include "btfkit/Reader.h"
#include "btfkit/ToolSupport.h"
#include "btfkit/Validate.h"
#include "btfkit/Writer.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace btfkit;
using namespace llvm;

static cl::OptionCategory Cat("btf-dedup options");
static cl::list<std::string> Inputs(cl::Positional, cl::OneOrMore,
                                    cl::desc("<input>..."), cl::cat(Cat));
static cl::opt<std::string> Output("o", cl::Required, cl::value_desc("file"),
                                   cl::desc("Output raw BTF file"),
                                   cl::cat(Cat));
static cl::opt<std::string>
    BaseBTF("base-btf", cl::value_desc("file"),
            cl::desc("Base BTF the inputs are split over (raw BTF or ELF)"),
            cl::cat(Cat));
// Spelled --stats on the command line; LLVM's own -stats takes the name.
static cl::opt<bool> Stats("print-stats",
                           cl::desc("Print type and string counts before "
                                    "and after"),
                           cl::cat(Cat));
static cl::opt<bool>
    ConcatOnly("concat-only",
               cl::desc("Only concatenate the inputs, do not deduplicate"),
               cl::cat(Cat));
static cl::opt<bool> AppendToBase(
    "append-to-base",
    cl::desc("Write a standalone BTF: the base's own types followed by the "
             "inputs' (needs --base-btf)"),
    cl::cat(Cat));
static cl::opt<DedupCompat> Compat(
    "compat", cl::desc("Which libbpf's choices to follow"),
    cl::init(DedupCompat::Latest),
    cl::values(
        clEnumValN(DedupCompat::Latest, "latest",
                   "libbpf at its head (1.1 plus the dedup changes since)"),
        clEnumValN(DedupCompat::Libbpf11, "libbpf-1.1", "exactly libbpf 1.1")),
    cl::cat(Cat));
static cl::opt<bool>
    NoValidate("no-validate",
               cl::desc("Do not check the inputs by the kernel's rules "
                        "(structural checks still apply)"),
               cl::cat(Cat));

static constexpr const char *Tool = "btf-dedup";

static int fail(Error E) {
  reportError(Tool, std::move(E));
  return 1;
}

static int finish(ArrayRef<uint8_t> Result, const DedupStats &S) {
  if (Error E = writeFileAtomically(Output, Result))
    return fail(std::move(E));
  if (Stats)
    outs() << "types: " << S.TypesBefore << " -> " << S.TypesAfter
           << "\nstring bytes: " << S.StrBytesBefore << " -> "
           << S.StrBytesAfter << "\n";
  return 0;
}

/// Split inputs over \p Base, one at a time: each is loaded, checked and
/// appended, then unloaded, so that merging a kernel's thousands of modules
/// holds one of them at a time (DedupAppender).
static int mergeOverBase(const BTF &Base, const DedupOptions &Opts) {
  DedupAppender All(Base);
  for (const std::string &In : Inputs) {
    LoadOptions LO;
    LO.Base = &Base;
    auto F = BTFFile::load(In, LO);
    if (!F)
      return fail(F.takeError());
    if (!NoValidate)
      if (Error E = checkValid(F->btf()))
        return fail(std::move(E));
    if (Error E = All.append(F->btf()))
      return fail(std::move(E));
  }
  DedupStats S;
  auto Blob = All.dedup(Opts, &S);
  if (!Blob)
    return fail(Blob.takeError());
  return finish(*Blob, S);
}

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  std::vector<const char *> Args(argv, argv + argc);
  for (const char *&A : Args)
    if (StringRef(A) == "--stats" || StringRef(A) == "-stats")
      A = "--print-stats";
  cl::HideUnrelatedOptions(Cat);
  cl::ParseCommandLineOptions(int(Args.size()), Args.data(),
                              "deduplicate and merge BTF, split-aware\n"
                              "(inputs may also come from a response file: "
                              "@FILE)\n");
  if (AppendToBase && BaseBTF.empty())
    return fail(makeError(Tool, "--append-to-base needs --base-btf"));

  std::unique_ptr<BTF> Base;
  if (!BaseBTF.empty()) {
    auto BOrErr = loadBaseBTF(BaseBTF);
    if (!BOrErr)
      return fail(BOrErr.takeError());
    Base = std::move(*BOrErr);
  }

  DedupOptions Opts;
  Opts.Compat = Compat;
  if (Base && !AppendToBase && !ConcatOnly)
    return mergeOverBase(*Base, Opts);

  std::vector<BTFFile> Files;
  std::vector<const BTF *> Parts;
  if (AppendToBase)
    Parts.push_back(Base.get());
  for (const std::string &In : Inputs) {
    LoadOptions Opts;
    Opts.Base = Base.get();
    auto F = BTFFile::load(In, Opts);
    if (!F)
      return fail(F.takeError());
    Files.push_back(std::move(*F));
  }
  for (const BTFFile &F : Files) {
    if (!NoValidate)
      if (Error E = checkValid(F.btf()))
        return fail(std::move(E));
    Parts.push_back(&F.btf());
  }

  const BTF *OutBase = AppendToBase ? nullptr : Base.get();
  auto Whole = [&]() -> Expected<std::unique_ptr<BTF>> {
    auto Blob = concatenateToBlob(Parts, OutBase);
    if (!Blob)
      return Blob.takeError();
    return BTF::parseOwned(std::move(*Blob), OutBase,
                           Parts.size() == 1 ? Parts[0]->name().str()
                                             : Output + " (concatenated)");
  }();
  if (!Whole)
    return fail(Whole.takeError());

  std::vector<uint8_t> Result;
  DedupStats S;
  if (ConcatOnly) {
    Result = serializeBTF(**Whole);
    S.TypesBefore = S.TypesAfter = (*Whole)->numTypes();
    S.StrBytesBefore = S.StrBytesAfter = (*Whole)->stringSection().size();
  } else {
    auto Blob = dedupToBlob(**Whole, Opts, nullptr, &S);
    if (!Blob)
      return fail(Blob.takeError());
    Result = std::move(*Blob);
  }
  return finish(Result, S);
}
