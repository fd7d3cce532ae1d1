//===- BaseIndexCache.h - A base BTF's index kept between compilations ----===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Internal to lib/Encode (IndexedBase.h). Every compilation of a module is a
/// new process that needs the same facts about the same base: where each of its
/// 100k records starts, its fingerprint, its INTs, and the dedup index of all
/// its types and strings. Working them out costs 15-30 ms per compilation on a
/// vmlinux BTF; a cache file holding them, mapped in place, costs well under
/// a millisecond (utils/bench/plugin-base-bench.cpp). docs/Plugin.md
/// describes the directory, the file and when an entry is trusted.
/// The link step (btf-link, ld.lld-btf, btf-pahole) reads the same entries.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_LIB_ENCODE_BASEINDEXCACHE_H
#define BTFKIT_LIB_ENCODE_BASEINDEXCACHE_H

#include "btfkit/Fragment.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace btfkit {

/// Where a base file is and which one it is: the cache trusts an entry only
/// for the file of the same device, inode, size and modification time.
struct BaseFileIdentity {
  uint64_t Device = 0, Inode = 0, Size = 0, MtimeNs = 0;
  bool operator==(const BaseFileIdentity &O) const {
    return Device == O.Device && Inode == O.Inode && Size == O.Size &&
           MtimeNs == O.MtimeNs;
  }
};

/// What the cache holds about one base file.
struct BaseIndexEntry {
  BaseFileIdentity Identity;
  /// The BTF blob's place in the file (all of a raw BTF file; the .BTF
  /// section of an ELF).
  uint64_t BlobOffset = 0, BlobSize = 0;
  BaseFingerprint Fingerprint;
  uint32_t LongSize = 0;
  bool QualifiedArrays = false;
  /// BTF::typeOffset() of every type, in id order.
  llvm::ArrayRef<uint32_t> TypeOffsets;
  /// The ids of the base's INTs (IntNameMap).
  llvm::ArrayRef<uint32_t> IntIds;
  /// DedupBase::save() of the whole base.
  llvm::ArrayRef<uint8_t> DedupIndex;
  /// Owns the arrays above when read from a file.
  std::shared_ptr<const llvm::MemoryBuffer> Storage;
};

/// The entry file for base \p BasePath in \p Dir (one per base path: a
/// changed base replaces its entry rather than adding one).
std::string baseIndexCachePath(llvm::StringRef Dir, llvm::StringRef BasePath);

/// The identity of the file at \p Path now.
llvm::Expected<BaseFileIdentity> identifyBaseFile(llvm::StringRef Path);

/// Reads the entry at \p CachePath. Fails when there is none or it is not
/// a complete entry of this btfkit version; whether it describes the base
/// is the caller's to compare (Identity).
llvm::Expected<BaseIndexEntry> readBaseIndexEntry(llvm::StringRef CachePath);

/// Writes \p E to \p CachePath atomically (creating the directory).
llvm::Error writeBaseIndexEntry(llvm::StringRef CachePath,
                                const BaseIndexEntry &E);

} // namespace btfkit

#endif // BTFKIT_LIB_ENCODE_BASEINDEXCACHE_H
