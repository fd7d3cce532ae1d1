//===- btfkit/Encode.h - What every BTF encoder shares ----------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// btfkit encodes BTF from two sources: a module's debug-info metadata in
/// the compiler plugin (Emit.h) and an object's DWARF in the link step's
/// fallback (lib/Link/DwarfToBTF.h). Both follow pahole's feature switches
/// and name C integer types as the base does; this is that shared part,
/// free of LLVM IR: the options, the records both describe types in, and
/// how records become BTF. The rules that make records from a source's
/// facts are EncodePolicy.h; IndexedBase.h is the base both encode against.
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_ENCODE_H
#define BTFKIT_ENCODE_H

#include "btfkit/BTF.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace btfkit {

class Builder;

/// The BTF features, named and defaulted as pahole's --btf_features.
enum Feature : unsigned {
  /// VARs and the .data..percpu DATASEC for per-CPU variables.
  FeatVar = 1 << 0,
  /// VARs and DATASECs for all global variables.
  FeatGlobalVar = 1 << 1,
  /// FLOAT for floating-point types (else an INT without encoding).
  FeatFloat = 1 << 2,
  /// DECL_TAG from btf_decl_tag attributes.
  FeatDeclTag = 1 << 3,
  /// TYPE_TAG from btf_type_tag attributes (else the tags are dropped).
  FeatTypeTag = 1 << 4,
  /// ENUM64 for 8-byte enums (else an 8-byte ENUM of truncated values).
  FeatEnum64 = 1 << 5,
  /// Drop functions whose prototypes disagree between objects: a link-time
  /// property, recorded in the fragment for the link step.
  FeatConsistentFunc = 1 << 6,
  /// Encode functions whose signature the optimizer changed, with their
  /// source prototype (pahole 1.24 always does); without it they are left
  /// out, as pahole >= 1.25 does.
  FeatOptimizedFunc = 1 << 7,
  /// DECL_TAG "bpf_kfunc" on functions listed in a BTF_ID set.
  FeatDeclTagKfuncs = 1 << 8,
  /// Deterministic output; btfkit's output always is (accepted for
  /// compatibility).
  FeatReproducibleBuild = 1 << 9,
};
/// What Kbuild asks of pahole for modules of Linux 6.1 with pahole 1.24
/// (scripts/pahole-flags.sh: --btf_gen_floats; per-CPU variables, decl and
/// type tags and enum64 are 1.24's defaults; 1.24 encodes optimized
/// functions with their source prototype).
constexpr unsigned DefaultFeatures = FeatVar | FeatFloat | FeatDeclTag |
                                     FeatTypeTag | FeatEnum64 |
                                     FeatOptimizedFunc;
constexpr unsigned AllFeatures = (FeatReproducibleBuild << 1) - 1;

/// Parses a feature list: comma-separated names of pahole's
/// --btf_features ("var", "global_var", ...), each optionally prefixed with
/// '-' to remove it; "default", "all" and "none" stand for sets. The list
/// applies to the empty set, so "default,-type_tag" is the defaults without
/// type tags. Errors name \p Option.
llvm::Expected<unsigned> parseFeatures(llvm::StringRef List,
                                       llvm::StringRef Option);
/// "var,float,..." in the order of the enum.
std::string featuresString(unsigned Features);

/// The base's spelling of the C integer type \p Name of \p ByteSize bytes
/// and BTF \p Encoding, or "" when the base has no INT of that C type (or
/// has it under the same name). "unsigned long" and "long unsigned int"
/// name the same type; so do "int", "signed" and "signed int".
/// Builds an index of the base's INTs on first use.
class IntNameMap {
public:
  /// \p IntIds, when not empty, are the ids of all of \p Base's INTs.
  explicit IntNameMap(const BTF &Base, llvm::ArrayRef<uint32_t> IntIds = {})
      : Base(Base), IntIds(IntIds) {}
  llvm::StringRef lookup(llvm::StringRef Name, uint32_t ByteSize,
                         uint32_t Encoding);

private:
  const BTF &Base;
  llvm::ArrayRef<uint32_t> IntIds;
  bool Indexed = false;
  llvm::StringMap<std::string> Index; // key/size/encoding -> base name
};

/// The spelling-independent key of a C integer type name ("ul" for both
/// "unsigned long" and "long unsigned int"), or "" for a name that is not a
/// C integer type made of keywords.
std::string canonicalIntName(llvm::StringRef Name);

/// How an encoder encodes: the one set of switches for both encoders. The
/// defaults are the plugin's and the link step's DWARF fallback's when they
/// are told nothing (Kbuild's pahole 1.24 for Linux 6.1, standalone INT
/// names, clang's array form).
struct EncodeOptions {
  /// Feature bits; DefaultFeatures: what pahole 1.24 does for Kbuild.
  unsigned Features = DefaultFeatures;
  /// When set, INT types take the base's spelling of the same C type
  /// ("long unsigned int" for clang's "unsigned long"), so that they
  /// deduplicate against a base built by another compiler. Only read.
  const BTF *NamingBase = nullptr;
  /// The ids of NamingBase's INTs when known (IndexedBase::intIds()); empty:
  /// found by a scan of the base.
  llvm::ArrayRef<uint32_t> NamingBaseInts;
  /// Put the qualifiers of an array's elements on the array as well
  /// ("const char s[4]": CONST -> ARRAY(CONST char), not ARRAY(CONST
  /// char)), as GCC-built bases have them (IndexedBase::qualifiedArrays()).
  /// Only arrays in clang's form are changed (ArrayFacts::ClangForm).
  bool QualifiedArrays = false;
};

/// One element of a type with a vlen: a member, enumerator, parameter or
/// DATASEC entry. Which fields count depends on the owner's kind.
struct EncodedElem {
  /// Member, enumerator or parameter name ("" for DATASEC entries).
  std::string Name;
  /// Member or parameter type; the VAR of a DATASEC entry.
  uint32_t Type = 0;
  /// Member: bit offset from the start of the struct. DATASEC entry: byte
  /// offset in the section.
  uint32_t Offset = 0;
  /// Member: bitfield size in bits (0: not a bitfield; written only under
  /// the owner's kind flag). DATASEC entry: the variable's size in bytes.
  uint32_t Size = 0;
  /// Enumerator value (ENUM: the low 32 bits count).
  uint64_t Value = 0;
};

/// A type as an encoder describes it before building: encoders reserve
/// ids while they walk (a struct's id is needed before its members are
/// known) and fill the records in later (EncodePolicy.h).
struct EncodedType {
  /// Unknown: reserved, not described yet.
  Kind TypeKind = Kind::Unknown;
  std::string Name;
  /// INT, FLOAT, STRUCT, UNION, ENUM, ENUM64, DATASEC: the size in bytes.
  uint32_t Size = 0;
  /// PTR, TYPEDEF, CONST/VOLATILE/RESTRICT, TYPE_TAG, DECL_TAG, FUNC, VAR:
  /// the type referred to; FUNC_PROTO: the return type; ARRAY: the element
  /// type.
  uint32_t Type = 0;
  bool KindFlag = false;
  /// INT: IntSigned, IntBool or 0.
  uint32_t IntEncoding = 0;
  /// ARRAY: the index type and the number of elements.
  uint32_t IndexType = 0;
  uint32_t NumElems = 0;
  /// FUNC: a FuncLinkage; VAR: a VarLinkage.
  uint32_t Linkage = 0;
  /// DECL_TAG: the member or parameter index, -1 for the type itself.
  int32_t Component = -1;
  std::vector<EncodedElem> Elems;
};

/// Adds \p Types to \p B, which must hold no types yet: type I of the list
/// gets id I + 1. Errors (a reserved type never described, too many types)
/// name \p Label.
llvm::Error addEncodedTypes(Builder &B, llvm::ArrayRef<EncodedType> Types,
                            llvm::StringRef Label);

/// What BTF a DWARF base type of encoding \p Ate (DW_ATE_*) becomes, as
/// pahole encodes it: a FLOAT (an INT without encoding when floats are not
/// wanted), an INT of the given BTF encoding, or, for what BTF has no kind
/// for (complex and decimal floats), an INT of its size with a warning.
struct BaseTypeForm {
  enum { Float, Int, Unsupported } How = Int;
  uint32_t IntEncoding = 0; // IntSigned, IntBool or 0
};
BaseTypeForm baseTypeForm(unsigned Ate);

/// The BTF kind of a DWARF qualifier tag (DW_TAG_const_type,
/// volatile_type, restrict_type), or none for any other tag.
std::optional<Kind> qualifierKind(unsigned DwTag);

} // namespace btfkit

#endif // BTFKIT_ENCODE_H
