//===- btfkit/EncodePolicy.h - One encoding rule per BTF kind ---*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The one place where pahole 1.24's rules for each BTF kind live. Both
/// encoders are walkers: the plugin's over IR debug-info metadata
/// (lib/Emit/DebugInfoToBTF.cpp) and the link step's over DWARF DIEs
/// (lib/Link/DwarfToBTF.cpp). A walker extracts the facts its source states
/// about a type (the structs below, in source-neutral terms: names, sizes,
/// offsets, values, DWARF tags and encodings, the ids of referred types)
/// and hands them to a TypeEncoder, which decides what record they become:
/// when a struct is a FWD, when an enum is signed or an ENUM64, how many
/// elements an array has, where decl and type tags go.
///
/// Ids: the walker reserves a type's id when it first meets the type (so
/// that cycles through pointers resolve), resolves the types it refers to,
/// then has the policy fill the record in. Records the policy adds itself
/// (INTs, TYPE_TAGs, DECL_TAGs, qualifiers hoisted onto arrays, FUNCs,
/// VARs, DATASECs) are appended in the order pahole-compatible output
/// needs, so the walker's call order is part of the output: resolve what
/// a type refers to before describing it, as both walkers do.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_ENCODEPOLICY_H
#define BTFKIT_ENCODEPOLICY_H

#include "btfkit/Encode.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <vector>

namespace btfkit {

/// Where the policy's warnings go; the walker adds where it was (the DIE,
/// the unit).
using EncodeWarning = llvm::function_ref<void(const llvm::Twine &)>;

/// The values of btf_decl_tag or btf_type_tag annotations, in source order.
using TagValues = llvm::SmallVector<llvm::StringRef, 1>;

/// A data member of a struct or union.
struct MemberFacts {
  llvm::StringRef Name;
  uint32_t Type = 0;
  /// From the start of the struct (DWARF 5's DW_AT_data_bit_offset view).
  uint64_t BitOffset = 0;
  /// Set for a bitfield: its width in bits.
  std::optional<uint32_t> BitfieldSize;
  TagValues DeclTags;
};

/// A struct, union or class (DW_TAG_structure_type, union_type,
/// class_type).
struct CompositeFacts {
  llvm::StringRef Name;
  bool IsUnion = false;
  /// Declared only (DW_AT_declaration, DIFlagFwdDecl).
  bool Declaration = false;
  uint32_t ByteSize = 0;
  /// How many data members (no methods, static members or bases).
  size_t NumMembers = 0;
  TagValues DeclTags;
};

/// One enumerator: its value as a 64-bit pattern (sign-extended when read
/// as signed) and whether it reads as unsigned.
struct EnumeratorFacts {
  llvm::StringRef Name;
  uint64_t Value = 0;
  bool Unsigned = false;
};

struct EnumFacts {
  llvm::StringRef Name;
  /// 0 for a declared-only enum.
  uint32_t ByteSize = 0;
  /// Whether the underlying type is signed; none when not stated.
  std::optional<bool> BaseSigned;
  std::vector<EnumeratorFacts> Values;
};

struct ArrayFacts {
  uint32_t ElemType = 0;
  /// Each dimension's element count as the source states it; 0 or less
  /// (a flexible array member, a VLA): none.
  llvm::SmallVector<int64_t, 4> Counts;
  /// The qualifiers on the element type, outermost first (DW_TAG_*_type).
  llvm::SmallVector<Kind, 2> ElemQualifiers;
  /// The producer leaves an array of qualified elements unqualified, as
  /// clang does (GCC qualifies the array too).
  bool ClangForm = true;
};

/// A parameter of a prototype; Unspecified is C's "...".
struct ParamFacts {
  llvm::StringRef Name;
  uint32_t Type = 0;
  bool Unspecified = false;
};

/// A function that gets a FUNC, with its FUNC_PROTO already encoded.
struct FuncFacts {
  llvm::StringRef Name;
  uint32_t Proto = 0;
  TagValues DeclTags;
  /// Decl tags of the parameters, by parameter index.
  std::vector<TagValues> ParamDeclTags;
  /// Listed in a BTF_ID set8 (the kernel's kfunc sets).
  bool InKfuncSet = false;
};

struct VarFacts {
  llvm::StringRef Name;
  uint32_t Type = 0;
  /// Visible outside its object (DW_AT_external, non-local linkage).
  bool External = false;
  TagValues DeclTags;
};

/// A variable's place in its section.
struct SectionVar {
  uint32_t Var = 0;
  uint64_t Offset = 0, Size = 0;
};

/// The records of one encoding (a module's metadata, a DWARF unit), built
/// by one rule per kind from the facts the walker gives.
class TypeEncoder {
public:
  /// \p IntNames, when set, gives INTs the base's spelling; it outlives
  /// the encoder and may be shared by several.
  TypeEncoder(const EncodeOptions &Opts, IntNameMap *IntNames)
      : Opts(Opts), IntNames(IntNames) {}

  bool has(unsigned Feature) const { return Opts.Features & Feature; }

  /// An id for a type to be described later by one of the rules below.
  uint32_t reserve();

  /// INT or FLOAT for a DWARF base type of encoding \p Ate (DW_ATE_*).
  uint32_t encodeBaseType(llvm::StringRef Name, uint32_t ByteSize, unsigned Ate,
                          EncodeWarning Warn);
  /// A pointer (or C++ reference) to \p Target, through TYPE_TAGs.
  void encodePointer(uint32_t Id, uint32_t Target,
                     llvm::ArrayRef<llvm::StringRef> TypeTags);
  void encodeTypedef(uint32_t Id, llvm::StringRef Name, uint32_t Target,
                     llvm::ArrayRef<llvm::StringRef> DeclTags);
  /// CONST, VOLATILE or RESTRICT for a DWARF qualifier tag (C++'s
  /// immutable_type is CONST).
  void encodeQualifier(uint32_t Id, unsigned DwTag, uint32_t Target);

  /// A struct or union, or a FWD. \p Member gives member I's facts; it is
  /// called in order, and only when the members are encoded, so the types
  /// it resolves are reserved in member order.
  void encodeComposite(uint32_t Id, const CompositeFacts &F,
                       llvm::function_ref<MemberFacts(size_t)> Member,
                       EncodeWarning Warn);
  /// An ENUM or ENUM64.
  void encodeEnum(uint32_t Id, const EnumFacts &F, EncodeWarning Warn);
  /// An ARRAY, with its element qualifiers hoisted onto it when asked.
  void encodeArray(uint32_t Id, const ArrayFacts &F);

  /// A FUNC_PROTO returning \p Ret (0: void).
  void encodeProto(uint32_t Id, uint32_t Ret, llvm::ArrayRef<ParamFacts> Params,
                   EncodeWarning Warn);
  /// Whether a function named \p Name is to be encoded: only the first of
  /// a name gets a FUNC (pahole keeps one per name). Claims the name.
  bool claimFunc(llvm::StringRef Name) { return FuncNames.insert(Name).second; }
  /// A FUNC and its decl tags; returns its id.
  uint32_t encodeFunc(const FuncFacts &F);
  /// A VAR and its decl tags; returns its id.
  uint32_t encodeVar(const VarFacts &F);
  /// A DATASEC of \p Vars (none: nothing).
  void encodeDatasec(llvm::StringRef Name, std::vector<SectionVar> Vars,
                     EncodeWarning Warn);

  /// The records so far: id I is types()[I - 1].
  llvm::ArrayRef<EncodedType> types() const { return Types; }
  unsigned numFuncs() const { return NumFuncs; }
  unsigned numVars() const { return NumVars; }
  /// Hands the records to \p B (addEncodedTypes).
  llvm::Error build(Builder &B, llvm::StringRef Label) const {
    return addEncodedTypes(B, Types, Label);
  }

private:
  uint32_t add(EncodedType E);
  EncodedType &at(uint32_t Id) { return Types[Id - 1]; }
  uint32_t intType(llvm::StringRef Name, uint32_t Size, uint32_t Encoding);
  uint32_t indexType();
  void addDeclTags(uint32_t Target, int32_t Component,
                   llvm::ArrayRef<llvm::StringRef> Values);

  const EncodeOptions &Opts;
  IntNameMap *IntNames;
  std::vector<EncodedType> Types;   // type id = index + 1
  llvm::StringMap<uint32_t> IntIds; // "name/size/encoding" -> id
  llvm::StringSet<> FuncNames;
  uint32_t IndexTypeId = 0;
  unsigned NumFuncs = 0, NumVars = 0;
};

} // namespace btfkit

#endif // BTFKIT_ENCODEPOLICY_H
