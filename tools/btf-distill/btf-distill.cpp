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
// btf-distill --base-btf=VMLINUX MODULE... --output-dir=DIR
//
// MODULE holds split BTF over VMLINUX: a .ko or .o with a .BTF section (as
// pahole writes it without distilled_base) or a raw split BTF file. The
// output has .BTF replaced by the new split BTF and a .BTF.base section with
// the distilled base (libbpf's btf__distill_base() result): the module's
// BTF then relocates onto other builds of the kernel. An ELF input is
// rewritten in place unless -o names another file; a raw input becomes a
// new minimal ELF object holding both sections (-o is required). The two
// pieces can also be written as raw BTF. An ELF module's .BTF_ids (the ids
// the kernel build's resolve_btfids wrote: kfunc sets, BTF_ID lists) is
// rewritten in the new numbering, its sets sorted again; an id of a kernel
// type the distilled base does not carry is resolved as Linux >= 6.11's
// resolve_btfids does (DistillModule.h), with a warning. VMLINUX must be a
// kernel's BTF, and the module's .BTF must have been made over it: one that
// does not read over it, or bears the marks of another build's vmlinux
// (ForeignBase.h: names starting mid-string, FUNCs no symbol of the module
// names), is refused (KernelBase.h). Exit status: 0 done, 1 error (nothing
// written).
//
// With --output-dir, any number of modules (or @FILE, one per line) are
// distilled in one process, VMLINUX loaded once: each ELF module is written
// to DIR under its own file name, each raw one as DIR/<stem>.btf (the new
// split) and DIR/<stem>.base.btf (the distilled base). A module that fails
// is reported and nothing is written for it; the others are written.
// Exit status: 0 all done, 1 some module failed.
//
//===----------------------------------------------------------------------===//

#include "btfkit/DistillModule.h"
#include "btfkit/Error.h"
#include "btfkit/KernelBase.h"
#include "btfkit/KernelImage.h"
#include "btfkit/OutputFile.h"
#include "btfkit/Reader.h"
#include "btfkit/ToolSupport.h"
#include "btfkit/Writer.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace btfkit;
using namespace llvm;

static cl::OptionCategory Cat("btf-distill options");
static cl::list<std::string> Inputs(cl::Positional, cl::OneOrMore,
                                    cl::desc("<module>..."), cl::cat(Cat));
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
    OutputDir("output-dir", cl::value_desc("dir"),
              cl::desc("Distill every module into DIR (ELF: same file name; "
                       "raw: <stem>.btf and <stem>.base.btf)"),
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

/// Distills one module read into \p Contents, its warnings reported.
static Expected<DistilledModule>
distillOne(std::shared_ptr<const MemoryBuffer> Contents, const BTF &Base) {
  // Distilled over the wrong base, a module would get a distilled base of
  // unrelated kernel types and FUNCs named after other functions: refused.
  if (Error E = checkClassicOverBase(Contents, Base, BaseBTF, "--base-btf"))
    return std::move(E);
  auto D = distillModule(std::move(Contents), Base, BaseBTF);
  if (D)
    for (const std::string &W : D->Warnings)
      reportWarning(Tool, W);
  return D;
}

/// Batch mode's output for one module, all its files or none: each
/// written to a temporary file renamed over its name, without a flush to
/// the disk per file; batch() flushes the file system once at the end
/// (one flush instead of 8,000 for a distribution's modules).
static Error writeBatchOutputs(const MemoryBuffer &Input, DistilledModule &D) {
  OutputSet Outs;
  Outs.setBatch(true);
  SmallString<256> Out(OutputDir);
  StringRef Name = Input.getBufferIdentifier();
  if (D.Format == BTFFile::ELF) {
    sys::path::append(Out, sys::path::filename(Name));
    auto F = stageELFSections(Input, Out, D.takeSectionEdits(), std::nullopt,
                              /*Batch=*/true);
    if (!F)
      return F.takeError();
    Outs.add(std::move(*F));
    return Outs.commit();
  }
  SmallString<256> BaseOut(Out);
  sys::path::append(Out, sys::path::stem(Name) + ".btf");
  sys::path::append(BaseOut, sys::path::stem(Name) + ".base.btf");
  if (Error E = Outs.add(Out, D.SplitBlob))
    return E;
  if (Error E = Outs.add(BaseOut, D.BaseBlob))
    return E;
  return Outs.commit();
}

static int batch(const BTF &Base) {
  if (!RawBase.empty() || !RawSplit.empty() || !Output.empty())
    return fail(makeError("--output-dir", "cannot be combined with -o, "
                                          "--raw-base or --raw-split"));
  if (std::error_code EC = sys::fs::create_directories(OutputDir))
    return fail(makeError(OutputDir, "cannot create: " + EC.message()));
  // Two modules of one name would overwrite each other's output.
  StringSet<> Names;
  for (const std::string &In : Inputs) {
    StringRef Stem = sys::path::stem(In);
    if (!Names.insert(Stem).second)
      return fail(makeError(In, "another module in the list has the output "
                                "name '" +
                                    Stem + "'"));
  }
  bool AnyFailed = false;
  for (const std::string &In : Inputs) {
    // Read once: the load and the ELF rewrite look at the same bytes.
    auto Contents = mapFile(In);
    Expected<DistilledModule> D =
        Contents ? distillOne(*Contents, Base) : Contents.takeError();
    Error E = D ? writeBatchOutputs(**Contents, *D) : D.takeError();
    if (E) {
      reportError(Tool, std::move(E));
      AnyFailed = true;
    }
  }
  if (Error E = syncFolderContents(OutputDir)) {
    reportError(Tool, std::move(E));
    AnyFailed = true;
  }
  return AnyFailed ? 1 : 0;
}

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::HideUnrelatedOptions(Cat);
  cl::ParseCommandLineOptions(argc, argv,
                              "distill a module's base BTF (resilient split "
                              "BTF)\n");

  // A kernel's BTF as every tool takes it: raw, vmlinux, /sys/kernel/btf
  // or a boot image (KernelImage.h).
  auto KernelOrErr = loadKernelBTF(BaseBTF);
  if (!KernelOrErr)
    return fail(notAKernelBTF(BaseBTF, "--base-btf", KernelOrErr.takeError()));
  std::unique_ptr<BTF> Base = std::move(KernelOrErr->B);
  if (!OutputDir.empty())
    return batch(*Base);
  if (Inputs.size() != 1)
    return fail(makeError("btf-distill", "several modules need --output-dir"));
  StringRef Input = Inputs.front();

  // Read once: the load and the rewrite below look at the same bytes.
  auto Contents = mapFile(Input);
  if (!Contents)
    return fail(Contents.takeError());
  auto D = distillOne(*Contents, *Base);
  if (!D)
    return fail(D.takeError());
  bool ToELF = !Output.empty() || D->Format == BTFFile::ELF;
  if (D->Format == BTFFile::Raw && Output.empty() && RawBase.empty() &&
      RawSplit.empty())
    return fail(makeError(Input, "is raw BTF: name the ELF object to create "
                                 "with -o (or use --raw-base/--raw-split)"));

  // Every output is written before any replaces its file: all or none.
  OutputSet Outs;
  if (!RawBase.empty())
    if (Error E = Outs.add(RawBase, D->BaseBlob))
      return fail(std::move(E));
  if (!RawSplit.empty())
    if (Error E = Outs.add(RawSplit, D->SplitBlob))
      return fail(std::move(E));
  if (ToELF) {
    std::string Out = Output.empty() ? Input.str() : Output.getValue();
    auto F = D->Format == BTFFile::ELF
                 ? stageELFSections(**Contents, Out, D->takeSectionEdits())
                 : stageNewELF(Out, D->takeSectionEdits());
    if (!F)
      return fail(F.takeError());
    Outs.add(std::move(*F));
  }
  if (Error E = Outs.commit())
    return fail(std::move(E));
  return 0;
}
