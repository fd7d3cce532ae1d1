//===- btfkit/BTF.h - The BTF object model ----------------------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// A BTF is one blob of types and strings, possibly split over a base BTF
/// (which may itself be split: vmlinux <- module <- ...). Type ids and string
/// offsets are global across the chain: a split BTF's first type id is its
/// base's end id, its string offsets start where the base's strings end.
///
/// The model is read-only and zero-copy: records are read in place from the
/// loaded bytes (a mapped file for native-endian input). Type is a small view
/// over one record (Record.h). New BTF is made with Builder (Builder.h).
///
/// Construction checks every structural fact later code relies on: header
/// bounds, record bounds, string offsets within the chain's tables, type ids
/// within the chain, no reference loops through PTR/TYPEDEF/modifier/ARRAY
/// chains. Kernel semantics beyond that are Validate.h's job.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_BTF_H
#define BTFKIT_BTF_H

#include "btfkit/Format.h"
#include "btfkit/Record.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace btfkit {

class BTF;

/// A view of one type record of a BTF: the record's parts (RecordRef), its
/// id, its BTF, its name. Id 0 is `void`, which has no record and reads as
/// the all-zero one (kind 0).
class Type : public RecordRef {
public:
  Type() = default;
  Type(const BTF *Owner, uint32_t Id, const CommonType *Rec)
      : RecordRef(Rec ? Rec : &VoidRecord), Owner(Owner), Id(Id) {}

  uint32_t id() const { return Id; }
  bool isVoid() const { return Rec == &VoidRecord; }
  /// The BTF in the chain that defines this type.
  const BTF &btf() const { return *Owner; }

  llvm::StringRef name() const;
  /// The record's bytes, common part included.
  llvm::ArrayRef<uint8_t> bytes() const;

private:
  const BTF *Owner = nullptr;
  uint32_t Id = 0;
};

/// One BTF blob, with its base (if split). Not copyable; the base must
/// outlive it.
class BTF {
public:
  /// Parses \p Data, a complete BTF blob (header, types, strings). \p Name
  /// names it in diagnostics (a path, or "path:.BTF"). \p Base, when given,
  /// makes it split BTF over that base. \p KeepAlive holds whatever owns
  /// \p Data (a mapped file); the BTF refers to Data in place when it is
  /// native-endian and 4-byte aligned, and copies it otherwise.
  static llvm::Expected<std::unique_ptr<BTF>>
  parse(llvm::ArrayRef<uint8_t> Data, const BTF *Base, std::string Name,
        std::shared_ptr<const void> KeepAlive = nullptr);

  /// As parse(), but takes ownership of the bytes.
  static llvm::Expected<std::unique_ptr<BTF>>
  parseOwned(std::vector<uint8_t> Data, const BTF *Base, std::string Name);

  /// As parse() for a base (not split) BTF whose records were indexed and
  /// checked by an earlier parse() of the same bytes: \p Offsets are that
  /// parse's typeOffset()s, in id order, and stay owned by \p KeepAlive.
  /// Only the header, the section bounds and the offsets themselves are
  /// checked (ascending, inside the type section), so the records are not
  /// read at all; the caller vouches that the bytes are the ones indexed
  /// (a persistent index keyed by the file's identity, BaseIndexCache.h).
  /// Input that parse() would have to copy (foreign byte order, misaligned)
  /// is refused.
  static llvm::Expected<std::unique_ptr<BTF>>
  parseIndexed(llvm::ArrayRef<uint8_t> Data, llvm::ArrayRef<uint32_t> Offsets,
               std::string Name, std::shared_ptr<const void> KeepAlive);

  BTF(const BTF &) = delete;
  BTF &operator=(const BTF &) = delete;
  ~BTF();

  llvm::StringRef name() const { return Name; }
  const BTF *base() const { return Base; }
  /// The base at the bottom of the chain (this one when not split).
  const BTF &root() const;

  /// Ids this BTF defines: [firstId(), endId()).
  uint32_t firstId() const { return FirstId; }
  uint32_t endId() const { return FirstId + uint32_t(Offsets.size()); }
  uint32_t numTypes() const { return uint32_t(Offsets.size()); }
  bool isSplit() const { return Base != nullptr; }
  /// True when \p Id names void or a type of this chain.
  bool hasId(uint32_t Id) const { return Id < endId(); }
  /// The type \p Id of the chain (0 is void). \p Id must be < endId().
  Type type(uint32_t Id) const;

  /// String offsets this BTF defines: [strBegin(), strEnd()).
  uint32_t strBegin() const { return StrBegin; }
  uint32_t strEnd() const { return StrBegin + uint32_t(Strings.size()); }
  /// True when \p Off is a valid string offset of the chain.
  bool hasStr(uint32_t Off) const { return Off < strEnd(); }
  /// The NUL-terminated string at chain offset \p Off (must be valid).
  llvm::StringRef str(uint32_t Off) const;

  /// The header as read, in host byte order.
  const Header &header() const { return Hdr; }
  /// Size of the whole blob as given to parse(), header included (the
  /// kernel's section-layout rules are stated against it).
  uint32_t dataSize() const { return DataSize; }
  /// True when the input was of the other byte order.
  bool wasByteSwapped() const { return Swapped; }
  llvm::ArrayRef<uint8_t> typeSection() const { return Types; }
  llvm::StringRef stringSection() const { return Strings; }
  /// The raw layout section (empty when the header has none).
  llvm::ArrayRef<KindLayout> layouts() const { return Layouts; }
  bool hasLayoutSection() const { return Hdr.HdrLen >= LayoutHeaderSize; }
  /// Byte offset of own type \p Id within typeSection().
  uint32_t typeOffset(uint32_t Id) const { return Offsets[Id - FirstId]; }
  /// typeOffset() of every own type, in id order.
  llvm::ArrayRef<uint32_t> typeOffsets() const { return Offsets; }

  /// What indexing learns for the reference and loop checks (BTF.cpp).
  struct RecordScan;

private:
  BTF() = default;
  llvm::Error load(llvm::ArrayRef<uint8_t> Data);
  llvm::Error loadSections(llvm::ArrayRef<uint8_t> Data);
  llvm::Error parseHeader(llvm::ArrayRef<uint8_t> Data);
  llvm::Error indexTypes(RecordScan &Scan);
  llvm::Error checkReferences() const;
  llvm::Error checkLoops(llvm::ArrayRef<uint32_t> Starts) const;
  llvm::Error typeError(uint32_t Id, const llvm::Twine &Msg) const;

  std::string Name;
  const BTF *Base = nullptr;
  std::shared_ptr<const void> KeepAlive;
  std::vector<uint32_t> OwnedWords; // copy for swapped/unaligned input
  Header Hdr = {};
  uint32_t DataSize = 0;
  bool Swapped = false;
  uint32_t FirstId = 1;
  uint32_t StrBegin = 0;
  llvm::ArrayRef<uint8_t> Types;
  llvm::StringRef Strings;
  llvm::ArrayRef<KindLayout> Layouts;
  /// Byte offset of each own record; OwnedOffsets unless parseIndexed().
  llvm::ArrayRef<uint32_t> Offsets;
  std::vector<uint32_t> OwnedOffsets;
};

/// "STRUCT 'foo'"-style description of a type for diagnostics.
std::string describeType(const Type &T);

} // namespace btfkit

#endif // BTFKIT_BTF_H
