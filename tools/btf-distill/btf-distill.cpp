//===- btf-distill.cpp - Give a module resilient split BTF ----------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// btf-distill --base-btf=VMLINUX MODULE [-o OUT]
//             [--raw-base=FILE] [--raw-split=FILE]
//
// MODULE holds split BTF over VMLINUX: a .ko or .o with a .BTF section (as
// pahole writes it without distilled_base) or a raw split BTF file. The
// output has .BTF replaced by the new split BTF and a .BTF.base section with
// the distilled base (libbpf's btf__distill_base() result): the module's
// BTF then relocates onto other builds of the kernel. An ELF input is
// rewritten in place unless -o names another file; a raw input becomes a
// new minimal ELF object holding both sections (-o is required). The two
// pieces can also be written as raw BTF. Exit status: 0 done, 1 error
// (nothing written).
//
//===----------------------------------------------------------------------===//

#include "btfkit/Distill.h"
#include "btfkit/Error.h"
#include "btfkit/Reader.h"
#include "btfkit/ToolSupport.h"
#include "btfkit/Writer.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

using namespace btfkit;
using namespace llvm;

static cl::OptionCategory Cat("btf-distill options");
static cl::opt<std::string> Input(cl::Positional, cl::Required,
                                  cl::desc("<module>"), cl::cat(Cat));
static cl::opt<std::string>
    BaseBTF("base-btf", cl::Required, cl::value_desc("file"),
            cl::desc("The vmlinux BTF the module's .BTF is split over (raw "
                     "BTF or an ELF with .BTF)"),
            cl::cat(Cat));
static cl::opt<std::string>
    Output("o", cl::value_desc("file"),
           cl::desc("Output file (default: rewrite an ELF input in place)"),
           cl::cat(Cat));
static cl::opt<std::string>
    RawBase("raw-base", cl::value_desc("file"),
            cl::desc("Also write the distilled base as raw BTF"), cl::cat(Cat));
static cl::opt<std::string>
    RawSplit("raw-split", cl::value_desc("file"),
             cl::desc("Also write the new split BTF as raw BTF"), cl::cat(Cat));

static constexpr const char *Tool = "btf-distill";

static int fail(Error E) {
  reportError(Tool, std::move(E));
  return 1;
}

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::HideUnrelatedOptions(Cat);
  cl::ParseCommandLineOptions(argc, argv,
                              "distill a module's base BTF (resilient split "
                              "BTF)\n");

  auto BaseOrErr = loadBaseBTF(BaseBTF);
  if (!BaseOrErr)
    return fail(BaseOrErr.takeError());
  // Read once: the load and the rewrite below look at the same bytes.
  auto Contents = mapFile(Input);
  if (!Contents)
    return fail(Contents.takeError());
  LoadOptions Opts;
  Opts.Base = BaseOrErr->get();
  Opts.UseEmbeddedBase = false;
  auto FileOrErr = BTFFile::load(*Contents, Opts);
  if (!FileOrErr)
    return fail(FileOrErr.takeError());
  BTFFile &File = *FileOrErr;
  if (File.hasBaseSection())
    return fail(makeError(Input, "already has a .BTF.base section: its .BTF "
                                 "is split over that distilled base, not "
                                 "over " +
                                     BaseBTF));
  bool ToELF = !Output.empty() || File.format() == BTFFile::ELF;
  if (File.format() == BTFFile::Raw && Output.empty() && RawBase.empty() &&
      RawSplit.empty())
    return fail(makeError(Input, "is raw BTF: name the ELF object to create "
                                 "with -o (or use --raw-base/--raw-split)"));

  auto D = distill(File.btf());
  if (!D)
    return fail(D.takeError());
  bool Swap = File.btf().wasByteSwapped();
  std::vector<uint8_t> BaseBlob = serializeBTF(*D->Base, Swap);
  std::vector<uint8_t> SplitBlob = serializeBTF(*D->Split, Swap);

  // Every output is written before any replaces its file: all or none.
  OutputSet Outs;
  if (!RawBase.empty())
    if (Error E = Outs.add(RawBase, BaseBlob))
      return fail(std::move(E));
  if (!RawSplit.empty())
    if (Error E = Outs.add(RawSplit, SplitBlob))
      return fail(std::move(E));
  if (ToELF) {
    std::vector<SectionEdit> Edits = {
        {BTFSectionName, std::move(SplitBlob)},
        {BTFBaseSectionName, std::move(BaseBlob)}};
    std::string Out = Output.empty() ? Input : Output;
    auto F = File.format() == BTFFile::ELF
                 ? stageELFSections(**Contents, Out, Edits)
                 : stageNewELF(Out, Edits);
    if (!F)
      return fail(F.takeError());
    Outs.add(std::move(*F));
  }
  if (Error E = Outs.commit())
    return fail(std::move(E));
  return 0;
}
