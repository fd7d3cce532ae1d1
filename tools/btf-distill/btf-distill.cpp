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
// pieces can also be written as raw BTF. Exit status: 0 done, 1 error
// (nothing written).
//
// With --output-dir, any number of modules (or @FILE, one per line) are
// distilled in one process, VMLINUX loaded once: each ELF module is written
// to DIR under its own file name, each raw one as DIR/<stem>.btf (the new
// split) and DIR/<stem>.base.btf (the distilled base). A module that fails
// is reported and nothing is written for it; the others are written.
// Exit status: 0 all done, 1 some module failed.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Distill.h"
#include "btfkit/Error.h"
#include "btfkit/Reader.h"
#include "btfkit/ToolSupport.h"
#include "btfkit/Writer.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"

#include <cerrno>
#include <unistd.h>

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

namespace {
/// One module distilled: its serialized pieces, and how it was read.
struct Distilled {
  std::vector<uint8_t> BaseBlob, SplitBlob;
  BTFFile::FileFormat Format;
};
} // namespace

static Expected<Distilled> distillModule(StringRef Input, const BTF &Base) {
  LoadOptions Opts;
  Opts.Base = &Base;
  Opts.UseEmbeddedBase = false;
  auto FileOrErr = BTFFile::load(Input, Opts);
  if (!FileOrErr)
    return FileOrErr.takeError();
  BTFFile &File = *FileOrErr;
  if (File.hasBaseSection())
    return makeError(Input, "already has a .BTF.base section: its .BTF is "
                            "split over that distilled base, not over " +
                                BaseBTF);
  auto D = distill(File.btf());
  if (!D)
    return D.takeError();
  // Written in the input's byte order.
  bool Swap = File.btf().wasByteSwapped();
  return Distilled{serializeBTF(*D->Base, Swap), serializeBTF(*D->Split, Swap),
                   File.format()};
}

/// One raw file of batch mode, written in place: a temporary file renamed
/// over the target (writeFileAtomically) doubles the directory work, which
/// is most of the cost of writing 8,000 small files into one folder. What
/// a failed write leaves is removed.
static Error writeBatchFile(const Twine &Path, ArrayRef<uint8_t> Bytes) {
  int FD;
  if (std::error_code EC = sys::fs::openFileForWrite(Path, FD))
    return makeError(Path.str(), "cannot open for writing: " + EC.message());
  const uint8_t *P = Bytes.data();
  size_t Left = Bytes.size();
  std::error_code EC;
  while (Left && !EC) {
    ssize_t N = ::write(FD, P, Left);
    if (N < 0 && errno != EINTR)
      EC = std::error_code(errno, std::generic_category());
    else if (N > 0) {
      P += N;
      Left -= size_t(N);
    }
  }
  if (::close(FD) != 0 && !EC)
    EC = std::error_code(errno, std::generic_category());
  if (!EC)
    return Error::success();
  sys::fs::remove(Path);
  return makeError(Path.str(), "cannot write: " + EC.message());
}

/// Batch mode's output for one module. Everything a module writes goes
/// through here, so that how it is written (one file after the other today)
/// can change in one place.
static Error writeBatchOutputs(StringRef Input, Distilled &D) {
  SmallString<256> Out(OutputDir);
  if (D.Format == BTFFile::ELF) {
    sys::path::append(Out, sys::path::filename(Input));
    std::vector<SectionEdit> Edits = {
        {BTFSectionName, std::move(D.SplitBlob)},
        {BTFBaseSectionName, std::move(D.BaseBlob)}};
    return rewriteELFSections(Input, Out, Edits);
  }
  SmallString<256> BaseOut(Out);
  sys::path::append(Out, sys::path::stem(Input) + ".btf");
  sys::path::append(BaseOut, sys::path::stem(Input) + ".base.btf");
  if (Error E = writeBatchFile(Out, D.SplitBlob))
    return E;
  if (Error E = writeBatchFile(BaseOut, D.BaseBlob)) {
    sys::fs::remove(Out);
    return E;
  }
  return Error::success();
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
    auto D = distillModule(In, Base);
    Error E = D ? writeBatchOutputs(In, *D) : D.takeError();
    if (E) {
      reportError(Tool, std::move(E));
      AnyFailed = true;
    }
  }
  return AnyFailed ? 1 : 0;
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
  if (!OutputDir.empty())
    return batch(**BaseOrErr);
  if (Inputs.size() != 1)
    return fail(makeError("btf-distill", "several modules need --output-dir"));
  StringRef Input = Inputs.front();

  auto D = distillModule(Input, **BaseOrErr);
  if (!D)
    return fail(D.takeError());
  bool ToELF = !Output.empty() || D->Format == BTFFile::ELF;
  if (D->Format == BTFFile::Raw && Output.empty() && RawBase.empty() &&
      RawSplit.empty())
    return fail(makeError(Input, "is raw BTF: name the ELF object to create "
                                 "with -o (or use --raw-base/--raw-split)"));

  if (!RawBase.empty())
    if (Error E = writeFileAtomically(RawBase, D->BaseBlob))
      return fail(std::move(E));
  if (!RawSplit.empty())
    if (Error E = writeFileAtomically(RawSplit, D->SplitBlob))
      return fail(std::move(E));
  if (!ToELF)
    return 0;
  std::vector<SectionEdit> Edits = {
      {BTFSectionName, std::move(D->SplitBlob)},
      {BTFBaseSectionName, std::move(D->BaseBlob)}};
  std::string Out = Output.empty() ? Input.str() : Output.getValue();
  Error E = D->Format == BTFFile::ELF ? rewriteELFSections(Input, Out, Edits)
                                      : createELFWithSections(Out, Edits);
  if (E)
    return fail(std::move(E));
  return 0;
}
