//===- ForeignBase.cpp - Is this split BTF this kernel's? -----------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Each mark is one a split BTF over its own base never has, so that a
// module over the vmlinux it was built against is never called foreign
// (checked on all 4,022 modules of the corpus and Debian's 6.12 and 7.2
// modules: test/btf-relocate/foreign-corpus.test, utils/foreign-base/):
//
// - pahole and libbpf (and btfkit) write each name as a string of its own,
//   never as the tail of another, so every name offset starts a string;
// - pahole encodes a FUNC only for a function in the ELF symbol table;
// - pahole's BTF passes the kernel's resolve pass (BPF_BTF_LOAD's checks,
//   which module loading skips: a module's BTF is read, not resolved), and
//   no C type is a FUNC (a function's type is its FUNC_PROTO).
//
// Read over another build, the split's own strings start at another offset
// and its own type ids at another id, and base ids name other types: names
// start mid-string, FUNCs are named after nothing the module defines, and
// members point at types of other sizes or at functions.
//
//===----------------------------------------------------------------------===//

#include "btfkit/ForeignBase.h"

#include "btfkit/TypeWalk.h"
#include "btfkit/Validate.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/ObjectFile.h"

using namespace btfkit;
using namespace llvm;

StringRef btfkit::foreignMarkName(ForeignMark M) {
  switch (M) {
  case ForeignMark::MidStringName:
    return "mid-string-name";
  case ForeignMark::NotASymbol:
    return "not-a-symbol";
  case ForeignMark::BadType:
    return "bad-type";
  }
  return "?";
}

size_t ForeignBaseReport::count(ForeignMark M) const {
  size_t N = 0;
  for (const ForeignFinding &F : Findings)
    N += F.Mark == M;
  return N;
}

std::optional<ModuleFunctions>
btfkit::readModuleFunctions(StringRef Path, ArrayRef<uint8_t> Image,
                            std::string &WhyNot) {
  MemoryBufferRef Ref(toStringRef(Image), Path);
  auto Obj = object::ObjectFile::createObjectFile(Ref);
  if (!Obj) {
    WhyNot = "not a readable ELF file: " + toString(Obj.takeError());
    return std::nullopt;
  }
  auto *Elf = dyn_cast<object::ELFObjectFileBase>(Obj->get());
  if (!Elf) {
    WhyNot = "not an ELF file";
    return std::nullopt;
  }
  ModuleFunctions F;
  bool AnySymtab = false, AnyLocal = false;
  for (const object::ELFSymbolRef Sym : Elf->symbols()) {
    AnySymtab = true;
    if (Sym.getELFType() != ELF::STT_FUNC)
      continue;
    auto Sec = Sym.getSection();
    auto Name = Sym.getName();
    if (!Sec || !Name) {
      consumeError(Sec.takeError());
      consumeError(Name.takeError());
      WhyNot = "its symbol table is unreadable";
      return std::nullopt;
    }
    if (*Sec == Elf->section_end())
      continue; // an undefined function: the kernel's, not the module's
    AnyLocal |= Sym.getBinding() == ELF::STB_LOCAL;
    F.Names.insert(Name->split('.').first);
  }
  if (!AnySymtab) {
    WhyNot = "the module has no symbol table";
    return std::nullopt;
  }
  if (!AnyLocal) {
    WhyNot = "its symbol table defines no static function (stripped, or the "
             "module has none)";
    return std::nullopt;
  }
  return F;
}

namespace {

/// Strings longer than this are cut in findings.
constexpr size_t MaxShown = 80;

/// The checks of one split BTF.
class ForeignChecker {
public:
  ForeignChecker(const BTF &Split, ForeignBaseReport &R) : Split(Split), R(R) {}

  void checkNames();
  void checkFunctions(const ModuleFunctions &Functions);
  void checkTypes();

private:
  /// The blob of the chain that holds string offset \p Off (valid).
  const BTF &blobOf(uint32_t Off) const {
    const BTF *B = &Split;
    while (Off < B->strBegin())
      B = B->base();
    return *B;
  }
  /// Why \p Off is not the start of a string, or "" when it is.
  std::string midString(uint32_t Off) const;
  /// A finding on type \p Id: its description, then \p What.
  void add(ForeignMark M, uint32_t Id, const Twine &What) {
    R.Findings.push_back({M, Id, describe(Id) + What.str()});
  }
  std::string describe(uint32_t Id) const {
    return "[" + std::to_string(Id) + "] " + describeType(Split.type(Id));
  }

  const BTF &Split;
  ForeignBaseReport &R;
};

} // namespace

std::string ForeignChecker::midString(uint32_t Off) const {
  if (Off == 0 || !Split.hasStr(Off))
    return ""; // no name; an offset past the strings is the reader's error
  const BTF &B = blobOf(Off);
  StringRef S = B.stringSection();
  uint32_t Local = Off - B.strBegin();
  if (Local == 0 || S[Local - 1] == '\0')
    return "";
  size_t Start = S.rfind('\0', Local - 1);
  Start = Start == StringRef::npos ? 0 : Start + 1;
  auto Shown = [&](size_t At) {
    StringRef Str = S.drop_front(At).split('\0').first;
    return Str.size() > MaxShown ? Str.take_front(MaxShown).str() + "..."
                                 : Str.str();
  };
  return "name offset " + std::to_string(Off) + " starts mid-string in " +
         (&B == &Split ? "the module's own strings" : "the kernel's strings") +
         " ('" + Shown(Local) + "' inside '" + Shown(Start) + "')";
}

void ForeignChecker::checkNames() {
  for (uint32_t Id = Split.firstId(); Id < Split.endId(); ++Id) {
    // One finding per type, for the first of its names (its own, its
    // members', values' or parameters') that does not fit.
    std::string Why;
    forEachNameRef(Split.type(Id), [&](uint32_t Off) {
      if (!Off)
        return;
      ++R.NamesChecked;
      if (Why.empty())
        Why = midString(Off);
    });
    if (!Why.empty())
      add(ForeignMark::MidStringName, Id, ": " + Why);
  }
}

void ForeignChecker::checkFunctions(const ModuleFunctions &Functions) {
  for (uint32_t Id = Split.firstId(); Id < Split.endId(); ++Id) {
    Type T = Split.type(Id);
    if (!T.is(Kind::Func))
      continue;
    ++R.FunctionsChecked;
    if (!Functions.Names.count(T.name()))
      add(ForeignMark::NotASymbol, Id,
          " is not a function of the module (its ELF has no such symbol)");
  }
}

void ForeignChecker::checkTypes() {
  // What the resolve pass refuses; the module-load rules passed (the kernel
  // loads the BTF). One finding per type.
  R.TypesChecked = Split.numTypes();
  ValidateOptions VO;
  VO.StopAtFirst = false;
  VO.ResolveTypes = true;
  std::vector<bool> Found(Split.numTypes(), false);
  for (const ValidationIssue &I : validate(Split, VO))
    if (!I.RefusedAtModuleLoad && I.Phase == ValidationPhase::Resolve &&
        I.TypeId >= Split.firstId() && !Found[I.TypeId - Split.firstId()]) {
      Found[I.TypeId - Split.firstId()] = true;
      R.Findings.push_back({ForeignMark::BadType, I.TypeId,
                            I.Message + " (the kernel's resolve pass)"});
    }
  // A FUNC used as a type, which the resolve pass lets through (it resolves
  // a FUNC to void): C types refer to a function's FUNC_PROTO.
  for (uint32_t Id = Split.firstId(); Id < Split.endId(); ++Id) {
    if (Found[Id - Split.firstId()])
      continue;
    Type T = Split.type(Id);
    if (T.is(Kind::DeclTag))
      continue; // a tag may annotate a function
    uint32_t Func = 0;
    forEachTypeRef(T, [&](uint32_t Ref) {
      if (!Func && Ref && Split.type(Ref).is(Kind::Func))
        Func = Ref;
    });
    if (Func)
      add(ForeignMark::BadType, Id,
          " uses " + describe(Func) + " as a type (no compiler writes that)");
  }
  llvm::stable_sort(
      R.Findings, [](const ForeignFinding &A, const ForeignFinding &B) {
        return A.Mark == B.Mark ? A.TypeId < B.TypeId : A.Mark < B.Mark;
      });
}

ForeignBaseReport btfkit::checkForeignBase(const BTF &Split,
                                           const ModuleFunctions *Functions,
                                           StringRef SymbolsSkipped) {
  ForeignBaseReport R;
  ForeignChecker C(Split, R);
  C.checkNames();
  if (Functions)
    C.checkFunctions(*Functions);
  else
    R.SymbolsSkipped = SymbolsSkipped.str();
  C.checkTypes();
  return R;
}
