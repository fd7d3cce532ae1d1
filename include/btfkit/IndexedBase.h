//===- btfkit/IndexedBase.h - A base BTF loaded with its indexes -*- C++
//-*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The base BTF a module is encoded against or linked over, loaded with
/// what every compilation and every link asks of it: its fingerprint, its
/// C long size, its INTs and the index deduplication searches. Kbuild runs
/// one process per object and per module, each with the same base, so the
/// facts are kept in a cache directory between processes
/// (lib/Encode/BaseIndexCache.h, docs/Plugin.md): a 100k-type vmlinux then
/// loads in about a millisecond instead of 15-30.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_INDEXEDBASE_H
#define BTFKIT_INDEXEDBASE_H

#include "btfkit/BTF.h"
#include "btfkit/Fragment.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace btfkit {

class BaseIndex;
class DedupBase;

/// A base BTF as encoders and the link step use it.
class IndexedBase {
public:
  /// Loads \p Path (raw BTF, a vmlinux ELF, /sys/kernel/btf/vmlinux) with
  /// the reader's structural checks; refuses split BTF. With \p CacheDir,
  /// the facts every compilation needs (type offsets, fingerprint, INTs,
  /// the dedup index) come from that directory's entry for the file when it
  /// has a valid one for the file as it is now, and are written there when
  /// not (lib/Encode/BaseIndexCache.h; a directory that cannot be written only
  /// costs the saving).
  static llvm::Expected<std::unique_ptr<IndexedBase>>
  load(llvm::StringRef Path,
       std::optional<std::string> CacheDir = std::nullopt);
  /// Indexes \p Base, already loaded (a kernel image's BTF, which
  /// loadKernelBTF() took out of the image), without a cache entry: the
  /// entry describes bytes in place in a file. Refuses split BTF.
  static llvm::Expected<std::unique_ptr<IndexedBase>>
  fromBTF(std::unique_ptr<BTF> Base);
  ~IndexedBase();

  const BTF &btf() const { return *Base; }
  const BaseFingerprint &fingerprint() const { return Fingerprint; }
  /// The size of the base's C long (0 when it has none): the pointer size
  /// of the architecture the base was built for.
  uint32_t longSize() const { return LongSize; }
  /// True when the base puts qualifiers on array types (CONST -> ARRAY),
  /// as GCC's DWARF does for "const char name[]" (on the array and on the
  /// element) and pahole keeps; clang's puts them on the elements only.
  /// Encoders follow the base so that such members deduplicate against it.
  bool qualifiedArrays() const { return QualifiedArrays; }
  /// The ids of the base's INT types.
  llvm::ArrayRef<uint32_t> intIds() const { return IntIds; }
  /// The dedup index of the whole base when it came from (or went to) the
  /// cache; null otherwise (makeSplitFragment then indexes what the unit
  /// needs).
  const DedupBase *dedupIndex() const { return Index.get(); }
  /// The index relocation onto this base searches (BaseIndex.h), built on
  /// first use and kept: the link step relocates the fragments and then
  /// the merged module onto the base. Safe to call from several threads.
  const BaseIndex &relocationIndex() const;

  /// How the cache was used, for -btfkit-verbose: "" (no cache), "hit",
  /// "written to ENTRY", "rewritten (why the old entry was not used)",
  /// "not written: why".
  llvm::StringRef cacheStatus() const { return CacheStatus; }

private:
  IndexedBase() = default;
  /// The facts of Base every user needs: fingerprint, INTs, long size,
  /// how qualifiers sit on arrays.
  void indexFacts();
  std::shared_ptr<const void> KeepAlive;
  std::unique_ptr<BTF> Base;
  BaseFingerprint Fingerprint;
  uint32_t LongSize = 0;
  bool QualifiedArrays = false;
  std::vector<uint32_t> OwnIntIds;
  llvm::ArrayRef<uint32_t> IntIds;
  std::unique_ptr<DedupBase> Index;
  mutable std::once_flag RelocationOnce;
  mutable std::unique_ptr<BaseIndex> Relocation;
  std::string CacheStatus;
};

/// The cache directory: \p Setting when given ("" or "off": none), else
/// $BTFKIT_CACHE_DIR when set (same meaning), else $XDG_CACHE_HOME/btfkit,
/// else $HOME/.cache/btfkit, else none.
std::optional<std::string>
baseIndexCacheDir(std::optional<std::string> Setting = std::nullopt);

} // namespace btfkit

#endif // BTFKIT_INDEXEDBASE_H
