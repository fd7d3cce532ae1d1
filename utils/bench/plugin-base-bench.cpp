//===- plugin-base-bench.cpp - The plugin's per-compilation base cost -----===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// plugin-base-bench BASE [UNIT...] [--repeat=N]
//
// Times what the compiler plugin does with its base in one compilation,
// each step from a fresh load (every compilation is a new process that
// maps the base anew), best of N, in thread CPU time and wall time (ms):
//
//   load-cached  IndexedBase::load() from a warm base index cache (in a
//                temporary directory): a stat, two mappings, the offsets
//                check (the plugin's case from the second compilation on;
//                utils/bench/kernel-plugin-bench.py measures it in fresh
//                processes)
//   load         IndexedBase::load() without a cache: map, parse + structural checks,
//                fingerprint, the long-size probe (issue 5: <= 5 ms for a
//                100k-type vmlinux)
//     parse        of which loadBaseBTF()
//     fingerprint  of which fingerprintBTF()
//   intnames     the converter's INT name index (first lookup)
//   full-index   DedupBase::create() on the base, for comparison
//
// and for each UNIT (an object the plugin compiled without a base, or raw
// standalone BTF: the unit's types before deduplication):
//
//   subset-index DedupBase::createFor() for that unit
//   fragment     makeSplitFragment(): renumber, index, dedup, distill, tags
//
// and checks that deduplicating the unit over the subset index gives the
// same bytes as over the full index.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Dedup.h"
#include "btfkit/EmitFragment.h"
#include "btfkit/Encode.h"
#include "btfkit/IndexedBase.h"
#include "btfkit/Reader.h"
#include "btfkit/ToolSupport.h"
#include "btfkit/Writer.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <ctime>
#include <functional>

using namespace btfkit;
using namespace llvm;

static cl::opt<std::string> BasePath(cl::Positional, cl::Required,
                                     cl::desc("<base>"));
static cl::list<std::string> Units(cl::Positional, cl::desc("<unit>..."));
static cl::opt<unsigned> Repeat("repeat", cl::init(20));

namespace {
struct Best {
  double Cpu = 1e100, Wall = 1e100;
};

double threadCpuMs() {
  timespec T;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &T);
  return T.tv_sec * 1e3 + T.tv_nsec / 1e6;
}

/// Runs \p Setup (untimed), then \p Fn (timed), Repeat times.
Best measure(const std::function<void()> &Setup,
             const std::function<void()> &Fn) {
  Best B;
  for (unsigned I = 0; I < Repeat; ++I) {
    Setup();
    auto W0 = std::chrono::steady_clock::now();
    double C0 = threadCpuMs();
    Fn();
    double C1 = threadCpuMs();
    auto W1 = std::chrono::steady_clock::now();
    B.Cpu = std::min(B.Cpu, C1 - C0);
    B.Wall = std::min(
        B.Wall, std::chrono::duration<double, std::milli>(W1 - W0).count());
  }
  return B;
}

void print(StringRef What, const Best &B) {
  outs() << left_justify(What, 28)
         << format("%8.3f cpu_ms %8.3f wall_ms\n", B.Cpu, B.Wall);
}

[[noreturn]] void fail(Error E) {
  reportError("plugin-base-bench", std::move(E));
  exit(2);
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "the plugin's base cost\n");

  auto Probe = IndexedBase::load(BasePath, std::nullopt);
  if (!Probe)
    fail(Probe.takeError());
  const BTF &Base = (*Probe)->btf();
  outs() << "base " << BasePath << ": " << Base.numTypes() << " types, "
         << Base.typeSection().size() << " type bytes, "
         << Base.stringSection().size() << " string bytes\n";

  std::unique_ptr<IndexedBase> Loaded;
  auto Nothing = [] {};
  SmallString<128> CacheDir;
  if (std::error_code EC =
          sys::fs::createUniqueDirectory("plugin-base-bench", CacheDir))
    fail(createStringError(EC, "cannot create a cache directory"));
  {
    auto Warm = IndexedBase::load(BasePath, std::string(CacheDir));
    if (!Warm)
      fail(Warm.takeError());
  }
  print("load-cached", measure([&] { Loaded.reset(); },
                               [&] {
                                 auto L = IndexedBase::load(
                                     BasePath, std::string(CacheDir));
                                 if (!L)
                                   fail(L.takeError());
                                 if ((*L)->cacheStatus() != "hit")
                                   fail(createStringError(
                                       inconvertibleErrorCode(),
                                       "cache not used: " +
                                           (*L)->cacheStatus()));
                                 Loaded = std::move(*L);
                               }));
  Loaded.reset();
  sys::fs::remove_directories(CacheDir);
  print("load", measure([&] { Loaded.reset(); },
                        [&] {
                          auto L = IndexedBase::load(BasePath, std::nullopt);
                          if (!L)
                            fail(L.takeError());
                          Loaded = std::move(*L);
                        }));
  std::unique_ptr<BTF> Parsed;
  print("  parse", measure([&] { Parsed.reset(); },
                           [&] {
                             auto B = loadBaseBTF(BasePath);
                             if (!B)
                               fail(B.takeError());
                             Parsed = std::move(*B);
                           }));
  print("  fingerprint", measure(Nothing, [&] {
          BaseFingerprint F = fingerprintBTF(Base);
          if (F.empty())
            exit(3);
        }));
  print("intnames", measure(Nothing, [&] {
          IntNameMap M(Base);
          (void)M.lookup("unsigned long", 8, 0);
        }));
  std::unique_ptr<DedupBase> Full;
  print("full-index", measure([&] { Full.reset(); },
                              [&] { Full = DedupBase::create(Base); }));
  Full = DedupBase::create(Base);

  int Status = 0;
  for (const std::string &U : Units) {
    auto F = BTFFile::load(U);
    if (!F)
      fail(F.takeError());
    if (F->btf().isSplit())
      fail(createStringError(inconvertibleErrorCode(),
                             U + ": not standalone BTF (compile the unit "
                                 "without a base)"));
    std::vector<uint8_t> Blob = serializeBTF(F->btf());
    auto Over = standaloneOverBase(Blob, Base, U);
    if (!Over)
      fail(Over.takeError());
    StringRef Name = sys::path::filename(U);
    std::unique_ptr<DedupBase> Sub;
    Best SubT = measure([&] { Sub.reset(); },
                        [&] { Sub = DedupBase::createFor(Base, **Over); });
    Best FragT = measure(Nothing, [&] {
      auto S = makeSplitFragment(Blob, Base, U);
      if (!S)
        fail(S.takeError());
    });
    auto A = dedupToBlob(**Over, {}, Full.get());
    auto B = dedupToBlob(**Over, {}, Sub.get());
    if (!A)
      fail(A.takeError());
    if (!B)
      fail(B.takeError());
    auto S = makeSplitFragment(Blob, Base, U);
    if (!S)
      fail(S.takeError());
    bool Same = *A == *B;
    Status |= !Same;
    outs() << "unit " << Name << ": " << S->TypesIn << " types -> "
           << S->TypesDeduped << " after dedup -> " << S->TypesOut
           << " split + " << S->DistilledTypes << " distilled, "
           << S->EmbeddedComposites << " embedded; subset index "
           << (Same ? "gives the same bytes" : "DIFFERS from the full index")
           << "\n";
    print("  subset-index", SubT);
    print("  fragment", FragT);
  }
  return Status;
}
