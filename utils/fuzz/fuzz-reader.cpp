//===- fuzz-reader.cpp - libFuzzer target over the readers and validator -===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Feeds each input to everything that reads untrusted BTF: BTF::parse as a
// base and as split BTF over a small fixed base (utils/fuzz/base.btf, the
// all-kinds listing), the ELF section finder with .BTF and .BTF.base as
// BTFFile::load uses it, the validator (all issues, both modes, by the
// oldest and the newest release's rules), and the
// raw and C dumpers on whatever parses. Any crash, hang or sanitizer report
// is a bug: the readers must refuse bad input with an error.
//
//===----------------------------------------------------------------------===//

#include "btfkit/BTF.h"
#include "btfkit/Dump.h"
#include "btfkit/Reader.h"
#include "btfkit/Validate.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

using namespace btfkit;
using namespace llvm;

#ifndef BTFKIT_FUZZ_BASE
#error "BTFKIT_FUZZ_BASE must name the base BTF file"
#endif

static std::unique_ptr<BTF> FuzzBase;

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  const char *Path = std::getenv("BTFKIT_FUZZ_BASE");
  auto B = loadBaseBTF(Path ? Path : BTFKIT_FUZZ_BASE);
  if (!B) {
    errs() << "fuzz-reader: " << toString(B.takeError()) << '\n';
    std::abort();
  }
  FuzzBase = std::move(*B);
  return 0;
}

static void exercise(const BTF &B) {
  raw_null_ostream Null;
  for (KernelVersion K : {KernelVersion::oldest(), KernelVersion::newest()})
    for (bool Resolve : {true, false}) {
      ValidateOptions Opts;
      Opts.StopAtFirst = false;
      Opts.ResolveTypes = Resolve;
      Opts.Kernel = K;
      (void)validate(B, Opts);
    }
  consumeError(checkValid(B));
  dumpRaw(B, Null);
  consumeError(dumpC(B, Null));
}

static void parseAndExercise(ArrayRef<uint8_t> Data, const BTF *Base) {
  auto B = BTF::parse(Data, Base, "fuzz");
  if (!B) {
    consumeError(B.takeError());
    return;
  }
  exercise(**B);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  ArrayRef<uint8_t> Bytes(Data, Size);
  parseAndExercise(Bytes, nullptr);
  parseAndExercise(Bytes, FuzzBase.get());
  if (!looksLikeELF(Bytes))
    return 0;
  // What BTFFile::load does with an ELF image, without the file.
  std::unique_ptr<BTF> EmbeddedBase;
  auto BaseSec = findELFSection("fuzz.o", Bytes, BTFBaseSectionName);
  if (!BaseSec) {
    consumeError(BaseSec.takeError());
    return 0;
  }
  if (*BaseSec) {
    auto B = BTF::parse(**BaseSec, nullptr, "fuzz.o:.BTF.base");
    if (B) {
      exercise(**B);
      EmbeddedBase = std::move(*B);
    } else {
      consumeError(B.takeError());
    }
  }
  auto Sec = findELFSection("fuzz.o", Bytes, BTFSectionName);
  if (!Sec) {
    consumeError(Sec.takeError());
    return 0;
  }
  if (*Sec)
    parseAndExercise(**Sec, EmbeddedBase ? EmbeddedBase.get() : nullptr);
  return 0;
}
