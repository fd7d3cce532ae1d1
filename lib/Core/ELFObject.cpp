//===- ELFObject.cpp - ELF files LLVM's object API can read ---------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "btfkit/ELFObject.h"
#include "btfkit/Error.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Object/ELFObjectFile.h"

using namespace btfkit;
using namespace llvm;
using namespace llvm::object;

/// The symbol and relocation tables of \p EF, checked as far as LLVM's
/// object API takes them for granted: it ends the process
/// (report_fatal_error) on a symbol it cannot index, so a file whose tables
/// it could not read is refused here first, with the cause.
template <class ELFT>
static Error checkTables(const ELFFile<ELFT> &EF, StringRef Path) {
  auto Sections = EF.sections();
  if (!Sections)
    return makeError(Path, "unreadable section headers: " +
                               toString(Sections.takeError()));
  auto Fail = [&](const typename ELFT::Shdr &Sec, Error E) {
    return makeError(Path, "section " + Twine(&Sec - Sections->begin()) + ": " +
                               toString(std::move(E)));
  };
  // Number of entries of the symbol table at section index \p Index.
  auto NumSymbols = [&](uint32_t Index) -> Expected<size_t> {
    auto Sec = EF.getSection(Index);
    if (!Sec)
      return Sec.takeError();
    auto Syms = EF.symbols(*Sec);
    if (!Syms)
      return Syms.takeError();
    if (auto Str = EF.getStringTableForSymtab(**Sec); !Str)
      return Str.takeError();
    return Syms->size();
  };
  for (const typename ELFT::Shdr &Sec : *Sections) {
    switch (Sec.sh_type) {
    case ELF::SHT_SYMTAB:
    case ELF::SHT_DYNSYM:
      if (auto N = NumSymbols(&Sec - Sections->begin()); !N)
        return Fail(Sec, N.takeError());
      break;
    case ELF::SHT_REL:
    case ELF::SHT_RELA: {
      // Relocations name symbols by index into the table they link to.
      auto N = NumSymbols(Sec.sh_link);
      if (!N)
        return Fail(Sec, N.takeError());
      auto Check = [&](auto Relocs) -> Error {
        if (!Relocs)
          return Relocs.takeError();
        for (const auto &R : *Relocs)
          if (R.getSymbol(EF.isMips64EL()) >= *N)
            return createStringError(
                inconvertibleErrorCode(),
                "relocation at offset 0x" + utohexstr(R.r_offset) +
                    " names symbol " + Twine(R.getSymbol(EF.isMips64EL())) +
                    " of a table of " + Twine(*N));
        return Error::success();
      };
      if (Error E = Sec.sh_type == ELF::SHT_REL ? Check(EF.rels(Sec))
                                                : Check(EF.relas(Sec)))
        return Fail(Sec, std::move(E));
      break;
    }
    default:
      break;
    }
  }
  return Error::success();
}

Error btfkit::checkELFTables(StringRef Path, const ELFObjectFileBase &Obj) {
  if (auto *O = dyn_cast<ELF64LEObjectFile>(&Obj))
    return checkTables(O->getELFFile(), Path);
  if (auto *O = dyn_cast<ELF64BEObjectFile>(&Obj))
    return checkTables(O->getELFFile(), Path);
  if (auto *O = dyn_cast<ELF32LEObjectFile>(&Obj))
    return checkTables(O->getELFFile(), Path);
  return checkTables(cast<ELF32BEObjectFile>(&Obj)->getELFFile(), Path);
}
