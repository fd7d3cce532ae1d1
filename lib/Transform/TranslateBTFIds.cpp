//===- TranslateBTFIds.cpp - A module's .BTF_ids in distilled numbering ---===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The ids are translated, not resolved again: the type an id named before
// is the type it names after, whatever else shares its name. Only where
// translation has nothing to give (the type is gone, or the slot did not
// name its symbol's type in the first place) does this do what Linux
// >= 6.11's build does for a module with a .BTF.base: resolve_btfids looks
// the name up over the distilled base and the module's own types, first id
// of that kind and name wins, and a name it does not find stays 0 ("WARN:
// resolve_btfids: unresolved symbol"). A kernel type that no type of the
// module uses is not in the distilled base, so a BTF_ID() of it is 0 there
// as here; the kernel's btf_relocate_id() maps 0 to 0.
//
//===----------------------------------------------------------------------===//

#include "btfkit/DistillModule.h"
#include "btfkit/Error.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"

#include <algorithm>

using namespace btfkit;
using namespace llvm;

namespace {
/// The first type of each kind and name over a BTF and its base, built on
/// first use (most modules never need it).
class NameLookup {
public:
  explicit NameLookup(const BTF &B) : B(B) {}

  uint32_t find(Kind K, StringRef Name) {
    if (!Built) {
      for (uint32_t Id = 1; Id < B.endId(); ++Id) {
        Type T = B.type(Id);
        if (T.nameOff())
          First.try_emplace(std::make_pair(uint8_t(T.kind()), T.name()), Id);
      }
      Built = true;
    }
    auto It = First.find(std::make_pair(uint8_t(K), Name));
    return It == First.end() ? 0 : It->second;
  }

private:
  const BTF &B;
  bool Built = false;
  DenseMap<std::pair<uint8_t, StringRef>, uint32_t> First;
};

/// A set's entries: [Begin, Begin + Count * Stride), the id first in each.
struct SetRange {
  const BTFIdSymbol *Sym;
  uint64_t Begin, Count, Stride;
  /// The id symbols inside: resolve_btfids sorted the set after patching
  /// them, so their words no longer hold their own ids.
  std::vector<const BTFIdSymbol *> Members;

  bool holdsIdAt(uint64_t Off) const {
    return Off >= Begin && Off < Begin + Count * Stride &&
           (Off - Begin) % Stride == 0;
  }
};

class Translator {
public:
  Translator(StringRef Path, const BTF &Old, const DistillResult &D,
             std::vector<std::string> &Warnings)
      : Where((Path + ":" + BTFIdsSectionName).str()), Old(Old), D(D),
        New(*D.Split), Warnings(Warnings) {}

  /// The new id for the word of symbol \p S, which held \p OldId.
  uint32_t slot(const BTFIdSymbol &S, uint32_t OldId);
  /// The new id for an entry of set \p Set, which held \p OldId.
  uint32_t entry(const SetRange &Set, uint32_t OldId);

private:
  /// Linux >= 6.11's answer for a name, with the warning that says why it
  /// was needed: \p Who held \p Held.
  uint32_t resolveByName(Kind K, StringRef Name, const Twine &Who,
                         const Twine &Held);

  std::string Where;
  const BTF &Old;
  const DistillResult &D;
  NameLookup New;
  std::vector<std::string> &Warnings;
};

/// "struct 'sk_buff'": the type a symbol names, in the symbol's words.
std::string symbolType(const BTFIdSymbol &S) {
  return (S.kindName() + " '" + S.Name + "'").str();
}

std::string held(uint32_t Id, const Type &T) {
  return "[" + std::to_string(Id) + "] " + describeType(T);
}

constexpr const char *NotCarried =
    ", which the distilled base does not carry (no type of the module uses "
    "it)";
} // namespace

uint32_t Translator::resolveByName(Kind K, StringRef Name, const Twine &Who,
                                   const Twine &Held) {
  uint32_t Id = New.find(K, Name);
  Warnings.push_back((Where + ": " + Who + " held " + Held + ": " +
                      (Id ? "resolved by name to [" + Twine(Id) + "]"
                          : Twine("left unresolved (0)")) +
                      ", as Linux >= 6.11's resolve_btfids resolves it "
                      "against the module's .BTF.base")
                         .str());
  return Id;
}

uint32_t Translator::slot(const BTFIdSymbol &S, uint32_t OldId) {
  if (OldId == 0)
    return 0;
  if (!Old.hasId(OldId))
    return resolveByName(S.btfKind(), S.Name, S.Symbol,
                         "id " + Twine(OldId) + ", past the module's BTF (" +
                             Twine(Old.endId() - 1) + " types), not the " +
                             symbolType(S) + " it names");
  Type T = Old.type(OldId);
  if (T.kind() != S.btfKind() || T.name() != S.Name)
    return resolveByName(S.btfKind(), S.Name, S.Symbol,
                         held(OldId, T) + ", not the " + symbolType(S) +
                             " it names (the section was resolved against "
                             "other BTF)");
  if (std::optional<uint32_t> NewId = D.newId(OldId))
    return *NewId;
  return resolveByName(T.kind(), T.name(), S.Symbol,
                       held(OldId, T) + NotCarried);
}

uint32_t Translator::entry(const SetRange &Set, uint32_t OldId) {
  if (OldId == 0)
    return 0;
  std::string Who = Set.Sym->Symbol + "'s entry";
  if (!Old.hasId(OldId)) {
    // No type, and no symbol to tell its name: nothing to resolve.
    Warnings.push_back((Where + ": " + Who + " held id " + Twine(OldId) +
                        ", past the module's BTF (" + Twine(Old.endId() - 1) +
                        " types; the section was resolved against other "
                        "BTF): left unresolved (0)")
                           .str());
    return 0;
  }
  Type T = Old.type(OldId);
  const BTFIdSymbol *Named = nullptr;
  for (const BTFIdSymbol *M : Set.Members)
    if (M->btfKind() == T.kind() && M->Name == T.name()) {
      Named = M;
      break;
    }
  std::optional<uint32_t> NewId = D.newId(OldId);
  if (!Named) {
    // Not what the set's symbols name: the ids came from other BTF. Its
    // words were sorted, so no symbol tells which name the entry stood
    // for; the type it holds stays what it stands for.
    Warnings.push_back((Where + ": " + Who + " held " + held(OldId, T) +
                        ", which none of the set's symbols names (the "
                        "section was resolved against other BTF): " +
                        (NewId ? "renumbered to [" + Twine(*NewId) + "]"
                               : Twine("left unresolved (0)")))
                           .str());
    return NewId.value_or(0);
  }
  if (NewId)
    return *NewId;
  return resolveByName(T.kind(), T.name(), Named->Symbol,
                       held(OldId, T) + NotCarried);
}

Expected<std::vector<uint8_t>>
btfkit::translateBTFIds(StringRef Path, const BTFIdsSection &Ids,
                        const BTF &Old, const DistillResult &D,
                        std::vector<std::string> &Warnings) {
  std::vector<uint8_t> Out(Ids.Data.begin(), Ids.Data.end());
  const llvm::endianness Order =
      Ids.LittleEndian ? llvm::endianness::little : llvm::endianness::big;
  auto Read = [&](uint64_t Off) {
    return support::endian::read32(Out.data() + Off, Order);
  };
  auto Write = [&](uint64_t Off, uint32_t V) {
    support::endian::write32(Out.data() + Off, V, Order);
  };

  // The sets, as far as their counts say (a set never resolved counts 0).
  std::vector<SetRange> Sets;
  for (const BTFIdSymbol &S : Ids.Symbols) {
    if (!S.isSet())
      continue;
    bool Pairs = S.Kind == BTFIdSymbol::Set8;
    SetRange R{
        &S, S.Offset + (Pairs ? 8 : 4), Read(S.Offset), Pairs ? 8u : 4u, {}};
    if (R.Count > (Out.size() - R.Begin) / R.Stride)
      return makeError(Path + ":" + BTFIdsSectionName,
                       S.Symbol + " counts " + Twine(R.Count) + " entries of " +
                           Twine(R.Stride) + " bytes from offset " +
                           Twine(R.Begin) + ", past the end of the section (" +
                           Twine(Out.size()) + " bytes)");
    Sets.push_back(std::move(R));
  }

  // Without symbols (a stripped object) resolve_btfids finds no slot to
  // patch, and neither does this: ids it wrote before stay as they are.
  if (Ids.Symbols.empty() &&
      llvm::any_of(Ids.Data, [](uint8_t B) { return B != 0; }))
    Warnings.push_back((Path + ":" + BTFIdsSectionName +
                        ": no __BTF_ID__ symbols mark its ids (no symbol "
                        "table?): left as it is, in the old numbering")
                           .str());

  Translator T(Path, Old, D, Warnings);
  for (const BTFIdSymbol &S : Ids.Symbols) {
    if (S.isSet())
      continue;
    auto In = llvm::find_if(
        Sets, [&](const SetRange &R) { return R.holdsIdAt(S.Offset); });
    if (In != Sets.end())
      In->Members.push_back(&S);
    else
      Write(S.Offset, T.slot(S, Ids.word(S.Offset)));
  }

  // Each set's entries renumbered, then sorted by id with the flags of a
  // set8 kept beside their ids, as resolve_btfids sorts them (Linux 6.12
  // and 7.2 alike: every set and set8).
  for (const SetRange &R : Sets) {
    bool Pairs = R.Stride == 8;
    std::vector<std::pair<uint32_t, uint32_t>> Entries(R.Count);
    for (uint64_t I = 0; I < R.Count; ++I) {
      uint64_t Off = R.Begin + I * R.Stride;
      Entries[I] = {T.entry(R, Read(Off)), Pairs ? Read(Off + 4) : 0};
    }
    std::stable_sort(
        Entries.begin(), Entries.end(),
        [](const auto &A, const auto &B) { return A.first < B.first; });
    for (uint64_t I = 0; I < R.Count; ++I) {
      uint64_t Off = R.Begin + I * R.Stride;
      Write(Off, Entries[I].first);
      if (Pairs)
        Write(Off + 4, Entries[I].second);
    }
  }
  return Out;
}
