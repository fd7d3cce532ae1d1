//===- ResolveBTFIds.cpp - Linux 7.x resolve_btfids for modules -----------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Follows tools/bpf/resolve_btfids/main.c of Linux 7.2 step by step, since
// the point is the same bytes: load_btf(), finalize_btf() (distill, then
// sort_btf_by_name()), symbols_resolve(), symbols_patch() and sets_patch(),
// dump_raw_btf_ids() and dump_raw_btf(). Where libbpf's in-memory BTF
// shapes the output (btf__raw_data()), the comments say how.
//
//===----------------------------------------------------------------------===//

#include "btfkit/ResolveBTFIds.h"
#include "btfkit/BTFIds.h"
#include "btfkit/Distill.h"
#include "btfkit/Error.h"
#include "btfkit/TypeWalk.h"
#include "btfkit/Writer.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Endian.h"

#include <algorithm>
#include <cstring>
#include <set>

using namespace btfkit;
using namespace llvm;

/// KF_IMPLICIT_ARGS of include/linux/btf.h: resolve_btfids's btf2btf()
/// adds types for such kfuncs.
static constexpr uint32_t KfImplicitArgs = 1u << 16;

std::vector<uint32_t> btfkit::typesByName(const BTF &Split) {
  std::vector<uint32_t> Order;
  Order.reserve(Split.numTypes());
  for (uint32_t Id = Split.firstId(); Id < Split.endId(); ++Id)
    Order.push_back(Id);
  // cmp_type_names(): strcmp() of the names, then the old order.
  std::stable_sort(Order.begin(), Order.end(), [&](uint32_t A, uint32_t B) {
    return Split.type(A).name() < Split.type(B).name();
  });
  return Order;
}

/// \p B's own types in \p Order with every reference to them renumbered
/// (btf__permute()), its strings as they were, after a header of
/// \p HdrLen bytes: btf__raw_data() writes the header libbpf holds, which
/// is the input's for BTF it parsed and the 32-byte one (no layout
/// section) for BTF it built (btf__new_empty()).
static std::vector<uint8_t> permutedBlob(const BTF &B, ArrayRef<uint32_t> Order,
                                         uint32_t HdrLen) {
  const uint32_t First = B.firstId(), End = B.endId();
  std::vector<uint32_t> NewId(B.numTypes());
  for (size_t I = 0; I < Order.size(); ++I)
    NewId[Order[I] - First] = First + uint32_t(I);

  Header H = B.header();
  H.HdrLen = HdrLen;
  H.TypeOff = 0;
  H.TypeLen = uint32_t(B.typeSection().size());
  H.StrOff = H.TypeLen;
  H.StrLen = uint32_t(B.stringSection().size());
  H.LayoutOff = H.LayoutLen = 0;
  std::vector<uint8_t> Blob(HdrLen);
  std::memcpy(Blob.data(), &H, std::min<size_t>(HdrLen, sizeof(Header)));
  for (uint32_t Old : Order) {
    ArrayRef<uint8_t> Rec = B.type(Old).bytes();
    size_t At = Blob.size();
    Blob.insert(Blob.end(), Rec.begin(), Rec.end());
    visitTypeSlots(reinterpret_cast<CommonType *>(Blob.data() + At),
                   [&](uint32_t &Ref) {
                     if (Ref >= First && Ref < End)
                       Ref = NewId[Ref - First];
                   });
  }
  Blob.insert(Blob.end(), B.stringSection().begin(), B.stringSection().end());
  return Blob;
}

/// A classic-header blob (serializeBTF()) with libbpf's 32-byte header.
static std::vector<uint8_t> withLibbpfHeader(std::vector<uint8_t> Classic) {
  Header H;
  std::memcpy(&H, Classic.data(), ClassicHeaderSize);
  H.HdrLen = LayoutHeaderSize;
  H.LayoutOff = H.LayoutLen = 0;
  std::vector<uint8_t> Out(LayoutHeaderSize);
  std::memcpy(Out.data(), &H, sizeof(Header));
  Out.insert(Out.end(), Classic.begin() + ClassicHeaderSize, Classic.end());
  return Out;
}

namespace {
/// The symbols of one kind (resolve_btfids's rb-trees): a name, its id
/// once found, and how many symbols of the kind there are.
struct KindNames {
  StringMap<uint32_t> Ids;
  unsigned Symbols = 0;
};
} // namespace

/// The bytes of a set's entries (resolve_btfids's SET_STRIDE): 4 for a
/// set of ids, 8 for a set8 of id and flags pairs.
static uint64_t setStride(const BTFIdSymbol &S) {
  return S.Kind == BTFIdSymbol::Set8 ? 8 : 4;
}

/// Sets that fit in the section, and no kfunc whose BTF resolve_btfids
/// would rewrite.
static Error checkSets(const BTFIdsSection &Ids, StringRef Where) {
  for (const BTFIdSymbol &S : Ids.Symbols) {
    if (!S.isSet())
      continue;
    uint64_t Stride = setStride(S);
    if (S.Size < Stride || S.Offset + S.Size > Ids.Data.size())
      return makeError(Where, S.Symbol + " (" + Twine(S.Size) +
                                  " bytes at offset " + Twine(S.Offset) +
                                  ") is not a set inside the section (" +
                                  Twine(Ids.Data.size()) + " bytes)");
    if (S.Kind != BTFIdSymbol::Set8)
      continue;
    // btf2btf() rewrites the BTF of kfuncs with implicit arguments.
    for (uint64_t Off = S.Offset + 8; Off + 8 <= S.Offset + S.Size; Off += 8)
      if (Ids.word(Off + 4) & KfImplicitArgs)
        return makeError(Where, S.Symbol +
                                    " has a kfunc with KF_IMPLICIT_ARGS, "
                                    "whose BTF resolve_btfids rewrites: "
                                    "btfkit does not; use the kernel's "
                                    "resolve_btfids");
  }
  return Error::success();
}

Expected<std::vector<uint8_t>>
btfkit::resolveBTFIdsOver(const BTFIdsSection &Ids, const BTF &Types,
                          StringRef Where, std::vector<std::string> &Warnings) {
  if (!Ids.LittleEndian)
    return makeError(Where, "a big-endian object: btfkit resolves the ids "
                            "of little-endian objects only");
  if (Error E = checkSets(Ids, Where))
    return std::move(E);
  // symbols_collect(): one name table per kind.
  KindNames Structs, Unions, Typedefs, Funcs;
  auto TableOf = [&](BTFIdSymbol::SymbolKind K) -> KindNames * {
    switch (K) {
    case BTFIdSymbol::Struct:
      return &Structs;
    case BTFIdSymbol::Union:
      return &Unions;
    case BTFIdSymbol::Typedef:
      return &Typedefs;
    case BTFIdSymbol::Func:
      return &Funcs;
    default:
      return nullptr;
    }
  };
  for (const BTFIdSymbol &S : Ids.Symbols)
    if (KindNames *T = TableOf(S.Kind)) {
      ++T->Symbols;
      T->Ids.try_emplace(S.Name, 0);
    }

  // symbols_resolve(): every type in id order, the first of each name
  // wins; a kind is looked at while some of its symbols are unresolved.
  unsigned Left[4] = {Funcs.Symbols, Structs.Symbols, Unions.Symbols,
                      Typedefs.Symbols};
  KindNames *Tables[4] = {&Funcs, &Structs, &Unions, &Typedefs};
  const BTF &S = Types;
  for (uint32_t Id = 1; Id < S.endId(); ++Id) {
    Type T = S.type(Id);
    int Which;
    switch (T.kind()) {
    case Kind::Func:
      Which = 0;
      break;
    case Kind::Struct:
      Which = 1;
      break;
    case Kind::Union:
      Which = 2;
      break;
    case Kind::Typedef:
      Which = 3;
      break;
    default:
      continue;
    }
    if (!Left[Which])
      continue;
    auto It = Tables[Which]->Ids.find(T.name());
    if (It == Tables[Which]->Ids.end())
      continue;
    if (It->second) {
      Warnings.push_back((Where + ": multiple IDs found for '" + T.name() +
                          "': " + Twine(It->second) + ", " + Twine(Id) +
                          " - using " + Twine(It->second))
                             .str());
    } else {
      It->second = Id;
      --Left[Which];
    }
  }

  // symbols_patch(): every id, every set's count; then sets_patch().
  std::vector<uint8_t> Out(Ids.Data.begin(), Ids.Data.end());
  auto Write = [&](uint64_t Off, uint32_t V) {
    support::endian::write32le(Out.data() + Off, V);
  };
  auto Read = [&](uint64_t Off) {
    return support::endian::read32le(Out.data() + Off);
  };
  // id_patch() warns once per name of a kind.
  std::set<std::pair<int, std::string>> Warned;
  for (const BTFIdSymbol &Sym : Ids.Symbols) {
    if (Sym.isSet()) {
      Write(Sym.Offset, uint32_t(Sym.Size / setStride(Sym) - 1));
      continue;
    }
    KindNames *T = TableOf(Sym.Kind);
    uint32_t Id = T->Ids.lookup(Sym.Name);
    if (!Id && Warned.insert({int(Sym.Kind), Sym.Name}).second)
      Warnings.push_back(
          (Where + ": unresolved symbol " + Sym.Name + " (" + Sym.Symbol + ")")
              .str());
    Write(Sym.Offset, Id);
  }
  for (const BTFIdSymbol &Sym : Ids.Symbols) {
    if (!Sym.isSet())
      continue;
    uint64_t Stride = setStride(Sym);
    uint64_t Begin = Sym.Offset + Stride;
    uint64_t Count = Read(Sym.Offset);
    std::vector<std::pair<uint32_t, uint32_t>> Entries(Count);
    for (uint64_t I = 0; I < Count; ++I)
      Entries[I] = {Read(Begin + I * Stride),
                    Stride == 8 ? Read(Begin + I * Stride + 4) : 0};
    // qsort() with cmp_id(): by id as a signed int; glibc's qsort() is a
    // merge sort, so equal ids keep their order.
    std::stable_sort(Entries.begin(), Entries.end(),
                     [](const auto &A, const auto &B) {
                       return int32_t(A.first) < int32_t(B.first);
                     });
    for (uint64_t I = 0; I < Count; ++I) {
      Write(Begin + I * Stride, Entries[I].first);
      if (Stride == 8)
        Write(Begin + I * Stride + 4, Entries[I].second);
    }
  }
  return Out;
}

Expected<ResolvedModule> btfkit::resolveModuleBTFIds(StringRef ObjPath,
                                                     ArrayRef<uint8_t> Image,
                                                     const BTF &Split,
                                                     bool DistillBase) {
  ResolvedModule R;
  auto IdsOrErr = readBTFIds(ObjPath, Image);
  if (!IdsOrErr)
    return IdsOrErr.takeError();
  std::optional<BTFIdsSection> &Ids = *IdsOrErr;
  if (Ids && !Ids->LittleEndian)
    return makeError(ObjPath, "a big-endian object: btf-resolve-btfids "
                              "writes little-endian BTF only");
  std::string Where = (ObjPath + ":" + BTFIdsSectionName).str();
  if (Ids)
    if (Error E = checkSets(*Ids, Where))
      return std::move(E);

  // finalize_btf(): distill, then sort the split by name.
  std::optional<DistillResult> D;
  const BTF *Work = &Split;
  uint32_t SplitHdrLen = Split.header().HdrLen;
  if (DistillBase && Split.isSplit()) {
    auto DOrErr = distill(Split);
    if (!DOrErr)
      return DOrErr.takeError();
    D.emplace(std::move(*DOrErr));
    Work = D->Split.get();
    SplitHdrLen = LayoutHeaderSize;
    R.Base = withLibbpfHeader(serializeBTF(*D->Base));
  }
  if (SplitHdrLen != ClassicHeaderSize && SplitHdrLen != LayoutHeaderSize)
    return makeError(Split.name(), "a header of " + Twine(SplitHdrLen) +
                                       " bytes: btf-resolve-btfids writes "
                                       "24- and 32-byte headers only");
  R.Split = permutedBlob(*Work, typesByName(*Work), SplitHdrLen);
  if (!Ids || Ids->Symbols.empty())
    return R; // no .BTF_ids or no symbols: nothing to resolve

  auto Sorted = BTF::parse(R.Split, Work->base(),
                           (Split.name() + " (sorted by name)").str());
  if (!Sorted)
    return Sorted.takeError();
  auto Out = resolveBTFIdsOver(*Ids, **Sorted, Where, R.Warnings);
  if (!Out)
    return Out.takeError();
  R.Ids = std::move(*Out);
  return R;
}
