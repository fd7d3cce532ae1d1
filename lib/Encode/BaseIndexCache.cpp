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
// INT ids and the saved dedup index, each 8-byte aligned, then a 128-bit
// xxh3 checksum of all that. Host byte order: entries never travel. The
// header names the btfkit version that wrote it, and another version's
// entry is rewritten rather than read, so the format and the index's meaning
// may change between versions freely.
//
// The cache directory may be shared (a CI cache) or writable by others (a
// folder in /tmp), so nothing found there is trusted (issue 16):
//  - an entry is opened without following symlinks and without waiting
//    (a FIFO), and used only when it is a regular file of this user that
//    nobody else may write (as git and ccache judge such files);
//  - it is read into memory, not mapped: a concurrent truncation then
//    shortens a read instead of killing the compiler with SIGBUS;
//  - its checksum covers every byte: a damaged entry is rewritten, never
//    used (xxh3 reads 7 MB in well under a millisecond);
//  - it is written to a new temporary file and renamed over the name, so
//    whatever stood there (a symlink to a device, a FIFO) is replaced,
//    never written into.
//
//===----------------------------------------------------------------------===//

#include "BaseIndexCache.h"

#include "btfkit/IndexedBase.h"

#include "btfkit/Config.h"

#include "btfkit/Error.h"
#include "btfkit/OutputFile.h"
#include "btfkit/Reader.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/xxhash.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace btfkit;
using namespace llvm;

namespace {
// The last byte counts the layouts of this file (2: with Flags; 3: with the
// checksum trailer).
constexpr char Magic[8] = {'B', 'T', 'F', 'K', 'I', 'T', 'B', '3'};
/// The checksum after the arrays: xxh3_128 of every byte before it.
constexpr uint64_t TrailerSize = 16;
/// Larger entries are not read (a 100k-type vmlinux gives about 7 MB).
constexpr uint64_t MaxEntrySize = uint64_t(1) << 30;
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

namespace {
/// Anonymous memory the entry is read into. A compilation is a fresh
/// process, so every page of a 7 MB heap block would be a page fault on
/// first touch (about 1,750 of them, most of the cost of reading the entry
/// on this 2-core VM); asked for huge pages (2 MiB aligned, MADV_HUGEPAGE;
/// Linux grants them unless transparent huge pages are off), the same
/// block takes four.
class EntryMemory : public MemoryBuffer {
public:
  static std::unique_ptr<EntryMemory> create(size_t Size, StringRef Name) {
    constexpr size_t Huge = size_t(2) << 20;
    size_t Len = (Size + Huge - 1) & ~(Huge - 1);
    void *P = ::mmap(nullptr, Len + Huge, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (P == MAP_FAILED)
      return nullptr;
    auto *Begin = reinterpret_cast<char *>(
        (reinterpret_cast<uintptr_t>(P) + Huge - 1) & ~uintptr_t(Huge - 1));
#ifdef MADV_HUGEPAGE
    (void)::madvise(Begin, Len, MADV_HUGEPAGE);
#endif
    return std::unique_ptr<EntryMemory>(
        new EntryMemory(P, Len + Huge, Begin, Size, Name));
  }
  ~EntryMemory() override { ::munmap(Map, MapLen); }
  char *data() const { return const_cast<char *>(getBufferStart()); }
  StringRef getBufferIdentifier() const override { return Name; }
  BufferKind getBufferKind() const override { return MemoryBuffer_Malloc; }

private:
  EntryMemory(void *Map, size_t MapLen, char *Begin, size_t Size,
              StringRef Name)
      : Map(Map), MapLen(MapLen), Name(Name.str()) {
    init(Begin, Begin + Size, /*RequiresNullTerminator=*/false);
  }
  void *Map;
  size_t MapLen;
  std::string Name;
};
} // namespace

/// The entry at \p CachePath read into memory, if it is one this user can
/// trust (see the file comment).
static Expected<std::unique_ptr<MemoryBuffer>>
readTrustedEntry(StringRef CachePath) {
  auto Bad = [&](const Twine &Why) { return makeError(CachePath, Why); };
  SmallString<256> Z(CachePath);
  int FD = ::open(Z.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (FD < 0)
    return Bad(errno == ELOOP ? "is a symlink, not followed"
                              : "cannot open: " + errnoMessage(errno));
  FileDescriptor Closer(FD);
  struct stat St;
  if (::fstat(FD, &St) != 0)
    return Bad("cannot stat: " + errnoMessage(errno));
  if (!S_ISREG(St.st_mode))
    return Bad("not a regular file");
  if (St.st_uid != ::geteuid())
    return Bad("owned by user " + Twine(St.st_uid) + ", not by this user");
  if (St.st_mode & (S_IWGRP | S_IWOTH)) {
    char Mode[8];
    std::snprintf(Mode, sizeof(Mode), "%03o", unsigned(St.st_mode & 0777));
    return Bad(Twine("writable by others (mode ") + Mode + ")");
  }
  uint64_t Size = uint64_t(St.st_size);
  if (Size < sizeof(FileHeader) + TrailerSize || Size > MaxEntrySize)
    return Bad("not a cache entry (" + Twine(Size) + " bytes)");
  std::unique_ptr<EntryMemory> Buf = EntryMemory::create(Size, CachePath);
  if (!Buf)
    return Bad("out of memory");
  MutableArrayRef<char> Left(Buf->data(), Size);
  while (!Left.empty()) {
    Expected<size_t> N = sys::fs::readNativeFile(FD, Left);
    if (!N)
      return Bad("cannot read: " + toString(N.takeError()));
    if (*N == 0)
      return Bad("truncated while read");
    Left = Left.drop_front(*N);
  }
  return std::unique_ptr<MemoryBuffer>(std::move(Buf));
}

/// True when \p Entry's trailer is the checksum of the rest.
static bool checksumMatches(ArrayRef<uint8_t> Entry) {
  XXH128_hash_t Want;
  std::memcpy(&Want.low64, Entry.end() - TrailerSize, 8);
  std::memcpy(&Want.high64, Entry.end() - 8, 8);
  return xxh3_128bits(Entry.drop_back(TrailerSize)) == Want;
}

Expected<BaseIndexEntry> btfkit::readBaseIndexEntry(StringRef CachePath) {
  auto Buf = readTrustedEntry(CachePath);
  if (!Buf)
    return Buf.takeError();
  StringRef Bytes = (*Buf)->getBuffer().drop_back(TrailerSize);
  auto Bad = [&](const Twine &Why) { return makeError(CachePath, Why); };
  FileHeader H;
  std::memcpy(&H, Bytes.data(), sizeof(H));
  if (std::memcmp(H.Magic, Magic, sizeof(Magic)))
    return Bad("not a btfkit base index");
  if (std::memcmp(H.Producer, Producer, sizeof(Producer)))
    return Bad("written by another btfkit version");
  if (!checksumMatches(arrayRefFromStringRef((*Buf)->getBuffer())))
    return Bad("checksum mismatch: the entry is damaged");
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
  E.Storage = std::shared_ptr<const MemoryBuffer>(std::move(*Buf));
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
  const uint64_t TrailerAt = DedupAt + E.DedupIndex.size();
  std::vector<uint8_t> Out(TrailerAt + TrailerSize, 0);
  auto Put = [&Out](uint64_t At, const void *P, size_t N) {
    if (N) // memcpy from null is undefined even for 0 bytes
      std::memcpy(Out.data() + At, P, N);
  };
  Put(0, &H, sizeof(H));
  Put(OffsetsAt, E.TypeOffsets.data(), E.TypeOffsets.size() * 4);
  Put(IntsAt, E.IntIds.data(), E.IntIds.size() * 4);
  Put(DedupAt, E.DedupIndex.data(), E.DedupIndex.size());
  XXH128_hash_t Sum =
      xxh3_128bits(ArrayRef<uint8_t>(Out).take_front(TrailerAt));
  Put(TrailerAt, &Sum.low64, 8);
  Put(TrailerAt + 8, &Sum.high64, 8);

  // A new directory is this user's alone.
  if (std::error_code EC = sys::fs::create_directories(
          sys::path::parent_path(CachePath), /*IgnoreExisting=*/true,
          sys::fs::owner_all))
    return makeError(CachePath,
                     "cannot create the cache directory: " + EC.message());
  auto F = OutputFile::create(CachePath, SpecialOutput::Replace);
  if (!F)
    return F.takeError();
  if (Error Err = F->write(Out))
    return Err;
  // Readable by all, writable by this user only, whatever the umask: the
  // reader refuses entries others may write.
  return F->commit(0644);
}
