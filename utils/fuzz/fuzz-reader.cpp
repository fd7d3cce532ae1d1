//===- fuzz-reader.cpp - libFuzzer target over the BTF readers ------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Feeds each input to everything that reads untrusted raw BTF and ELF files
// with .BTF and .BTF.base: BTF::parse as a base and as split BTF over a
// small fixed base (utils/fuzz/base.btf, the all-kinds listing), the ELF
// section finder with .BTF and .BTF.base as BTFFile::load uses it, and
// BTFFile::load and inspectFile themselves; then the validator (all issues,
// both modes, by the oldest and the newest release's rules) and the raw and C
// dumpers on whatever parses, and a module's split BTF through distillation or
// the kernel's verdict on the fixed base (relocation and its explanations; as
// classic split BTF, the check for another build's marks, the module's symbols
// and .modinfo name). An ELF module's .BTF_ids and its symbols are read too;
// kernel images are looked into (the boot header's payload, the version
// banner), not decompressed. Any crash, hang or sanitizer report is a bug: the
// readers must refuse bad input with an error.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "btfkit/BTF.h"
#include "btfkit/BTFIds.h"
#include "btfkit/Decompress.h"
#include "btfkit/KernelImage.h"
#include "btfkit/Reader.h"

using namespace btfkit;
using namespace btfkit::fuzz;
using namespace llvm;

static void parseAndExercise(ArrayRef<uint8_t> Data, const BTF *Base) {
  auto B = BTF::parse(Data, Base, "fuzz");
  if (!B) {
    consumeError(B.takeError());
    return;
  }
  exerciseBTF(**B);
  exerciseModule(**B);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  ArrayRef<uint8_t> Bytes(Data, Size);
  // What a kernel image is told by (not decompressed: the codecs are the
  // system's, and a small input may claim a gigabyte).
  (void)detectCompression(Bytes);
  if (auto P = findBootImagePayload(Bytes))
    (void)detectCompression(P->Data);
  (void)findLinuxBanner(Bytes);
  parseAndExercise(Bytes, nullptr);
  parseAndExercise(Bytes, &fuzzBase());
  if (!looksLikeELF(Bytes))
    return 0;
  auto Ids = readBTFIds("fuzz.o", Bytes); // a module's .BTF_ids
  if (!Ids)
    consumeError(Ids.takeError());
  exerciseBTFIds(Bytes, fuzzBase()); // resolved as the link step does
  exerciseFile(Bytes, {BTFSectionName});
  // What BTFFile::load does with an ELF image, step by step.
  std::unique_ptr<BTF> EmbeddedBase;
  auto BaseSec = findELFSection("fuzz.o", Bytes, BTFBaseSectionName);
  if (!BaseSec) {
    consumeError(BaseSec.takeError());
    return 0;
  }
  if (*BaseSec) {
    auto B = BTF::parse(**BaseSec, nullptr, "fuzz.o:.BTF.base");
    if (B) {
      exerciseBTF(**B);
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
