//===- btf-relocate-corpus.cpp - Distill/relocate the corpus vs its oracle ===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// btf-relocate-corpus --corpus=DIR [--only=MODULE]
//
// A test-only driver: one process loads the corpus's kernels once and walks
// every module of the oracle table (DIR/oracle-6.1.0-50-amd64.tsv, made with
// libbpf's btf__distill_base()/btf__relocate() and bpftool 7.1). For each
// module it distills the split BTF over vmlinux-6.1.0-50, relocates the
// result onto every kernel the table has a column for, and compares with
// the table: the sha256 (first 16 hex digits) of the bpftool-identical
// dumps, or for a failed relocation the verdict and the name of the type
// the kernel reports. Prints each mismatch and a summary; exit status 1 on
// any mismatch.
//
//===----------------------------------------------------------------------===//

#include "btfkit/BaseIndex.h"
#include "btfkit/Distill.h"
#include "btfkit/Dump.h"
#include "btfkit/Reader.h"
#include "btfkit/Relocate.h"
#include "btfkit/ToolSupport.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"

using namespace btfkit;
using namespace llvm;

static cl::opt<std::string> CorpusDir("corpus", cl::Required,
                                      cl::desc("Unpacked corpus folder"));
static cl::opt<std::string> Only("only", cl::desc("Check this module only"));

static constexpr const char *Tool = "btf-relocate-corpus";

static std::string dumpHash(const BTF &B) {
  SmallString<0> Text;
  raw_svector_ostream OS(Text);
  dumpRaw(B, OS);
  auto Digest = SHA256::hash(arrayRefFromStringRef(Text));
  return toHex(ArrayRef<uint8_t>(Digest).take_front(8), /*LowerCase=*/true);
}

namespace {
struct Kernel {
  std::string Label; // "6.1.0-50-amd64"
  std::unique_ptr<BTF> Base;
  std::unique_ptr<BaseIndex> Index;
  unsigned Loads = 0, Fails = 0, Bad = 0;
};
} // namespace

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "distill/relocate corpus check\n");
  std::string OraclePath = CorpusDir + "/oracle-6.1.0-50-amd64.tsv";
  auto Buf = MemoryBuffer::getFile(OraclePath);
  if (!Buf) {
    errs() << Tool << ": " << OraclePath << ": " << Buf.getError().message()
           << '\n';
    return 2;
  }
  SmallVector<StringRef, 0> Lines;
  (*Buf)->getBuffer().split(Lines, '\n', -1, false);
  SmallVector<StringRef, 8> Cols;
  Lines.front().split(Cols, '\t');
  // module distilled_base distilled_split relocated@K...
  if (Cols.size() < 4 || Cols[0] != "module") {
    errs() << Tool << ": " << OraclePath << ": unexpected header\n";
    return 2;
  }
  auto LoadKernel = [&](StringRef Label) -> std::unique_ptr<BTF> {
    std::string P = (CorpusDir + "/vmlinux-" + Label + ".btf").str();
    auto B = loadBaseBTF(P);
    if (!B) {
      reportError(Tool, B.takeError());
      exit(2);
    }
    return std::move(*B);
  };
  std::vector<Kernel> Kernels;
  for (size_t C = 3; C < Cols.size(); ++C) {
    Kernel K;
    K.Label = Cols[C].drop_front(strlen("relocated@")).str();
    K.Base = LoadKernel(K.Label);
    K.Index = std::make_unique<BaseIndex>(*K.Base);
    Kernels.push_back(std::move(K));
  }
  std::unique_ptr<BTF> Vmlinux = LoadKernel("6.1.0-50-amd64");

  unsigned Modules = 0, Mismatches = 0, BaseOK = 0, SplitOK = 0;
  auto Mismatch = [&](StringRef Mod, const Twine &What) {
    ++Mismatches;
    outs() << "MISMATCH " << Mod << ": " << What << '\n';
  };
  for (StringRef Line : ArrayRef<StringRef>(Lines).drop_front()) {
    SmallVector<StringRef, 8> F;
    Line.split(F, '\t');
    if (F.size() != Cols.size()) {
      Mismatch(F[0], "malformed oracle row");
      continue;
    }
    StringRef Mod = F[0];
    if (!Only.empty() && Mod != Only)
      continue;
    ++Modules;
    LoadOptions LO;
    LO.Base = Vmlinux.get();
    auto File =
        BTFFile::load((CorpusDir + "/modules/" + Mod + ".btf").str(), LO);
    if (!File) {
      Mismatch(Mod, "cannot load: " + toString(File.takeError()));
      continue;
    }
    auto D = distill(File->btf());
    if (!D) {
      Mismatch(Mod, "distill failed: " + toString(D.takeError()));
      continue;
    }
    std::string H = dumpHash(*D->Base);
    if (H == F[1])
      ++BaseOK;
    else
      Mismatch(Mod, "distilled base " + H + ", oracle " + F[1]);
    H = dumpHash(*D->Split);
    if (H == F[2])
      ++SplitOK;
    else
      Mismatch(Mod, "distilled split " + H + ", oracle " + F[2]);

    for (size_t KI = 0; KI < Kernels.size(); ++KI) {
      Kernel &K = Kernels[KI];
      StringRef Want = F[3 + KI];
      RelocateOptions RO;
      RO.Name = (Mod + "@" + K.Label).str();
      auto R = relocate(*D->Split, *K.Index, RO);
      if (!R) {
        ++K.Bad;
        Mismatch(Mod, "onto " + K.Label + ": error " + toString(R.takeError()));
        continue;
      }
      if (R->relocated()) {
        ++K.Loads;
        H = dumpHash(*R->Split);
        if (H != Want)
          Mismatch(Mod,
                   "onto " + K.Label + ": relocated " + H + ", oracle " + Want);
        continue;
      }
      ++K.Fails;
      const RelocFailure *KF = R->kernelFailure();
      std::string Got = "FAIL:" + (KF ? KF->Name : std::string("?"));
      bool Listed = false;
      for (const RelocFailure &RF : R->Failures)
        Listed |= Want == "FAIL:" + RF.Name;
      if (Got != Want)
        Mismatch(Mod, "onto " + K.Label + ": " + Got + " (" +
                          Twine(R->Failures.size()) + " failing types" +
                          (Listed ? ", oracle's among them" : "") +
                          "), oracle " + Want);
    }
  }
  outs() << Modules << " modules: distilled base " << BaseOK
         << " match, distilled split " << SplitOK << " match";
  for (const Kernel &K : Kernels)
    outs() << "; onto " << K.Label << " " << K.Loads << " relocate, " << K.Fails
           << " fail" << (K.Bad ? ", " + Twine(K.Bad).str() + " error" : "");
  outs() << "; " << Mismatches << " mismatches\n";
  return Mismatches ? 1 : 0;
}
