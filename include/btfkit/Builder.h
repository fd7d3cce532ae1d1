//===- btfkit/Builder.h - Making new BTF ------------------------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Builder appends types and strings and produces a BTF blob (and a loaded
/// BTF over it). Strings are deduplicated; ids continue the base's when the
/// new BTF is split. Typical use:
///
///   Builder B(&Base);
///   uint32_t Int = B.addInt("int", 4, IntSigned);
///   uint32_t S = B.addStruct("point", 8);
///   B.addMember("x", Int, 0);
///   B.addMember("y", Int, 32);
///   auto NewBTF = B.build("point.btf");
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_BUILDER_H
#define BTFKIT_BUILDER_H

#include "btfkit/BTF.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringMap.h"

namespace btfkit {

class Builder {
public:
  /// A new BTF split over \p Base (standalone when null).
  explicit Builder(const BTF *Base = nullptr);

  const BTF *base() const { return Base; }
  /// The id the next added type gets.
  uint32_t nextId() const { return FirstId + uint32_t(Starts.size()); }
  uint32_t firstId() const { return FirstId; }
  uint32_t numTypes() const { return uint32_t(Starts.size()); }

  /// When set, addString() returns the base's offset for a string the base
  /// already holds instead of adding it (as libbpf's dedup and pahole do for
  /// split BTF). Builds an index of the base strings on first use.
  void setReuseBaseStrings(bool Reuse) { ReuseBase = Reuse; }
  /// Emits a 32-byte header with a layout section describing every known
  /// kind (plus \p Extra entries for kinds above the known set).
  void setEmitLayout(bool Emit, llvm::ArrayRef<KindLayout> Extra = {});

  /// The chain offset of \p S, adding it when new. "" is offset 0.
  uint32_t addString(llvm::StringRef S);
  /// The string at chain offset \p Off of the BTF being built.
  llvm::StringRef string(uint32_t Off) const;

  // One call per kind; vlen-carrying kinds take their elements through the
  // add*() calls that follow, which bump the last type's vlen.
  uint32_t addInt(llvm::StringRef Name, uint32_t ByteSize, uint32_t Encoding,
                  uint32_t BitOffset = 0, uint32_t Bits = 0 /*ByteSize*8*/);
  uint32_t addFloat(llvm::StringRef Name, uint32_t ByteSize);
  uint32_t addPtr(uint32_t Target);
  uint32_t addArray(uint32_t Elem, uint32_t Index, uint32_t NElems);
  uint32_t addStruct(llvm::StringRef Name, uint32_t Size, bool KindFlag = false);
  uint32_t addUnion(llvm::StringRef Name, uint32_t Size, bool KindFlag = false);
  /// Bit offset and (kind-flag structs only) bitfield size.
  void addMember(llvm::StringRef Name, uint32_t Type, uint32_t BitOffset,
                 uint32_t BitfieldSize = 0);
  uint32_t addEnum(llvm::StringRef Name, uint32_t Size, bool Signed = false);
  void addEnumValue(llvm::StringRef Name, int64_t Value);
  uint32_t addEnum64(llvm::StringRef Name, uint32_t Size, bool Signed = false);
  void addEnum64Value(llvm::StringRef Name, uint64_t Value);
  uint32_t addFwd(llvm::StringRef Name, bool IsUnion);
  uint32_t addTypedef(llvm::StringRef Name, uint32_t Target);
  /// CONST, VOLATILE, RESTRICT.
  uint32_t addModifier(Kind K, uint32_t Target);
  uint32_t addTypeTag(llvm::StringRef Value, uint32_t Target);
  uint32_t addFunc(llvm::StringRef Name, uint32_t Proto, FuncLinkage L);
  uint32_t addFuncProto(uint32_t Ret);
  void addParam(llvm::StringRef Name, uint32_t Type);
  uint32_t addVar(llvm::StringRef Name, uint32_t Type, VarLinkage L);
  uint32_t addDatasec(llvm::StringRef Name, uint32_t Size);
  void addSecInfo(uint32_t Var, uint32_t Offset, uint32_t Size);
  uint32_t addDeclTag(llvm::StringRef Value, uint32_t Target,
                      int32_t ComponentIdx);

  /// Appends a copy of \p T (from any BTF) with every type id passed
  /// through \p MapId and every string re-added from T's chain.
  uint32_t addCopy(const Type &T,
                   llvm::function_ref<uint32_t(uint32_t)> MapId);
  /// Appends a raw record (common part and what follows) whose string
  /// offsets already refer to this builder's chain.
  uint32_t addRaw(llvm::ArrayRef<uint32_t> Words);

  /// The words of type \p Id added so far (for rewriting in place).
  llvm::MutableArrayRef<uint32_t> recordWords(uint32_t Id);
  CommonType &record(uint32_t Id) {
    return *reinterpret_cast<CommonType *>(recordWords(Id).data());
  }

  /// The serialized blob: header, types, layout (if any), strings.
  std::vector<uint8_t> serialize() const;
  /// serialize() loaded back as a BTF over the base. \p Name names it in
  /// diagnostics.
  llvm::Expected<std::unique_ptr<BTF>> build(std::string Name) const;

private:
  uint32_t begin(Kind K, llvm::StringRef Name, uint32_t SizeOrType,
                 bool KindFlag = false, uint32_t Vlen = 0);
  void bumpVlen();

  const BTF *Base;
  uint32_t FirstId;
  uint32_t StrBegin;
  std::vector<uint32_t> Words;
  std::vector<uint32_t> Starts; // word index of each type
  std::string Strings;          // own table, starts with NUL
  llvm::StringMap<uint32_t> StrIndex; // own strings -> chain offset
  bool ReuseBase = false;
  bool BaseIndexed = false;
  llvm::DenseMap<llvm::StringRef, uint32_t> BaseStrIndex; // into the base
  bool EmitLayout = false;
  std::vector<KindLayout> ExtraLayouts;
};

} // namespace btfkit

#endif // BTFKIT_BUILDER_H
