//===- BTFIds.cpp - Reading a module's .BTF_ids section -------------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Symbols are read the way resolve_btfids reads them (symbols_collect() in
// tools/bpf/resolve_btfids/main.c, Linux 6.12 and 7.2 alike), so that
// btfkit finds the same id slots the kernel build patched:
//
//  - a symbol counts when it is defined in .BTF_ids and its name starts
//    with "__BTF_ID__";
//  - the kind is the longest of struct, union, typedef, func, set8, set
//    that prefixes the rest (set8 is tried before set);
//  - an id's name is what follows "<kind>__", cut before its last "__"
//    (the __COUNTER__/__LINE__ suffix that makes the symbol unique);
//  - a set's name is what follows "set__" or "set8__";
//  - the slot is the symbol's value minus the section's address (modules
//    are relocatable objects: both are offsets, the address is 0).
//
//===----------------------------------------------------------------------===//

#include "btfkit/BTFIds.h"
#include "btfkit/ELFObject.h"
#include "btfkit/Error.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/Endian.h"

using namespace btfkit;
using namespace llvm;

btfkit::Kind BTFIdSymbol::btfKind() const {
  switch (Kind) {
  case Struct:
    return btfkit::Kind::Struct;
  case Union:
    return btfkit::Kind::Union;
  case Typedef:
    return btfkit::Kind::Typedef;
  case Func:
    return btfkit::Kind::Func;
  case Set:
  case Set8:
    break;
  }
  return btfkit::Kind::Unknown;
}

StringRef BTFIdSymbol::kindName() const {
  static constexpr const char *Names[] = {"struct", "union", "typedef",
                                          "func",   "set",   "set8"};
  return Names[Kind];
}

uint32_t BTFIdsSection::word(uint64_t Offset) const {
  return support::endian::read32(Data.data() + Offset,
                                 LittleEndian ? llvm::endianness::little
                                              : llvm::endianness::big);
}

namespace {
/// The kinds in the order resolve_btfids tries them.
struct KindPrefix {
  StringRef Spelling;
  BTFIdSymbol::SymbolKind Kind;
};
constexpr KindPrefix KindPrefixes[] = {
    {"struct", BTFIdSymbol::Struct},   {"union", BTFIdSymbol::Union},
    {"typedef", BTFIdSymbol::Typedef}, {"func", BTFIdSymbol::Func},
    {"set8", BTFIdSymbol::Set8},       {"set", BTFIdSymbol::Set},
};
constexpr StringRef IdPrefix = "__BTF_ID__";
} // namespace

/// Parses \p Symbol (which starts with IdPrefix) into \p Out; an error
/// message when resolve_btfids would refuse it.
static std::optional<std::string> parseSymbol(StringRef Symbol,
                                              BTFIdSymbol &Out) {
  StringRef Rest = Symbol.drop_front(IdPrefix.size());
  const KindPrefix *Found = nullptr;
  for (const KindPrefix &P : KindPrefixes)
    if (Rest.starts_with(P.Spelling)) {
      Found = &P;
      break;
    }
  if (!Found)
    return std::string("a kind resolve_btfids does not know (struct, union, "
                       "typedef, func, set, set8)");
  Out.Kind = Found->Kind;
  Out.Symbol = Symbol.str();
  Rest = Rest.drop_front(Found->Spelling.size());
  if (Out.isSet()) {
    // "__BTF_ID__set__name": the rest after "__" is the set's name.
    if (Rest.size() <= 2)
      return std::string("no set name");
    Out.Name = Rest.drop_front(2).str();
    return std::nullopt;
  }
  // "__BTF_ID__func__name__123": drop "__", then cut before the last "__".
  if (Rest.size() <= 2)
    return std::string("no type name");
  StringRef Name = Rest.drop_front(2);
  size_t Last = Name.rfind('_');
  if (Last == StringRef::npos || Last == 0 || Name[Last - 1] != '_')
    return std::string("no '__<n>' suffix after the type name");
  Out.Name = Name.take_front(Last - 1).str();
  return std::nullopt;
}

Expected<std::optional<BTFIdsSection>>
btfkit::readBTFIds(StringRef Path, ArrayRef<uint8_t> Image) {
  MemoryBufferRef Ref(toStringRef(Image), Path);
  auto ObjOrErr = object::ObjectFile::createObjectFile(Ref);
  if (!ObjOrErr)
    return makeError(Path,
                     "not a valid ELF file: " + toString(ObjOrErr.takeError()));
  auto *Obj = dyn_cast<object::ELFObjectFileBase>(ObjOrErr->get());
  if (!Obj)
    return makeError(Path, "not an ELF file", ErrorKind::NotELF);
  if (Error E = checkELFTables(Path, *Obj))
    return E;
  std::string Where = (Path + ":" + BTFIdsSectionName).str();

  std::optional<object::SectionRef> IdSec;
  for (const object::SectionRef &S : Obj->sections()) {
    Expected<StringRef> Name = S.getName();
    if (!Name)
      return makeError(Path, "bad section name: " + toString(Name.takeError()));
    if (*Name == BTFIdsSectionName) {
      IdSec = S;
      break;
    }
  }
  if (!IdSec)
    return std::optional<BTFIdsSection>();

  BTFIdsSection Out;
  Out.LittleEndian = Obj->isLittleEndian();
  Expected<StringRef> Contents = IdSec->getContents();
  if (!Contents)
    return makeError(Where,
                     "cannot read section: " + toString(Contents.takeError()));
  Out.Data = arrayRefFromStringRef(*Contents);
  uint64_t Addr = IdSec->getAddress();

  for (const object::ELFSymbolRef Sym : Obj->symbols()) {
    Expected<object::section_iterator> Sec = Sym.getSection();
    if (!Sec) {
      consumeError(Sec.takeError());
      continue;
    }
    if (*Sec == Obj->section_end() || **Sec != *IdSec)
      continue;
    Expected<StringRef> Name = Sym.getName();
    if (!Name)
      return makeError(Where, "bad symbol name: " + toString(Name.takeError()));
    if (!Name->starts_with(IdPrefix))
      continue;
    BTFIdSymbol S;
    if (std::optional<std::string> Bad = parseSymbol(*Name, S))
      return makeError(Where, "symbol " + *Name + ": " + *Bad);
    Expected<uint64_t> Value = Sym.getValue();
    if (!Value)
      return makeError(Where,
                       "symbol " + *Name + ": " + toString(Value.takeError()));
    // A set's header is one word (set) or two (set8); the ids follow.
    uint64_t Need = S.Kind == BTFIdSymbol::Set8 ? 8 : 4;
    if (*Value < Addr || *Value - Addr > Out.Data.size() ||
        Out.Data.size() - (*Value - Addr) < Need || (*Value - Addr) % 4)
      return makeError(Where, "symbol " + *Name + " at " + Twine(*Value) +
                                  " is not a word of the section (" +
                                  Twine(Out.Data.size()) + " bytes at " +
                                  Twine(Addr) + ")");
    S.Offset = *Value - Addr;
    S.Size = Sym.getSize();
    Out.Symbols.push_back(std::move(S));
  }
  // Section order, whatever order the assembler gave the symbol table.
  llvm::stable_sort(Out.Symbols,
                    [](const BTFIdSymbol &A, const BTFIdSymbol &B) {
                      return A.Offset < B.Offset;
                    });
  return std::optional<BTFIdsSection>(std::move(Out));
}
