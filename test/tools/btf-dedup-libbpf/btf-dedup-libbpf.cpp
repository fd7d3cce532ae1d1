//===- btf-dedup-libbpf.cpp - libbpf's btf__dedup() as a test oracle ------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// btf-dedup-libbpf IN [--base-btf=B] -o OUT
//     libbpf alone: parses IN (split over B), runs btf__dedup(), writes the
//     raw result. Compare with btf-dedup through btf-diff --canonical-dump.
//
// btf-dedup-libbpf --differential --base-btf=B [--self-append]
//                  [--compat=latest|libbpf-1.1] [--list=FILE] [--dir=D]
//                  [--shard=K/N] [--limit=N] [MOD...]
//     For each module, in one process (the base is loaded and indexed once):
//     the same input (the module, or the module followed by a copy of
//     itself with --self-append) deduplicated by libbpf and by btfkit; the
//     two results must have the same number of types and the same
//     canonical dump. Prints one line per mismatch and a summary; exit 1 on
//     any mismatch.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Dedup.h"
#include "btfkit/Diff.h"
#include "btfkit/Dump.h"
#include "btfkit/Error.h"
#include "btfkit/Reader.h"
#include "btfkit/ToolSupport.h"
#include "btfkit/Writer.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/LineIterator.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

using namespace btfkit;
using namespace llvm;

static cl::list<std::string> Inputs(cl::Positional, cl::ZeroOrMore,
                                    cl::desc("<input>..."));
static cl::opt<std::string> Output("o", cl::value_desc("file"),
                                   cl::desc("Output raw BTF"));
static cl::opt<std::string> BaseBTF("base-btf", cl::value_desc("file"),
                                    cl::desc("Base BTF (raw)"));
static cl::opt<bool> Differential("differential",
                                  cl::desc("Compare with btfkit in process"));
static cl::opt<bool> SelfAppend("self-append",
                                cl::desc("Deduplicate each module followed "
                                         "by a copy of itself"));
static cl::opt<std::string> ListFile("list", cl::value_desc("file"),
                                     cl::desc("File with one module per line"));
static cl::opt<std::string>
    Dir("dir", cl::value_desc("folder"),
        cl::desc("Take every *.btf file of the folder"));
static cl::opt<std::string> Shard("shard", cl::value_desc("K/N"),
                                  cl::desc("Only the K-th of N slices of the "
                                           "sorted inputs"));
static cl::opt<unsigned> Limit("limit", cl::init(0),
                               cl::desc("Only the first N inputs"));
// Built against the system's libbpf (1.1 on Debian 12) for the test suite,
// or against a libbpf head build (utils/bench, -DBTFKIT_LIBBPF_HEAD) for
// comparisons by hand: the default compat mode is the one it links.
#ifdef BTFKIT_LIBBPF_HEAD
static constexpr DedupCompat LinkedCompat = DedupCompat::Latest;
#else
static constexpr DedupCompat LinkedCompat = DedupCompat::Libbpf11;
#endif
static cl::opt<DedupCompat>
    Compat("compat", cl::init(LinkedCompat),
           cl::values(clEnumValN(DedupCompat::Latest, "latest", ""),
                      clEnumValN(DedupCompat::Libbpf11, "libbpf-1.1", "")));
static cl::opt<bool> Verbose("v", cl::desc("Print a line per module"));

static constexpr const char *Tool = "btf-dedup-libbpf";

static int quiet(enum libbpf_print_level, const char *, va_list) { return 0; }

/// libbpf's dedup of a raw blob (split over \p LBase when given).
static Expected<std::vector<uint8_t>>
libbpfDedup(const std::vector<uint8_t> &In, struct btf *LBase, StringRef Name) {
  struct btf *B = nullptr;
  if (LBase) {
    // libbpf 1.1 declares btf__new_split() but does not implement it; its
    // split parsers read files, so hand it an in-memory one.
    int Fd = memfd_create("btf", MFD_CLOEXEC);
    if (Fd < 0 || write(Fd, In.data(), In.size()) != ssize_t(In.size()))
      return makeError(Name, "cannot make an in-memory file");
    std::string Path = "/proc/self/fd/" + std::to_string(Fd);
    B = btf__parse_raw_split(Path.c_str(), LBase);
    close(Fd);
  } else {
    B = btf__new(In.data(), In.size());
  }
  if (!B)
    return makeError(Name, Twine("libbpf cannot parse the input: ") +
                               std::strerror(errno));
  int Err = btf__dedup(B, nullptr);
  if (Err) {
    btf__free(B);
    return makeError(Name, Twine("btf__dedup failed: ") + std::strerror(-Err));
  }
  uint32_t Size = 0;
  auto *Raw = static_cast<const uint8_t *>(btf__raw_data(B, &Size));
  std::vector<uint8_t> Out(Raw, Raw + Size);
  btf__free(B);
  return Out;
}

static Expected<std::string> canonicalDump(std::vector<uint8_t> Blob,
                                           const BTF *Base, std::string Name,
                                           uint32_t &Types) {
  auto B = BTF::parseOwned(std::move(Blob), Base, Name);
  if (!B)
    return B.takeError();
  Types = (*B)->numTypes();
  auto C = canonicalize(**B);
  if (!C)
    return C.takeError();
  std::string S;
  raw_string_ostream OS(S);
  dumpRaw(**C, OS);
  return S;
}

static int single() {
  if (Inputs.size() != 1 || Output.empty()) {
    errs() << Tool << ": error: expected one input and -o\n";
    return 2;
  }
  struct btf *LBase = nullptr;
  if (!BaseBTF.empty()) {
    LBase = btf__parse(BaseBTF.c_str(), nullptr);
    if (!LBase) {
      errs() << Tool << ": error: " << BaseBTF << ": libbpf cannot parse it\n";
      return 2;
    }
  }
  struct btf *B = LBase ? btf__parse_split(Inputs[0].c_str(), LBase)
                        : btf__parse(Inputs[0].c_str(), nullptr);
  if (!B) {
    errs() << Tool << ": error: " << Inputs[0] << ": libbpf cannot parse it\n";
    return 2;
  }
  if (int Err = btf__dedup(B, nullptr)) {
    errs() << Tool << ": error: " << Inputs[0]
           << ": btf__dedup failed: " << std::strerror(-Err) << '\n';
    return 1;
  }
  uint32_t Size = 0;
  auto *Raw = static_cast<const uint8_t *>(btf__raw_data(B, &Size));
  if (Error E = writeFileAtomically(Output, ArrayRef<uint8_t>(Raw, Size))) {
    reportError(Tool, std::move(E));
    return 2;
  }
  btf__free(B);
  btf__free(LBase);
  return 0;
}

static int differential() {
  if (BaseBTF.empty()) {
    errs() << Tool << ": error: --differential needs --base-btf\n";
    return 2;
  }
  std::vector<std::string> Mods(Inputs.begin(), Inputs.end());
  if (!ListFile.empty()) {
    auto Buf = MemoryBuffer::getFile(ListFile);
    if (!Buf) {
      errs() << Tool << ": error: " << ListFile << ": "
             << Buf.getError().message() << '\n';
      return 2;
    }
    for (line_iterator L(**Buf); !L.is_at_eof(); ++L)
      Mods.push_back(L->trim().str());
  }
  if (!Dir.empty()) {
    std::error_code EC;
    for (sys::fs::directory_iterator It(Dir, EC), End; It != End && !EC;
         It.increment(EC))
      if (StringRef(It->path()).ends_with(".btf"))
        Mods.push_back(It->path());
    if (EC) {
      errs() << Tool << ": error: " << Dir << ": " << EC.message() << '\n';
      return 2;
    }
  }
  llvm::sort(Mods);
  if (!Shard.empty()) {
    auto [K, N] = StringRef(Shard).split('/');
    unsigned KI = 0, NI = 1;
    if (K.getAsInteger(10, KI) || N.getAsInteger(10, NI) || NI == 0 ||
        KI >= NI) {
      errs() << Tool << ": error: --shard wants K/N with K < N\n";
      return 2;
    }
    std::vector<std::string> Mine;
    for (size_t I = 0; I < Mods.size(); ++I)
      if (I % NI == KI)
        Mine.push_back(Mods[I]);
    Mods.swap(Mine);
  }
  if (Limit && Mods.size() > Limit)
    Mods.resize(Limit);
  auto BaseOrErr = loadBaseBTF(BaseBTF);
  if (!BaseOrErr) {
    reportError(Tool, BaseOrErr.takeError());
    return 2;
  }
  const BTF &Base = **BaseOrErr;
  struct btf *LBase = btf__parse(BaseBTF.c_str(), nullptr);
  if (!LBase) {
    errs() << Tool << ": error: " << BaseBTF << ": libbpf cannot parse it\n";
    return 2;
  }
  std::unique_ptr<DedupBase> Index = DedupBase::create(Base);
  DedupOptions Opts;
  Opts.Compat = Compat;

  unsigned Mismatches = 0, ByteIdentical = 0;
  uint64_t TypesIn = 0, TypesOut = 0;
  for (const std::string &M : Mods) {
    LoadOptions LO;
    LO.Base = &Base;
    auto F = BTFFile::load(M, LO);
    if (!F) {
      reportError(Tool, F.takeError());
      return 2;
    }
    std::vector<const BTF *> Parts = {&F->btf()};
    if (SelfAppend)
      Parts.push_back(&F->btf());
    auto Blob = concatenateToBlob(Parts, &Base);
    if (!Blob) {
      reportError(Tool, Blob.takeError());
      return 2;
    }
    auto Whole = BTF::parseOwned(*Blob, &Base, M);
    if (!Whole) {
      reportError(Tool, Whole.takeError());
      return 2;
    }
    auto Ours = dedupToBlob(**Whole, Opts, Index.get());
    auto Theirs = libbpfDedup(*Blob, LBase, M);
    if (!Ours || !Theirs) {
      if (!Ours)
        reportError(Tool, Ours.takeError());
      if (!Theirs)
        reportError(Tool, Theirs.takeError());
      ++Mismatches;
      continue;
    }
    if (*Ours == *Theirs)
      ++ByteIdentical;
    uint32_t NOurs = 0, NTheirs = 0;
    auto DOurs = canonicalDump(*Ours, &Base, M + " (btfkit)", NOurs);
    auto DTheirs = canonicalDump(*Theirs, &Base, M + " (libbpf)", NTheirs);
    if (!DOurs || !DTheirs) {
      if (!DOurs)
        reportError(Tool, DOurs.takeError());
      if (!DTheirs)
        reportError(Tool, DTheirs.takeError());
      ++Mismatches;
      continue;
    }
    TypesIn += (*Whole)->numTypes();
    TypesOut += NOurs;
    if (Verbose)
      outs() << M << ": " << (*Whole)->numTypes() << " -> " << NOurs
             << " types (libbpf " << NTheirs << ")\n";
    if (NOurs != NTheirs || *DOurs != *DTheirs) {
      ++Mismatches;
      // The first differing line, for the log.
      StringRef A(*DOurs), B(*DTheirs);
      while (!A.empty() && !B.empty()) {
        auto [LA, RA] = A.split('\n');
        auto [LB, RB] = B.split('\n');
        if (LA != LB) {
          outs() << "MISMATCH " << M << ": " << NOurs << " types (btfkit) vs "
                 << NTheirs << " (libbpf)\n  btfkit: " << LA
                 << "\n  libbpf: " << LB << '\n';
          break;
        }
        A = RA;
        B = RB;
      }
      if (A.empty() || B.empty())
        outs() << "MISMATCH " << M << ": " << NOurs << " types (btfkit) vs "
               << NTheirs << " (libbpf)\n";
    }
  }
  outs() << Mods.size() << " inputs, " << Mismatches << " mismatches, "
         << ByteIdentical << " byte-identical; types " << TypesIn << " -> "
         << TypesOut << '\n';
  btf__free(LBase);
  return Mismatches ? 1 : 0;
}

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "libbpf's btf__dedup as an oracle\n");
  libbpf_set_print(quiet);
  return Differential ? differential() : single();
}
