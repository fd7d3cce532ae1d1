//===- btfkit/Format.h - On-disk BTF records --------------------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The BTF wire format as include/uapi/linux/btf.h defines it: the header,
/// the kinds and the records that follow a type. Plain data, no logic beyond
/// bit-field accessors, and the facts of each kind, generated from
/// BTFKinds.def. All multi-byte values are in host order once a BTF
/// has been loaded (the reader byte-swaps foreign-endian input).
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_FORMAT_H
#define BTFKIT_FORMAT_H

#include <cstdint>
#include <type_traits>

namespace btfkit {

constexpr uint16_t BTFMagic = 0xeB9F;
constexpr uint8_t BTFVersion = 1;

/// The classic header (24 bytes) and the layout-aware one (32 bytes).
struct Header {
  uint16_t Magic;
  uint8_t Version;
  uint8_t Flags;
  uint32_t HdrLen;
  // Offsets are relative to the end of the header.
  uint32_t TypeOff;
  uint32_t TypeLen;
  uint32_t StrOff;
  uint32_t StrLen;
  // Present only when HdrLen >= 32.
  uint32_t LayoutOff;
  uint32_t LayoutLen;
};
constexpr uint32_t ClassicHeaderSize = 24;
constexpr uint32_t LayoutHeaderSize = 32;

/// The kinds (BTFKinds.def). Unknown (0) is no kind: void has no record, and
/// a record of kind 0 is malformed.
enum class Kind : uint8_t {
  Unknown = 0,
#define BTF_KIND(Id, Value, ...) Id = Value,
#include "btfkit/BTFKinds.def"
};
/// The last kind this library knows the records of. Kinds above it can only
/// be stepped over with the help of a layout section.
constexpr unsigned MaxKnownKind = 0
#define BTF_KIND(...) +1
#include "btfkit/BTFKinds.def"
    ;
/// True for the kinds BTFKinds.def lists.
constexpr bool isKnownKind(unsigned K) { return K != 0 && K <= MaxKnownKind; }

// Limits of the format (uapi btf.h) and of the kernel's checks (btf.c).
constexpr uint32_t MaxType = 0x000fffff;
constexpr uint32_t MaxNameOffset = 0x00ffffff;
constexpr uint32_t MaxVlen = 0x0000ffff;
constexpr uint32_t MaxSize = 0x1fffffff * 8u;
// The 7-bit kind field, a 24-bit vlen field, the kind flag in bit 31.
inline unsigned infoKind(uint32_t Info) { return (Info >> 24) & 0x7f; }
inline uint32_t infoVlen(uint32_t Info) { return Info & 0xffffff; }
inline bool infoKindFlag(uint32_t Info) { return Info >> 31; }
inline uint32_t makeInfo(Kind K, uint32_t Vlen, bool KindFlag) {
  return (uint32_t(KindFlag) << 31) | (uint32_t(K) << 24) | (Vlen & 0xffffff);
}

/// The record every type starts with. Size and Type share a word: INT,
/// ENUM, STRUCT, UNION, DATASEC, FLOAT, ENUM64 use it as a size; the others
/// as a type id.
struct CommonType {
  uint32_t NameOff;
  uint32_t Info;
  uint32_t SizeOrType;
};

// The INT word.
constexpr uint32_t IntSigned = 1 << 0;
constexpr uint32_t IntChar = 1 << 1;
constexpr uint32_t IntBool = 1 << 2;
inline uint32_t intEncoding(uint32_t V) { return (V & 0x0f000000) >> 24; }
inline uint32_t intOffset(uint32_t V) { return (V & 0x00ff0000) >> 16; }
inline uint32_t intBits(uint32_t V) { return V & 0x000000ff; }
inline uint32_t makeIntData(uint32_t Encoding, uint32_t Offset,
                            uint32_t Bits) {
  return (Encoding << 24) | (Offset << 16) | Bits;
}

struct ArrayInfo {
  uint32_t Type;
  uint32_t IndexType;
  uint32_t NElems;
};

struct Member {
  uint32_t NameOff;
  uint32_t Type;
  /// Bit offset; with the kind flag, bitfield size in the top 8 bits.
  uint32_t Offset;
};
inline uint32_t memberBitfieldSize(uint32_t Offset) { return Offset >> 24; }
inline uint32_t memberBitOffset(uint32_t Offset) { return Offset & 0xffffff; }

struct EnumValue {
  uint32_t NameOff;
  int32_t Val;
};

struct Enum64Value {
  uint32_t NameOff;
  uint32_t ValLo32;
  uint32_t ValHi32;
};

struct Param {
  uint32_t NameOff;
  uint32_t Type;
};

enum VarLinkage : uint32_t {
  VarStatic = 0,
  VarGlobalAllocated = 1,
  VarGlobalExtern = 2,
};

enum FuncLinkage : uint32_t {
  FuncStatic = 0,
  FuncGlobal = 1,
  FuncExtern = 2,
};

struct VarInfo {
  uint32_t Linkage;
};

struct VarSecInfo {
  uint32_t Type;
  uint32_t Offset;
  uint32_t Size;
};

struct DeclTagInfo {
  int32_t ComponentIdx;
};

/// One entry of the optional layout section, indexed by kind: how many
/// bytes follow the common record, and how many each of the vlen elements
/// takes.
struct KindLayout {
  uint8_t InfoSize;
  uint8_t ElemSize;
  uint16_t Flags;
};

/// What the third word of a kind's common record holds.
enum class KindWord : uint8_t {
  Size, ///< a byte size
  Type, ///< a type id
  Zero, ///< nothing (ARRAY, FWD; and kind 0): must be zero
};

/// Stands in BTFKinds.def for a part a kind's records do not have.
struct NoData {};

/// What BTFKinds.def says of one kind. Facts[K] for each kind K up to
/// MaxKnownKind; Facts[0] stands for kind 0 and is not Known.
struct KindFacts {
  enum Trait : uint8_t {
    Known = 1 << 0,
    Reference = 1 << 1,
    Modifier = 1 << 2,
    Chain = 1 << 3,
    Composite = 1 << 4,
    AnyEnum = 1 << 5,
  };
  const char *Name;
  KindWord Word;
  uint8_t InfoSize; ///< bytes of the Info part
  uint8_t ElemSize; ///< bytes of each Elem part
  uint8_t Traits;

  bool has(Trait T) const { return Traits & T; }
  KindLayout layout() const { return {InfoSize, ElemSize, 0}; }

  static const KindFacts Facts[];
};

namespace detail {
template <typename Part> constexpr uint8_t partSize() {
  if constexpr (std::is_same_v<Part, NoData>)
    return 0;
  else
    return uint8_t(sizeof(Part));
}
} // namespace detail

// Names in a static member's initializer are looked up in its class, so the
// table's trait names need no qualification.
inline const KindFacts KindFacts::Facts[] = {
    {"UNKNOWN", KindWord::Zero, 0, 0, 0},
#define BTF_KIND(Id, Value, Name, Word, Info, Elem, Traits)                    \
  {Name, KindWord::Word, detail::partSize<Info>(), detail::partSize<Elem>(),   \
   uint8_t(Known | (Traits))},
#include "btfkit/BTFKinds.def"
};

namespace detail {
// The rows must be kinds 1, 2, ... in order: Facts[] is indexed by kind.
constexpr unsigned RowValues[] = {
#define BTF_KIND(Id, Value, ...) Value,
#include "btfkit/BTFKinds.def"
};
constexpr bool rowsInKindOrder() {
  for (unsigned I = 0; I < MaxKnownKind; ++I)
    if (RowValues[I] != I + 1)
      return false;
  return true;
}
static_assert(rowsInKindOrder(), "BTFKinds.def: rows out of kind order");
} // namespace detail

/// The facts of kind \p K; those of Facts[0] (not Known, "UNKNOWN") for
/// kinds the table does not list.
inline const KindFacts &kindFacts(unsigned K) {
  return KindFacts::Facts[K <= MaxKnownKind ? K : 0];
}

/// The layout of a kind this library knows, or false for an unknown kind.
inline bool knownKindLayout(unsigned K, KindLayout &Out) {
  if (!isKnownKind(K))
    return false;
  Out = kindFacts(K).layout();
  return true;
}

/// bpftool's spelling of a kind ("INT", "FUNC_PROTO", ...; "UNKNOWN").
inline const char *kindName(unsigned K) { return kindFacts(K).Name; }

/// bpftool's spelling of an INT encoding ("(none)", "SIGNED", "CHAR",
/// "BOOL"; "UNKN" for any other value, a combination included).
const char *intEncodingName(uint32_t Enc);

} // namespace btfkit

#endif // BTFKIT_FORMAT_H
