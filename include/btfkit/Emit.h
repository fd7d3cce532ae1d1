//===- btfkit/Emit.h - Debug-info metadata to BTF ---------------*- C++ -*-===//
//
// Part of btfkit, under the Apache License v2.0 with LLVM Exceptions.
// See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Turns the debug-info metadata of an LLVM module (what clang -g attaches)
/// into BTF, the way pahole 1.24 turns the same object's DWARF into BTF:
/// every type of the compile units, a FUNC for each function that reaches
/// the object file, VARs for per-CPU variables (all globals with the
/// global_var feature). The compiler plugin (lib/Emit/Plugin.cpp) runs this
/// on each translation unit; it lives in the library so that tests and the
/// link step can use it without the plugin.
///
/// This library part uses LLVM's IR headers; front ends that do not handle
/// IR do not link it (it is not part of the `btfkit` interface target).
///
//===----------------------------------------------------------------------===//

#ifndef BTFKIT_EMIT_H
#define BTFKIT_EMIT_H

#include "btfkit/BTF.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace llvm {
class Module;
} // namespace llvm

namespace btfkit {

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

struct EmitOptions {
  unsigned Features = DefaultFeatures;
  /// When set, INT types take the base's spelling of the same C type
  /// ("long unsigned int" for clang's "unsigned long"), so that they
  /// deduplicate against a base built by another compiler. The base is only
  /// read.
  const BTF *NamingBase = nullptr;
};

/// What a conversion produced.
struct EmitResult {
  /// A standalone BTF blob (ids from 1), ready for serializeFragment().
  std::vector<uint8_t> Blob;
  /// The first compile unit's file name.
  std::string Source;
  unsigned NumTypes = 0;
  unsigned NumFuncs = 0;
  unsigned NumVars = 0;
  /// Things the user should hear about (unsupported types, ...).
  std::vector<std::string> Warnings;
};

/// True when \p M carries debug info with types (a compile unit with full
/// or limited debug info, not only line tables).
bool hasTypeDebugInfo(const llvm::Module &M);

/// Converts \p M's debug info. Fails only when the BTF would break the
/// format's limits (and names the type).
llvm::Expected<EmitResult> convertDebugInfo(const llvm::Module &M,
                                            const EmitOptions &Opts);

/// The base's spelling of the C integer type \p Name of \p ByteSize bytes
/// and BTF \p Encoding, or "" when the base has no INT of that C type (or
/// has it under the same name). "unsigned long" and "long unsigned int"
/// name the same type; so do "int", "signed" and "signed int".
/// Builds an index of the base's INTs on first use.
class IntNameMap {
public:
  explicit IntNameMap(const BTF &Base) : Base(Base) {}
  llvm::StringRef lookup(llvm::StringRef Name, uint32_t ByteSize,
                         uint32_t Encoding);

private:
  const BTF &Base;
  bool Indexed = false;
  llvm::StringMap<std::string> Index; // key/size/encoding -> base name
};

/// The spelling-independent key of a C integer type name ("ul" for both
/// "unsigned long" and "long unsigned int"), or "" for a name that is not a
/// C integer type made of keywords.
std::string canonicalIntName(llvm::StringRef Name);

} // namespace btfkit

#endif // BTFKIT_EMIT_H
