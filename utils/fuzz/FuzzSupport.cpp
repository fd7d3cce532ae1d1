//===- FuzzSupport.cpp - What btfkit's fuzzers share ----------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "btfkit/BTFIds.h"
#include "btfkit/BaseIndex.h"
#include "btfkit/Distill.h"
#include "btfkit/Dump.h"
#include "btfkit/Explain.h"
#include "btfkit/Link.h"
#include "btfkit/Reader.h"
#include "btfkit/ResolveBTFIds.h"
#include "btfkit/Validate.h"
#include "btfkit/Verdict.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <cstring>

using namespace btfkit;
using namespace btfkit::fuzz;
using namespace llvm;

#ifndef BTFKIT_FUZZ_BASE
#error "BTFKIT_FUZZ_BASE must name the base BTF file"
#endif

static std::unique_ptr<IndexedBase> Base;

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  const char *Path = std::getenv("BTFKIT_FUZZ_BASE");
  auto B = IndexedBase::load(Path ? Path : BTFKIT_FUZZ_BASE);
  if (!B) {
    errs() << "fuzz: " << toString(B.takeError()) << '\n';
    std::abort(); // misconfigured: nothing to fuzz against
  }
  Base = std::move(*B);
  return 0;
}

const BTF &fuzz::fuzzBase() { return Base->btf(); }
const IndexedBase &fuzz::fuzzIndexedBase() { return *Base; }

void fuzz::exerciseBTF(const BTF &B) {
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

/// Every rendering of a verdict.
static void renderVerdict(const ModuleVerdict &V) {
  raw_null_ostream Null;
  printVerdictText(V, Null);
  printVerdictText(V, Null, /*Brief=*/true);
  json::OStream J(Null);
  printVerdictJSON(V, J);
  (void)verdictCell(V);
}

void fuzz::exerciseModule(const BTF &Split) {
  if (!Split.isSplit())
    return;
  if (&Split.root() == &fuzzBase()) {
    auto D = distill(Split);
    if (D)
      exerciseModule(*D->Split);
    else
      consumeError(D.takeError());
    return;
  }
  ModuleJudge J = ModuleJudge::resilient("fuzz.ko", Split);
  auto V = J.on("fuzz-base", fuzzBase(), fuzzIndexedBase().relocationIndex(),
                KernelVersion::newest());
  if (!V) {
    consumeError(V.takeError());
    return;
  }
  renderVerdict(*V);
  if (V->Reloc && V->Reloc->Split)
    exerciseBTF(*V->Reloc->Split);
}

void fuzz::exerciseFile(ArrayRef<uint8_t> Image,
                        ArrayRef<const char *> Sections) {
  std::shared_ptr<const MemoryBuffer> Buf = MemoryBuffer::getMemBuffer(
      toStringRef(Image), "fuzz.o", /*RequiresNullTerminator=*/false);
  auto C = inspectFile(*Buf);
  if (!C)
    consumeError(C.takeError());
  // As classic split BTF over the fixed base: read as the kernel reads it,
  // checked for another build's marks (names, the module's symbols).
  auto V = ModuleJudge::classic("fuzz.ko", Buf)
               .on("fuzz-base", fuzzBase(), fuzzIndexedBase().relocationIndex(),
                   KernelVersion::newest());
  if (V)
    renderVerdict(*V);
  else
    consumeError(V.takeError());
  for (const char *Section : Sections) {
    LoadOptions Opts;
    Opts.Section = Section;
    auto F = BTFFile::load(Buf, Opts);
    if (!F) {
      consumeError(F.takeError());
      continue;
    }
    exerciseBTF(F->btf());
    exerciseModule(F->btf());
  }
}

void fuzz::exerciseMerge(ArrayRef<uint8_t> Image, const IndexedBase *Base,
                         bool DwarfFallback, GccBTFMode Gcc) {
  LinkReport Report;
  auto M = mergeFragments({"fuzz.ko", Image}, Base, Report, DwarfFallback, Gcc);
  if (!M) {
    consumeError(M.takeError());
    return;
  }
  exerciseBTF(*M->Split);
  exerciseModule(*M->Split);
  // What linkModuleBTF writes besides: the file's .BTF_ids resolved over
  // the merged BTF.
  exerciseBTFIds(Image, *M->Split);
}

void fuzz::exerciseBTFIds(ArrayRef<uint8_t> Image, const BTF &Types) {
  auto Ids = readBTFIds("fuzz.ko", Image);
  if (!Ids) {
    consumeError(Ids.takeError());
    return;
  }
  if (!*Ids)
    return;
  std::vector<std::string> Warnings;
  auto Out = resolveBTFIdsOver(**Ids, Types, "fuzz.ko:.BTF_ids", Warnings);
  if (!Out) {
    consumeError(Out.takeError());
    return;
  }
  // Every word is rewritten in place: the section keeps its size.
  if (Out->size() != (*Ids)->Data.size())
    abort();
}

std::vector<uint8_t>
fuzz::wrapInELF(ArrayRef<std::pair<StringRef, ArrayRef<uint8_t>>> Sections) {
  // The section names first: .shstrtab holds its own.
  std::string Names(1, '\0');
  std::vector<uint32_t> NameOffs;
  for (auto &[Name, Data] : Sections) {
    NameOffs.push_back(Names.size());
    Names += Name.str() + '\0';
  }
  NameOffs.push_back(Names.size());
  Names += std::string(".shstrtab") + '\0';

  // Header, contents (8-aligned), section headers.
  std::vector<uint8_t> Out(sizeof(ELF::Elf64_Ehdr));
  std::vector<ELF::Elf64_Shdr> Headers(Sections.size() + 2);
  std::memset(Headers.data(), 0, Headers.size() * sizeof(ELF::Elf64_Shdr));
  auto Place = [&](size_t I, ArrayRef<uint8_t> Data, uint32_t Type) {
    Out.resize((Out.size() + 7) & ~size_t(7));
    ELF::Elf64_Shdr &H = Headers[I + 1];
    H.sh_name = NameOffs[I];
    H.sh_type = Type;
    H.sh_offset = Out.size();
    H.sh_size = Data.size();
    H.sh_addralign = 1;
    Out.insert(Out.end(), Data.begin(), Data.end());
  };
  for (size_t I = 0; I < Sections.size(); ++I)
    Place(I, Sections[I].second, ELF::SHT_PROGBITS);
  Place(Sections.size(), arrayRefFromStringRef(Names), ELF::SHT_STRTAB);
  Out.resize((Out.size() + 7) & ~size_t(7));

  ELF::Elf64_Ehdr E;
  std::memset(&E, 0, sizeof(E));
  std::memcpy(E.e_ident, ELF::ElfMagic, 4);
  E.e_ident[ELF::EI_CLASS] = ELF::ELFCLASS64;
  E.e_ident[ELF::EI_DATA] = ELF::ELFDATA2LSB;
  E.e_ident[ELF::EI_VERSION] = ELF::EV_CURRENT;
  E.e_type = ELF::ET_REL;
  E.e_machine = ELF::EM_X86_64;
  E.e_version = ELF::EV_CURRENT;
  E.e_shoff = Out.size();
  E.e_ehsize = sizeof(E);
  E.e_shentsize = sizeof(ELF::Elf64_Shdr);
  E.e_shnum = Headers.size();
  E.e_shstrndx = Headers.size() - 1;
  std::memcpy(Out.data(), &E, sizeof(E));
  const uint8_t *H = reinterpret_cast<const uint8_t *>(Headers.data());
  Out.insert(Out.end(), H, H + Headers.size() * sizeof(ELF::Elf64_Shdr));
  return Out;
}
