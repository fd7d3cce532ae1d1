//===- ObjectInfo.cpp - What the link step reads from the linked ELF ------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Two things besides the fragments come from the linked file:
//
//  - the symbol table, because a fragment's DATASEC offsets are relative to
//    its own object's section; after the link each variable is where its
//    symbol says (section-relative in an `ld -r` output, an address minus
//    the section's address in a final link), as pahole reads them;
//  - the names of the DWARF compile units, to tell which objects have no
//    fragment. A fragment's manifest names its compile unit with the same
//    string the compiler put in DW_AT_name (both come from the module's
//    DICompileUnit), so comparing the two lists is exact. An object without
//    DWARF is not named, but it has nothing pahole could encode either.
//
//===----------------------------------------------------------------------===//

#include "LinkInternal.h"

#include "btfkit/Error.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/DebugInfo/DWARF/DWARFContext.h"
#include "llvm/DebugInfo/DWARF/DWARFUnit.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace btfkit;
using namespace btfkit::link;
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

Expected<std::unique_ptr<ObjectFile>> link::openLinkedELF(const LinkInput &In) {
  MemoryBufferRef Ref(toStringRef(In.Image), In.Path);
  auto ObjOrErr = ObjectFile::createObjectFile(Ref);
  if (!ObjOrErr)
    return makeError(In.Path, "not a readable ELF file: " +
                                  toString(ObjOrErr.takeError()));
  ObjectFile *Obj = ObjOrErr->get();
  Error E = Error::success();
  if (auto *O = dyn_cast<ELF64LEObjectFile>(Obj))
    E = checkTables(O->getELFFile(), In.Path);
  else if (auto *O = dyn_cast<ELF64BEObjectFile>(Obj))
    E = checkTables(O->getELFFile(), In.Path);
  else if (auto *O = dyn_cast<ELF32LEObjectFile>(Obj))
    E = checkTables(O->getELFFile(), In.Path);
  else if (auto *O = dyn_cast<ELF32BEObjectFile>(Obj))
    E = checkTables(O->getELFFile(), In.Path);
  else
    return makeError(In.Path, "not an ELF file");
  if (E)
    return E;
  return std::move(*ObjOrErr);
}

Expected<ObjectInfo> link::readObjectInfo(const LinkInput &In) {
  ObjectInfo Info;
  auto Obj = openLinkedELF(In);
  if (!Obj)
    return Obj.takeError();
  auto *Elf = cast<ELFObjectFileBase>(Obj->get());
  Info.BigEndian = !Elf->isLittleEndian();

  std::vector<std::string> SecNames;
  std::vector<uint64_t> SecAddrs;
  for (const SectionRef &S : Elf->sections()) {
    auto Name = S.getName();
    if (!Name)
      return makeError(In.Path,
                       "section " + Twine(S.getIndex()) +
                           ": bad name: " + toString(Name.takeError()));
    SecNames.resize(S.getIndex() + 1);
    SecAddrs.resize(S.getIndex() + 1);
    SecNames[S.getIndex()] = Name->str();
    SecAddrs[S.getIndex()] = S.getAddress();
    Info.SectionSizes[*Name] = S.getSize();
  }

  for (const ELFSymbolRef Sym : Elf->symbols()) {
    uint8_t T = Sym.getELFType();
    if (T != ELF::STT_OBJECT && T != ELF::STT_TLS && T != ELF::STT_NOTYPE)
      continue;
    auto Name = Sym.getName();
    auto Sec = Sym.getSection();
    auto Value = Sym.getValue();
    if (!Name || !Sec || !Value)
      return makeError(
          In.Path,
          ".symtab: unreadable symbol: " +
              toString(joinErrors(joinErrors(Name.takeError(), Sec.takeError()),
                                  Value.takeError())));
    if (*Sec == Elf->section_end() || Name->empty())
      continue;
    unsigned Idx = (*Sec)->getIndex();
    if (Idx >= SecNames.size())
      continue;
    Info.Symbols[{SecNames[Idx], Name->str()}].push_back(
        {*Value - SecAddrs[Idx], Sym.getSize()});
  }

  // Recoverable DWARF problems must not fail a link that only wants names.
  auto Ctx = DWARFContext::create(
      *Elf, DWARFContext::ProcessDebugRelocations::Process, nullptr, "",
      [](Error E) { consumeError(std::move(E)); },
      [](Error E) { consumeError(std::move(E)); });
  for (const auto &U : Ctx->info_section_units()) {
    Info.HasDebugInfo = true;
    if (U->isTypeUnit())
      continue;
    DWARFDie Die = U->getUnitDIE(/*ExtractUnitDIEOnly=*/true);
    if (!Die)
      continue;
    if (auto Name = dwarf::toString(Die.find(dwarf::DW_AT_name))) {
      Info.CompileUnits.push_back(*Name);
      Info.CompileUnitOffsets.push_back(U->getOffset());
    }
  }
  return Info;
}
