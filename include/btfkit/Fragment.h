//===- btfkit/Fragment.h - Per-object BTF fragments -------------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The per-object fragment the compiler plugin writes into section
/// .BTF.btfkit (docs/FragmentFormat.md is the specification). A fragment is
/// a sequence of standard BTF blobs:
///
///   manifest   a BTF with no types whose strings are "btfkit-fragment" and
///              key=value lines (format version, producer, base fingerprint,
///              features, and the roles of the blobs that follow)
///   blobs      one per role the manifest lists: the distilled base, the
///              types (split over the distilled base, or standalone), the
///              embedded-type tags
///
/// Every piece sizes itself through its BTF header, so fragments concatenated
/// by `ld -r` (with zero padding between them for section alignment) are
/// walked blob by blob; any BTF reader can read any one blob.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_FRAGMENT_H
#define BTFKIT_FRAGMENT_H

#include "btfkit/BTF.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace btfkit {

/// The section of an object file that holds its fragment(s). Not ".BTF":
/// an object whose fragments were never merged must not pass for a finished
/// module with pahole, resolve_btfids, libbpf or the kernel.
constexpr const char *FragmentSectionName = ".BTF.btfkit";
/// The first string of a manifest blob.
constexpr const char *FragmentMarker = "btfkit-fragment";
/// The manifest format this library writes and reads.
constexpr unsigned FragmentFormatVersion = 1;

/// What a blob after the manifest holds.
enum class BlobRole {
  /// The distilled base: the base types the split types refer to.
  DistilledBase,
  /// The object's types: split over the distilled base when the fragment
  /// has one, else standalone BTF.
  Types,
  /// DECL_TAG "btfkit:embedded" records, split over distilled base + types,
  /// one per distilled STRUCT/UNION that a split type holds by value.
  EmbeddedTags,
};
/// "distilled-base", "types", "embedded-tags".
llvm::StringRef blobRoleName(BlobRole R);

/// Identifies a base BTF: a hash of its type and string sections (in host
/// byte order) plus its sizes, so that objects built against different
/// bases are never mixed. All zero when there is no base.
struct BaseFingerprint {
  std::array<uint8_t, 16> Hash = {};
  uint32_t NumTypes = 0;
  uint32_t StrLen = 0;

  bool empty() const { return NumTypes == 0 && StrLen == 0; }
  /// "xxh3:<32 hex digits>:types=N:strlen=M", or "none".
  std::string str() const;
  static llvm::Expected<BaseFingerprint> parse(llvm::StringRef S);
  bool operator==(const BaseFingerprint &O) const {
    return Hash == O.Hash && NumTypes == O.NumTypes && StrLen == O.StrLen;
  }
  bool operator!=(const BaseFingerprint &O) const { return !(*this == O); }
};
/// The fingerprint of \p Base (a base, not split).
BaseFingerprint fingerprintBTF(const BTF &Base);

/// The manifest's facts.
struct FragmentManifest {
  unsigned Version = FragmentFormatVersion;
  /// "btfkit 0.1.0" or so; and the compiler ("LLVM 19.1.7").
  std::string Producer;
  std::string Compiler;
  /// The translation unit (the compile unit's file name), for diagnostics.
  std::string Source;
  /// When the fragment covers several compile units (an LTO link's merged
  /// module), the file names of all of them ("unit=" keys, one each; the
  /// link step compares them with the DWARF compile units). Empty for one.
  std::vector<std::string> Units;
  /// The features the types were made with (pahole's names, comma list).
  std::string Features;
  BaseFingerprint Base;
  /// The blobs that follow, in order.
  std::vector<BlobRole> Roles;
};

/// One fragment found in a section.
struct FragmentView {
  FragmentManifest Manifest;
  /// Byte offset of the manifest within the section.
  uint64_t Offset = 0;
  /// The blobs by role; empty when the fragment has none of that role.
  llvm::ArrayRef<uint8_t> DistilledBase;
  llvm::ArrayRef<uint8_t> Types;
  llvm::ArrayRef<uint8_t> EmbeddedTags;
};

/// Serializes one fragment: the manifest, then the given blobs (each a
/// complete BTF blob; empty ones are left out and not listed), each padded
/// with zeros to a multiple of 4 bytes.
std::vector<uint8_t> serializeFragment(const FragmentManifest &M,
                                       llvm::ArrayRef<uint8_t> DistilledBase,
                                       llvm::ArrayRef<uint8_t> Types,
                                       llvm::ArrayRef<uint8_t> EmbeddedTags);

/// Walks a fragment section (one fragment, or several concatenated with
/// zero padding). Errors name \p Source and the byte offset.
llvm::Expected<std::vector<FragmentView>>
parseFragments(llvm::ArrayRef<uint8_t> Section, llvm::StringRef Source);

/// The one fragment of an object's section (parseFragments()); a section
/// holding several (a partial link's) is an error naming \p Label: only the
/// link step merges them.
llvm::Expected<FragmentView> parseSingleFragment(llvm::ArrayRef<uint8_t> Section,
                                                 llvm::StringRef Label);

/// The BTFs of the only fragment of a fragment section, for readers that
/// treat an object like a module: \p DistilledBase gets the distilled base
/// (null when the fragment has none), the result is the types, split over
/// the distilled base; standalone types ignore \p Base. A fragment with a
/// distilled base is refused when \p Base is given (its types need
/// relocating onto Base, Relocate.h), and so is a section of several
/// fragments (a partial link).
/// \p Label names the section in diagnostics ("obj.o:.BTF.btfkit").
llvm::Expected<std::unique_ptr<BTF>>
loadFragmentTypes(llvm::ArrayRef<uint8_t> Section, llvm::StringRef Label,
                  const BTF *Base, bool UseDistilledBase,
                  std::unique_ptr<BTF> &DistilledBase,
                  std::shared_ptr<const void> KeepAlive);

/// The size of the BTF blob that starts \p Data, from its header; 0 when
/// Data does not start with a plausible BTF header.
uint64_t btfBlobSize(llvm::ArrayRef<uint8_t> Data);

} // namespace btfkit

#endif // BTFKIT_FRAGMENT_H
