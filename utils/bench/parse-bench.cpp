//===- parse-bench.cpp - Loading BTF: btfkit against libbpf ---------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// parse-bench CORPUS_DIR [--benchmark_* options]
//
// Google Benchmark pairs, one implementation against the other in the same
// process and run, on the corpus (build/corpus: vmlinux-6.1.0-50-amd64.btf
// and modules/*.btf, split over it):
//
//   ParseVmlinux/libbpf      btf__parse_raw() + btf__free()
//   ParseVmlinux/btfkit      BTFFile::load() (map + parse + index + checks)
//   ParseVmlinux/btfkit_mem  BTF::parse() of bytes already in memory
//   ParseAllModules/libbpf   btf__parse_split() of every module over the
//                            base, parsed once outside the loop
//   ParseAllModules/btfkit   BTFFile::load() of every module over the base
//
// Each iteration is the whole load a user pays: open, read or map, parse,
// index, free. utils/bench/run-bench.sh runs this with repetitions and
// prints medians and ratios.
//
//===----------------------------------------------------------------------===//

#include "btfkit/Reader.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <benchmark/benchmark.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

using namespace btfkit;
using namespace llvm;

namespace {

std::string Vmlinux;
std::vector<std::string> Modules;

int quietLibbpf(enum libbpf_print_level, const char *, va_list) { return 0; }

[[noreturn]] void die(const Twine &Msg) {
  errs() << "parse-bench: " << Msg << "\n";
  std::exit(1);
}

void ParseVmlinuxLibbpf(benchmark::State &State) {
  uint32_t Types = 0;
  for (auto _ : State) {
    struct btf *B = btf__parse_raw(Vmlinux.c_str());
    if (!B)
      die(Vmlinux + ": libbpf cannot parse it");
    Types = btf__type_cnt(B);
    btf__free(B);
  }
  State.counters["types"] = Types;
}

void ParseVmlinuxBTFKit(benchmark::State &State) {
  uint32_t Types = 0;
  for (auto _ : State) {
    auto F = BTFFile::load(Vmlinux);
    if (!F)
      die(toString(F.takeError()));
    Types = F->btf().endId();
  }
  State.counters["types"] = Types;
}

void ParseVmlinuxBTFKitInMemory(benchmark::State &State) {
  auto Buf = MemoryBuffer::getFile(Vmlinux, /*IsText=*/false,
                                   /*RequiresNullTerminator=*/false);
  if (!Buf)
    die(Vmlinux + ": " + Buf.getError().message());
  ArrayRef<uint8_t> Data = arrayRefFromStringRef((*Buf)->getBuffer());
  // Touch the pages once so that the loop measures parsing alone.
  benchmark::DoNotOptimize(std::count(Data.begin(), Data.end(), 0));
  for (auto _ : State) {
    auto B = BTF::parse(Data, nullptr, Vmlinux);
    if (!B)
      die(toString(B.takeError()));
    benchmark::DoNotOptimize((*B)->endId());
  }
}

void ParseAllModulesLibbpf(benchmark::State &State) {
  struct btf *Base = btf__parse_raw(Vmlinux.c_str());
  if (!Base)
    die(Vmlinux + ": libbpf cannot parse it");
  uint64_t Types = 0;
  for (auto _ : State) {
    Types = 0;
    for (const std::string &M : Modules) {
      struct btf *B = btf__parse_split(M.c_str(), Base);
      if (!B)
        die(M + ": libbpf cannot parse it");
      Types += btf__type_cnt(B) - btf__type_cnt(Base);
      btf__free(B);
    }
  }
  btf__free(Base);
  State.counters["modules"] = double(Modules.size());
  State.counters["types"] = double(Types);
}

/// The floor under both loaders: reading the 4,022 files into memory
/// (open, fstat, read, close, malloc/free) and nothing else. On a VM where
/// system calls and page-cache copies are dear this is most of either
/// side's time, which bounds the ratio any file loader can reach.
void ReadAllModulesOnly(benchmark::State &State) {
  uint64_t Bytes = 0;
  for (auto _ : State) {
    Bytes = 0;
    for (const std::string &M : Modules) {
      int FD = ::open(M.c_str(), O_RDONLY | O_CLOEXEC);
      struct stat St;
      if (FD < 0 || ::fstat(FD, &St) != 0)
        die(M + ": cannot open");
      char *Buf = static_cast<char *>(std::malloc(St.st_size));
      ssize_t N = ::read(FD, Buf, St.st_size);
      ::close(FD);
      benchmark::DoNotOptimize(Buf[0]);
      std::free(Buf);
      if (N != St.st_size)
        die(M + ": short read");
      Bytes += uint64_t(N);
    }
  }
  State.counters["bytes"] = double(Bytes);
}

void ParseAllModulesBTFKit(benchmark::State &State) {
  auto Base = loadBaseBTF(Vmlinux);
  if (!Base)
    die(toString(Base.takeError()));
  LoadOptions Opts;
  Opts.Base = Base->get();
  uint64_t Types = 0;
  for (auto _ : State) {
    Types = 0;
    for (const std::string &M : Modules) {
      auto F = BTFFile::load(M, Opts);
      if (!F)
        die(toString(F.takeError()));
      Types += F->btf().numTypes();
    }
  }
  State.counters["modules"] = double(Modules.size());
  State.counters["types"] = double(Types);
}

} // namespace

BENCHMARK(ParseVmlinuxLibbpf)
    ->Name("ParseVmlinux/libbpf")
    ->Unit(benchmark::kMillisecond);
BENCHMARK(ParseVmlinuxBTFKit)
    ->Name("ParseVmlinux/btfkit")
    ->Unit(benchmark::kMillisecond);
BENCHMARK(ParseVmlinuxBTFKitInMemory)
    ->Name("ParseVmlinux/btfkit_mem")
    ->Unit(benchmark::kMillisecond);
BENCHMARK(ParseAllModulesLibbpf)
    ->Name("ParseAllModules/libbpf")
    ->Unit(benchmark::kMillisecond);
BENCHMARK(ParseAllModulesBTFKit)
    ->Name("ParseAllModules/btfkit")
    ->Unit(benchmark::kMillisecond);
BENCHMARK(ReadAllModulesOnly)
    ->Name("ParseAllModules/read_floor")
    ->Unit(benchmark::kMillisecond);

int main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  if (argc != 2)
    die("usage: parse-bench CORPUS_DIR [--benchmark_* options]");
  SmallString<256> Dir(argv[1]);
  Vmlinux = (Dir + "/vmlinux-6.1.0-50-amd64.btf").str();
  if (!sys::fs::exists(Vmlinux))
    die(Vmlinux + ": not found (run ctest -R corpus-prepare)");
  std::error_code EC;
  for (sys::fs::directory_iterator I(Dir + "/modules", EC), End;
       I != End && !EC; I.increment(EC))
    if (StringRef(I->path()).ends_with(".btf"))
      Modules.push_back(I->path());
  if (EC || Modules.empty())
    die(Dir + "/modules: no module BTF found");
  std::sort(Modules.begin(), Modules.end());
  libbpf_set_print(quietLibbpf);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
