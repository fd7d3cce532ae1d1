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
/// bit-field accessors. All multi-byte values are in host order once a BTF
/// has been loaded (the reader byte-swaps foreign-endian input).
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_FORMAT_H
#define BTFKIT_FORMAT_H

#include <cstdint>

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

enum class Kind : uint8_t {
  Unknown = 0,
  Int = 1,
  Ptr = 2,
  Array = 3,
  Struct = 4,
  Union = 5,
  Enum = 6,
  Fwd = 7,
  Typedef = 8,
  Volatile = 9,
  Const = 10,
  Restrict = 11,
  Func = 12,
  FuncProto = 13,
  Var = 14,
  Datasec = 15,
  Float = 16,
  DeclTag = 17,
  TypeTag = 18,
  Enum64 = 19,
};
/// The last kind this library knows the records of. Kinds above it can only
/// be stepped over with the help of a layout section.
constexpr unsigned MaxKnownKind = 19;

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

/// The layout of a kind this library knows, or false for an unknown kind.
bool knownKindLayout(unsigned K, KindLayout &Out);

/// bpftool's spelling of a kind ("INT", "FUNC_PROTO", ...; "UNKNOWN").
const char *kindName(unsigned K);

/// bpftool's spelling of an INT encoding ("(none)", "SIGNED", "CHAR",
/// "BOOL"; "UNKN" for any other value, a combination included).
const char *intEncodingName(uint32_t Enc);

} // namespace btfkit

#endif // BTFKIT_FORMAT_H
