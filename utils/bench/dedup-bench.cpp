//===- dedup-bench.cpp - btfkit's dedup against libbpf's btf__dedup -------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// dedup-bench --impl=btfkit|libbpf IN [--base-btf=B] [--repeat=N]
// dedup-bench --impl=libbpf --whole=LIST --base-btf=B -o OUT
//
// Deduplicates IN (raw BTF, split over B when given) N times with one
// implementation and prints one line of figures:
//
//   impl=btfkit types_in=... types_out=... total_ms=... dedup_ms=...
//     maxrss_kb=...
//
// total_ms is the best wall time of N runs of "parse the base and the input,
// deduplicate" (the base is parsed inside every run: libbpf builds its
// string index on the base during dedup, and btfkit its DedupBase, so both
// pay their base work every time); dedup_ms is the best time of the dedup
// call alone (libbpf: btf__dedup(); btfkit: DedupBase::create() +
// dedupToBlob(); libbpf's time includes btf__raw_data(), the serialized
// result btfkit returns). The *_cpu_ms figures are the same as CPU time
// (user + system), the fair measure on a machine shared with other work.
// maxrss_kb is the process's peak resident set: run one
// implementation per process to compare memory (dedup-bench.sh does).
//
// --whole is libbpf's side of the whole job `btf-dedup --base-btf=B @LIST
// -o OUT` does (dedup-bench.sh times that command for btfkit): parse the
// base, parse each module of LIST (one path a line) as split BTF over it
// and append it to one split BTF (btf__add_btf(), which takes split BTF
// since libbpf 1.7), deduplicate, write OUT. Prints types_out.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Dedup.h"
#include "btfkit/Reader.h"
#include "btfkit/ToolSupport.h"
#include "btfkit/Writer.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/LineIterator.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <chrono>
#include <sys/resource.h>

using namespace btfkit;
using namespace llvm;

enum class Impl { BTFKit, Libbpf };
static cl::opt<Impl> Which("impl", cl::Required,
                           cl::values(clEnumValN(Impl::BTFKit, "btfkit", ""),
                                      clEnumValN(Impl::Libbpf, "libbpf", "")));
static cl::opt<std::string> Input(cl::Positional, cl::desc("<input>"));
static cl::opt<std::string> BaseBTF("base-btf", cl::value_desc("file"));
static cl::opt<unsigned> Repeat("repeat", cl::init(5));
static cl::opt<std::string> Whole("whole", cl::value_desc("list"));
static cl::opt<std::string> Output("o", cl::value_desc("file"));

using Clock = std::chrono::steady_clock;
static double ms(Clock::duration D) {
  return std::chrono::duration<double, std::milli>(D).count();
}
/// CPU time (user + system) of this process so far, in ms: on a shared
/// machine it measures the work, where wall time also measures the load.
static double cpuMs() {
  struct rusage RU;
  getrusage(RUSAGE_SELF, &RU);
  return (RU.ru_utime.tv_sec + RU.ru_stime.tv_sec) * 1e3 +
         (RU.ru_utime.tv_usec + RU.ru_stime.tv_usec) / 1e3;
}

static int quiet(enum libbpf_print_level, const char *, va_list) { return 0; }

static int libbpfWhole() {
  auto List = MemoryBuffer::getFile(Whole);
  if (!List) {
    errs() << "dedup-bench: cannot read " << Whole << '\n';
    return 1;
  }
  struct btf *Base = btf__parse_raw(BaseBTF.c_str());
  struct btf *Merged = Base ? btf__new_empty_split(Base) : nullptr;
  if (!Merged) {
    errs() << "dedup-bench: libbpf cannot parse " << BaseBTF << '\n';
    return 1;
  }
  for (line_iterator L(**List); !L.is_at_eof(); ++L) {
    std::string Path = L->trim().str();
    struct btf *M = btf__parse_raw_split(Path.c_str(), Base);
    if (!M || btf__add_btf(Merged, M) < 0) {
      errs() << "dedup-bench: libbpf cannot read or append " << Path << '\n';
      return 1;
    }
    btf__free(M);
  }
  if (int Err = btf__dedup(Merged, nullptr)) {
    errs() << "dedup-bench: btf__dedup failed: " << Err << '\n';
    return 1;
  }
  uint32_t Size;
  const void *Raw = btf__raw_data(Merged, &Size);
  if (!Raw) {
    errs() << "dedup-bench: btf__raw_data failed\n";
    return 1;
  }
  if (Error E = writeFileAtomically(
          Output, ArrayRef<uint8_t>(static_cast<const uint8_t *>(Raw), Size))) {
    reportError("dedup-bench", std::move(E));
    return 1;
  }
  outs() << "types_out=" << btf__type_cnt(Merged) - btf__type_cnt(Base) << '\n';
  btf__free(Merged);
  btf__free(Base);
  return 0;
}

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "dedup benchmark\n");
  libbpf_set_print(quiet);
  if (!Whole.empty())
    return Which == Impl::Libbpf && !Output.empty() && !BaseBTF.empty()
               ? libbpfWhole()
               : (errs() << "dedup-bench: --whole is libbpf's side and "
                            "needs --base-btf and -o\n",
                  2);
  if (Input.empty()) {
    errs() << "dedup-bench: no input\n";
    return 2;
  }
  double BestTotal = 1e300, BestDedup = 1e300, BestCpu = 1e300,
         BestDedupCpu = 1e300;
  uint64_t TypesIn = 0, TypesOut = 0;
  for (unsigned R = 0; R < Repeat; ++R) {
    auto T0 = Clock::now();
    double C0 = cpuMs(), DedupCpu = 0;
    Clock::duration Dedup;
    if (Which == Impl::Libbpf) {
      struct btf *Base = nullptr, *B;
      if (!BaseBTF.empty()) {
        Base = btf__parse_raw(BaseBTF.c_str());
        B = btf__parse_raw_split(Input.c_str(), Base);
      } else {
        B = btf__parse_raw(Input.c_str());
      }
      if (!B) {
        errs() << "dedup-bench: libbpf cannot parse " << Input << '\n';
        return 1;
      }
      TypesIn = btf__type_cnt(B) - (Base ? btf__type_cnt(Base) : 1);
      auto D0 = Clock::now();
      double DC0 = cpuMs();
      if (int Err = btf__dedup(B, nullptr)) {
        errs() << "dedup-bench: btf__dedup failed: " << Err << '\n';
        return 1;
      }
      // The serialized result, as btfkit produces it.
      uint32_t Size;
      if (!btf__raw_data(B, &Size)) {
        errs() << "dedup-bench: btf__raw_data failed\n";
        return 1;
      }
      Dedup = Clock::now() - D0;
      DedupCpu = cpuMs() - DC0;
      TypesOut = btf__type_cnt(B) - (Base ? btf__type_cnt(Base) : 1);
      btf__free(B);
      btf__free(Base);
    } else {
      std::unique_ptr<BTF> Base;
      if (!BaseBTF.empty()) {
        auto BOrErr = loadBaseBTF(BaseBTF);
        if (!BOrErr) {
          reportError("dedup-bench", BOrErr.takeError());
          return 1;
        }
        Base = std::move(*BOrErr);
      }
      LoadOptions Opts;
      Opts.Base = Base.get();
      auto F = BTFFile::load(Input, Opts);
      if (!F) {
        reportError("dedup-bench", F.takeError());
        return 1;
      }
      TypesIn = F->btf().numTypes();
      auto D0 = Clock::now();
      double DC0 = cpuMs();
      std::unique_ptr<DedupBase> Index;
      if (Base)
        Index = DedupBase::create(*Base);
      DedupStats S;
      auto Out = dedupToBlob(F->btf(), {}, Index.get(), &S);
      if (!Out) {
        reportError("dedup-bench", Out.takeError());
        return 1;
      }
      Dedup = Clock::now() - D0;
      DedupCpu = cpuMs() - DC0;
      TypesOut = S.TypesAfter;
    }
    BestTotal = std::min(BestTotal, ms(Clock::now() - T0));
    BestDedup = std::min(BestDedup, ms(Dedup));
    BestCpu = std::min(BestCpu, cpuMs() - C0);
    BestDedupCpu = std::min(BestDedupCpu, DedupCpu);
  }
  struct rusage RU;
  getrusage(RUSAGE_SELF, &RU);
  outs() << "impl=" << (Which == Impl::Libbpf ? "libbpf" : "btfkit")
         << " types_in=" << TypesIn << " types_out=" << TypesOut
         << " total_ms=" << format("%.1f", BestTotal)
         << " dedup_ms=" << format("%.1f", BestDedup)
         << " total_cpu_ms=" << format("%.1f", BestCpu)
         << " dedup_cpu_ms=" << format("%.1f", BestDedupCpu)
         << " maxrss_kb=" << RU.ru_maxrss << '\n';
  return 0;
}
