//===- BaseIndexCache.cpp - A base BTF's index kept between compilations --===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// An entry is one file: a fixed header (identity of the base file, where its
// BTF is, fingerprint, long size, array sizes), then the type offsets, the
// INT ids and the saved dedup index, each 8-byte aligned. Host byte order:
// entries never travel. The header names the btfkit version that wrote it,
// and another version's entry is rewritten rather than read, so the format
// and the index's meaning may change between versions freely.
//
//===----------------------------------------------------------------------===//

#include "BaseIndexCache.h"

#include "btfkit/IndexedBase.h"

#include "btfkit/Error.h"
#include "btfkit/Reader.h"
#include "btfkit/Writer.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/xxhash.h"

#include <chrono>
#include <cstdlib>
#include <cstring>

using namespace btfkit;
using namespace llvm;

namespace {
// The last byte counts the layouts of this file (2: with Flags).
constexpr char Magic[8] = {'B', 'T', 'F', 'K', 'I', 'T', 'B', '2'};
constexpr char Producer[16] = "btfkit " BTFKIT_VERSION;

struct FileHeader {
  char Magic[8];
  char Producer[16];
  uint64_t Device, Inode, Size, MtimeNs;
  uint64_t BlobOffset, BlobSize;
  uint8_t FingerprintHash[16];
  uint32_t FingerprintTypes, FingerprintStrLen;
  uint32_t LongSize;
  uint32_t NumTypes;
  uint32_t NumInts;
  uint32_t Flags; // FlagQualifiedArrays
  uint64_t DedupBytes;
};
static_assert(sizeof(FileHeader) % 8 == 0, "arrays follow 8-byte aligned");

constexpr uint32_t FlagQualifiedArrays = 1;

uint64_t align8(uint64_t N) { return (N + 7) & ~uint64_t(7); }
} // namespace

std::optional<std::string>
btfkit::baseIndexCacheDir(std::optional<std::string> Setting) {
  if (!Setting)
    if (const char *E = std::getenv("BTFKIT_CACHE_DIR"))
      Setting = E;
  if (Setting) {
    if (Setting->empty() || *Setting == "off")
      return std::nullopt;
    return *Setting;
  }
  SmallString<256> Dir;
  if (const char *X = std::getenv("XDG_CACHE_HOME"); X && *X)
    Dir = X;
  else if (const char *H = std::getenv("HOME"); H && *H)
    sys::path::append(Dir, H, ".cache");
  else
    return std::nullopt;
  sys::path::append(Dir, "btfkit");
  return std::string(Dir);
}

std::string btfkit::baseIndexCachePath(StringRef Dir, StringRef BasePath) {
  SmallString<256> Real;
  if (sys::fs::real_path(BasePath, Real))
    Real = BasePath;
  SmallString<256> Out(Dir);
  sys::path::append(Out,
                    "base-" + utohexstr(xxh3_64bits(Real), true, 16) + ".idx");
  return std::string(Out);
}

Expected<BaseFileIdentity> btfkit::identifyBaseFile(StringRef Path) {
  sys::fs::file_status St;
  if (std::error_code EC = sys::fs::status(Path, St))
    return makeError(Path, "cannot stat: " + EC.message());
  BaseFileIdentity Id;
  Id.Device = St.getUniqueID().getDevice();
  Id.Inode = St.getUniqueID().getFile();
  Id.Size = St.getSize();
  Id.MtimeNs = uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                            St.getLastModificationTime().time_since_epoch())
                            .count());
  return Id;
}

Expected<BaseIndexEntry> btfkit::readBaseIndexEntry(StringRef CachePath) {
  auto Buf = mapFile(CachePath, /*Populate=*/false);
  if (!Buf)
    return Buf.takeError();
  StringRef Bytes = (*Buf)->getBuffer();
  auto Bad = [&](const Twine &Why) { return makeError(CachePath, Why); };
  if (Bytes.size() < sizeof(FileHeader))
    return Bad("truncated cache entry");
  if (reinterpret_cast<uintptr_t>(Bytes.data()) % 8)
    return Bad("cache entry not aligned in memory");
  FileHeader H;
  std::memcpy(&H, Bytes.data(), sizeof(H));
  if (std::memcmp(H.Magic, Magic, sizeof(Magic)))
    return Bad("not a btfkit base index");
  if (std::memcmp(H.Producer, Producer, sizeof(Producer)))
    return Bad("written by another btfkit version");
  uint64_t Off = sizeof(FileHeader);
  uint64_t OffsetsAt = Off;
  Off = align8(Off + uint64_t(H.NumTypes) * 4);
  uint64_t IntsAt = Off;
  Off = align8(Off + uint64_t(H.NumInts) * 4);
  uint64_t DedupAt = Off;
  Off += H.DedupBytes;
  if (Off != Bytes.size())
    return Bad("cache entry of " + Twine(Bytes.size()) +
               " bytes where its header says " + Twine(Off));

  BaseIndexEntry E;
  E.Identity = {H.Device, H.Inode, H.Size, H.MtimeNs};
  E.BlobOffset = H.BlobOffset;
  E.BlobSize = H.BlobSize;
  std::memcpy(E.Fingerprint.Hash.data(), H.FingerprintHash,
              sizeof(H.FingerprintHash));
  E.Fingerprint.NumTypes = H.FingerprintTypes;
  E.Fingerprint.StrLen = H.FingerprintStrLen;
  E.LongSize = H.LongSize;
  E.QualifiedArrays = H.Flags & FlagQualifiedArrays;
  const char *Base = Bytes.data();
  E.TypeOffsets = ArrayRef<uint32_t>(
      reinterpret_cast<const uint32_t *>(Base + OffsetsAt), H.NumTypes);
  E.IntIds = ArrayRef<uint32_t>(
      reinterpret_cast<const uint32_t *>(Base + IntsAt), H.NumInts);
  E.DedupIndex = ArrayRef<uint8_t>(
      reinterpret_cast<const uint8_t *>(Base + DedupAt), H.DedupBytes);
  E.Storage = std::move(*Buf);
  return E;
}

Error btfkit::writeBaseIndexEntry(StringRef CachePath,
                                  const BaseIndexEntry &E) {
  FileHeader H = {};
  std::memcpy(H.Magic, Magic, sizeof(Magic));
  std::memcpy(H.Producer, Producer, sizeof(Producer));
  H.Device = E.Identity.Device;
  H.Inode = E.Identity.Inode;
  H.Size = E.Identity.Size;
  H.MtimeNs = E.Identity.MtimeNs;
  H.BlobOffset = E.BlobOffset;
  H.BlobSize = E.BlobSize;
  std::memcpy(H.FingerprintHash, E.Fingerprint.Hash.data(),
              sizeof(H.FingerprintHash));
  H.FingerprintTypes = E.Fingerprint.NumTypes;
  H.FingerprintStrLen = E.Fingerprint.StrLen;
  H.LongSize = E.LongSize;
  H.Flags = E.QualifiedArrays ? FlagQualifiedArrays : 0;
  H.NumTypes = uint32_t(E.TypeOffsets.size());
  H.NumInts = uint32_t(E.IntIds.size());
  H.DedupBytes = E.DedupIndex.size();

  // The layout readBaseIndexEntry() expects: each part 8-byte aligned.
  const uint64_t OffsetsAt = sizeof(H);
  const uint64_t IntsAt = align8(OffsetsAt + E.TypeOffsets.size() * 4);
  const uint64_t DedupAt = align8(IntsAt + E.IntIds.size() * 4);
  std::vector<uint8_t> Out(DedupAt + E.DedupIndex.size(), 0);
  auto Put = [&Out](uint64_t At, const void *P, size_t N) {
    if (N) // memcpy from null is undefined even for 0 bytes
      std::memcpy(Out.data() + At, P, N);
  };
  Put(0, &H, sizeof(H));
  Put(OffsetsAt, E.TypeOffsets.data(), E.TypeOffsets.size() * 4);
  Put(IntsAt, E.IntIds.data(), E.IntIds.size() * 4);
  Put(DedupAt, E.DedupIndex.data(), E.DedupIndex.size());

  if (std::error_code EC =
          sys::fs::create_directories(sys::path::parent_path(CachePath)))
    return makeError(CachePath,
                     "cannot create the cache directory: " + EC.message());
  return writeFileAtomically(CachePath, Out);
}
