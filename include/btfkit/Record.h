//===- btfkit/Record.h - A typed view of one type record --------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// RecordRef reads one type record in place: the common part, and each
/// kind's own parts by name (members(), intData(), array(), ...). An
/// accessor is valid only on the kinds whose records have that part, and
/// asserts it: members() of an ENUM, or intData() of void, is a bug in the
/// caller, caught by assertion-enabled builds and free in release builds.
/// What a kind's records hold is BTFKinds.def's; nothing here restates it.
///
/// Type (BTF.h) is a RecordRef that also knows its id and its BTF; code
/// that works on bare records (deduplication's flat tables) uses RecordRef
/// itself.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_RECORD_H
#define BTFKIT_RECORD_H

#include "btfkit/Format.h"

#include "llvm/ADT/ArrayRef.h"

#include <cassert>

namespace btfkit {

// Elements follow the common part directly: no kind has both an Info part
// and elements (elems() relies on it).
#define BTF_KIND(Id, Value, Name, Word, Info, Elem, Traits)                    \
  static_assert(std::is_same_v<Info, NoData> || std::is_same_v<Elem, NoData>,  \
                "BTFKinds.def: " Name " has both an Info part and elements");
#include "btfkit/BTFKinds.def"

/// The all-zero record void reads as: kind 0, no name, no size.
inline constexpr CommonType VoidRecord = {0, 0, 0};

class RecordRef {
public:
  /// Void.
  RecordRef() = default;
  /// The record at \p Rec, which must hold the whole record (BTF::parse
  /// checked its bounds).
  explicit RecordRef(const CommonType *Rec) : Rec(Rec) {}

  unsigned rawKind() const { return infoKind(Rec->Info); }
  Kind kind() const { return Kind(rawKind()); }
  /// BTFKinds.def's row of this kind (Facts[0] for void and unknown kinds).
  const KindFacts &facts() const { return kindFacts(rawKind()); }
  uint32_t vlen() const { return infoVlen(Rec->Info); }
  bool kindFlag() const { return infoKindFlag(Rec->Info); }
  uint32_t info() const { return Rec->Info; }
  uint32_t nameOff() const { return Rec->NameOff; }
  /// The common part, whatever the kind (name, info, and the size or type
  /// word as stored).
  const CommonType &common() const { return *Rec; }

  /// The size word, of the kinds whose third word is a size (KindWord::Size:
  /// INT, STRUCT, UNION, ENUM, DATASEC, FLOAT, ENUM64).
  uint32_t size() const {
    assert(facts().Word == KindWord::Size && "size() of a kind without one");
    return Rec->SizeOrType;
  }
  /// The type word, of the kinds whose third word is a type id
  /// (KindWord::Type: PTR, TYPEDEF, modifiers, FUNC, FUNC_PROTO's return
  /// type, VAR, DECL_TAG, TYPE_TAG).
  uint32_t typeId() const {
    assert(facts().Word == KindWord::Type && "typeId() of a kind without one");
    return Rec->SizeOrType;
  }

  bool is(Kind K) const { return kind() == K; }
  bool isComposite() const { return facts().has(KindFacts::Composite); }
  bool isEnum() const { return facts().has(KindFacts::AnyEnum); }
  /// PTR, TYPEDEF, CONST, VOLATILE, RESTRICT, TYPE_TAG: one type word that
  /// refers to another type.
  bool isReference() const { return facts().has(KindFacts::Reference); }
  /// CONST, VOLATILE, RESTRICT, TYPE_TAG.
  bool isModifier() const { return facts().has(KindFacts::Modifier); }

  // The parts of each kind.
  uint32_t intData() const { return *part<uint32_t>(Kind::Int); }
  uint32_t intEncoding() const { return btfkit::intEncoding(intData()); }
  uint32_t intOffset() const { return btfkit::intOffset(intData()); }
  uint32_t intBits() const { return btfkit::intBits(intData()); }
  const ArrayInfo &array() const { return *part<ArrayInfo>(Kind::Array); }
  llvm::ArrayRef<Member> members() const {
    assert(isComposite() && "members() of a record not a STRUCT or UNION");
    return elems<Member>();
  }
  llvm::ArrayRef<EnumValue> enumValues() const {
    return elems<EnumValue>(Kind::Enum);
  }
  llvm::ArrayRef<Enum64Value> enum64Values() const {
    return elems<Enum64Value>(Kind::Enum64);
  }
  llvm::ArrayRef<Param> params() const { return elems<Param>(Kind::FuncProto); }
  uint32_t varLinkage() const { return part<VarInfo>(Kind::Var)->Linkage; }
  llvm::ArrayRef<VarSecInfo> secInfos() const {
    return elems<VarSecInfo>(Kind::Datasec);
  }
  int32_t declTagComponent() const {
    return part<DeclTagInfo>(Kind::DeclTag)->ComponentIdx;
  }
  /// Bit offset and bitfield size of member \p M of this struct or union.
  uint32_t memberBitOffset(const Member &M) const {
    assert(isComposite() && "member of a record not a STRUCT or UNION");
    return kindFlag() ? btfkit::memberBitOffset(M.Offset) : M.Offset;
  }
  uint32_t memberBitfieldSize(const Member &M) const {
    assert(isComposite() && "member of a record not a STRUCT or UNION");
    return kindFlag() ? btfkit::memberBitfieldSize(M.Offset) : 0;
  }

  /// The record's size in bytes, of a known kind.
  uint32_t byteSize() const {
    const KindFacts &F = facts();
    assert(F.has(KindFacts::Known) && "size of an unknown kind's record");
    return uint32_t(sizeof(CommonType)) + F.InfoSize + vlen() * F.ElemSize;
  }
  /// The words after the common part (the Info part, then the elements),
  /// of a known kind: what two records of one kind and vlen differ in
  /// beyond their common parts.
  llvm::ArrayRef<uint32_t> trailingWords() const {
    return llvm::ArrayRef<uint32_t>(reinterpret_cast<const uint32_t *>(Rec + 1),
                                    (byteSize() - sizeof(CommonType)) / 4);
  }

protected:
  const CommonType *Rec = &VoidRecord;

private:
  template <typename T> const T *part(Kind K) const {
    assert(is(K) && "a part of a record of another kind");
    (void)K;
    return reinterpret_cast<const T *>(Rec + 1);
  }
  template <typename T> llvm::ArrayRef<T> elems() const {
    return llvm::ArrayRef<T>(reinterpret_cast<const T *>(Rec + 1), vlen());
  }
  template <typename T> llvm::ArrayRef<T> elems(Kind K) const {
    assert(is(K) && "elements of a record of another kind");
    (void)K;
    return elems<T>();
  }
};

} // namespace btfkit

#endif // BTFKIT_RECORD_H
