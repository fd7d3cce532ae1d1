//===- btfkit/Dedup.h - BTF deduplication and merging -----------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Deduplication with the semantics of libbpf's btf__dedup(): strings are
/// deduplicated, then primitive types, then structs, unions and typedefs by a
/// side-by-side walk of both type graphs (which resolves cycles and FWDs),
/// then FWDs whose name is unambiguous, then reference types, and the result
/// is compacted. For split BTF a type equivalent to a base type becomes a
/// reference to the base type and is not copied; the base never changes.
///
/// The result is libbpf head's (docs/Dedup.md lists the upstream changes
/// since 1.1 that this follows); DedupCompat::Libbpf11 reproduces 1.1
/// exactly, for differential testing against Debian's libbpf.
///
/// Output is a function of the input bytes only: the same input gives the
/// same bytes, whatever the machine.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_DEDUP_H
#define BTFKIT_DEDUP_H

#include "btfkit/BTF.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace btfkit {

/// Which libbpf the algorithm follows where libbpf versions differ.
enum class DedupCompat {
  /// libbpf at its head: 1.1 with the dedup changes made since (the
  /// default).
  Latest,
  /// Exactly libbpf 1.1's choices (its "identical type" heuristics).
  Libbpf11,
};

/// Deduplication takes a loaded BTF, so structural damage (dangling ids,
/// reference loops, truncated records) has been refused already; kinds
/// without a known record and loops through FUNC_PROTO are refused here.
/// Checking the kernel's semantic rules first (Validate.h) is the caller's
/// choice: the tools do.
struct DedupOptions {
  DedupCompat Compat = DedupCompat::Latest;
};

struct DedupStats {
  uint32_t TypesBefore = 0;
  uint32_t TypesAfter = 0;
  uint32_t StrBytesBefore = 0;
  uint32_t StrBytesAfter = 0;
};

/// What deduplication needs to know about a base BTF (its types' hashes and
/// an index of its strings), computed once and shared by any number of
/// dedup() runs over that base: the merge of many modules and the per-object
/// passes of a build hash vmlinux once. Read-only once built, so it can be
/// shared between threads.
class DedupBase {
public:
  /// Indexes \p Base (and the chain under it). \p Base must outlive this.
  static std::unique_ptr<DedupBase> create(const BTF &Base);
  /// Indexes only what deduplicating \p Split (split over \p Base) can use:
  /// the base strings Split also holds, and the base types whose names and
  /// referenced types could make them equivalent to one of Split's types.
  /// dedup(Split) gives the same bytes as with create(Base), at a cost of
  /// one light scan of the base instead of hashing all of it: the compiler
  /// plugin deduplicates one translation unit per process this way.
  static std::unique_ptr<DedupBase> createFor(const BTF &Base,
                                              const BTF &Split);
  /// create()'s index as bytes (host byte order), for load() in another
  /// process: the compiler plugin keeps it in a file next to nothing else
  /// (BaseIndexCache.h) so that a compilation need not index its base.
  std::vector<uint8_t> save() const;
  /// The index save() wrote for \p Base, used in place: \p Saved must
  /// outlive it. Checked to fit \p Base (sizes, ids and offsets in range),
  /// not to be \p Base's: the caller knows the base is the one saved.
  /// \p Name names the saved bytes in errors.
  static llvm::Expected<std::unique_ptr<DedupBase>>
  load(const BTF &Base, llvm::ArrayRef<uint8_t> Saved, llvm::StringRef Name);
  ~DedupBase();
  const BTF &btf() const;

  struct Impl;
  const Impl &impl() const { return *I; }

private:
  explicit DedupBase(std::unique_ptr<Impl> I);
  std::unique_ptr<Impl> I;
};

/// Deduplicates the types \p B defines and returns the new blob: standalone
/// when \p B is, else split over B.base() (whose ids and strings it reuses).
/// \p Index, when given, must index B.base().
llvm::Expected<std::vector<uint8_t>>
dedupToBlob(const BTF &B, const DedupOptions &Opts = {},
            const DedupBase *Index = nullptr, DedupStats *Stats = nullptr);

/// dedupToBlob() loaded as a BTF over B.base(), named \p Name.
llvm::Expected<std::unique_ptr<BTF>> dedup(const BTF &B, std::string Name,
                                           const DedupOptions &Opts = {},
                                           const DedupBase *Index = nullptr,
                                           DedupStats *Stats = nullptr);

/// Appends the types of \p Parts one after the other into one blob, without
/// deduplicating: split over \p Base when it is given, standalone otherwise.
/// Each part must be split over \p Base, or (standalone output) be the first
/// part, or be split over an earlier part: "vmlinux + its modules" becomes
/// one standalone BTF. Ids and string offsets are rewritten; strings are
/// copied as they are.
llvm::Expected<std::vector<uint8_t>>
concatenateToBlob(llvm::ArrayRef<const BTF *> Parts, const BTF *Base);

/// The link step's primitive: the parts (split BTFs over \p Base) merged into
/// one deduplicated split BTF over \p Base, named \p Name.
llvm::Expected<std::unique_ptr<BTF>> merge(llvm::ArrayRef<const BTF *> Parts,
                                           const BTF &Base, std::string Name,
                                           const DedupOptions &Opts = {},
                                           const DedupBase *Index = nullptr,
                                           DedupStats *Stats = nullptr);

/// Many split BTFs over one base gathered one at a time and deduplicated
/// together, with merge()'s result and less memory: an input may be
/// unloaded once appended, strings are deduplicated as they arrive, and
/// dedup() rewrites the gathered records in place rather than copying them.
/// btf-dedup merges thousands of modules this way (libbpf's btf__add_btf()
/// + btf__dedup() do the same job).
class DedupAppender {
public:
  /// \p Base (and \p Index, when given) must outlive the appender. \p Index
  /// must be create()'s or load()'s index of \p Base: strings are matched
  /// with the base's as they arrive, which needs all of them (createFor()
  /// indexes only one split's).
  explicit DedupAppender(const BTF &Base, const DedupBase *Index = nullptr);
  ~DedupAppender();
  DedupAppender(const DedupAppender &) = delete;
  DedupAppender &operator=(const DedupAppender &) = delete;

  /// Appends the types of \p Part, which must be split over the base.
  llvm::Error append(const BTF &Part);
  uint32_t numTypes() const;

  /// dedupToBlob() of the concatenation of everything appended. Empties
  /// the appender.
  llvm::Expected<std::vector<uint8_t>> dedup(const DedupOptions &Opts = {},
                                             DedupStats *Stats = nullptr);

  struct Impl;

private:
  std::unique_ptr<Impl> I;
};

} // namespace btfkit

#endif // BTFKIT_DEDUP_H
