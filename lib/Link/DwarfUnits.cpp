//===- DwarfUnits.cpp - The linked file's DWARF, read for the fallback ----===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The ELF side of --dwarf-fallback: the symbols pahole 1.24 consults (its
// function names, the per-CPU variables) and LLVM's DWARF reader over the
// linked file, relocations applied as for ObjectInfo.cpp. Unlike there,
// every problem the reader reports is an error: a unit that cannot be read
// must not become BTF that silently lacks its types.
//
//===----------------------------------------------------------------------===//

#include "DwarfToBTF.h"
#include "LinkInternal.h"

#include "btfkit/Encode.h"
#include "btfkit/Error.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/BinaryFormat/Dwarf.h"
#include "llvm/DebugInfo/DWARF/DWARFContext.h"
#include "llvm/DebugInfo/DWARF/DWARFDie.h"
#include "llvm/DebugInfo/DWARF/DWARFUnit.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace btfkit;
using namespace btfkit::link;
using namespace llvm;
using namespace llvm::object;

static Expected<DwarfSymbols> readSymbols(const LinkInput &In,
                                          const ELFObjectFileBase &Elf) {
  DwarfSymbols S;
  for (const ELFSymbolRef Sym : Elf.symbols()) {
    uint8_t T = Sym.getELFType();
    if (T != ELF::STT_FUNC && T != ELF::STT_OBJECT)
      continue;
    auto Name = Sym.getName();
    auto Sec = Sym.getSection();
    if (!Name || !Sec)
      return makeError(
          In.Path, ".symtab: unreadable symbol: " +
                       toString(joinErrors(Name.takeError(), Sec.takeError())));
    if (*Sec == Elf.section_end() || Name->empty())
      continue;
    if (T == ELF::STT_FUNC) {
      S.Functions.insert(*Name);
      continue;
    }
    auto SecName = (*Sec)->getName();
    if (!SecName) {
      consumeError(SecName.takeError());
      continue;
    }
    if (*SecName != ".data..percpu" || !Sym.getSize())
      continue;
    auto Value = Sym.getValue();
    if (!Value) {
      consumeError(Value.takeError());
      return makeError(In.Path, ".symtab: unreadable symbol '" + *Name + "'");
    }
    // Section-relative, as in an `ld -r` output (pahole subtracts the
    // section address in a final link).
    S.PerCPU[*Name].push_back({*Value - (*Sec)->getAddress(), Sym.getSize()});
  }
  return S;
}

Expected<DwarfSymbols> link::readDwarfSymbols(const LinkInput &In) {
  auto Obj = openLinkedELF(In);
  if (!Obj)
    return Obj.takeError();
  return readSymbols(In, *cast<ELFObjectFileBase>(Obj->get()));
}

Expected<std::vector<DwarfUnitBTF>>
link::encodeDwarfUnits(const LinkInput &In, ArrayRef<uint64_t> UnitOffsets,
                       const EncodeOptions &Opts,
                       std::vector<std::string> &Warnings) {
  std::vector<DwarfUnitBTF> Out;
  auto Obj = openLinkedELF(In);
  if (!Obj)
    return Obj.takeError();
  auto *Elf = cast<ELFObjectFileBase>(Obj->get());
  auto Syms = readSymbols(In, *Elf);
  if (!Syms)
    return Syms.takeError();

  // Whatever LLVM's DWARF reader cannot parse (unit headers, abbreviations,
  // DIEs, relocations) is collected and fails the encoding: a corrupt
  // .debug_info must not turn into BTF that silently lacks types.
  std::vector<std::string> Problems;
  auto Note = [&Problems](Error E) {
    handleAllErrors(std::move(E), [&](const ErrorInfoBase &EI) {
      Problems.push_back(EI.message());
    });
  };
  auto Ctx =
      DWARFContext::create(*Elf, DWARFContext::ProcessDebugRelocations::Process,
                           nullptr, "", Note, Note);
  auto Fail = [&](const Twine &Where) {
    return makeError(In.Path + ":.debug_info",
                     Where + "cannot be read: " + Problems.front());
  };

  std::optional<IntNameMap> IntNames;
  if (Opts.NamingBase)
    IntNames.emplace(*Opts.NamingBase);
  // Every unit's header and unit DIE must read: a unit whose name cannot
  // be read is not known to lack a fragment, and would be left out
  // silently.
  DenseMap<uint64_t, DWARFUnit *> Units;
  auto AllUnits = Ctx->info_section_units(); // reads every unit header
  if (!Problems.empty())
    return Fail("");
  for (const auto &U : AllUnits) {
    Units[U->getOffset()] = U.get();
    if (!U->isTypeUnit() && !U->getUnitDIE(/*ExtractUnitDIEOnly=*/true) &&
        Problems.empty())
      Problems.push_back("no unit DIE");
    if (!Problems.empty())
      return Fail("the unit at offset 0x" + utohexstr(U->getOffset(), true) +
                  " ");
  }
  for (uint64_t Off : UnitOffsets) {
    DWARFUnit *U = Units.lookup(Off);
    if (!U)
      return makeError(In.Path + ":.debug_info",
                       "no compile unit at offset 0x" + utohexstr(Off, true));
    // Parse the whole unit first: its problems are errors.
    DWARFDie CU = U->getUnitDIE(/*ExtractUnitDIEOnly=*/false);
    std::string Name =
        CU ? dwarf::toString(CU.find(dwarf::DW_AT_name), "") : "";
    std::string Where = "compile unit '" + Name + "' at offset 0x" +
                        utohexstr(Off, true) + ": ";
    if (!Problems.empty())
      return Fail(Where);
    if (!CU)
      return makeError(In.Path + ":.debug_info", Where + "has no unit DIE");
    std::string Label =
        In.Path + ":.debug_info[" + Name + "@0x" + utohexstr(Off, true) + "]";
    auto R = encodeDwarfUnit(*U, Label, Opts, IntNames, *Syms, Warnings);
    if (!R)
      return R.takeError();
    if (!Problems.empty())
      return Fail(Where);
    Out.push_back(std::move(*R));
  }
  return Out;
}
