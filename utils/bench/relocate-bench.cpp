//===- relocate-bench.cpp - btfkit's side of relocate-bench.sh ------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// relocate-bench BASE.btf TARGET.btf MODULE.btf...
//
// Distills every module (split BTF over BASE) with btfkit::distill() and
// relocates the result onto TARGET with btfkit::relocate(), timing each
// call, exactly as libbpf-relocate-bench.c does with libbpf. The target's
// BaseIndex is built once, before the modules, and timed on its own (the
// INDEX line). Output: "module<TAB>distill_us<TAB>relocate_us<TAB>verdict"
// per module, then TOTAL. CPU time of the thread unless BENCH_CLOCK=wall.
//
//===----------------------------------------------------------------------===//

#include "btfkit/BaseIndex.h"
#include "btfkit/Distill.h"
#include "btfkit/Reader.h"
#include "btfkit/Relocate.h"
#include "btfkit/ToolSupport.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <cstring>
#include <ctime>

using namespace btfkit;
using namespace llvm;

static clockid_t BenchClock = CLOCK_THREAD_CPUTIME_ID;

static double nowUs() {
  timespec TS;
  clock_gettime(BenchClock, &TS);
  return TS.tv_sec * 1e6 + TS.tv_nsec / 1e3;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    errs() << "usage: " << argv[0] << " BASE.btf TARGET.btf MODULE.btf...\n";
    return 2;
  }
  if (const char *C = getenv("BENCH_CLOCK"); C && !strcmp(C, "wall"))
    BenchClock = CLOCK_MONOTONIC;
  // Everything is read into memory, as libbpf's btf__parse_raw*() do (a
  // mapped file would charge page faults to the timed calls).
  auto Read = [](const char *Path,
                 const BTF *Base) -> Expected<std::unique_ptr<BTF>> {
    auto Buf = MemoryBuffer::getFile(Path, /*IsText=*/false,
                                     /*RequiresNullTerminator=*/false);
    if (!Buf)
      return createStringError(Buf.getError(),
                               Twine(Path) + ": " + Buf.getError().message());
    ArrayRef<uint8_t> Bytes = arrayRefFromStringRef((*Buf)->getBuffer());
    return BTF::parseOwned(std::vector<uint8_t>(Bytes.begin(), Bytes.end()),
                           Base, Path);
  };
  auto Base = Read(argv[1], nullptr);
  auto Target = Read(argv[2], nullptr);
  if (!Base || !Target) {
    if (!Base)
      reportError("relocate-bench", Base.takeError());
    if (!Target)
      reportError("relocate-bench", Target.takeError());
    return 2;
  }
  double T0 = nowUs();
  BaseIndex Index(**Target);
  double IndexUs = nowUs() - T0;
  outs() << "INDEX\t" << format("%.1f", IndexUs) << '\n';

  double TotalDistill = 0, TotalRelocate = 0;
  unsigned N = 0, Fails = 0;
  for (int I = 3; I < argc; ++I) {
    auto Mod = Read(argv[I], Base->get());
    if (!Mod) {
      reportError("relocate-bench", Mod.takeError());
      return 2;
    }
    double A = nowUs();
    auto D = distill(**Mod);
    double B = nowUs();
    if (!D) {
      reportError("relocate-bench", D.takeError());
      return 2;
    }
    auto R = relocate(*D->Split, Index);
    double C = nowUs();
    if (!R) {
      reportError("relocate-bench", R.takeError());
      return 2;
    }
    bool OK = R->relocated();
    outs() << sys::path::filename(argv[I]) << '\t' << format("%.1f", B - A)
           << '\t' << format("%.1f", C - B) << '\t' << (OK ? "ok" : "fail")
           << '\n';
    TotalDistill += B - A;
    TotalRelocate += C - B;
    Fails += !OK;
    ++N;
  }
  outs() << "TOTAL\t" << format("%.1f", TotalDistill) << '\t'
         << format("%.1f", TotalRelocate) << '\t' << N << " modules, " << Fails
         << " fail\n";
  return 0;
}
