//===- IndexedBase.cpp - A base BTF loaded with its indexes ---------------===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Every compilation of a kernel module loads the base once, so this is the
// plugin's fixed cost per object (issue 5: at most 5 ms for a 100k-type
// vmlinux), and every module's link step pays it again. Worked out from the
// file, it is the reader's (map, structural checks), one hash over the type and
// string sections for the fingerprint, a scan for the INTs, and later an index
// for deduplication: 15-30 ms in a fresh process. With the cache
// (BaseIndexCache.h) it is a stat, the entry read and checksummed, the base
// mapped, and a check of the type offsets.
// utils/bench/plugin-base-bench.cpp measures both.
//
//===----------------------------------------------------------------------===//

#include "btfkit/IndexedBase.h"

#include "BaseIndexCache.h"

#include "btfkit/BaseIndex.h"
#include "btfkit/Dedup.h"
#include "btfkit/Encode.h"
#include "btfkit/Error.h"
#include "btfkit/OutputFile.h"
#include "btfkit/Reader.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"

using namespace btfkit;
using namespace llvm;

IndexedBase::~IndexedBase() = default;

const BaseIndex &IndexedBase::relocationIndex() const {
  std::call_once(RelocationOnce,
                 [this] { Relocation = std::make_unique<BaseIndex>(*Base); });
  return *Relocation;
}

/// The C long's size: the kernel's long is pointer-sized on every
/// architecture it runs on.
static uint32_t longSizeOf(const BTF &Base, ArrayRef<uint32_t> IntIds) {
  for (uint32_t Id : IntIds) {
    Type T = Base.type(Id);
    std::string Canon = canonicalIntName(T.name());
    if (Canon == "long" || Canon == "ulong")
      return T.size();
  }
  return 0;
}

/// Where the base BTF lies in \p File: all of a raw BTF file, the .BTF
/// section of an ELF (what loadBaseBTF() reads); \p Size is the size the
/// reader found.
static std::optional<std::pair<uint64_t, uint64_t>>
blobPlace(StringRef Path, const MemoryBuffer &File, uint64_t Size) {
  ArrayRef<uint8_t> Bytes = arrayRefFromStringRef(File.getBuffer());
  std::optional<std::pair<uint64_t, uint64_t>> Place;
  if (looksLikeRawBTF(Bytes)) {
    Place.emplace(0, Bytes.size());
  } else if (looksLikeELF(Bytes)) {
    auto Sec = findELFSection(Path, Bytes, BTFSectionName);
    if (!Sec)
      consumeError(Sec.takeError());
    else if (*Sec)
      Place.emplace(uint64_t((*Sec)->data() - Bytes.data()), (*Sec)->size());
  }
  if (Place && Place->second != Size)
    Place.reset();
  return Place;
}

/// The base from \p E, or an error saying why \p E does not describe the
/// file at \p Path as it is now.
static Expected<std::unique_ptr<BTF>> baseFromEntry(StringRef Path,
                                                    const BaseIndexEntry &E) {
  auto Now = identifyBaseFile(Path);
  if (!Now)
    return Now.takeError();
  if (!(*Now == E.Identity))
    return makeError(Path, "changed since the cache entry was written");
  auto Buf = mapFile(Path, /*Populate=*/false);
  if (!Buf)
    return Buf.takeError();
  ArrayRef<uint8_t> Bytes = arrayRefFromStringRef((*Buf)->getBuffer());
  if (Bytes.size() != E.Identity.Size || E.BlobOffset > Bytes.size() ||
      E.BlobSize > Bytes.size() - E.BlobOffset)
    return makeError(Path, "changed since the cache entry was written");
  return BTF::parseIndexed(Bytes.slice(E.BlobOffset, E.BlobSize), E.TypeOffsets,
                           Path.str(), *Buf);
}

void IndexedBase::indexFacts() {
  const BTF &B = *Base;
  Fingerprint = fingerprintBTF(B);
  for (uint32_t Id = 1; Id < B.endId(); ++Id) {
    Type T = B.type(Id);
    if (T.is(Kind::Int))
      OwnIntIds.push_back(Id);
    else if (!QualifiedArrays &&
             (T.is(Kind::Const) || T.is(Kind::Volatile) ||
              T.is(Kind::Restrict)) &&
             B.hasId(T.typeId()) && B.type(T.typeId()).is(Kind::Array))
      QualifiedArrays = true;
  }
  IntIds = OwnIntIds;
  LongSize = longSizeOf(B, IntIds);
}

Expected<std::unique_ptr<IndexedBase>>
IndexedBase::fromBTF(std::unique_ptr<BTF> Base) {
  if (Base->isSplit())
    return makeError(Base->name(), "is split BTF, not a base");
  std::unique_ptr<IndexedBase> L(new IndexedBase());
  L->Base = std::move(Base);
  L->indexFacts();
  return L;
}

Expected<std::unique_ptr<IndexedBase>>
IndexedBase::load(StringRef Path, std::optional<std::string> CacheDir) {
  std::unique_ptr<IndexedBase> L(new IndexedBase());
  // A base given through a pipe has no identity to key an entry on, and
  // can be read only once.
  if (CacheDir && isNonRegularFile(Path)) {
    CacheDir.reset();
    L->CacheStatus = "not used: the base is not a regular file";
  }
  std::string Entry;
  std::string Stale; // why an existing entry was not used
  if (CacheDir) {
    Entry = baseIndexCachePath(*CacheDir, Path);
    auto E = readBaseIndexEntry(Entry);
    Expected<std::unique_ptr<BTF>> B =
        E ? baseFromEntry(Path, *E) : E.takeError();
    Expected<std::unique_ptr<DedupBase>> Index =
        B ? DedupBase::load(**B, E->DedupIndex, Entry) : B.takeError();
    if (Index) {
      L->Base = std::move(*B);
      L->Index = std::move(*Index);
      L->Fingerprint = E->Fingerprint;
      L->LongSize = E->LongSize;
      L->QualifiedArrays = E->QualifiedArrays;
      L->IntIds = E->IntIds;
      L->KeepAlive = E->Storage;
      L->CacheStatus = "hit";
      return L;
    }
    // No entry yet is the normal first time, not worth a word.
    std::string Why = toString(Index.takeError());
    if (sys::fs::exists(Entry))
      Stale = Why;
  }

  // The identity is taken before reading, and must still hold after: an
  // entry must never describe bytes other than the ones it indexes.
  auto Id = identifyBaseFile(Path);
  auto BOrErr = loadBaseBTF(Path);
  if (!BOrErr) {
    consumeError(Id.takeError());
    return BOrErr.takeError();
  }
  if ((*BOrErr)->isSplit())
    return makeError(Path, "is split BTF, not a base");
  L->Base = std::move(*BOrErr);
  L->indexFacts();
  const BTF &B = *L->Base;
  if (!CacheDir) {
    consumeError(Id.takeError());
    return L;
  }

  // Save the entry for the next compilations. What the reader copied
  // (another byte order, a misaligned section) cannot be used in place and
  // is not saved; the plugin refuses a foreign-endian base anyway.
  BaseIndexEntry E;
  auto File = mapFile(Path, /*Populate=*/false);
  auto IdAfter = identifyBaseFile(Path);
  std::optional<std::pair<uint64_t, uint64_t>> Place;
  if (File && !B.wasByteSwapped())
    Place = blobPlace(Path, **File, B.dataSize());
  std::string Why;
  if (!Id || !IdAfter)
    Why = toString(joinErrors(Id.takeError(), IdAfter.takeError()));
  else if (!(*Id == *IdAfter))
    Why = "the base changed while it was read";
  if (!File)
    Why += (Why.empty() ? "" : "; ") + toString(File.takeError());
  else if (Why.empty() && !Place)
    Why = "the base cannot be used in place";
  if (!Why.empty()) {
    L->CacheStatus = "not written: " + Why;
    return L;
  }
  L->Index = DedupBase::create(B);
  std::vector<uint8_t> Saved = L->Index->save();
  E.Identity = *Id;
  E.BlobOffset = Place->first;
  E.BlobSize = Place->second;
  E.Fingerprint = L->Fingerprint;
  E.LongSize = L->LongSize;
  E.QualifiedArrays = L->QualifiedArrays;
  E.TypeOffsets = B.typeOffsets();
  E.IntIds = L->IntIds;
  E.DedupIndex = Saved;
  if (Error Err = writeBaseIndexEntry(Entry, E))
    L->CacheStatus = "not written: " + toString(std::move(Err));
  else
    L->CacheStatus =
        Stale.empty() ? "written to " + Entry : "rewritten (" + Stale + ")";
  return L;
}
