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

#include "btfkit/ELFObject.h"
#include "btfkit/Error.h"

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

Expected<std::unique_ptr<ObjectFile>> link::openLinkedELF(const LinkInput &In) {
  MemoryBufferRef Ref(toStringRef(In.Image), In.Path);
  auto ObjOrErr = ObjectFile::createObjectFile(Ref);
  if (!ObjOrErr)
    return makeError(In.Path, "not a readable ELF file: " +
                                  toString(ObjOrErr.takeError()));
  auto *Elf = dyn_cast<ELFObjectFileBase>(ObjOrErr->get());
  if (!Elf)
    return makeError(In.Path, "not an ELF file");
  if (Error E = checkELFTables(In.Path, *Elf))
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
